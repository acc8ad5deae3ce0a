// Client-side checks, run before any network use, with the hub's own rules
// (PROTOCOL.md sections 1 and 3) so a bad value fails fast with the same code.
import { ErrorCodes, SignalHubError } from './errors.js';

export const SESSION_TYPES = ['VIDEO', 'VOICE'];
export const LAYOUTS = ['TILE', 'SIDEBAR', 'SPOTLIGHT'];
export const DEFAULT_SETTINGS = Object.freeze({
    sessionType: 'VIDEO', layout: 'TILE', startAudioMuted: false, startVideoPaused: false,
});
const SESSION_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

function invalid(message) {
    return new SignalHubError(ErrorCodes.VALIDATION_ERROR, message);
}

// Returns the session ID or throws: absent, null or "" is ERROR_SESSION_ID_MISSING, as
// on the hub's POST /v1/calls/tokens.
export function checkSessionId(sessionId) {
    if (sessionId === undefined || sessionId === null || sessionId === '') {
        throw new SignalHubError(ErrorCodes.SESSION_ID_MISSING, 'a session ID is required');
    }
    if (typeof sessionId !== 'string' || !SESSION_ID_RE.test(sessionId)) {
        throw invalid('a session ID is 1-128 characters of A-Z a-z 0-9 . _ : -');
    }
    return sessionId;
}

export function checkUid(uid) {
    if (typeof uid !== 'string' || uid.length < 1 || uid.length > 128) {
        throw invalid('a uid is a string of 1-128 characters');
    }
    return uid;
}

// Returns the complete settings to send in `join` (defaults filled in, AUDIO spelled
// VOICE) or throws VALIDATION_ERROR. Keys the hub does not know are dropped, as the
// hub would ignore them anyway.
export function normalizeCallSettings(settings) {
    if (settings === undefined || settings === null) return { ...DEFAULT_SETTINGS };
    if (typeof settings !== 'object' || Array.isArray(settings)) {
        throw invalid('callSettings must be an object');
    }
    const out = { ...DEFAULT_SETTINGS };
    if (settings.sessionType !== undefined) {
        const type = settings.sessionType === 'AUDIO' ? 'VOICE' : settings.sessionType;
        if (!SESSION_TYPES.includes(type)) throw invalid(`sessionType must be VIDEO or VOICE, not ${JSON.stringify(settings.sessionType)}`);
        out.sessionType = type;
    }
    if (settings.layout !== undefined) {
        if (!LAYOUTS.includes(settings.layout)) throw invalid(`layout must be TILE, SIDEBAR or SPOTLIGHT, not ${JSON.stringify(settings.layout)}`);
        out.layout = settings.layout;
    }
    for (const key of ['startAudioMuted', 'startVideoPaused']) {
        if (settings[key] !== undefined) {
            if (typeof settings[key] !== 'boolean') throw invalid(`${key} must be true or false`);
            out[key] = settings[key];
        }
    }
    return out;
}

// iceServers as RTCPeerConnection takes them: an array of {urls, username?, credential?}.
export function checkIceServers(iceServers) {
    if (iceServers === undefined || iceServers === null) return [];
    if (!Array.isArray(iceServers)) throw invalid('iceServers must be an array');
    for (const server of iceServers) {
        const urls = server && server.urls;
        const ok = typeof urls === 'string' || (Array.isArray(urls) && urls.every((u) => typeof u === 'string'));
        if (!ok) throw invalid('each ICE server needs urls: a string or an array of strings');
    }
    return iceServers;
}

// http(s)://host[:port][/] -> the base URL without a trailing slash, or throws.
export function checkHubUrl(hubUrl) {
    let url;
    try {
        url = new URL(hubUrl);
    } catch {
        throw invalid(`hubUrl is not a URL: ${JSON.stringify(hubUrl)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('hubUrl must be http: or https:');
    return url.origin + url.pathname.replace(/\/+$/, '');
}

export function signalUrl(hubBase) {
    return hubBase.replace(/^http/, 'ws') + '/v1/signal';
}
