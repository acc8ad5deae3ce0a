// The call UI rendered inside the app's container: one tile per participant (video or
// initials, name, mute / video-off / raised-hand badges), a layout (TILE, SIDEBAR,
// SPOTLIGHT) and the local user's controls. It only draws what the roster says; the
// session calls render() after every roster change. Tiles carry data attributes
// (data-pid, data-uid, data-audio-muted, ...) so tests and apps can read the state.
import { LAYOUTS } from './validate.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
// 24x24 stroke icons; drawn as SVG so no font or image is needed (CSP: img-src 'self').
const ICONS = {
    micOff: ['M9 5a3 3 0 0 1 6 0v6a3 3 0 0 1-6 0z', 'M5 11a7 7 0 0 0 14 0', 'M12 18v3', 'M3 3l18 18'],
    videoOff: ['M3 7h11v10H3z', 'M14 10l6-3v10l-6-3', 'M2 2l20 20'],
    hand: ['M8 13V5a1.5 1.5 0 0 1 3 0v6', 'M11 11V3.5a1.5 1.5 0 0 1 3 0V11', 'M14 11V5a1.5 1.5 0 0 1 3 0v8', 'M8 13v-2a1.5 1.5 0 0 0-3 0v3a8 8 0 0 0 8 8h1a6 6 0 0 0 3-5v-4'],
};

function el(tag, className, attrs = {}) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    return node;
}

function icon(name) {
    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    for (const d of ICONS[name]) {
        const path = document.createElementNS(SVG_NS, 'path');
        path.setAttribute('d', d);
        svg.append(path);
    }
    return svg;
}

function initials(name) {
    const parts = String(name || '?').trim().split(/\s+/).filter(Boolean);
    return (parts.length > 1 ? parts[0][0] + parts[parts.length - 1][0] : (parts[0] || '?').slice(0, 2)).toUpperCase();
}

// The SDK's stylesheet sits next to this file; the CSP forbids inline styles.
function ensureStylesheet() {
    const href = new URL('./signalhub-calls.css', import.meta.url).href;
    if (document.querySelector(`link[data-signalhub-calls]`)) return;
    const link = el('link', '', { rel: 'stylesheet', href, 'data-signalhub-calls': '' });
    document.head.append(link);
}

function attachStream(video, stream) {
    if (video.srcObject !== stream) video.srcObject = stream; // srcObject: the CSP has no media-src
    video.play().catch(() => { /* autoplay refused until a user gesture; the controls give one */ });
}

export class CallView {
    constructor(container, { layout = 'TILE', sessionType = 'VIDEO', onControl = () => {} } = {}) {
        this.container = container;
        this.sessionType = sessionType;
        this.onControl = onControl;
        this.tiles = new Map();   // pid -> {root, video, name}
        this.streams = new Map(); // pid -> MediaStream, kept until its tile exists
        this.selfPid = null;
        this.pinned = null;
        this.participants = [];
        ensureStylesheet();
        this.root = el('div', 'sh-call', { 'data-connection': 'connecting' });
        this.stage = el('div', 'sh-stage');
        this.controls = this._buildControls();
        this.root.append(this.stage, this.controls);
        container.replaceChildren(this.root);
        this.setLayout(layout);
    }

    _buildControls() {
        const bar = el('div', 'sh-controls');
        const button = (action, label) => {
            const b = el('button', 'sh-button', { type: 'button', 'data-action': action });
            b.textContent = label;
            b.addEventListener('click', () => this.onControl(action));
            return b;
        };
        this.buttons = {
            audio: button('toggle-audio', 'Mute'),
            video: button('toggle-video', 'Stop video'),
            hand: button('toggle-hand', 'Raise hand'),
            leave: button('leave', 'Leave'),
        };
        this.buttons.leave.classList.add('sh-button-leave');
        if (this.sessionType !== 'VIDEO') this.buttons.video.disabled = true;
        this.layoutSelect = el('select', 'sh-layout', { 'data-action': 'layout', 'aria-label': 'Layout' });
        for (const layout of LAYOUTS) {
            const option = el('option', '', { value: layout });
            option.textContent = layout[0] + layout.slice(1).toLowerCase();
            this.layoutSelect.append(option);
        }
        this.layoutSelect.addEventListener('change', () => this.onControl('layout', this.layoutSelect.value));
        bar.append(this.buttons.audio, this.buttons.video, this.buttons.hand, this.layoutSelect, this.buttons.leave);
        return bar;
    }

    setLayout(layout) {
        this.layout = layout;
        this.root.dataset.layout = layout;
        this.container.dataset.layout = layout;
        this.layoutSelect.value = layout;
        this._placeTiles();
    }

    setConnection(state) {
        this.root.dataset.connection = state; // connecting, connected, reconnecting, ended
    }

    render(selfPid, participants) {
        this.selfPid = selfPid;
        this.participants = participants;
        const present = new Set(participants.map((p) => p.pid));
        for (const [pid, tile] of this.tiles) {
            if (!present.has(pid)) {
                tile.root.remove();
                this.tiles.delete(pid);
                this.streams.delete(pid);
            }
        }
        for (const p of participants) {
            const existing = this.tiles.get(p.pid);
            const tile = existing || this._createTile(p);
            this._updateTile(tile, p);
            // A new tile enters the page with its state already set: whoever joined
            // muted is never drawn unmuted, not even for one frame.
            if (!existing) this.stage.append(tile.root);
        }
        const self = participants.find((p) => p.pid === selfPid);
        if (self) this._updateControls(self);
        this._placeTiles();
    }

    _createTile(p) {
        const root = el('div', 'sh-tile');
        const video = el('video', 'sh-video');
        video.autoplay = true;
        video.playsInline = true;
        video.muted = p.pid === this.selfPid; // never play our own microphone back
        const avatar = el('div', 'sh-avatar');
        const badges = el('div', 'sh-badges');
        for (const [name, cls, title] of [['hand', 'sh-badge-hand', 'Hand raised'], ['micOff', 'sh-badge-muted', 'Muted'], ['videoOff', 'sh-badge-video-off', 'Video off']]) {
            const badge = el('span', `sh-badge ${cls}`, { title });
            badge.append(icon(name));
            badges.append(badge);
        }
        const label = el('div', 'sh-name');
        root.append(video, avatar, badges, label);
        root.addEventListener('click', () => { this.pinned = this.pinned === p.pid ? null : p.pid; this._placeTiles(); });
        const tile = { root, video, avatar, label };
        this.tiles.set(p.pid, tile);
        const stream = this.streams.get(p.pid);
        if (stream) attachStream(video, stream);
        return tile;
    }

    _updateTile(tile, p) {
        const d = tile.root.dataset;
        d.pid = p.pid;
        d.uid = p.uid;
        d.self = String(p.pid === this.selfPid);
        d.role = p.role;
        d.sessionType = p.sessionType;
        d.audioMuted = String(!!p.isAudioMuted);
        d.videoPaused = String(!!p.isVideoPaused);
        d.handRaised = String(!!p.isHandRaised);
        tile.avatar.textContent = initials(p.name);
        tile.label.textContent = p.pid === this.selfPid ? `${p.name} (you)` : p.name;
        if (p.role === 'moderator') tile.label.textContent += ' · moderator';
    }

    _updateControls(self) {
        this.buttons.audio.textContent = self.isAudioMuted ? 'Unmute' : 'Mute';
        this.buttons.audio.setAttribute('aria-pressed', String(!!self.isAudioMuted));
        this.buttons.video.textContent = self.isVideoPaused ? 'Start video' : 'Stop video';
        this.buttons.video.setAttribute('aria-pressed', String(!!self.isVideoPaused));
        this.buttons.hand.textContent = self.isHandRaised ? 'Lower hand' : 'Raise hand';
        this.buttons.hand.setAttribute('aria-pressed', String(!!self.isHandRaised));
    }

    // Join order, with the featured tile first in SIDEBAR and SPOTLIGHT: the pinned one,
    // else the first raised hand, else the first other participant, else ourselves.
    _placeTiles() {
        const list = this.participants.filter((p) => this.tiles.has(p.pid));
        const featured = this.layout === 'TILE' ? null
            : (list.find((p) => p.pid === this.pinned) || list.find((p) => p.isHandRaised)
                || list.find((p) => p.pid !== this.selfPid) || list[0]);
        list.forEach((p, i) => {
            const tile = this.tiles.get(p.pid);
            const main = !!featured && featured.pid === p.pid;
            tile.root.dataset.main = String(main);
            tile.root.style.order = main ? -1 : i;
        });
        // TILE: a near-square grid (2 -> 2x1, 3-4 -> 2x2, 5-6 -> 3x2, ...).
        this.stage.style.setProperty('--cols', String(Math.max(1, Math.ceil(Math.sqrt(list.length)))));
        this.stage.style.setProperty('--others', String(Math.max(1, list.length - 1)));
    }

    setStream(pid, stream) {
        this.streams.set(pid, stream);
        const tile = this.tiles.get(pid);
        if (tile) attachStream(tile.video, stream);
    }

    setPeerState(pid, state) {
        const tile = this.tiles.get(pid);
        if (tile) tile.root.dataset.peerState = state;
    }

    destroy() {
        for (const tile of this.tiles.values()) tile.video.srcObject = null;
        this.tiles.clear();
        this.streams.clear();
        this.root.remove();
        delete this.container.dataset.layout;
    }
}
