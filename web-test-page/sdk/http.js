// The hub's HTTP API (PROTOCOL.md section 2): dev login and call tokens. Error bodies are
// {"error":{"code","message"}}; the code is passed on unchanged.
import { ErrorCodes, SignalHubError } from './errors.js';

export async function postJson(url, body, bearer) {
    const headers = { 'Content-Type': 'application/json' };
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    let response;
    try {
        response = await globalThis.fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
    } catch (err) {
        throw new SignalHubError(ErrorCodes.NETWORK, `cannot reach ${url}: ${err.message}`);
    }
    let json = null;
    try {
        json = await response.json();
    } catch {
        // not JSON: reported below by status
    }
    if (!response.ok) {
        const error = json && json.error;
        throw new SignalHubError(error && error.code || ErrorCodes.NETWORK, error && error.message || `HTTP ${response.status} from ${url}`, { status: response.status });
    }
    return json;
}

export function devLogin(hubBase, { uid, name, role, avatar }) {
    const body = { uid, name };
    if (role) body.role = role;
    if (avatar) body.avatar = avatar;
    return postJson(`${hubBase}/v1/dev/login`, body);
}

export function createCallToken(hubBase, authToken, sessionId) {
    return postJson(`${hubBase}/v1/calls/tokens`, { sessionId }, authToken);
}

// The claims of a JWT, unverified: the hub verifies; the SDK only wants uid and name.
export function decodeJwtClaims(token) {
    const part = String(token).split('.')[1];
    if (!part) throw new SignalHubError(ErrorCodes.AUTH_TOKEN_INVALID, 'the auth token is not a JWT');
    try {
        const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        return JSON.parse(new TextDecoder().decode(bytes));
    } catch {
        throw new SignalHubError(ErrorCodes.AUTH_TOKEN_INVALID, 'the auth token payload cannot be read');
    }
}
