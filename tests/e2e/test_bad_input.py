"""Issue test 3: bad input on a socket (PROTOCOL.md section 3, "A bad message never
harms anyone else"), message size limit, join timeout, failed joins, NOT_JOINED and
ALREADY_JOINED."""
import asyncio
import json
import time

import hubtools as ht
from hubclient import assert_quiet, marks
from hubpool import Pool, assert_matches_hub, run

# Raw frames without a usable requestId: (label, text)
UNPARSEABLE = [
    ("not JSON", "this is not json"),
    ("truncated JSON", '{"type":"ping","requestId":"x"'),
    ("JSON array", '[{"type":"ping","requestId":"arr"}]'),
    ("JSON string", '"ping"'),
    ("JSON number", "42"),
    ("JSON null", "null"),
]

# Objects with a requestId: (label, message without requestId)
def bad_messages(peer_pid):
    return [
        ("unknown type", {"type": "teleport"}),
        ("type not a string", {"type": 5}),
        ("no type", {"pid": peer_pid}),
        ("muteParticipant pid number", {"type": "muteParticipant", "pid": 5}),
        ("muteParticipant no pid", {"type": "muteParticipant"}),
        ("removeParticipant pid object", {"type": "removeParticipant", "pid": {"x": 1}}),
        ("signal to number", {"type": "signal", "to": 7, "data": {"sdp": "x"}}),
        ("ping ts string", {"type": "ping", "ts": "yesterday"}),
    ]


def test_bad_messages_on_joined_socket(hub):
    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("bad")
            a = await pool.member(sid, "a", role="moderator")
            b = await pool.member(sid, "b", observers=[a])
            c = await pool.member(sid, "c", observers=[a, b])
            m = marks(b, c)
            seq = a.seq
            for label, text in UNPARSEABLE:
                start = a.mark()
                await a.send(text)
                err = await a.wait_msg(lambda x: x["type"] == "error", start=start, what=label)
                assert err["code"] == "VALIDATION_ERROR", (label, err)
                assert not a.closed.is_set(), label
                await a.ping_sync()  # still works
            wrong = []  # collect every case before failing, so one bug hides no other
            for label, msg in bad_messages(b.pid):
                r = await send_with_rid(a, msg)
                if (r["type"], r.get("code")) != ("error", "VALIDATION_ERROR"):
                    wrong.append((label, msg, r))
                await a.ping_sync()
            # requestId of the wrong type or too long: still a VALIDATION_ERROR
            for rid in (17, "r" * 65):
                start = a.mark()
                await a.send({"type": "ping", "requestId": rid})
                err = await a.wait_msg(lambda x: x["type"] in ("error", "pong"), start=start)
                if (err["type"], err.get("code")) != ("error", "VALIDATION_ERROR"):
                    wrong.append((f"requestId {rid!r}", None, err))
            assert wrong == [], f"expected VALIDATION_ERROR: {wrong}"
            await a.act("raiseHand")  # the socket is fully usable afterwards
            for o in (b, c):  # the others saw that event and nothing before it
                ev = await o.wait_event("participantUpdated", a.pid, start=m[o])
                assert ev["seq"] == seq + 1, ev
                assert [x for x in o.messages[m[o]:] if x is not ev] == [], o.label
            await assert_matches_hub(hub, sid, [a, b, c])
    run(main())


def test_signal_data_limit(hub):
    """`signal` data is at most 16 KiB encoded: over that it is refused, not relayed."""
    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("siglim")
            a = await pool.member(sid, "a")
            b = await pool.member(sid, "b", observers=[a])
            m = marks(b)
            await a.act("signal", to=b.pid, data="x" * 16000)  # 16002 bytes encoded: fine
            got = await b.wait_msg(lambda x: x["type"] == "signal", start=m[b])
            assert got["data"] == "x" * 16000
            m = marks(b)
            r = await a.request("signal", to=b.pid, data="x" * 17000)
            assert r["type"] == "error" and r["code"] == "VALIDATION_ERROR", r
            await assert_quiet(m)
            await a.ping_sync()
    run(main())


async def send_with_rid(client, msg):
    rid = client.rid()
    await client.send(dict(msg, requestId=rid))
    return await client.wait_msg(lambda x: x.get("requestId") == rid, what=f"reply to {msg}")


def test_bad_settings_on_join(hub):
    cases = [{"startAudioMuted": "yes"}, {"startVideoPaused": 1}, {"sessionType": "SCREEN"},
             {"sessionType": 3}, {"layout": "GRID"}, {"layout": True}, "VIDEO", [1]]

    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("settings")
            a = await pool.member(sid, "a")
            for settings in cases:
                m = marks(a)
                c = await pool.client("bad")
                r = await c.request("join", token=ht.call_token(ht.new_uid("s"), sid),
                                    settings=settings)
                assert r["type"] == "error" and r["code"] == "VALIDATION_ERROR", (settings, r)
                await assert_quiet(m)
            # unknown keys are ignored; AUDIO is VOICE; the effective settings come back
            d = await pool.member(sid, "d", observers=[a], settings={
                "sessionType": "AUDIO", "layout": "SIDEBAR", "colour": "red"})
            eff = d.joined_msg["settings"]
            assert eff["sessionType"] == "VOICE" and eff["layout"] == "SIDEBAR", eff
            assert eff["startAudioMuted"] is False, eff  # (VOICE may report video paused)
            assert d.joined_msg["self"]["sessionType"] == "VOICE"
            e = await pool.member(sid, "e", observers=[a, d])
            defaults = {"sessionType": "VIDEO", "layout": "TILE", "startAudioMuted": False,
                        "startVideoPaused": False}
            for key, value in defaults.items():
                assert e.joined_msg["settings"].get(key) == value, e.joined_msg["settings"]
            hb = e.joined_msg["heartbeat"]
            assert isinstance(hb["intervalMs"], int) and isinstance(hb["timeoutMs"], int), hb
            assert isinstance(e.joined_msg["resumeToken"], str) and e.joined_msg["resumeToken"]
            await assert_matches_hub(hub, sid, [a, d, e])
    run(main())


def test_not_joined_and_already_joined(hub):
    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("nj")
            a = await pool.member(sid, "a")
            b = await pool.member(sid, "b", observers=[a])
            m = marks(a, b)
            c = await pool.client("early")
            for mtype, fields in (("muteAudio", {}), ("sync", {}), ("leave", {}),
                                  ("signal", {"to": a.pid, "data": {}})):
                r = await c.request(mtype, **fields)
                assert r["type"] == "error" and r["code"] == "ERROR_NOT_JOINED", (mtype, r)
            await assert_quiet(m)
            c.uid = ht.new_uid("late")
            await c.join(ht.call_token(c.uid, sid))
            await a.wait_event("participantJoined", c.pid, start=m[a])
            await b.wait_event("participantJoined", c.pid, start=m[b])
            m = marks(a, b)
            for token in (ht.call_token(c.uid, sid), ht.call_token(ht.new_uid("o"), sid),
                          ht.call_token(c.uid, ht.new_sid("other"))):
                r = await c.request("join", token=token)
                assert r["type"] == "error" and r["code"] == "ERROR_ALREADY_JOINED", r
            await assert_quiet(m)
            await assert_matches_hub(hub, sid, [a, b, c])
    run(main())


def test_three_failed_joins_close_1008(hub):
    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("fail3")
            a = await pool.member(sid, "a")
            m = marks(a)
            c = await pool.client("loser")
            for i in range(2):
                r = await c.request("join", token="nope")
                assert r["type"] == "error" and r["code"] == "ERROR_AUTH_TOKEN_INVALID", r
                assert not c.closed.is_set()
            await c.send({"type": "join", "token": "still-nope", "requestId": "third"})
            assert await c.wait_closed() == 1008
            await assert_quiet(m)
    run(main())


def test_oversize_message_closes_1009(hub_factory):
    hub = hub_factory(max_message_size=4096, grace=2)

    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("big")
            a = await pool.member(sid, "a")
            b = await pool.member(sid, "b", observers=[a])
            start = b.mark()
            await a.act("signal", to=b.pid, data={"blob": "y" * 3500})  # under the limit
            sig = await b.wait_msg(lambda x: x["type"] == "signal", start=start)
            assert sig["from"] == a.pid and sig["data"] == {"blob": "y" * 3500}, sig
            await a.send(json.dumps({"type": "signal", "to": b.pid, "data": "z" * 5000}))
            assert await a.wait_closed() == 1009
            await b.assert_quiet(b.mark())  # the oversize frame was not delivered
    run(main())


def test_join_timeout_closes_1008(hub_factory):
    hub = hub_factory(join_timeout=0.5)

    async def main():
        async with Pool(hub) as pool:
            t0 = time.monotonic()
            idle = await pool.client("idle")
            assert await idle.wait_closed(timeout=5) == 1008
            assert time.monotonic() - t0 >= 0.4, "closed before the join timeout"
            # a socket that joins in time is not closed by the join timer
            sid = ht.new_sid("jt")
            a = await pool.member(sid, "a")
            await asyncio.sleep(0.8)  # deliberately outlive the join timeout
            await a.ping_sync()
            assert not a.closed.is_set()
    run(main())
