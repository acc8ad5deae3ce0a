// The roster state machine of PROTOCOL.md "the roster guarantee", with no DOM and no
// sockets so that it can be unit-tested under Node.
//
// It holds a participant list R (in join order) and a number S. A snapshot (`joined` or
// `roster`) replaces both. An event with seq == S + 1 is applied; seq <= S is a
// duplicate the snapshot already holds; seq > S + 1 is a gap: the event is not applied,
// and every roster event is ignored until the next snapshot (the caller sends `sync`).
// Every call returns the changes it made, so the caller can fire listeners and redraw.

export const ROSTER_EVENT_TYPES = Object.freeze(['participantJoined', 'participantUpdated', 'participantLeft']);
export const FLAGS = Object.freeze(['isAudioMuted', 'isVideoPaused', 'isHandRaised']);

// A hub frame holds one message object or an array of them, to be handled in order.
// Returns the messages as an array; throws SyntaxError when the frame is not JSON.
export function parseFrame(text) {
    const value = JSON.parse(text);
    const list = Array.isArray(value) ? value : [value];
    return list.filter((m) => m !== null && typeof m === 'object' && !Array.isArray(m) && typeof m.type === 'string');
}

export function isRosterEvent(message) {
    return ROSTER_EVENT_TYPES.includes(message.type);
}

// Names of the fields whose values differ between two participant objects (shallow).
export function changedFields(before, after) {
    const keys = new Set([...Object.keys(before || {}), ...Object.keys(after || {})]);
    return [...keys].filter((k) => (before || {})[k] !== (after || {})[k]);
}

export class Roster {
    constructor() {
        this.byPid = new Map(); // pid -> participant; a Map keeps insertion (join) order
        this.seq = null;        // S: null until the first snapshot
        this.awaitingSync = false;
    }

    get participants() {
        return [...this.byPid.values()];
    }

    get(pid) {
        return this.byPid.get(pid);
    }

    has(pid) {
        return this.byPid.has(pid);
    }

    clear() {
        this.byPid = new Map();
        this.seq = null;
        this.awaitingSync = false;
    }

    // Rule 1: replace R and S. The changes are the difference from the old R, so a
    // re-sync reports exactly what the missed events would have.
    applySnapshot(participants, seq) {
        const next = new Map();
        for (const p of participants || []) next.set(p.pid, p);
        const changes = [];
        for (const [pid, old] of this.byPid) {
            if (!next.has(pid)) changes.push({ type: 'left', participant: old, reason: 'sync' });
        }
        for (const [pid, p] of next) {
            const old = this.byPid.get(pid);
            if (!old) changes.push({ type: 'joined', participant: p });
            else {
                const changed = changedFields(old, p);
                if (changed.length) changes.push({ type: 'updated', participant: p, previous: old, changed });
            }
        }
        this.byPid = next;
        this.seq = typeof seq === 'number' ? seq : 0;
        this.awaitingSync = false;
        return { outcome: 'snapshot', changes };
    }

    // Rules 2-4 for participantJoined / participantUpdated / participantLeft.
    // outcome: 'applied', 'duplicate' (seq <= S), 'gap' (seq > S + 1: send sync),
    // 'awaitingSync' (ignored until the snapshot), 'noSnapshot' (before any snapshot).
    applyEvent(message) {
        if (this.seq === null) return { outcome: 'noSnapshot', changes: [] };
        if (this.awaitingSync) return { outcome: 'awaitingSync', changes: [] };
        const seq = message.seq;
        if (typeof seq !== 'number') return { outcome: 'invalid', changes: [] };
        if (seq <= this.seq) return { outcome: 'duplicate', changes: [] };
        if (seq > this.seq + 1) {
            this.awaitingSync = true;
            return { outcome: 'gap', changes: [], expected: this.seq + 1, got: seq };
        }
        this.seq = seq;
        return { outcome: 'applied', changes: this._apply(message) };
    }

    _apply(message) {
        const p = message.participant;
        if (!p || typeof p.pid !== 'string') return [];
        const old = this.byPid.get(p.pid);
        if (message.type === 'participantLeft') {
            if (!old) return [];
            this.byPid.delete(p.pid);
            return [{ type: 'left', participant: p, reason: message.reason }];
        }
        // Joined, or Updated: set() on an existing key keeps its place in join order.
        this.byPid.set(p.pid, p);
        if (!old) return [{ type: 'joined', participant: p }];
        const changed = changedFields(old, p);
        if (!changed.length) return [];
        return [{ type: 'updated', participant: p, previous: old, changed, by: message.by }];
    }
}
