// The test page: a form to pick who joins which session with which settings, the call
// UI the SDK renders, the roster and an event log. Query parameters prefill the form
// (?uid=alice&name=Alice&session=standup&startAudioMuted=1&autojoin=1), so a link can
// bring a tester straight into a call.
import { SignalHubCalls, LISTENER_NAMES } from './sdk/signalhub-calls.js';

const $ = (id) => document.getElementById(id);
const FIELDS = ['hubUrl', 'uid', 'name', 'role', 'sessionId', 'sessionType', 'layout', 'iceServers'];
const CHECKS = ['startAudioMuted', 'startVideoPaused'];
const events = [];

// For tests and the console: what the listeners saw, in order.
window.__signalhub = {
    events,
    peerStates: () => SignalHubCalls.debug.peerStates(),
    roster: () => SignalHubCalls.debug.roster(),
};

function prefill() {
    const params = new URLSearchParams(location.search);
    const suffix = Math.random().toString(36).slice(2, 6);
    $('hubUrl').value = params.get('hubUrl') || location.origin;
    $('uid').value = params.get('uid') || `user-${suffix}`;
    $('name').value = params.get('name') || `Guest ${suffix}`;
    $('sessionId').value = params.get('session') || params.get('sessionId') || 'demo';
    for (const id of ['role', 'sessionType', 'layout', 'iceServers']) if (params.has(id)) $(id).value = params.get(id);
    for (const id of CHECKS) if (params.has(id)) $(id).checked = ['1', 'true', 'yes'].includes(params.get(id));
    return params.get('autojoin') === '1';
}

function setStatus(state, text, code = '') {
    const status = $('status');
    status.dataset.state = state;
    status.dataset.errorCode = code;
    status.textContent = text;
}

function setJoined(joined) {
    for (const id of [...FIELDS, ...CHECKS]) $(id).disabled = joined;
    $('join').disabled = joined;
    $('leave').disabled = !joined;
}

function describe(p) {
    const flags = [p.isAudioMuted ? 'muted' : 'mic on', p.isVideoPaused ? 'video off' : 'video on'];
    if (p.isHandRaised) flags.push('hand raised');
    return flags.join(' · ');
}

function renderRoster(participants) {
    const list = $('roster');
    list.replaceChildren(...participants.map((p) => {
        const item = document.createElement('li');
        item.dataset.pid = p.pid;
        item.dataset.uid = p.uid;
        const who = document.createElement('strong');
        who.textContent = `${p.name} `;
        const uid = document.createElement('span');
        uid.textContent = `(${p.uid}${p.role === 'moderator' ? ', moderator' : ''})`;
        const flags = document.createElement('span');
        flags.className = 'flags';
        flags.textContent = describe(p);
        item.append(who, uid, flags);
        return item;
    }));
    $('roster-count').textContent = `(${participants.length})`;
}

function record(name, args) {
    const [first, info] = args;
    const entry = { event: name, at: Date.now() };
    if (first && first.pid) Object.assign(entry, { pid: first.pid, uid: first.uid });
    if (info && info.reason) entry.reason = info.reason;
    if (first && first.reason) entry.reason = first.reason;
    if (first && typeof first.resumed === 'boolean') entry.resumed = first.resumed;
    events.push(entry);
    if (name === 'onParticipantListChanged') return renderRoster(first);
    const line = document.createElement('li');
    const time = new Date(entry.at).toLocaleTimeString();
    line.textContent = `${time} ${name}${entry.uid ? ` ${entry.uid}` : ''}${entry.reason ? ` (${entry.reason})` : ''}`;
    $('log').prepend(line);
    if (name === 'onSessionLeft') {
        setJoined(false);
        renderRoster([]);
        setStatus('left', `Left the session (${entry.reason || 'left'}).`);
    } else if (name === 'onConnectionLost') setStatus('reconnecting', 'Connection lost, reconnecting…');
    else if (name === 'onConnectionRestored') setStatus('joined', `Reconnected (${entry.resumed ? 'resumed' : 'joined again'}).`);
}

function readSettings() {
    const settings = { sessionType: $('sessionType').value, layout: $('layout').value };
    for (const id of CHECKS) settings[id] = $(id).checked;
    return settings;
}

function showError(err) {
    const code = err.code || 'ERROR';
    setStatus('error', `${code}: ${err.message || err.errorDescription || err}`, code);
    setJoined(false);
}

async function join() {
    setJoined(true);
    $('leave').disabled = true;
    setStatus('joining', 'Joining…');
    try {
        let iceServers;
        try {
            iceServers = JSON.parse($('iceServers').value || '[]');
        } catch {
            throw Object.assign(new Error('ICE servers must be JSON, e.g. [{"urls":"stun:stun.example.org"}]'), { code: 'VALIDATION_ERROR' });
        }
        await SignalHubCalls.init({ hubUrl: $('hubUrl').value, iceServers });
        await SignalHubCalls.login($('uid').value, $('name').value, { role: $('role').value });
        const { token } = await SignalHubCalls.generateToken($('sessionId').value);
        const { data, error } = await SignalHubCalls.joinSession(token, readSettings(), $('call'));
        if (error) return showError(error);
        setJoined(true);
        setStatus('joined', `In session ${data.sessionId} as ${data.pid}.`);
    } catch (err) {
        showError(err);
    }
}

for (const name of LISTENER_NAMES) SignalHubCalls.addEventListener(name, (...args) => record(name, args));
$('join-form').addEventListener('submit', (event) => {
    event.preventDefault();
    join();
});
$('leave').addEventListener('click', () => SignalHubCalls.leaveSession());
if (prefill()) join();
