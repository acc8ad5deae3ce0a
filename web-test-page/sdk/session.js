// One joined call: wires the hub connection, the roster state machine, the WebRTC mesh
// and the call UI together, and turns roster changes into the SDK's listener events.
// What the user sees always comes from the hub's roster (snapshot plus events by seq),
// never from a local guess (PROTOCOL.md section 8).
import { Roster, isRosterEvent, FLAGS } from './roster.js';
import { SessionConnection } from './connection.js';
import { PeerMesh } from './webrtc.js';
import { CallView } from './ui.js';
import { ErrorCodes, SignalHubError, failure, success } from './errors.js';

const FLAG_LISTENERS = {
    isAudioMuted: ['onParticipantAudioMuted', 'onParticipantAudioUnmuted'],
    isVideoPaused: ['onParticipantVideoPaused', 'onParticipantVideoResumed'],
    isHandRaised: ['onParticipantHandRaised', 'onParticipantHandLowered'],
};
// Why the session ended, from the close code, when no message said so first.
const END_REASONS = { 1000: 'left', 1001: 'serverShutdown', 1008: 'policy', 4001: 'replaced', 4002: 'removed', 4003: 'sessionEnded' };
const ACTIONS = ['muteAudio', 'unmuteAudio', 'pauseVideo', 'resumeVideo', 'raiseHand', 'lowerHand'];

async function openLocalMedia(mediaDevices, sessionType, log) {
    if (!mediaDevices || !mediaDevices.getUserMedia) {
        log('no getUserMedia here (not a secure context?): joining without media');
        return null;
    }
    const video = sessionType === 'VIDEO';
    try {
        return await mediaDevices.getUserMedia({ audio: true, video });
    } catch (err) {
        log(`camera/microphone unavailable (${err.name}): ${video ? 'trying audio only' : 'joining without media'}`);
    }
    if (!video) return null;
    try {
        return await mediaDevices.getUserMedia({ audio: true, video: false });
    } catch {
        return null;
    }
}

export class CallSession {
    // WebSocketImpl, mediaDevices, createView and createMesh can be replaced, so the
    // session logic can be tested without a browser (tests/sdk/session.test.mjs).
    constructor({ url, callToken, settings, container, iceServers, emit, log = () => {}, onClosed = () => {},
        WebSocketImpl = globalThis.WebSocket, mediaDevices = globalThis.navigator && globalThis.navigator.mediaDevices,
        createView = (...args) => new CallView(...args), createMesh = (options) => new PeerMesh(options), reconnectDelays }) {
        Object.assign(this, { url, callToken, settings, container, iceServers, emit, log, onClosed, WebSocketImpl, mediaDevices, createView, createMesh, reconnectDelays });
        this.roster = new Roster();
        this.pid = null;
        this.resumeToken = null;
        this.sessionId = null;
        this.joinedOnce = false;
        this.endReason = null;
        this.ended = false;
        this.localStream = null;
    }

    get self() {
        return this.pid ? this.roster.get(this.pid) : undefined;
    }

    async start() {
        this.localStream = await openLocalMedia(this.mediaDevices, this.settings.sessionType, this.log);
        // The start states hold from the first frame: tracks are off before anything is sent.
        this._setTrack('audio', !this.settings.startAudioMuted);
        this._setTrack('video', !this.settings.startVideoPaused);
        this.view = this.createView(this.container, {
            layout: this.settings.layout, sessionType: this.settings.sessionType, onControl: (action, value) => this._onControl(action, value),
        });
        this.mesh = this.createMesh({
            iceServers: this.iceServers, localStream: this.localStream, sessionType: this.settings.sessionType, log: this.log,
            sendSignal: (to, data) => this._sendSignal(to, data),
            onRemoteStream: (pid, stream) => this.view.setStream(pid, stream),
            onPeerState: (pid, state) => this.view.setPeerState(pid, state),
        });
        this.connection = new SessionConnection({
            url: this.url, WebSocketImpl: this.WebSocketImpl, reconnectDelays: this.reconnectDelays,
            buildJoin: (opts) => this._buildJoin(opts),
            onMessage: (message) => this._dispatch(message),
            onLost: () => {
                this.lostSelf = this.self ? { ...this.self } : null;
                this.view.setConnection('reconnecting');
                this.emit('onConnectionLost');
            },
            onRestored: (joined) => this._onRestored(joined),
            onEnded: (info) => this._end(this.endReason || END_REASONS[info.code] || info.reason, info.error),
        });
        try {
            await this.connection.connect(); // `joined` has been applied by _dispatch by now
        } catch (err) {
            this._teardown();
            throw err;
        }
        if (this.leaveRequested) { // leaveSession() was called while we were joining
            await this.connection.leave();
            this._end('left');
            throw new SignalHubError(ErrorCodes.NOT_JOINED, 'left before the join completed');
        }
        this.view.setConnection('connected');
        this.emit('onSessionJoined', { sessionId: this.sessionId, self: { ...this.self } });
        return { sessionId: this.sessionId, pid: this.pid, participants: this.participants(), settings: this.effectiveSettings };
    }

    participants() {
        return this.roster.participants.map((p) => ({ ...p }));
    }

    // A rejoin carries our current state as start state, so a fresh rejoin (when the
    // resume is refused) keeps us muted if we were.
    _buildJoin({ resume }) {
        const settings = { ...this.settings };
        const self = this.self;
        if (self) {
            settings.startAudioMuted = !!self.isAudioMuted;
            settings.startVideoPaused = !!self.isVideoPaused;
        }
        const join = { type: 'join', token: this.callToken, settings };
        if (resume && this.pid && this.resumeToken) {
            join.resume = { pid: this.pid, resumeToken: this.resumeToken, lastSeq: this.roster.seq === null ? 0 : this.roster.seq };
        }
        return join;
    }

    _dispatch(message) {
        if (this.ended) return;
        if (message.type === 'joined') this._onJoined(message);
        else if (message.type === 'roster') this._applyChanges(this.roster.applySnapshot(message.participants, message.seq));
        else if (isRosterEvent(message)) {
            const result = this.roster.applyEvent(message);
            if (result.outcome === 'gap') {
                this.log(`seq gap: expected ${result.expected}, got ${result.got}; re-syncing`);
                this._resync();
            } else if (result.outcome === 'applied') this._applyChanges(result);
            if (message.type === 'participantLeft' && message.participant && message.participant.pid === this.pid) {
                this.endReason = message.reason; // replaced or removed: the close follows
            }
        } else if (message.type === 'signal') this.mesh.handleSignal(message.from, message.data);
        else if (message.type === 'sessionEnded') this.endReason = message.reason;
        else if (message.type === 'error' && !message.requestId) this.log(`hub error ${message.code}: ${message.message}`);
    }

    _onJoined(message) {
        // A resume with our old pid keeps R and S; the hub replays what we missed next.
        const resumed = message.resumed === true && message.self && message.self.pid === this.pid && this.roster.seq !== null;
        this.pid = message.self.pid;
        this.resumeToken = message.resumeToken;
        this.sessionId = message.sessionId;
        this.effectiveSettings = message.settings;
        this.endReason = null; // a `replaced` seen while reconnecting was about our old self
        if (resumed) {
            if (this.roster.awaitingSync) this._resync();
            this._render();
            return;
        }
        this._applyChanges(this.roster.applySnapshot(message.participants, message.seq), !this.joinedOnce);
        this.joinedOnce = true;
    }

    _resync() {
        this.connection.request({ type: 'sync' }).catch((err) => this.log(`sync failed: ${err.message}`));
    }

    // Listener events for each change; the first snapshot only reports the list.
    _applyChanges(result, initial = false) {
        if (!initial) {
            for (const change of result.changes) {
                const p = { ...change.participant };
                if (change.type === 'joined') this.emit('onParticipantJoined', p);
                else if (change.type === 'left') this.emit('onParticipantLeft', p, { reason: change.reason });
                else {
                    for (const flag of FLAGS) {
                        if (change.changed.includes(flag)) this.emit(FLAG_LISTENERS[flag][p[flag] ? 0 : 1], p, { by: change.by });
                    }
                }
            }
        }
        if (!initial && !result.changes.length) return;
        this._render();
        this.emit('onParticipantListChanged', this.participants());
    }

    _render() {
        const self = this.self;
        if (self) {
            // Media follows the roster: a moderator's mute or a start state turns the track off.
            this._setTrack('audio', !self.isAudioMuted);
            this._setTrack('video', !self.isVideoPaused);
        }
        this.view.render(this.pid, this.roster.participants);
        if (self && this.localStream) this.view.setStream(this.pid, this.localStream);
        this.mesh.update(self, this.roster.participants);
    }

    _setTrack(kind, enabled) {
        if (!this.localStream) return;
        const tracks = kind === 'audio' ? this.localStream.getAudioTracks() : this.localStream.getVideoTracks();
        for (const track of tracks) track.enabled = enabled;
    }

    _onRestored(joined) {
        this.view.setConnection('connected');
        if (joined.resumed === true) this.mesh.restartUnconnected();
        // Joined again as a new participant: mute and video came back through the start
        // settings (_buildJoin); a raised hand has no start setting, so raise it again.
        else if (this.lostSelf && this.lostSelf.isHandRaised && this.self && !this.self.isHandRaised) this.action('raiseHand');
        this.emit('onConnectionRestored', { resumed: joined.resumed === true, pid: this.pid });
    }

    async _sendSignal(to, data) {
        const reply = await this.connection.request({ type: 'signal', to, data });
        if (reply.type === 'error') throw new Error(`${reply.code}: ${reply.message}`);
    }

    async action(type) {
        if (!ACTIONS.includes(type)) return failure(ErrorCodes.VALIDATION_ERROR, `unknown action ${type}`);
        if (this.ended) return failure(ErrorCodes.NOT_JOINED, 'the session has ended');
        // Cut the microphone or camera at once; turning them back on waits for the hub.
        if (type === 'muteAudio') this._setTrack('audio', false);
        if (type === 'pauseVideo') this._setTrack('video', false);
        try {
            const reply = await this.connection.request({ type });
            return reply.type === 'error' ? failure(reply.code, reply.message) : success();
        } catch (err) {
            return failure(err);
        }
    }

    _onControl(action, value) {
        const self = this.self || {};
        const act = {
            'toggle-audio': self.isAudioMuted ? 'unmuteAudio' : 'muteAudio',
            'toggle-video': self.isVideoPaused ? 'resumeVideo' : 'pauseVideo',
            'toggle-hand': self.isHandRaised ? 'lowerHand' : 'raiseHand',
        }[action];
        if (act) this.action(act);
        else if (action === 'layout') this.view.setLayout(value);
        else if (action === 'leave') this.leave();
    }

    async leave() {
        if (this.ended) return failure(ErrorCodes.NOT_JOINED, 'the session has ended');
        if (!this.connection || !this.connection.connected && !this.joinedOnce) {
            this.leaveRequested = true; // still joining: start() leaves as soon as it can
            return success();
        }
        this.endReason = 'left';
        await this.connection.leave();
        this._end('left');
        return success();
    }

    _end(reason, error) {
        if (this.ended) return;
        this._teardown();
        this.emit('onSessionLeft', error ? { reason, error: error.toJSON() } : { reason });
    }

    _teardown() {
        this.ended = true;
        if (this.connection) this.connection.close();
        if (this.mesh) this.mesh.closeAll();
        if (this.localStream) for (const track of this.localStream.getTracks()) track.stop();
        if (this.view) {
            this.view.setConnection('ended');
            this.view.destroy();
        }
        this.onClosed(this);
    }
}
