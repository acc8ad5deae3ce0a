"""Issue tests 4 and 5: a duplicate uid replaces the first member; moderator actions."""
import hubtools as ht
from hubclient import assert_quiet, marks
from hubpool import Pool, assert_matches_hub, run, wait_all


def test_duplicate_uid_replaces_first(hub):
    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("dup")
            uid = ht.new_uid("twin")
            old = await pool.member(sid, "old", uid=uid, name="Twin")
            b = await pool.member(sid, "b", observers=[old])
            c = await pool.member(sid, "c", observers=[old, b])
            n = b.seq
            m = marks(old, b, c)
            new = await pool.client("new")
            new.uid = uid
            joined = await new.join(ht.call_token(uid, sid, name="Twin"))
            # the old socket is told it was replaced, then closed with 4001
            ev = await old.wait_event("participantLeft", old.pid, start=m[old], reason="replaced")
            assert ev["seq"] == n + 1, ev
            assert await old.wait_closed() == 4001
            # the others see left(replaced) then joined, with consecutive seqs
            for o in (b, c):
                left = await o.wait_event("participantLeft", old.pid, start=m[o],
                                          reason="replaced")
                came = await o.wait_event("participantJoined", new.pid, start=m[o])
                assert (left["seq"], came["seq"]) == (n + 1, n + 2), (left, came)
                assert o.messages[m[o]:] == [left, came], o.messages[m[o]:]
                assert came["participant"]["uid"] == uid
            assert joined["seq"] == n + 2, joined
            pids = [p["pid"] for p in joined["participants"]]
            assert old.pid not in pids and pids == [b.pid, c.pid, new.pid], joined
            await assert_matches_hub(hub, sid, [b, c, new])
            # The replacement is a full member: its actions reach the others.
            m = marks(b, c, new)
            await new.act("raiseHand")
            await wait_all([b, c, new], "participantUpdated", new.pid, m)
    run(main())


def test_moderator_actions(hub):
    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("mod")
            mod = await pool.member(sid, "mod", role="moderator")
            p1 = await pool.member(sid, "p1", observers=[mod])
            p2 = await pool.member(sid, "p2", observers=[mod, p1])
            p3 = await pool.member(sid, "p3", observers=[mod, p1, p2])
            everyone = [mod, p1, p2, p3]
            assert mod.joined_msg["self"]["role"] == "moderator"
            assert p1.joined_msg["self"]["role"] == "participant"

            # plain participants may not moderate; nobody notices the attempt
            m = marks(*everyone)
            for mtype, fields in (("muteParticipant", {"pid": p2.pid}),
                                  ("removeParticipant", {"pid": p2.pid}),
                                  ("endSession", {})):
                r = await p1.request(mtype, **fields)
                assert r["type"] == "error" and r["code"] == "ERROR_FORBIDDEN", (mtype, r)
            await assert_quiet(m)

            # unknown pid
            m = marks(*everyone)
            for mtype in ("muteParticipant", "removeParticipant"):
                r = await mod.request(mtype, pid="no-such-pid")
                assert r["type"] == "error" and r["code"] == "ERROR_PARTICIPANT_NOT_FOUND", r
            await assert_quiet(m)

            # forced mute: everyone sees participantUpdated with `by`
            m = marks(*everyone)
            seq = mod.seq
            await mod.act("muteParticipant", pid=p2.pid)
            evs = await wait_all(everyone, "participantUpdated", p2.pid, m)
            for ev in evs:
                assert ev["seq"] == seq + 1 and ev["by"] == mod.pid, ev
                assert ev["changed"] == ["isAudioMuted"], ev
                assert ev["participant"]["isAudioMuted"] is True, ev
            # the muted participant can unmute itself; that event has no `by`
            m = marks(*everyone)
            await p2.act("unmuteAudio")
            evs = await wait_all(everyone, "participantUpdated", p2.pid, m)
            assert evs[0].get("by") is None and evs[0]["participant"]["isAudioMuted"] is False

            # removal: close 4002, the others see reason removed
            m = marks(*everyone)
            await mod.act("removeParticipant", pid=p3.pid)
            assert await p3.wait_closed() == 4002
            evs = await wait_all([mod, p1, p2], "participantLeft", p3.pid, m, reason="removed")
            assert evs[0]["seq"] == seq + 3, evs[0]
            body = await assert_matches_hub(hub, sid, [mod, p1, p2])
            assert p3.pid not in [p["pid"] for p in body["participants"]]

            # end of session: everyone gets sessionEnded and close 4003
            m = marks(mod, p1, p2)
            await mod.send({"type": "endSession", "requestId": "end"})
            for c in (mod, p1, p2):
                ended = await c.wait_event("sessionEnded", start=m[c])
                assert ended["sessionId"] == sid, ended
                assert ended["reason"] == "endedByModerator", ended
                assert await c.wait_closed() == 4003, c.label
            r = await hub.aadmin("GET", f"/v1/sessions/{sid}")
            assert r.status == 404 and r.error_code() == "ERROR_SESSION_NOT_FOUND", r
    run(main())


def test_moderator_cannot_touch_other_sessions(hub):
    async def main():
        async with Pool(hub) as pool:
            sid_a, sid_b = ht.new_sid("ma"), ht.new_sid("mb")
            mod = await pool.member(sid_a, "mod", role="moderator")
            b1 = await pool.member(sid_b, "b1")
            b2 = await pool.member(sid_b, "b2", observers=[b1])
            m = marks(b1, b2)
            r = await mod.request("muteParticipant", pid=b2.pid)
            if b2.pid in mod.roster:  # pids are only unique per session
                assert r["type"] == "ack", r
            else:
                assert r["type"] == "error" and r["code"] == "ERROR_PARTICIPANT_NOT_FOUND", r
            await assert_quiet(m)
    run(main())
