"""A small asyncio client for the SignalHub WebSocket protocol (PROTOCOL.md section 3).

It records every message it receives, rebuilds the roster from the `joined`
snapshot plus participantJoined/Updated/Left events, and records a protocol
violation whenever an event's seq is not exactly the previous seq + 1.
"""
import asyncio
import itertools
import json
import time

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from hubtools import DEFAULT_TIMEOUT

SUBPROTOCOL = "signalhub.v1"
EVENTS = ("participantJoined", "participantUpdated", "participantLeft")
REPLIES = ("joined", "ack", "left", "roster", "pong", "error")
FLAGS = ("isAudioMuted", "isVideoPaused", "isHandRaised")
_ids = itertools.count(1)


def check_participant(p):
    """Problems with one Participant object, as a list of strings."""
    if not isinstance(p, dict):
        return [f"participant is not an object: {p!r}"]
    bad = []
    for key, typ in (("pid", str), ("uid", str), ("name", str), ("role", str),
                     ("sessionType", str), ("joinedAt", int)) + tuple((f, bool) for f in FLAGS):
        if not isinstance(p.get(key), typ) or (typ is int and isinstance(p.get(key), bool)):
            bad.append(f"participant field {key} missing or not {typ.__name__}: {p!r}")
    if p.get("role") not in ("participant", "moderator"):
        bad.append(f"bad role in {p!r}")
    if p.get("sessionType") not in ("VIDEO", "VOICE"):
        bad.append(f"bad sessionType in {p!r}")
    if p.get("sessionType") == "VOICE" and p.get("isVideoPaused") is not True:
        bad.append(f"VOICE participant with isVideoPaused != true: {p!r}")
    return bad


class HubClient:
    def __init__(self, ws_url, label="client"):
        self.ws_url, self.label = ws_url, label
        self.ws = None
        self.messages = []      # every message received, batches flattened, in order
        self.times = []         # time.monotonic() at which each of `messages` arrived
        self.frames = 0
        self.roster = None      # pid -> participant, in join order
        self.seq = None
        self.pid = None
        self.session_id = None
        self.joined_msg = None
        self.pre_joined = None  # (roster, seq) rebuilt just before a resumed `joined`
        self.errors = []        # protocol violations seen by the reader
        self.sent_rids = set()  # requestIds this client has sent
        self.close_code = None  # code of the close frame received from the hub
        self.close_reason = None
        self.closed = asyncio.Event()
        self._cond = asyncio.Condition()
        self._task = None
        self._reading = asyncio.Event()  # cleared by pause_reading()
        self._forgotten = 0     # messages dropped by forget(); marks count them
        self._reading.set()

    def __repr__(self):
        return f"<HubClient {self.label} pid={self.pid} seq={self.seq}>"

    # connection ---------------------------------------------------------
    async def connect(self, subprotocols=(SUBPROTOCOL,), compression=None, **kw):
        """`kw` goes to websockets' connect: e.g. ssl=, origin=, max_queue=, sock=."""
        self.ws = await asyncio.wait_for(connect(
            self.ws_url, subprotocols=list(subprotocols) or None, compression=compression,
            proxy=None, ping_interval=None, max_size=None, open_timeout=DEFAULT_TIMEOUT,
            close_timeout=2, **kw), DEFAULT_TIMEOUT)
        if subprotocols:
            assert self.ws.subprotocol == SUBPROTOCOL, \
                f"{self.label}: hub selected subprotocol {self.ws.subprotocol!r}"
        self._task = asyncio.create_task(self._reader())
        return self

    def resume_state_from(self, old):
        """Carry a dropped client's roster and seq over, as a resuming client would."""
        self.roster, self.seq = dict(old.roster), old.seq
        self.pid, self.session_id = old.pid, old.session_id

    def pause_reading(self):
        """Stop taking frames from the socket: once websockets' own small queue is full,
        the kernel buffers fill and the hub sees a reader that has stopped (a slow
        consumer). Connect with a small max_queue and receive buffer to feel it sooner."""
        self._reading.clear()

    def resume_reading(self):
        self._reading.set()

    async def _reader(self):
        try:
            while True:
                await self._reading.wait()
                frame = await self.ws.recv()
                self._on_frame(frame)
                async with self._cond:
                    self._cond.notify_all()
        except ConnectionClosed:
            pass
        except Exception as e:  # noqa: BLE001 - surface reader bugs as violations
            self.errors.append(f"reader crashed: {e!r}")
        finally:
            rcvd = self.ws.protocol.close_rcvd
            if rcvd is not None:
                self.close_code, self.close_reason = rcvd.code, rcvd.reason
            self.closed.set()
            async with self._cond:
                self._cond.notify_all()

    def _on_frame(self, frame):
        self.frames += 1
        now = time.monotonic()
        if isinstance(frame, bytes):
            self.errors.append(f"binary frame from hub: {frame[:100]!r}")
            return
        try:
            data = json.loads(frame)
        except ValueError:
            self.errors.append(f"hub sent non-JSON: {frame[:200]!r}")
            return
        for msg in data if isinstance(data, list) else [data]:
            if not isinstance(msg, dict) or not isinstance(msg.get("type"), str):
                self.errors.append(f"hub sent a non-message: {msg!r}")
                continue
            self.messages.append(msg)
            self.times.append(now)
            self._apply(msg)

    def _apply(self, m):
        t = m["type"]
        if t in ("joined", "roster"):
            parts = m.get("participants")
            if not isinstance(parts, list) or not isinstance(m.get("seq"), int):
                self.errors.append(f"bad {t}: {m!r}")
                return
            for p in parts:
                self.errors.extend(check_participant(p))
            if t == "joined":
                if self.roster is not None:
                    self.pre_joined = (dict(self.roster), self.seq)
                self.joined_msg = m
                self.session_id = m.get("sessionId")
                self.pid = (m.get("self") or {}).get("pid")
                if m.get("self") not in parts:
                    self.errors.append(f"joined.self not in participants: {m!r}")
            elif self.seq is not None and m["seq"] < self.seq:
                self.errors.append(f"roster seq went back {self.seq} -> {m['seq']}")
            if m.get("sessionId") != self.session_id:
                self.errors.append(f"{t} for session {m.get('sessionId')!r}, mine is {self.session_id!r}")
            self.roster = {p.get("pid"): p for p in parts}
            self.seq = m["seq"]
        elif t in EVENTS:
            self._apply_event(m)

    def _apply_event(self, m):
        t, p, seq = m["type"], m.get("participant"), m.get("seq")
        if self.roster is None:
            self.errors.append(f"{t} before joined: {m!r}")
            return
        if seq != self.seq + 1:
            self.errors.append(f"seq gap/duplicate: had {self.seq}, got {t} with seq {seq}")
        if m.get("sessionId") != self.session_id:
            self.errors.append(f"event for session {m.get('sessionId')!r}, mine is {self.session_id!r}")
        self.seq = seq if isinstance(seq, int) else self.seq
        self.errors.extend(check_participant(p))
        pid = p.get("pid") if isinstance(p, dict) else None
        if t == "participantJoined":
            if pid in self.roster:
                self.errors.append(f"participantJoined for a pid already present: {m!r}")
            self.roster[pid] = p
        elif t == "participantUpdated":
            old = self.roster.get(pid)
            changed = m.get("changed")
            if old is None:
                self.errors.append(f"participantUpdated for unknown pid: {m!r}")
            elif not isinstance(changed, list) or not changed:
                self.errors.append(f"participantUpdated without `changed`: {m!r}")
            else:
                diff = {k for k in set(old) | set(p) if old.get(k) != p.get(k)}
                if diff != set(changed):
                    self.errors.append(f"`changed` {changed} but fields {sorted(diff)} differ: {m!r}")
            self.roster[pid] = p
        else:
            if m.get("reason") not in ("left", "disconnected", "replaced", "removed", "sessionEnded"):
                self.errors.append(f"bad participantLeft reason: {m!r}")
            if self.roster.pop(pid, None) is None:
                self.errors.append(f"participantLeft for unknown pid: {m!r}")

    # sending ------------------------------------------------------------
    async def send(self, obj):
        if isinstance(obj, dict) and isinstance(obj.get("requestId"), str):
            self.sent_rids.add(obj["requestId"])
        await self.ws.send(obj if isinstance(obj, (str, bytes)) else json.dumps(obj))

    @property
    def resume_token(self):
        """The resumeToken of the last `joined` (a resume hands out a new one)."""
        return (self.joined_msg or {}).get("resumeToken")

    def rid(self):
        return f"{self.label}-r{next(_ids)}"

    async def request(self, mtype, timeout=DEFAULT_TIMEOUT, **fields):
        """Send a message with a fresh requestId and return the hub's direct reply."""
        rid = self.rid()
        start = self.mark()
        await self.send({"type": mtype, "requestId": rid, **fields})
        return await self.wait_msg(lambda m: m.get("requestId") == rid and m["type"] in REPLIES,
                                   timeout, start, what=f"reply to {mtype} {rid}")

    async def act(self, mtype, **fields):
        reply = await self.request(mtype, **fields)
        assert reply["type"] == "ack", f"{self.label}: {mtype} -> {reply}"
        return reply

    async def join(self, token, settings=None, timeout=DEFAULT_TIMEOUT, **fields):
        msg = {"token": token, **fields}
        if settings is not None:
            msg["settings"] = settings
        reply = await self.request("join", timeout, **msg)
        assert reply["type"] == "joined", f"{self.label}: join refused: {reply}"
        return reply

    async def ping_sync(self):
        """Round-trip: once the pong is here, everything the hub sent before has arrived."""
        ts = next(_ids)  # an integer: exact whatever number type the hub uses
        reply = await self.request("ping", ts=ts)
        assert reply["type"] == "pong" and reply.get("ts") == ts, f"{self.label}: {reply}"
        return reply

    def abort(self):
        """Drop the TCP connection with no close frame."""
        self.ws.transport.abort()

    # waiting ------------------------------------------------------------
    def mark(self):
        return self._forgotten + len(self.messages)

    def since(self, start):
        """The messages received since mark `start`."""
        return self.messages[max(0, start - self._forgotten):]

    def forget(self):
        """Drop the recorded messages to bound memory in long runs (roster, seq and
        errors stay; marks taken before stay valid). Not while a wait is pending."""
        self._forgotten += len(self.messages)
        self.messages.clear()
        self.times.clear()

    async def wait_msg(self, pred, timeout=DEFAULT_TIMEOUT, start=0, what="a message"):
        def find():
            return next((m for m in self.since(start) if pred(m)), None)

        async def waiter():
            async with self._cond:
                while True:
                    found = find()
                    if found is not None:
                        return found
                    if self.closed.is_set():
                        raise AssertionError(f"{self.label}: closed ({self.close_code}) while waiting "
                                             f"for {what}; got {self.since(start)[-5:]}")
                    await self._cond.wait()
        try:
            return await asyncio.wait_for(waiter(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(f"{self.label}: timed out after {timeout}s waiting for {what}; "
                                 f"last messages {self.since(start)[-5:]}") from None

    async def wait_event(self, mtype, pid=None, start=0, timeout=DEFAULT_TIMEOUT, **fields):
        def pred(m):
            if m["type"] != mtype:
                return False
            if pid is not None and (m.get("participant") or {}).get("pid") != pid:
                return False
            return all(m.get(k) == v for k, v in fields.items())
        return await self.wait_msg(pred, timeout, start, what=f"{mtype} pid={pid} {fields}")

    async def wait_closed(self, timeout=DEFAULT_TIMEOUT):
        try:
            await asyncio.wait_for(self.closed.wait(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(f"{self.label}: socket still open after {timeout}s; "
                                 f"last messages {self.messages[-5:]}") from None
        return self.close_code

    async def assert_quiet(self, since):
        """Nothing but replies to this client's own requests arrived since `since`
        (proved by a ping round-trip)."""
        await self.ping_sync()
        extra = [m for m in self.since(since)
                 if not (m["type"] in REPLIES and m.get("requestId") in self.sent_rids)]
        assert extra == [], f"{self.label} should have received nothing, got {extra}"

    def check(self):
        assert self.errors == [], f"{self.label}: protocol violations: {self.errors}"


def marks(*clients):
    return {c: c.mark() for c in clients}


async def assert_quiet(marked):
    await asyncio.gather(*(c.assert_quiet(m) for c, m in marked.items()))
