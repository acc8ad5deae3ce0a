"""Issue tests 7 and 8: start states hold from the first roster others see; VOICE
implies isVideoPaused; ping/pong and sync."""
import time

import hubtools as ht
from hubclient import marks
from hubpool import Pool, assert_matches_hub, run


def test_start_states_in_first_roster(hub):
    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("start")
            o = await pool.member(sid, "o")
            cases = [
                ({"startAudioMuted": True, "startVideoPaused": True},
                 {"isAudioMuted": True, "isVideoPaused": True, "sessionType": "VIDEO"}),
                ({"startAudioMuted": True},
                 {"isAudioMuted": True, "isVideoPaused": False, "sessionType": "VIDEO"}),
                ({"startVideoPaused": True},
                 {"isAudioMuted": False, "isVideoPaused": True, "sessionType": "VIDEO"}),
                ({"sessionType": "VOICE"},
                 {"isAudioMuted": False, "isVideoPaused": True, "sessionType": "VOICE"}),
                ({"sessionType": "AUDIO", "startVideoPaused": False},
                 {"isAudioMuted": False, "isVideoPaused": True, "sessionType": "VOICE"}),
                ({}, {"isAudioMuted": False, "isVideoPaused": False, "sessionType": "VIDEO"}),
            ]
            members = [o]
            for i, (settings, want) in enumerate(cases):
                starts = marks(*members)
                p = await pool.member(sid, f"p{i}", observers=members, settings=settings)
                seen = [p.joined_msg["self"]]
                for m in members:  # nobody ever sees this participant in another state
                    about = [x for x in m.messages[starts[m]:]
                             if (x.get("participant") or {}).get("pid") == p.pid]
                    assert [x["type"] for x in about] == ["participantJoined"], about
                    seen.append(about[0]["participant"])
                for src in seen:
                    assert {k: src[k] for k in want} == want, (settings, src)
                    assert src["isHandRaised"] is False, src
                members.append(p)
            body = await assert_matches_hub(hub, sid, members)
            for p, (_, want) in zip(members[1:], cases):
                hp = next(x for x in body["participants"] if x["pid"] == p.pid)
                assert {k: hp[k] for k in want} == want, hp
    run(main())


def test_voice_participant_video_stays_paused(hub):
    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("voice")
            o = await pool.member(sid, "o")
            v = await pool.member(sid, "v", observers=[o], settings={"sessionType": "VOICE"})
            m = marks(o, v)
            await v.request("resumeVideo")  # ack or error, but never an unpaused VOICE member
            await v.act("raiseHand")
            for c in (o, v):
                await c.wait_event("participantUpdated", v.pid, start=m[c])
                await c.ping_sync()
                updates = [x for x in c.messages[m[c]:] if x["type"] == "participantUpdated"]
                assert [u["changed"] for u in updates] == [["isHandRaised"]], updates
            await assert_matches_hub(hub, sid, [o, v])
            assert o.roster[v.pid]["isVideoPaused"] is True
    run(main())


def test_ping_pong(hub):
    async def main():
        async with Pool(hub) as pool:
            c = await pool.member(ht.new_sid("ping"), "c")
            for ts in (1234567.25, 0, -5, 10**15, 1):
                before = time.time() * 1000
                r = await c.request("ping", ts=ts)
                after = time.time() * 1000
                assert r["type"] == "pong" and r["ts"] == ts, r
                assert r["requestId"].startswith("c-r"), r
                assert isinstance(r["serverTime"], (int, float)), r
                assert before - 5000 <= r["serverTime"] <= after + 5000, (before, r, after)
            r = await c.request("ping")
            assert r["type"] == "pong" and isinstance(r["serverTime"], (int, float)), r
            # without requestId: a pong still comes back, echoing ts
            start = c.mark()
            await c.send({"type": "ping", "ts": 99})
            r = await c.wait_msg(lambda x: x["type"] == "pong", start=start)
            assert r["ts"] == 99 and r.get("requestId") is None, r
    run(main())


def test_sync_returns_roster_with_current_seq(hub):
    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("sync")
            a = await pool.member(sid, "a")
            b = await pool.member(sid, "b", observers=[a], settings={"startAudioMuted": True})
            m = marks(a, b)
            await b.act("raiseHand")
            await a.wait_event("participantUpdated", b.pid, start=m[a])
            await b.wait_event("participantUpdated", b.pid, start=m[b])
            for c in (a, b):
                r = await c.request("sync")
                assert r["type"] == "roster" and r["sessionId"] == sid, r
                assert r["seq"] == c.seq == a.joined_msg["seq"] + 2, (r, c)
                assert [p["pid"] for p in r["participants"]] == [a.pid, b.pid], r
                assert r["participants"][1]["isHandRaised"] is True
                assert r["participants"][1]["isAudioMuted"] is True
            await assert_matches_hub(hub, sid, [a, b])
    run(main())
