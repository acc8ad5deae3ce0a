// The WebSocket layer against a scripted fake hub: requestId replies, batched frames,
// reconnect with resume after an unexpected close, and no reconnect after a final one.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { HubSocket, SessionConnection, SUBPROTOCOL } from '../../web-test-page/sdk/connection.js';
import { FakeWebSocket, participant, joinedReply, joinedEvent, until } from './fakes.mjs';

beforeEach(() => FakeWebSocket.reset());

// A connection whose fake hub answers every client message with `answer(message, socket)`.
function connection({ answer, buildJoin, ...handlers }) {
    const events = [];
    FakeWebSocket.hub = answer;
    const conn = new SessionConnection({
        url: 'ws://hub/v1/signal', WebSocketImpl: FakeWebSocket, reconnectDelays: [0, 0, 0],
        buildJoin: buildJoin || (({ resume }) => (resume ? { type: 'join', token: 't', resume: { pid: 'me', resumeToken: 'rt', lastSeq: 4 } } : { type: 'join', token: 't' })),
        onMessage: (m) => events.push(['message', m.type]),
        onLost: (info) => events.push(['lost', info.code]),
        onRestored: (joined) => events.push(['restored', joined.resumed]),
        onEnded: (info) => events.push(['ended', info.code, info.reason]),
        ...handlers,
    });
    return { conn, events };
}

const joined = (m, extra) => joinedReply(m.requestId, participant('me'), [participant('me')], 4, extra);

test('HubSocket: offers the subprotocol, matches replies by requestId, handles batches in order', async () => {
    const seen = [];
    const socket = new HubSocket('ws://hub/v1/signal', { WebSocketImpl: FakeWebSocket, onMessage: (m) => seen.push(m.type) });
    await socket.open();
    assert.equal(FakeWebSocket.last.protocol, SUBPROTOCOL);
    const first = socket.request({ type: 'muteAudio' });
    const second = socket.request({ type: 'sync' });
    const [r1, r2] = FakeWebSocket.last.sent.map((m) => m.requestId);
    assert.notEqual(r1, r2);
    // One frame, three messages: an event, then both replies (second one first).
    FakeWebSocket.last.deliver([joinedEvent(2, participant('x')), { type: 'roster', requestId: r2, seq: 2, participants: [] }, { type: 'ack', requestId: r1 }]);
    assert.deepEqual(seen, ['participantJoined', 'roster', 'ack']);
    assert.equal((await first).type, 'ack');
    assert.equal((await second).type, 'roster');
    FakeWebSocket.last.deliver('not json at all'); // ignored, no throw
    const failing = socket.request({ type: 'raiseHand' });
    FakeWebSocket.last.deliver({ type: 'error', requestId: FakeWebSocket.last.sent[2].requestId, code: 'ERROR_RATE_LIMITED', message: 'slow down' });
    assert.equal((await failing).code, 'ERROR_RATE_LIMITED');
});

test('HubSocket: a close fails pending requests with ERROR_CONNECTION_LOST', async () => {
    const socket = new HubSocket('ws://hub/v1/signal', { WebSocketImpl: FakeWebSocket });
    await socket.open();
    const pending = socket.request({ type: 'sync' });
    FakeWebSocket.last.serverClose(1006);
    await assert.rejects(pending, { code: 'ERROR_CONNECTION_LOST' });
});

test('connect: a refused join throws the hub code', async () => {
    const { conn } = connection({ answer: (m, s) => s.deliver({ type: 'error', requestId: m.requestId, code: 'ERROR_TOKEN_EXPIRED', message: 'old' }) });
    await assert.rejects(conn.connect(), { code: 'ERROR_TOKEN_EXPIRED' });
});

test('an unexpected close reconnects and resumes with pid, resumeToken and lastSeq', async () => {
    const { conn, events } = connection({ answer: (m, s) => s.deliver(joined(m, { resumed: !!m.resume })) });
    await conn.connect();
    FakeWebSocket.last.serverClose(1006);
    await until(() => events.some((e) => e[0] === 'restored'), 'restored');

    assert.equal(FakeWebSocket.instances.length, 2);
    assert.deepEqual(FakeWebSocket.instances[1].sent[0].resume, { pid: 'me', resumeToken: 'rt', lastSeq: 4 });
    assert.deepEqual(events.filter((e) => e[0] !== 'message'), [['lost', 1006], ['restored', true]]);
    assert.equal(conn.connected, true);
});

test('a refused resume is followed by a fresh join on the same socket', async () => {
    const { conn, events } = connection({
        answer: (m, s) => s.deliver(m.resume ? { type: 'error', requestId: m.requestId, code: 'ERROR_PARTICIPANT_NOT_FOUND', message: 'late' } : joined(m)),
    });
    await conn.connect();
    FakeWebSocket.last.serverClose(1006);
    await until(() => events.some((e) => e[0] === 'restored'), 'restored');

    const rejoin = FakeWebSocket.instances[1].sent;
    assert.deepEqual(rejoin.map((m) => !!m.resume), [true, false]);
    assert.deepEqual(events.at(-1), ['restored', false]);
});

test('final close codes end the session without reconnecting', async () => {
    for (const code of [1000, 1001, 4001, 4002, 4003]) {
        FakeWebSocket.reset();
        const { conn, events } = connection({ answer: (m, s) => s.deliver(joined(m)) });
        await conn.connect();
        FakeWebSocket.last.serverClose(code);
        await until(() => events.some((e) => e[0] === 'ended'), `ended after ${code}`);
        assert.equal(FakeWebSocket.instances.length, 1, `no new socket after ${code}`);
        assert.deepEqual(events.filter((e) => e[0] !== 'message'), [['ended', code, '']]);
    }
});

test('reconnecting gives up when the hub stays unreachable', async () => {
    const { conn, events } = connection({ answer: (m, s) => s.deliver(joined(m)) });
    await conn.connect();
    // From now on every new socket fails at once, as a refused TCP connection would.
    FakeWebSocket.autoOpen = false;
    const refuse = setInterval(() => FakeWebSocket.instances.slice(1).forEach((s) => s.serverClose(1006)), 0);
    FakeWebSocket.last.serverClose(1006);
    await until(() => events.some((e) => e[0] === 'ended'), 'giving up');
    clearInterval(refuse);
    assert.deepEqual(events.at(-1), ['ended', 0, 'reconnectFailed']);
    assert.equal(FakeWebSocket.instances.length, 1 + 3); // one attempt per delay
});

test('leave sends leave, waits for left, and does not reconnect', async () => {
    const { conn, events } = connection({
        answer: (m, s) => s.deliver(m.type === 'join' ? joined(m) : { type: 'left', requestId: m.requestId, sessionId: 's' }),
    });
    await conn.connect();
    await conn.leave();

    assert.deepEqual(FakeWebSocket.last.sent.map((m) => m.type), ['join', 'leave']);
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(FakeWebSocket.instances.length, 1);
    assert.ok(!events.some((e) => e[0] === 'lost' || e[0] === 'ended'));
});
