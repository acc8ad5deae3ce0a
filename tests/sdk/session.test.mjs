// The session logic end to end under Node, with a fake socket, view and mesh: the join
// snapshot, batched frames, listener events, gap detection with `sync`, duplicates,
// resume (replay, then joined) and a fresh rejoin, and being removed.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { CallSession } from '../../web-test-page/sdk/session.js';
import { normalizeCallSettings } from '../../web-test-page/sdk/validate.js';
import { FakeWebSocket, participant, joinedReply, joinedEvent, updatedEvent, leftEvent, until } from './fakes.mjs';

class FakeView {
    constructor() { this.rendered = []; this.connection = 'connecting'; }
    render(pid, list) { this.rendered = list.map((p) => ({ ...p })); this.selfPid = pid; }
    setStream() {}
    setPeerState() {}
    setLayout() {}
    setConnection(state) { this.connection = state; }
    destroy() { this.destroyed = true; }
}

class FakeMesh {
    constructor() { this.signals = []; this.updates = 0; }
    update() { this.updates += 1; }
    handleSignal(from, data) { this.signals.push([from, data]); }
    restartUnconnected() {}
    closeAll() { this.closed = true; }
    states() { return {}; }
}

const me = participant('me', { joinedAt: 5 });
const other = participant('other', { joinedAt: 1 });
let hubReplies; // (message, socket) => void, per test

beforeEach(() => {
    FakeWebSocket.reset();
    hubReplies = (m, s) => {
        if (m.type === 'join') s.deliver(joinedReply(m.requestId, me, [other, me], 3));
        else s.deliver({ type: 'ack', requestId: m.requestId });
    };
    FakeWebSocket.hub = (m, s) => hubReplies(m, s);
});

async function join(settings = {}) {
    const events = [];
    const session = new CallSession({
        url: 'ws://hub/v1/signal', callToken: 'call-token', settings: normalizeCallSettings(settings), container: {}, iceServers: [],
        emit: (name, ...args) => events.push([name, ...args]), WebSocketImpl: FakeWebSocket, mediaDevices: null,
        createView: () => new FakeView(), createMesh: () => new FakeMesh(), reconnectDelays: [0, 0],
    });
    const data = await session.start();
    return { session, events, data, socket: () => FakeWebSocket.last };
}

const names = (events) => events.map((e) => e[0]);
const pids = (session) => session.participants().map((p) => p.pid);

test('join sends the token and settings and renders the snapshot', async () => {
    const { session, events, data, socket } = await join({ startAudioMuted: true, layout: 'SIDEBAR' });
    assert.deepEqual(socket().sent[0], {
        type: 'join', token: 'call-token', requestId: socket().sent[0].requestId,
        settings: { sessionType: 'VIDEO', layout: 'SIDEBAR', startAudioMuted: true, startVideoPaused: false },
    });
    assert.deepEqual(data.participants.map((p) => p.pid), ['other', 'me']);
    assert.equal(data.pid, 'me');
    assert.deepEqual(names(events), ['onParticipantListChanged', 'onSessionJoined']);
    assert.deepEqual(session.view.rendered.map((p) => p.pid), ['other', 'me']);
    assert.equal(session.view.connection, 'connected');
});

test('a batched frame is applied in order, with a listener event per change', async () => {
    hubReplies = (m, s) => s.deliver([
        joinedReply(m.requestId, me, [other, me], 3),
        joinedEvent(4, participant('third')),
        updatedEvent(5, participant('third', { isAudioMuted: true, isHandRaised: true })),
        updatedEvent(6, { ...other, isVideoPaused: true }),
        leftEvent(7, participant('third'), 'left'),
    ]);
    const { session, events } = await join();
    assert.deepEqual(names(events).filter((n) => n !== 'onParticipantListChanged'), [
        'onParticipantJoined', 'onParticipantAudioMuted', 'onParticipantHandRaised', 'onParticipantVideoPaused',
        'onParticipantLeft', 'onSessionJoined']);
    assert.deepEqual(events.find((e) => e[0] === 'onParticipantLeft')[2], { reason: 'left' });
    assert.deepEqual(pids(session), ['other', 'me']);
    assert.equal(session.roster.seq, 7);
});

test('a gap sends sync, ignores events until the roster, then continues from it', async () => {
    const { session, events, socket } = await join();
    events.length = 0;
    socket().deliver(joinedEvent(5, participant('late'))); // 4 is missing
    const sync = socket().sent.at(-1);
    assert.equal(sync.type, 'sync');
    socket().deliver(joinedEvent(4, participant('early'))); // ignored while waiting
    assert.deepEqual(pids(session), ['other', 'me']);
    socket().deliver({ type: 'roster', requestId: sync.requestId, sessionId: 's', seq: 5, participants: [other, me, participant('early'), participant('late')] });
    assert.deepEqual(pids(session), ['other', 'me', 'early', 'late']);
    assert.deepEqual(names(events), ['onParticipantJoined', 'onParticipantJoined', 'onParticipantListChanged']);
    socket().deliver(joinedEvent(5, participant('dup'))); // a duplicate of the snapshot
    socket().deliver(leftEvent(6, participant('early')));
    assert.deepEqual(pids(session), ['other', 'me', 'late']);
    assert.equal(socket().sent.filter((m) => m.type === 'sync').length, 1);
});

test('an action is sent and the state changes only when the hub says so', async () => {
    const { session, events, socket } = await join();
    events.length = 0;
    const result = await session.action('muteAudio');
    assert.deepEqual(result, { data: null, error: null });
    assert.equal(socket().sent.at(-1).type, 'muteAudio');
    assert.equal(session.self.isAudioMuted, false); // no local guess
    socket().deliver(updatedEvent(4, { ...me, isAudioMuted: true }, ['isAudioMuted']));
    assert.equal(session.self.isAudioMuted, true);
    assert.deepEqual(names(events), ['onParticipantAudioMuted', 'onParticipantListChanged']);
    hubReplies = (m, s) => s.deliver({ type: 'error', requestId: m.requestId, code: 'ERROR_RATE_LIMITED', message: 'slow' });
    assert.equal((await session.action('raiseHand')).error.code, 'ERROR_RATE_LIMITED');
});

test('signals go to the mesh', async () => {
    const { session, socket } = await join();
    socket().deliver({ type: 'signal', from: 'other', data: { kind: 'offer', epoch: 1, sdp: 'v=0' } });
    assert.deepEqual(session.mesh.signals, [['other', { kind: 'offer', epoch: 1, sdp: 'v=0' }]]);
});

test('a drop resumes: replayed events, then joined resumed:true, with no leave or join of ourselves', async () => {
    const { session, events, socket } = await join();
    events.length = 0;
    hubReplies = (m, s) => {
        assert.deepEqual(m.resume, { pid: 'me', resumeToken: 'rt-3', lastSeq: 3 });
        s.deliver(updatedEvent(4, { ...other, isHandRaised: true }));
        s.deliver(joinedReply(m.requestId, me, [{ ...other, isHandRaised: true }, me], 4, { resumed: true, resumeToken: 'rt-new' }));
    };
    socket().serverClose(1006);
    await until(() => names(events).includes('onConnectionRestored'), 'restored');
    assert.deepEqual(names(events), ['onConnectionLost', 'onParticipantHandRaised', 'onParticipantListChanged', 'onConnectionRestored']);
    assert.equal(session.resumeToken, 'rt-new');
    assert.equal(session.roster.seq, 4);
    assert.deepEqual(pids(session), ['other', 'me']);
});

test('a late resume joins again as a new participant, keeping mute and raised hand', async () => {
    const { session, events, socket } = await join();
    socket().deliver(updatedEvent(4, { ...me, isAudioMuted: true, isHandRaised: true }));
    const me2 = participant('me2', { joinedAt: 9, isAudioMuted: true });
    hubReplies = (m, s) => {
        if (m.type === 'join' && m.resume) s.deliver({ type: 'error', requestId: m.requestId, code: 'ERROR_PARTICIPANT_NOT_FOUND', message: 'late' });
        else if (m.type === 'join') {
            assert.equal(m.settings.startAudioMuted, true); // our state, carried as start state
            s.deliver(joinedReply(m.requestId, me2, [other, me2], 6));
        } else s.deliver({ type: 'ack', requestId: m.requestId });
    };
    socket().serverClose(1006);
    await until(() => socket().sent.some((m) => m.type === 'raiseHand'), 'the hand raised again');
    assert.equal(session.pid, 'me2');
    assert.deepEqual(pids(session), ['other', 'me2']);
    assert.deepEqual(events.find((e) => e[0] === 'onConnectionRestored')[1], { resumed: false, pid: 'me2' });
});

test('removed by a moderator: the session ends with reason removed', async () => {
    const { session, events, socket } = await join();
    socket().deliver(leftEvent(4, me, 'removed'));
    socket().serverClose(4002);
    await until(() => names(events).includes('onSessionLeft'), 'session left');
    assert.deepEqual(events.at(-1), ['onSessionLeft', { reason: 'removed' }]);
    assert.ok(session.view.destroyed && session.mesh.closed && session.ended);
    assert.equal(FakeWebSocket.instances.length, 1);
});

test('leaving while the join is on its way leaves as soon as it completes', async () => {
    const events = [];
    const session = new CallSession({
        url: 'ws://hub/v1/signal', callToken: 'call-token', settings: normalizeCallSettings({}), container: {}, iceServers: [],
        emit: (name, ...args) => events.push([name, ...args]), WebSocketImpl: FakeWebSocket, mediaDevices: null,
        createView: () => new FakeView(), createMesh: () => new FakeMesh(),
    });
    const joining = session.start();
    assert.deepEqual(await session.leave(), { data: null, error: null });
    await assert.rejects(joining, { code: 'ERROR_NOT_JOINED' });
    assert.deepEqual(FakeWebSocket.last.sent.map((m) => m.type), ['join', 'leave']);
    assert.deepEqual(events.at(-1), ['onSessionLeft', { reason: 'left' }]);
    assert.ok(session.ended && session.view.destroyed);
});
