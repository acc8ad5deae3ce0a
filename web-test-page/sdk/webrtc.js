// The media mesh: one RTCPeerConnection per remote participant, negotiated through the
// hub's `signal` relay (PROTOCOL.md section 3). Signal data is one of
//   {kind:"offer", epoch, sdp}  {kind:"answer", epoch, sdp}  {kind:"candidate", epoch, candidate}
// Exactly one side of each pair makes offers (see isOfferer), so offers never collide.
// `epoch` numbers the offerer's connection attempts: a new epoch replaces the old
// connection on both sides, and stale answers or candidates are dropped.

// The newer joiner offers (it arrives with its media ready; the others are settled);
// on equal joinedAt, the lexicographically smaller pid. Both sides read the same roster,
// so both reach the same answer.
export function isOfferer(self, other) {
    if (self.joinedAt !== other.joinedAt) return self.joinedAt > other.joinedAt;
    return self.pid < other.pid;
}

const RESTART_DELAY_MS = 1000;

export class PeerMesh {
    constructor({ sendSignal, iceServers = [], localStream = null, sessionType = 'VIDEO', onRemoteStream = () => {},
        onPeerState = () => {}, log = () => {}, RTCPeerConnectionImpl = globalThis.RTCPeerConnection }) {
        Object.assign(this, { sendSignal, iceServers, localStream, sessionType, onRemoteStream, onPeerState, log, RTCPeerConnectionImpl });
        this.self = null;
        this.peers = new Map();  // remote pid -> {pc, epoch, offerer, stream, candidates}
        this.chains = new Map(); // remote pid -> promise: signals of one pid are handled in order
        this.epochs = new Map(); // remote pid -> last epoch used, so a new offer always moves on
    }

    // Called with every roster change: connect to new members, drop departed ones. When
    // our own pid changes (a rejoin that was not a resume) every connection starts over.
    update(self, participants) {
        if (this.self && self && this.self.pid !== self.pid) this.closeAll();
        this.self = self;
        if (!self) return;
        const remote = new Map(participants.filter((p) => p.pid !== self.pid).map((p) => [p.pid, p]));
        for (const pid of [...this.peers.keys()]) if (!remote.has(pid)) this.closePeer(pid);
        for (const [pid, other] of remote) {
            if (!this.peers.has(pid) && isOfferer(self, other)) this._startOffer(pid);
        }
    }

    // After a resume, connections that died while we were away are offered again.
    restartUnconnected() {
        for (const [pid, peer] of this.peers) {
            if (peer.offerer && peer.pc.connectionState !== 'connected') this._startOffer(pid);
        }
    }

    handleSignal(from, data) {
        if (!data || typeof data !== 'object') return;
        const chain = (this.chains.get(from) || Promise.resolve())
            .then(() => this._onSignal(from, data))
            .catch((err) => this.log(`signal from ${from} (${data.kind}) failed: ${err && err.message}`));
        this.chains.set(from, chain);
    }

    async _onSignal(from, data) {
        const peer = this.peers.get(from);
        if (data.kind === 'offer') {
            const answerer = peer && peer.epoch === data.epoch && !peer.offerer ? peer : this._createPeer(from, data.epoch, false);
            await answerer.pc.setRemoteDescription({ type: 'offer', sdp: data.sdp });
            await this._attachLocalTracks(answerer.pc);
            await answerer.pc.setLocalDescription(await answerer.pc.createAnswer());
            this._send(from, { kind: 'answer', epoch: answerer.epoch, sdp: answerer.pc.localDescription.sdp });
            await this._flushCandidates(answerer);
        } else if (data.kind === 'answer') {
            if (!peer || !peer.offerer || peer.epoch !== data.epoch || peer.pc.signalingState !== 'have-local-offer') return;
            await peer.pc.setRemoteDescription({ type: 'answer', sdp: data.sdp });
            await this._flushCandidates(peer);
        } else if (data.kind === 'candidate') {
            if (!peer || peer.epoch !== data.epoch || !data.candidate) return;
            if (peer.pc.remoteDescription) await peer.pc.addIceCandidate(data.candidate);
            else peer.candidates.push(data.candidate);
        }
    }

    async _flushCandidates(peer) {
        const queued = peer.candidates.splice(0);
        for (const candidate of queued) await peer.pc.addIceCandidate(candidate);
    }

    _startOffer(pid) {
        const epoch = (this.epochs.get(pid) || 0) + 1;
        const peer = this._createPeer(pid, epoch, true);
        this._addLocalTransceivers(peer.pc);
        const chain = (this.chains.get(pid) || Promise.resolve()).then(async () => {
            if (this.peers.get(pid) !== peer) return;
            await peer.pc.setLocalDescription(await peer.pc.createOffer());
            this._send(pid, { kind: 'offer', epoch, sdp: peer.pc.localDescription.sdp });
        }).catch((err) => this.log(`offer to ${pid} failed: ${err && err.message}`));
        this.chains.set(pid, chain);
    }

    _createPeer(pid, epoch, offerer) {
        this.closePeer(pid);
        this.epochs.set(pid, Math.max(epoch, this.epochs.get(pid) || 0));
        const pc = new this.RTCPeerConnectionImpl({ iceServers: this.iceServers });
        const peer = { pid, pc, epoch, offerer, stream: new MediaStream(), candidates: [], restartTimer: null };
        pc.onicecandidate = (event) => {
            if (event.candidate) this._send(pid, { kind: 'candidate', epoch, candidate: event.candidate.toJSON() });
        };
        pc.ontrack = (event) => {
            if (!peer.stream.getTracks().includes(event.track)) peer.stream.addTrack(event.track);
            this.onRemoteStream(pid, peer.stream);
        };
        pc.onconnectionstatechange = () => {
            if (this.peers.get(pid) !== peer) return;
            this.onPeerState(pid, pc.connectionState);
            // ICE gave up (network change, or the other side came back): the offerer
            // starts a new epoch; the answerer waits for that offer.
            if (pc.connectionState === 'failed' && offerer && !peer.restartTimer) {
                peer.restartTimer = setTimeout(() => { if (this.peers.get(pid) === peer) this._startOffer(pid); }, RESTART_DELAY_MS);
            }
        };
        this.peers.set(pid, peer);
        this.onPeerState(pid, pc.connectionState);
        return peer;
    }

    _localTrack(kind) {
        if (!this.localStream) return null;
        if (kind === 'video' && this.sessionType !== 'VIDEO') return null;
        return (kind === 'audio' ? this.localStream.getAudioTracks() : this.localStream.getVideoTracks())[0] || null;
    }

    // Offerer: an audio m-line always, a video m-line in VIDEO sessions (recvonly
    // without a camera, so the other side can still send us its video).
    _addLocalTransceivers(pc) {
        const kinds = this.sessionType === 'VIDEO' ? ['audio', 'video'] : ['audio'];
        for (const kind of kinds) {
            const track = this._localTrack(kind);
            if (track) pc.addTransceiver(track, { direction: 'sendrecv', streams: [this.localStream] });
            else pc.addTransceiver(kind, { direction: 'recvonly' });
        }
    }

    // Answerer: put our tracks on the transceivers the offer created. A VOICE member
    // neither sends nor receives video.
    async _attachLocalTracks(pc) {
        for (const transceiver of pc.getTransceivers()) {
            const kind = transceiver.receiver.track.kind;
            const track = this._localTrack(kind);
            if (track) {
                await transceiver.sender.replaceTrack(track);
                if (transceiver.sender.setStreams) transceiver.sender.setStreams(this.localStream);
                transceiver.direction = 'sendrecv';
            } else {
                transceiver.direction = kind === 'video' && this.sessionType !== 'VIDEO' ? 'inactive' : 'recvonly';
            }
        }
    }

    _send(to, data) {
        Promise.resolve(this.sendSignal(to, data)).catch((err) => this.log(`signal to ${to} not sent: ${err && err.message}`));
    }

    closePeer(pid) {
        const peer = this.peers.get(pid);
        if (!peer) return;
        clearTimeout(peer.restartTimer);
        this.peers.delete(pid);
        peer.pc.onicecandidate = peer.pc.ontrack = peer.pc.onconnectionstatechange = null;
        peer.pc.close();
        this.onPeerState(pid, 'closed');
    }

    closeAll() {
        for (const pid of [...this.peers.keys()]) this.closePeer(pid);
    }

    // For tests and diagnostics: each peer's connection state and received tracks.
    states() {
        const out = {};
        for (const [pid, peer] of this.peers) {
            out[pid] = {
                connectionState: peer.pc.connectionState,
                iceConnectionState: peer.pc.iceConnectionState,
                signalingState: peer.pc.signalingState,
                offerer: peer.offerer,
                epoch: peer.epoch,
                remoteTracks: peer.stream.getTracks().map((t) => ({ kind: t.kind, readyState: t.readyState, muted: t.muted })),
            };
        }
        return out;
    }
}
