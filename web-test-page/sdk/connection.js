// The WebSocket side of a call: one HubSocket per socket (requestId replies, frames that
// hold one message or an array), and a SessionConnection that joins, and after an
// unexpected close reconnects and resumes (PROTOCOL.md "Identity, reconnects and
// liveness"). It knows nothing of rosters or media: every hub message goes, in order,
// to onMessage, and the session decides what it means.
import { parseFrame } from './roster.js';
import { ErrorCodes, SignalHubError } from './errors.js';

export const SUBPROTOCOL = 'signalhub.v1';
// After these the participant is already gone (or the hub refuses us), so no resume.
export const FINAL_CLOSE_CODES = Object.freeze([1000, 1001, 1008, 4001, 4002, 4003]);
// Client close code used to simulate a network drop (4000-4999 are free for apps).
export const DROP_CLOSE_CODE = 4000;
// Retry quickly first: the hub keeps a dropped participant only for its grace period.
export const DEFAULT_RECONNECT_DELAYS = Object.freeze([100, 250, 500, 1000, 2000, 3000, 5000, 5000, 5000, 5000]);
const REPLY_TYPES = ['joined', 'ack', 'left', 'roster', 'pong', 'error'];

export class HubSocket {
    constructor(url, { WebSocketImpl = globalThis.WebSocket, onMessage = () => {}, onClose = () => {}, requestTimeoutMs = 10000 } = {}) {
        this.url = url;
        this.WebSocketImpl = WebSocketImpl;
        this.onMessage = onMessage;
        this.onClose = onClose;
        this.requestTimeoutMs = requestTimeoutMs;
        this.pending = new Map(); // requestId -> {resolve, reject, timer}
        this.nextId = 1;
        this.ws = null;
        this.closed = false;
    }

    // Resolves once the socket is open; rejects with ERROR_NETWORK if it never opens.
    open(timeoutMs = 10000) {
        return new Promise((resolve, reject) => {
            let settled = false;
            const fail = (why) => {
                if (settled) return;
                settled = true;
                clearTimeout(timer);
                try { this.ws.close(); } catch { /* already closed */ }
                reject(new SignalHubError(ErrorCodes.NETWORK, `cannot connect to ${this.url}: ${why}`));
            };
            const timer = setTimeout(() => fail('timed out'), timeoutMs);
            try {
                this.ws = new this.WebSocketImpl(this.url, SUBPROTOCOL);
            } catch (err) {
                fail(err.message);
                return;
            }
            this.ws.onopen = () => {
                if (settled) return;
                settled = true;
                clearTimeout(timer);
                resolve();
            };
            this.ws.onerror = () => fail('socket error');
            this.ws.onmessage = (event) => this._onFrame(event.data);
            this.ws.onclose = (event) => {
                fail(`closed with ${event.code}`);
                this._onClosed(event);
            };
        });
    }

    _onFrame(data) {
        let messages;
        try {
            messages = parseFrame(typeof data === 'string' ? data : String(data));
        } catch {
            return; // not JSON: nothing in it can be acted on
        }
        for (const message of messages) {
            this.onMessage(message, this);
            const waiter = REPLY_TYPES.includes(message.type) && this.pending.get(message.requestId);
            if (waiter) {
                this.pending.delete(message.requestId);
                clearTimeout(waiter.timer);
                waiter.resolve(message);
            }
        }
    }

    _onClosed(event) {
        if (this.closed) return;
        this.closed = true;
        for (const [, waiter] of this.pending) {
            clearTimeout(waiter.timer);
            waiter.reject(new SignalHubError(ErrorCodes.CONNECTION_LOST, `socket closed (${event.code})`));
        }
        this.pending.clear();
        this.onClose({ code: event.code, reason: event.reason || '' }, this);
    }

    get isOpen() {
        return !!this.ws && this.ws.readyState === 1 && !this.closed;
    }

    send(message) {
        if (!this.isOpen) throw new SignalHubError(ErrorCodes.CONNECTION_LOST, 'the socket is not open');
        this.ws.send(JSON.stringify(message));
    }

    // Sends with a fresh requestId and resolves with the hub's direct reply (an `error`
    // reply resolves too: the caller reads its code).
    request(message, timeoutMs = this.requestTimeoutMs) {
        const requestId = `r${this.nextId++}`;
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
                this.pending.delete(requestId);
                reject(new SignalHubError(ErrorCodes.TIMEOUT, `no reply to ${message.type} within ${timeoutMs} ms`));
            }, timeoutMs);
            this.pending.set(requestId, { resolve, reject, timer });
            try {
                this.send({ ...message, requestId });
            } catch (err) {
                clearTimeout(timer);
                this.pending.delete(requestId);
                reject(err);
            }
        });
    }

    close(code = 1000, reason = '') {
        try { this.ws && this.ws.close(code, reason); } catch { /* already closing */ }
    }
}

export function replyError(reply) {
    return new SignalHubError(reply.code || ErrorCodes.VALIDATION_ERROR, reply.message || 'the hub refused the request');
}

export class SessionConnection {
    // buildJoin({resume}) returns the join message; with resume true it may carry `resume`.
    constructor({ url, WebSocketImpl, buildJoin, onMessage, onLost = () => {}, onRestored = () => {}, onEnded = () => {},
        reconnectDelays = DEFAULT_RECONNECT_DELAYS, openTimeoutMs = 5000, requestTimeoutMs = 10000 }) {
        Object.assign(this, { url, WebSocketImpl, buildJoin, onMessage, onLost, onRestored, onEnded, reconnectDelays, openTimeoutMs, requestTimeoutMs });
        this.socket = null;
        this.state = 'idle'; // connecting, connected, reconnecting, leaving, closed
    }

    _newSocket() {
        return new HubSocket(this.url, {
            WebSocketImpl: this.WebSocketImpl,
            requestTimeoutMs: this.requestTimeoutMs,
            onMessage: (message, socket) => { if (socket === this.socket) this.onMessage(message); },
            onClose: (event, socket) => this._onSocketClosed(event, socket),
        });
    }

    // The first join. Resolves with `joined`; throws SignalHubError (the hub's code).
    async connect() {
        this.state = 'connecting';
        const socket = this._newSocket();
        this.socket = socket;
        try {
            await socket.open(this.openTimeoutMs);
            const reply = await socket.request(this.buildJoin({ resume: false }));
            if (reply.type !== 'joined') throw replyError(reply);
            this.state = 'connected';
            return reply;
        } catch (err) {
            this.state = 'closed';
            socket.close(1000);
            throw err;
        }
    }

    get connected() {
        return this.state === 'connected' && !!this.socket && this.socket.isOpen;
    }

    request(message) {
        if (!this.connected) return Promise.reject(new SignalHubError(ErrorCodes.CONNECTION_LOST, `not connected (${this.state})`));
        return this.socket.request(message);
    }

    // Sends `leave`, waits briefly for `left`, then closes. Never throws.
    async leave() {
        const socket = this.socket;
        const wasConnected = this.connected;
        this.state = 'leaving';
        if (wasConnected) {
            try { await socket.request({ type: 'leave' }, 3000); } catch { /* closing anyway */ }
        }
        this.state = 'closed';
        if (socket) socket.close(1000);
    }

    // Stops without `leave` (after the hub ended the session, or on teardown).
    close() {
        this.state = 'closed';
        if (this.socket) this.socket.close(1000);
    }

    // Closes the socket as a network failure would, so the reconnect path runs.
    drop() {
        if (this.socket) this.socket.close(DROP_CLOSE_CODE, 'client simulated drop');
    }

    _onSocketClosed(event, socket) {
        if (socket !== this.socket || this.state !== 'connected') return;
        if (FINAL_CLOSE_CODES.includes(event.code)) {
            this.state = 'closed';
            this.onEnded({ code: event.code, reason: event.reason });
            return;
        }
        this.state = 'reconnecting';
        this.onLost({ code: event.code });
        this._reconnect();
    }

    async _reconnect() {
        for (const delay of this.reconnectDelays) {
            await new Promise((resolve) => setTimeout(resolve, delay));
            if (this.state !== 'reconnecting') return;
            const socket = this._newSocket();
            this.socket = socket;
            try {
                await socket.open(this.openTimeoutMs);
                let reply = await socket.request(this.buildJoin({ resume: true }));
                // A refused resume (late, or unknown): join again as a new participant.
                if (reply.type === 'error') reply = await socket.request(this.buildJoin({ resume: false }));
                if (this.state !== 'reconnecting') {
                    // Left (or closed) while this join was on its way: leave properly.
                    if (reply.type === 'joined') await socket.request({ type: 'leave' }, 3000).catch(() => {});
                    socket.close(1000);
                    return;
                }
                if (reply.type === 'joined') {
                    this.state = 'connected';
                    this.onRestored(reply);
                    return;
                }
                // Even a fresh join is refused (expired token, full session): give up.
                this.state = 'closed';
                socket.close(1000);
                this.onEnded({ code: 0, reason: 'rejoinRefused', error: replyError(reply) });
                return;
            } catch {
                socket.close(1000); // could not connect or the socket died: try again
            }
        }
        if (this.state !== 'reconnecting') return;
        this.state = 'closed';
        this.onEnded({ code: 0, reason: 'reconnectFailed' });
    }
}
