// Client-side checks: the same codes as the calls SDK, decided before any network use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeCallSettings, checkSessionId, checkHubUrl, checkIceServers, signalUrl, DEFAULT_SETTINGS } from '../../web-test-page/sdk/validate.js';
import { isOfferer } from '../../web-test-page/sdk/webrtc.js';

const codeOf = (fn) => {
    try {
        fn();
    } catch (err) {
        return err.code;
    }
    return null;
};

test('call settings: defaults, AUDIO spelled VOICE, unknown keys dropped', () => {
    assert.deepEqual(normalizeCallSettings(undefined), DEFAULT_SETTINGS);
    assert.deepEqual(normalizeCallSettings({ sessionType: 'AUDIO', layout: 'SPOTLIGHT', startAudioMuted: true, extra: 1 }),
        { sessionType: 'VOICE', layout: 'SPOTLIGHT', startAudioMuted: true, startVideoPaused: false });
});

test('bad call settings are VALIDATION_ERROR', () => {
    for (const bad of ['VIDEO', [], 3, { sessionType: 'video' }, { sessionType: 'HOLOGRAM' }, { layout: 'GRID' },
        { startAudioMuted: 'yes' }, { startVideoPaused: 0 }, { sessionType: null }]) {
        assert.equal(codeOf(() => normalizeCallSettings(bad)), 'VALIDATION_ERROR', JSON.stringify(bad));
    }
});

test('session IDs: missing is ERROR_SESSION_ID_MISSING, malformed is VALIDATION_ERROR', () => {
    for (const missing of [undefined, null, '']) assert.equal(codeOf(() => checkSessionId(missing)), 'ERROR_SESSION_ID_MISSING');
    for (const bad of ['has space', 'x'.repeat(129), 'a/b', 42]) assert.equal(codeOf(() => checkSessionId(bad)), 'VALIDATION_ERROR');
    assert.equal(checkSessionId('Room_1.a:b-c'), 'Room_1.a:b-c');
});

test('hub URLs and ICE servers', () => {
    assert.equal(checkHubUrl('http://127.0.0.1:8080/'), 'http://127.0.0.1:8080');
    assert.equal(signalUrl(checkHubUrl('https://hub.example.org')), 'wss://hub.example.org/v1/signal');
    assert.equal(codeOf(() => checkHubUrl('ftp://x')), 'VALIDATION_ERROR');
    assert.equal(codeOf(() => checkHubUrl('nope')), 'VALIDATION_ERROR');
    assert.deepEqual(checkIceServers([{ urls: ['stun:a', 'stun:b'] }, { urls: 'turn:c', username: 'u', credential: 'p' }]).length, 2);
    assert.equal(codeOf(() => checkIceServers({ urls: 'stun:a' })), 'VALIDATION_ERROR');
    assert.equal(codeOf(() => checkIceServers([{ url: 'stun:a' }])), 'VALIDATION_ERROR');
});

test('exactly one side of every pair offers: the newer joiner, then the smaller pid', () => {
    const a = { pid: 'pA', joinedAt: 1 };
    const b = { pid: 'pB', joinedAt: 2 };
    const c = { pid: 'pC', joinedAt: 2 };
    assert.equal(isOfferer(b, a), true);
    assert.equal(isOfferer(a, b), false);
    assert.equal(isOfferer(b, c), true);
    assert.equal(isOfferer(c, b), false);
});
