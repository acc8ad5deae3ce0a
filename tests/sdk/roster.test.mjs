// The roster state machine (PROTOCOL.md section 8): snapshot plus events by seq,
// duplicates, gaps, and frames that hold one message or a batch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Roster, parseFrame, changedFields } from '../../web-test-page/sdk/roster.js';
import { participant, joinedEvent, updatedEvent, leftEvent } from './fakes.mjs';

const pids = (roster) => roster.participants.map((p) => p.pid);

test('a snapshot replaces the list and seq, in join order', () => {
    const roster = new Roster();
    assert.equal(roster.seq, null);
    const result = roster.applySnapshot([participant('b'), participant('a')], 7);
    assert.deepEqual(pids(roster), ['b', 'a']);
    assert.equal(roster.seq, 7);
    assert.deepEqual(result.changes.map((c) => [c.type, c.participant.pid]), [['joined', 'b'], ['joined', 'a']]);
});

test('events with seq S+1 apply in order: join appends, update keeps the place, leave removes', () => {
    const roster = new Roster();
    roster.applySnapshot([participant('a')], 1);
    assert.equal(roster.applyEvent(joinedEvent(2, participant('b'))).outcome, 'applied');
    assert.equal(roster.applyEvent(joinedEvent(3, participant('c'))).outcome, 'applied');
    const update = roster.applyEvent(updatedEvent(4, participant('a', { isAudioMuted: true }), ['isAudioMuted']));
    assert.equal(update.outcome, 'applied');
    assert.deepEqual(update.changes[0].changed, ['isAudioMuted']);
    assert.deepEqual(pids(roster), ['a', 'b', 'c']);
    assert.equal(roster.get('a').isAudioMuted, true);
    const left = roster.applyEvent(leftEvent(5, participant('b'), 'disconnected'));
    assert.deepEqual(left.changes, [{ type: 'left', participant: participant('b'), reason: 'disconnected' }]);
    assert.deepEqual(pids(roster), ['a', 'c']);
    assert.equal(roster.seq, 5);
});

test('an event the snapshot already holds (seq <= S) is a duplicate and changes nothing', () => {
    const roster = new Roster();
    roster.applySnapshot([participant('a'), participant('b')], 5);
    for (const seq of [5, 4, 1]) {
        assert.equal(roster.applyEvent(leftEvent(seq, participant('b'))).outcome, 'duplicate');
    }
    assert.deepEqual(pids(roster), ['a', 'b']);
    assert.equal(roster.seq, 5);
});

test('a gap (seq > S+1) is not applied, and later events wait for the next snapshot', () => {
    const roster = new Roster();
    roster.applySnapshot([participant('a')], 3);
    const gap = roster.applyEvent(joinedEvent(5, participant('c')));
    assert.deepEqual({ outcome: gap.outcome, expected: gap.expected, got: gap.got }, { outcome: 'gap', expected: 4, got: 5 });
    assert.equal(roster.awaitingSync, true);
    assert.deepEqual(pids(roster), ['a']);
    assert.equal(roster.seq, 3);
    // Even the event that would have been next is ignored until the roster reply.
    assert.equal(roster.applyEvent(joinedEvent(4, participant('b'))).outcome, 'awaitingSync');
    assert.deepEqual(pids(roster), ['a']);
    // The `roster` reply re-syncs, and reports what changed meanwhile.
    const sync = roster.applySnapshot([participant('a', { isHandRaised: true }), participant('b'), participant('c')], 5);
    assert.equal(roster.awaitingSync, false);
    assert.deepEqual(sync.changes.map((c) => [c.type, c.participant.pid]), [['updated', 'a'], ['joined', 'b'], ['joined', 'c']]);
    assert.equal(roster.applyEvent(leftEvent(6, participant('b'))).outcome, 'applied');
    assert.deepEqual(pids(roster), ['a', 'c']);
});

test('a re-sync snapshot reports who left while we were not listening', () => {
    const roster = new Roster();
    roster.applySnapshot([participant('a'), participant('b')], 2);
    const result = roster.applySnapshot([participant('a')], 9);
    assert.deepEqual(result.changes, [{ type: 'left', participant: participant('b'), reason: 'sync' }]);
});

test('events before any snapshot are ignored', () => {
    const roster = new Roster();
    assert.equal(roster.applyEvent(joinedEvent(1, participant('a'))).outcome, 'noSnapshot');
    assert.deepEqual(roster.participants, []);
});

test('an update that changes nothing reports no change', () => {
    const roster = new Roster();
    roster.applySnapshot([participant('a')], 1);
    const result = roster.applyEvent(updatedEvent(2, participant('a')));
    assert.equal(result.outcome, 'applied');
    assert.deepEqual(result.changes, []);
    assert.equal(roster.seq, 2);
});

test('parseFrame: one object, a batch in order, and junk', () => {
    assert.deepEqual(parseFrame('{"type":"ack","requestId":"r1"}'), [{ type: 'ack', requestId: 'r1' }]);
    const batch = [joinedEvent(2, participant('b')), updatedEvent(3, participant('b', { isAudioMuted: true }))];
    assert.deepEqual(parseFrame(JSON.stringify(batch)).map((m) => m.seq), [2, 3]);
    assert.deepEqual(parseFrame('[1, null, {"no":"type"}, {"type":"pong"}]'), [{ type: 'pong' }]);
    assert.throws(() => parseFrame('not json'), SyntaxError);
});

test('a batched frame applied message by message gives the same roster as single frames', () => {
    const events = [joinedEvent(2, participant('b')), joinedEvent(3, participant('c')),
        updatedEvent(4, participant('b', { isHandRaised: true })), leftEvent(5, participant('a'))];
    const single = new Roster();
    single.applySnapshot([participant('a')], 1);
    for (const event of events) single.applyEvent(parseFrame(JSON.stringify(event))[0]);
    const batched = new Roster();
    batched.applySnapshot([participant('a')], 1);
    for (const message of parseFrame(JSON.stringify(events))) batched.applyEvent(message);
    assert.deepEqual(batched.participants, single.participants);
    assert.deepEqual(pids(batched), ['b', 'c']);
    assert.equal(batched.seq, 5);
});

test('changedFields names every differing field', () => {
    assert.deepEqual(changedFields(participant('a'), participant('a', { isAudioMuted: true, name: 'x' })).sort(), ['isAudioMuted', 'name']);
});
