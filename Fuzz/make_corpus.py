#!/usr/bin/env python3
"""Writes the hand-made seed inputs of Fuzz/corpus/ (see FuzzEntry.swift for the format).

Run from anywhere: python3 Fuzz/make_corpus.py. Files are named seed-<name>; libFuzzer's
own finds (merged with scripts/fuzz.sh --merge) are named by their SHA-1.
"""
import json
import os

OPEN, CLOSE, ADVANCE, MESSAGE, VERIFY, ADMIN_END, ADMIN_REMOVE, ADMIN_MUTE, SHUTDOWN, RESUME, TEMPLATE = range(11)
TYPES = ["join", "muteAudio", "unmuteAudio", "pauseVideo", "resumeVideo", "raiseHand", "lowerHand", "leave",
         "sync", "ping", "signal", "muteParticipant", "removeParticipant", "endSession"]
SEP = 0x1E
FIRST_PID = "p36w0OgyXTrO"  # the first pid the seeded generator draws, if nothing else drew before


def mod_byte(modulo, want):
    """The smallest byte that is neither separator and is `want` modulo `modulo`."""
    return next(b for b in range(1, 256) if b != SEP and b % modulo == want)


class Script:
    def __init__(self, config=0x80):
        self.config = config  # 0x80: all bits clear (grace 5 s, history 6, rate limit on)
        self.ops = []
        self.sockets = 0

    def op(self, code, *args):
        # An operation is its code mod 11, and 0 is a separator: open is written as 11.
        assert all(a not in (0, SEP) for a in args), (code, args)
        self.ops.append(bytes([code or 11]) + bytes(args))
        return self

    def sock(self, index):
        return mod_byte(self.sockets, index % self.sockets)

    def open(self, n=1):
        for _ in range(n):
            self.sockets += 1
            self.op(OPEN)
        return self

    def close(self, index):
        self.op(CLOSE, self.sock(index))
        self.sockets -= 1
        return self

    def advance(self, ms):
        scale = 100 if ms >= 65536 else 1
        hi, lo = divmod(ms // scale, 256)
        assert hi not in (0, SEP) and lo not in (0, SEP), ms  # pick ms whose bytes are neither separator
        return self.op(ADVANCE, hi, lo, 1 if scale == 100 else 2)

    def message(self, index, payload):
        data = payload if isinstance(payload, bytes) else json.dumps(payload, separators=(",", ":")).encode()
        assert 0 not in data and SEP not in data, payload
        return self.op(MESSAGE, self.sock(index), *data)

    def template(self, index, kind, request=False, extra=48):
        """A well-formed message; `extra` picks the target pid and join settings (48: VIDEO, unmuted)."""
        k = TYPES.index(kind)
        return self.op(TEMPLATE, self.sock(index), k if k else 14, 3 if request else 2, extra)

    def verify(self, uid=0, session=0, moderator=False, avatar=False, name=b"", fail=False, fresh=False):
        """Answers the oldest pending token check: a failure, or uid u<uid> in s<session> (`fresh`:
        even for a resume)."""
        if fail:
            flags = 0x80 | (uid or 3)
        else:
            flags = next(b for b in range(0x41 if fresh else 1, 0x80 if fresh else 0x40) if b % 5 == uid and b != SEP)
        role = (1 if moderator else 0) | (2 if avatar else 0) | 4
        return self.op(VERIFY, 60, flags, mod_byte(3, session), role, *name)

    def join(self, index, uid, session=0, moderator=False, **settings):
        self.template(index, "join", extra=settings.get("extra", 48))
        return self.verify(uid=uid, session=session, moderator=moderator)

    def bytes(self):
        return bytes([self.config]) + bytes([SEP]).join(self.ops)


def seeds():
    s = {}
    # Joins, every state change, sync, ping, leave.
    t = Script().open(2).join(0, 1).join(1, 2)
    for kind in TYPES[1:7] + ["sync", "ping", "signal", "leave"]:
        t.template(0, kind, request=True)
    s["join-state-leave"] = t
    # Every client message type as raw JSON on a joined socket.
    t = Script(config=0x84).open(2).join(0, 1).join(1, 2, moderator=True)
    for msg in [
        {"type": "muteAudio", "requestId": "a"}, {"type": "unmuteAudio"}, {"type": "pauseVideo"},
        {"type": "resumeVideo"}, {"type": "raiseHand"}, {"type": "lowerHand", "requestId": None},
        {"type": "sync", "requestId": "s1"}, {"type": "ping", "ts": 12345}, {"type": "ping", "ts": 1.5},
        {"type": "ping", "ts": None}, {"type": "ping", "ts": "x"}, {"type": "ping"},
        {"type": "signal", "to": FIRST_PID, "data": {"sdp": "v=0\r\n", "candidates": [1, 2.5, True, None]}},
        {"type": "signal", "to": "nobody", "data": 1}, {"type": "signal", "to": FIRST_PID},
        {"type": "signal", "to": "", "data": {}}, {"type": "signal", "to": "p" * 129, "data": {}},
        {"type": "muteParticipant", "pid": FIRST_PID}, {"type": "muteParticipant"},
        {"type": "removeParticipant", "pid": "nobody"}, {"type": "join", "token": "again"},
        {"type": "endSession", "requestId": "end"},
    ]:
        t.message(1 if msg["type"] in ("muteParticipant", "removeParticipant", "endSession") else 0, msg)
    s["raw-every-type"] = t
    # Joins: settings of every kind, bad settings, bad tokens, resume objects.
    t = Script().open(1)
    for msg in [
        {"type": "join"}, {"type": "join", "token": ""}, {"type": "join", "token": 5},
        {"type": "join", "token": "t", "settings": []}, {"type": "join", "token": "t", "settings": {"sessionType": "FAX"}},
        {"type": "join", "token": "t", "settings": {"layout": "GRID"}}, {"type": "join", "token": "t", "settings": {"startAudioMuted": 1}},
        {"type": "join", "token": "t", "resume": {"pid": "p", "resumeToken": "r"}},
        {"type": "join", "token": "t", "resume": {"pid": "p", "resumeToken": "r", "lastSeq": -1}},
    ]:
        t.open(1).message(t.sockets - 1, msg)
    t.open(1).message(t.sockets - 1, {"type": "join", "token": "t", "requestId": "j", "settings": {
        "sessionType": "AUDIO", "layout": "SPOTLIGHT", "startAudioMuted": True, "startVideoPaused": False, "extra": [1]}})
    t.verify(uid=3, session=1, name="Zoë 🎧 Ελένη".encode())
    t.open(1).message(t.sockets - 1, {"type": "join", "token": "t", "resume": {"pid": "p-gone", "resumeToken": "r", "lastSeq": 3}})
    t.verify(uid=3, session=1)
    s["join-variants"] = t
    # Garbage: not JSON, not objects, wrong types, duplicate keys, NUL in keys, lone surrogates.
    t = Script(config=0x84).open(2).join(0, 1)
    for raw in [b"{", b"[1,2", b"nul", b"\xff\xfe\xfd", b"5", b'"str"', b"[]", b"null", b"{}",
                b'{"type":7}', b'{"type":"dance"}', b'{"type":"ping","type":"ping"}',
                b'{"type\\u0000x":"ping"}', b'{"type":"ping","requestId":"\\ud800"}', b'{"requestId":5,"type":"sync"}',
                b'{"type":"sync","requestId":"' + b"r" * 65 + b'"}', b'{"type":"ping","ts":1e400}',
                b'{"type":"ping","ts":99999999999999999999}', b'{"type":"ping","ts":-0.0}', b'{"type":"ping","ts":4.9e-324}',
                b'{"type":"ping","ts":-9223372036854775808}', b'{"type":"ping","ts":1.7976931348623157e308}',
                b' \t\r\n{"type":"sync"} ', b'{"type":"sync"} {"type":"sync"}', b'{"type":"signal","to":"\xc3\x28","data":1}']:
        t.message(0, raw)
        t.message(1, raw)
    s["garbage"] = t
    # Deep nesting: past jansson's depth limit, and just under it as relayed signal data.
    s["deep-array"] = Script().open(1).join(0, 1).message(0, b"[" * 2100)
    s["deep-object"] = Script().open(1).join(0, 1).message(0, b'{"a":' * 800)
    t = Script().open(2).join(0, 1).join(1, 2)
    t.message(1, b'{"type":"signal","to":"' + FIRST_PID.encode() + b'","data":' + b"[" * 1900 + b"1" + b"]" * 1900 + b"}")
    s["deep-signal"] = t
    t = Script().open(2).join(0, 1).join(1, 2)
    t.message(1, b'{"type":"ping","ts":' + b"[" * 1000 + b"]" * 1000 + b"}")
    s["deep-ping"] = t
    # Unicode everywhere a client can put it.
    t = Script().open(2).join(0, 1).join(1, 2)
    t.message(1, {"type": "signal", "to": FIRST_PID, "requestId": "ü🎉\u2028", "data": {"k\u00e9y": "\u0000\u001f\"\\/", "😀": ["\ud83d\ude00"]}})
    t.message(0, {"type": "sync", "requestId": "日本語のリクエスト"})
    t.verify(uid=4, name=b"\xff\xfe broken \xed\xa0\x80 utf8")
    s["unicode"] = t
    # Moderators: mute, remove, end; a participant is refused.
    t = Script().open(3).join(0, 1, moderator=True).join(1, 2).join(2, 3)
    t.template(1, "muteParticipant").template(1, "removeParticipant").template(1, "endSession")
    t.template(0, "muteParticipant", extra=1).template(0, "muteParticipant", extra=1).template(0, "removeParticipant", extra=2)
    t.template(0, "removeParticipant", extra=0x81).template(0, "endSession", request=True)
    s["moderator"] = t
    # The same uid twice: replaced, alone and with others.
    s["replace-lone"] = Script().open(2).join(0, 1).join(1, 1).template(1, "sync")
    s["replace-with-others"] = Script().open(3).join(0, 1).join(1, 2).join(2, 1).template(1, "raiseHand")
    # A full session, then room again.
    t = Script().open(6)
    for i in range(5):
        t.join(i, i + 1 if i < 4 else 4)
    t.join(5, 4).template(0, "leave").join(5, 4)
    s["session-full"] = t
    # Failed joins until the close; a join timeout; a verdict for a socket that closed.
    t = Script().open(3)
    for _ in range(3):
        t.template(0, "join").verify(fail=True)
    t.template(1, "join").template(1, "sync").template(1, "join").advance(10_501)
    t.template(2, "join").close(2).verify(uid=2)
    s["join-failures"] = t
    # Drops: the grace period, before and after it ends; with a grace period of 0.
    t = Script().open(3).join(0, 1).join(1, 2).join(2, 3).close(1).template(0, "muteAudio").advance(3001).close(1).advance(6001)
    s["grace"] = t
    t = Script(config=0x81).open(3).join(0, 1).join(1, 2).join(2, 3).close(2).template(0, "raiseHand").close(0)
    s["grace-zero"] = t
    # Resume: replay, a stale history (history limit 0), a wrong token, a live old socket.
    def resume_script(config, changes):
        t = Script(config=config).open(2).join(0, 1).join(1, 2).close(0)
        for i in range(changes):
            t.template(0, ["raiseHand", "lowerHand", "muteAudio", "unmuteAudio"][i % 4])
        t.open(1)
        t.op(RESUME, t.sock(1), 60, 2)  # the first socket that ever joined, honest token
        return t.verify(uid=1)
    s["resume-replay"] = resume_script(0x80, 3)
    s["resume-snapshot"] = resume_script(0x80, 9)
    s["resume-no-history"] = resume_script(0x82, 2)
    t = Script().open(2).join(0, 1).join(1, 2).close(0).open(1)
    t.op(RESUME, t.sock(1), 60, 1).verify(uid=1)  # wrong resume token
    s["resume-bad-token"] = t
    t = Script().open(3).join(0, 1).join(1, 2)
    t.op(RESUME, t.sock(2), 60, 2).verify(uid=1).template(2, "pauseVideo").template(1, "sync")
    s["resume-half-open"] = t
    t = Script().open(2).join(0, 1).close(0).advance(6001).open(1)
    t.op(RESUME, t.sock(1), 60, 2).verify(uid=1)
    s["resume-too-late"] = t
    # Rate limit: a flood refused, then closed; before and after a join.
    t = Script().open(2)
    for _ in range(14):
        t.template(0, "ping")
    t.join(1, 1)
    for _ in range(14):
        t.template(1, "sync")
    t.advance(1001).template(1, "sync")
    s["rate-limit"] = t
    # Admin API: end, remove, mute on existing and missing sessions and participants.
    t = Script().open(3).join(0, 1).join(1, 2).join(2, 3, session=1)
    t.op(ADMIN_MUTE, 3, 1).op(ADMIN_MUTE, 3, 1).op(ADMIN_MUTE, 3, 0x81).op(ADMIN_REMOVE, 3, 2).op(ADMIN_REMOVE, 2, 1)
    t.op(ADMIN_END, 1).op(ADMIN_END, 1).op(ADMIN_END, 2).op(ADMIN_MUTE, 2, 1)
    s["admin"] = t
    # Shutdown mid-run, then the hub is used again.
    t = Script().open(3).join(0, 1).join(1, 2).template(2, "join").op(SHUTDOWN).advance(257).open(1).join(0, 3).op(SHUTDOWN)
    s["shutdown"] = t
    # Messages before a join, and pipelined during a token check.
    t = Script().open(1).template(0, "sync").template(0, "muteAudio").template(0, "ping", request=True)
    t.template(0, "join").template(0, "join").template(0, "leave").verify(uid=1).template(0, "leave")
    s["before-join"] = t
    # Several sessions side by side, leaves down to empty, and the session again from seq 1.
    t = Script().open(4).join(0, 1, session=0).join(1, 2, session=1).join(2, 3, session=2).join(3, 4, session=1)
    t.template(1, "leave").template(3, "leave").open(1).join(4, 4, session=1).template(0, "pauseVideo")
    s["sessions"] = t
    # VOICE participants cannot resume video.
    t = Script().open(2).join(0, 1, extra=1).join(1, 2, extra=2)
    t.template(0, "resumeVideo").template(0, "pauseVideo").template(1, "resumeVideo").template(1, "unmuteAudio")
    s["voice"] = t
    # Time: big jumps, many small ticks.
    t = Script().open(2).join(0, 1)
    for ms in (257, 258, 999, 40_001, 700_100):
        t.advance(ms)
    s["time"] = t
    # Signals to a member in its grace period are acknowledged and dropped.
    t = Script(config=0x84).open(2).join(0, 1).join(1, 2).close(0)
    t.message(0, {"type": "signal", "to": FIRST_PID, "data": {"sdp": "offer"}}).advance(6001)
    t.message(0, {"type": "signal", "to": FIRST_PID, "data": {"sdp": "late"}})
    s["signal-to-grace"] = t
    # A moderator removes and mutes itself, then ends a session with members in grace.
    t = Script().open(3).join(0, 1, moderator=True).join(1, 2).join(2, 3).close(2)
    t.template(0, "muteParticipant", extra=0x30).template(0, "endSession")
    s["moderator-end-with-grace"] = t
    s["moderator-remove-self"] = Script().open(2).join(0, 1, moderator=True).join(1, 2).template(0, "removeParticipant", extra=0x30)
    # The last member leaves and the session starts again from seq 1; a lone member replaced.
    t = Script().open(3).join(0, 1).template(0, "raiseHand").template(0, "leave").join(1, 2).join(2, 2)
    s["empty-and-again"] = t
    # One uid in two sessions at once; an admin removes a member in its grace period.
    t = Script().open(3).join(0, 1, session=0).join(1, 1, session=1).join(2, 2, session=0).close(0)
    t.op(ADMIN_REMOVE, 3, 1).op(ADMIN_MUTE, 1, 1)
    s["uid-two-sessions"] = t
    # A join whose token check outlives the join timeout, and one that outlives its socket.
    t = Script().open(2).template(0, "join").template(1, "join").advance(10_501).verify(uid=1).close(0)
    t.verify(uid=2)
    s["verify-after-timeout"] = t
    # Resumed twice: the first resume token is spent.
    t = Script().open(2).join(0, 1).join(1, 2).close(0).open(1)
    t.op(RESUME, t.sock(1), 60, 2).verify(uid=1).close(1).open(1)
    t.op(RESUME, t.sock(1), 60, 2).verify(uid=1)
    s["resume-twice"] = t
    # Join settings of every kind through the template.
    t = Script().open(6)
    for i, extra in enumerate((0x30, 0x31, 0x32, 0x34, 0x38, 0x3C)):
        t.join(i, i % 5, session=i % 3, extra=extra)
    s["settings-kinds"] = t
    return s


def main():
    corpus = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
    os.makedirs(corpus, exist_ok=True)
    for name, script in seeds().items():
        data = script.bytes()
        assert len(data) <= 4096, (name, len(data))
        with open(os.path.join(corpus, "seed-" + name), "wb") as f:
            f.write(data)
    print(f"{len(seeds())} seeds in {corpus}")


if __name__ == "__main__":
    main()
