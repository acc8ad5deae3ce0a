// SignalHubCalls: the public API of the SignalHub calls SDK, as an ES module.
// It mirrors the calls SDK this hub serves: init, login / loginWithAuthToken,
// generateToken, joinSession (renders the call UI into a container), the local
// actions, and addEventListener for participant and session events.
// For a global `window.SignalHubCalls`, load signalhub-calls.global.js (type=module).
import { ErrorCodes, SignalHubError, failure, success, toSignalHubError } from './errors.js';
import { checkHubUrl, checkIceServers, checkSessionId, checkUid, normalizeCallSettings, signalUrl, LAYOUTS } from './validate.js';
import { createCallToken, decodeJwtClaims, devLogin } from './http.js';
import { CallSession } from './session.js';

export const LISTENER_NAMES = Object.freeze([
    'onSessionJoined', 'onSessionLeft', 'onConnectionLost', 'onConnectionRestored',
    'onParticipantJoined', 'onParticipantLeft', 'onParticipantListChanged',
    'onParticipantAudioMuted', 'onParticipantAudioUnmuted', 'onParticipantVideoPaused', 'onParticipantVideoResumed',
    'onParticipantHandRaised', 'onParticipantHandLowered',
]);

// All state lives in this module instance, one per page: nothing in localStorage, so
// tabs of one browser are independent participants.
const state = {
    hubBase: null,
    iceServers: [],
    user: null,
    session: null,
    listeners: new Map(LISTENER_NAMES.map((name) => [name, new Set()])),
    log: (line) => console.info(`[SignalHubCalls] ${line}`),
};

function requireInit() {
    if (!state.hubBase) throw new SignalHubError(ErrorCodes.SDK_NOT_INITIALIZED, 'call SignalHubCalls.init() first');
}

function emit(name, ...args) {
    for (const listener of state.listeners.get(name) || []) {
        try {
            listener(...args);
        } catch (err) {
            state.log(`listener ${name} threw: ${err && err.stack || err}`);
        }
    }
}

function defaultHubUrl() {
    const origin = globalThis.location && globalThis.location.origin;
    return origin && /^https?:/.test(origin) ? origin : undefined;
}

// init({hubUrl, iceServers}): hubUrl defaults to the page's own origin. iceServers go to
// every RTCPeerConnection; none are needed on one machine.
async function init({ hubUrl = defaultHubUrl(), iceServers = [] } = {}) {
    const base = checkHubUrl(hubUrl);
    state.iceServers = checkIceServers(iceServers);
    if (state.hubBase !== base) state.user = null; // a login belongs to one hub
    state.hubBase = base;
    return { hubUrl: base };
}

function publicUser(user) {
    return user && { uid: user.uid, name: user.name, role: user.role, avatar: user.avatar, authToken: user.authToken, expiresAt: user.expiresAt };
}

// login(uid, name): a dev login (the hub must run with --dev). options: {role, avatar}.
async function login(uid, name = uid, options = {}) {
    requireInit();
    checkUid(uid);
    const reply = await devLogin(state.hubBase, { uid, name, role: options.role, avatar: options.avatar });
    state.user = { uid: reply.uid, name, role: options.role || 'participant', avatar: options.avatar, authToken: reply.authToken, expiresAt: reply.expiresAt };
    return publicUser(state.user);
}

// loginWithAuthToken(token): an auth token minted by the app's backend.
async function loginWithAuthToken(authToken) {
    requireInit();
    if (typeof authToken !== 'string' || authToken.trim() === '') {
        throw new SignalHubError(ErrorCodes.AUTH_TOKEN_MISSING, 'an auth token is required');
    }
    const claims = decodeJwtClaims(authToken);
    state.user = { uid: claims.sub, name: claims.name || claims.sub, role: claims.role || 'participant', avatar: claims.avatar, authToken, expiresAt: claims.exp };
    return publicUser(state.user);
}

async function logout() {
    state.user = null;
}

// generateToken(sessionId) -> {token, sessionId, uid, expiresAt}: a call token for one session.
async function generateToken(sessionId, authToken) {
    requireInit();
    const bearer = authToken || (state.user && state.user.authToken);
    if (!bearer) throw new SignalHubError(ErrorCodes.AUTH_TOKEN_MISSING, 'log in first (login or loginWithAuthToken)');
    checkSessionId(sessionId);
    return createCallToken(state.hubBase, bearer, sessionId);
}

function isElement(node) {
    return !!node && typeof node === 'object' && node.nodeType === 1 && typeof node.appendChild === 'function';
}

// joinSession(callToken, callSettings, container) -> {data, error}; never throws.
// Every argument is checked before any network or device use.
async function joinSession(callToken, callSettings, container) {
    let settings;
    try {
        requireInit();
        if (typeof callToken !== 'string' || callToken.trim() === '') {
            throw new SignalHubError(ErrorCodes.AUTH_TOKEN_MISSING, 'a call token is required (generateToken)');
        }
        settings = normalizeCallSettings(callSettings);
        if (!isElement(container)) throw new SignalHubError(ErrorCodes.VALIDATION_ERROR, 'container must be a DOM element');
        if (state.session) throw new SignalHubError(ErrorCodes.ALREADY_JOINED, 'leave the current session first');
    } catch (err) {
        return failure(err);
    }
    const session = new CallSession({
        url: signalUrl(state.hubBase), callToken, settings, container, iceServers: state.iceServers, emit, log: state.log,
        onClosed: (s) => { if (state.session === s) state.session = null; },
    });
    state.session = session;
    try {
        return success(await session.start());
    } catch (err) {
        if (state.session === session) state.session = null;
        return failure(toSignalHubError(err));
    }
}

function sessionAction(type) {
    return async () => (state.session ? state.session.action(type) : failure(ErrorCodes.NOT_JOINED, 'not in a session'));
}

async function leaveSession() {
    return state.session ? state.session.leave() : failure(ErrorCodes.NOT_JOINED, 'not in a session');
}

function setLayout(layout) {
    if (!LAYOUTS.includes(layout)) return failure(ErrorCodes.VALIDATION_ERROR, `layout must be one of ${LAYOUTS.join(', ')}`);
    if (!state.session) return failure(ErrorCodes.NOT_JOINED, 'not in a session');
    state.session.view.setLayout(layout);
    return success();
}

// addEventListener(name, fn) -> unsubscribe function.
function addEventListener(name, listener) {
    if (!state.listeners.has(name)) throw new SignalHubError(ErrorCodes.VALIDATION_ERROR, `unknown event ${name}; known: ${LISTENER_NAMES.join(', ')}`);
    if (typeof listener !== 'function') throw new SignalHubError(ErrorCodes.VALIDATION_ERROR, 'the listener must be a function');
    state.listeners.get(name).add(listener);
    return () => state.listeners.get(name).delete(listener);
}

function removeEventListener(name, listener) {
    if (state.listeners.has(name)) state.listeners.get(name).delete(listener);
}

export const SignalHubCalls = Object.freeze({
    init,
    login,
    loginWithAuthToken,
    logout,
    getLoggedInUser: () => publicUser(state.user),
    isUserLoggedIn: () => !!state.user,
    getUserAuthToken: () => (state.user ? state.user.authToken : null),
    generateToken,
    joinSession,
    leaveSession,
    muteAudio: sessionAction('muteAudio'),
    unmuteAudio: sessionAction('unmuteAudio'),
    unMuteAudio: sessionAction('unmuteAudio'), // the spelling of the calls SDK this mirrors
    pauseVideo: sessionAction('pauseVideo'),
    resumeVideo: sessionAction('resumeVideo'),
    raiseHand: sessionAction('raiseHand'),
    lowerHand: sessionAction('lowerHand'),
    setLayout,
    getParticipants: () => (state.session ? state.session.participants() : []),
    addEventListener,
    removeEventListener,
    ErrorCodes,
    // Diagnostics for tests and the test page; not part of the calls-SDK surface.
    debug: Object.freeze({
        peerStates: () => (state.session ? state.session.mesh.states() : {}),
        roster: () => (state.session ? { pid: state.session.pid, seq: state.session.roster.seq, participants: state.session.participants() } : null),
        localTracks: () => (state.session && state.session.localStream
            ? state.session.localStream.getTracks().map((t) => ({ kind: t.kind, enabled: t.enabled, readyState: t.readyState })) : []),
        dropConnection: () => { if (state.session) state.session.connection.drop(); },
        setLogger: (fn) => { state.log = fn; },
    }),
});

export default SignalHubCalls;
