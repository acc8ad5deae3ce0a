// Test doubles for running the SDK under Node: a WebSocket whose "hub" side the test
// drives, and helpers to build protocol messages.

export class FakeWebSocket {
    static instances = [];
    static autoOpen = true;
    static hub = null; // default hub for every socket: (message, socket) => void

    constructor(url, protocol) {
        this.url = url;
        this.protocol = protocol;
        this.readyState = 0;
        this.sent = [];
        this.onSend = null; // the test's hub: called with every parsed client message
        FakeWebSocket.instances.push(this);
        if (FakeWebSocket.autoOpen) queueMicrotask(() => this.serverOpen());
    }

    static reset() {
        FakeWebSocket.instances = [];
        FakeWebSocket.autoOpen = true;
        FakeWebSocket.hub = null;
    }

    static get last() {
        return FakeWebSocket.instances[FakeWebSocket.instances.length - 1];
    }

    send(text) {
        const message = JSON.parse(text);
        this.sent.push(message);
        const hub = this.onSend || FakeWebSocket.hub;
        if (hub) hub(message, this);
    }

    close(code = 1000, reason = '') {
        if (this.readyState === 3) return;
        this.readyState = 3;
        queueMicrotask(() => this.onclose && this.onclose({ code, reason }));
    }

    // The hub's side ---------------------------------------------------------
    serverOpen() {
        if (this.readyState !== 0) return;
        this.readyState = 1;
        if (this.onopen) this.onopen();
    }

    // One frame: an object, an array of objects (a batch), or raw text.
    deliver(frame) {
        this.onmessage({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
    }

    serverClose(code) {
        if (this.readyState === 3) return;
        this.readyState = 3;
        if (this.onclose) this.onclose({ code, reason: '' });
    }
}

export function participant(pid, extra = {}) {
    return {
        pid, uid: `uid-${pid}`, name: `Name ${pid}`, role: 'participant', sessionType: 'VIDEO',
        isAudioMuted: false, isVideoPaused: false, isHandRaised: false, joinedAt: 1000, ...extra,
    };
}

export const joinedEvent = (seq, p) => ({ type: 'participantJoined', sessionId: 's', seq, participant: p });
export const updatedEvent = (seq, p, changed = []) => ({ type: 'participantUpdated', sessionId: 's', seq, participant: p, changed });
export const leftEvent = (seq, p, reason = 'left') => ({ type: 'participantLeft', sessionId: 's', seq, participant: p, reason });

export function joinedReply(requestId, self, participants, seq, extra = {}) {
    return {
        type: 'joined', requestId, sessionId: 's', self, participants, seq, resumeToken: `rt-${seq}`,
        settings: { sessionType: 'VIDEO', layout: 'TILE', startAudioMuted: false, startVideoPaused: false },
        heartbeat: { intervalMs: 20000, timeoutMs: 30000 }, resumed: false, ...extra,
    };
}

// Resolves once `condition()` is truthy, checking after each turn of the event loop.
export async function until(condition, what = 'condition', turns = 200) {
    for (let i = 0; i < turns; i++) {
        if (condition()) return;
        await new Promise((resolve) => setTimeout(resolve, 1));
    }
    throw new Error(`timed out waiting for ${what}`);
}
