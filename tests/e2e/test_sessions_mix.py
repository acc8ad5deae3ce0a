"""Issue test 1: three sessions x four members with a scripted mix of state changes,
leaves and abrupt drops; rosters converge on the hub's, seq has no gaps, and the
sessions are isolated from each other."""
import asyncio

import hubtools
from hubclient import EVENTS, REPLIES, assert_quiet, marks
from hubpool import Pool, assert_matches_hub, run, wait_all

SETTINGS = [None, {"startAudioMuted": True}, {"sessionType": "VOICE"},
            {"startVideoPaused": True, "layout": "SPOTLIGHT"}]

ACTION_FIELD = {"muteAudio": ("isAudioMuted", True), "unmuteAudio": ("isAudioMuted", False),
                "pauseVideo": ("isVideoPaused", True), "resumeVideo": ("isVideoPaused", False),
                "raiseHand": ("isHandRaised", True), "lowerHand": ("isHandRaised", False)}

# (member index, action). Members: 0 default, 1 joined muted, 2 VOICE, 3 joined paused.
# "leave" = leave message; "drop" = TCP abort; "join" = a new member joins.
SCRIPTS = [
    [(0, "muteAudio"), (1, "unmuteAudio"), (2, "raiseHand"), (3, "resumeVideo"),
     (0, "muteAudio"), (0, "pauseVideo"), (2, "lowerHand"), (1, "leave"), (2, "drop"),
     (3, "raiseHand"), (None, "join"), (0, "unmuteAudio")],
    [(3, "raiseHand"), (2, "muteAudio"), (1, "muteAudio"), (0, "drop"), (3, "lowerHand"),
     (2, "unmuteAudio"), (1, "unmuteAudio"), (None, "join"), (3, "leave"), (1, "pauseVideo")],
    [(1, "raiseHand"), (0, "drop"), (3, "drop"), (2, "raiseHand"), (1, "resumeVideo"),
     (1, "pauseVideo"), (2, "unmuteAudio"), (None, "join"), (1, "lowerHand"), (2, "leave")],
]


async def scenario(pool, idx, sid, uids):
    members = []
    for k, settings in enumerate(SETTINGS):
        uid = hubtools.new_uid(f"s{idx}m{k}")
        uids.add(uid)
        members.append(await pool.member(sid, f"s{idx}m{k}", observers=members, uid=uid,
                                         settings=settings, avatar=f"https://a.test/{k}.png"))
    first_seq = {m: m.joined_msg["seq"] for m in members}
    live = list(members)
    for who, action in SCRIPTS[idx]:
        starts = marks(*live)
        if action == "join":
            uid = hubtools.new_uid(f"s{idx}m{len(members)}")
            uids.add(uid)
            new = await pool.member(sid, f"s{idx}m{len(members)}", observers=live, uid=uid)
            members.append(new)
            first_seq[new] = new.joined_msg["seq"]
            live.append(new)
            continue
        actor = members[who]
        others = [m for m in live if m is not actor]
        if action == "leave":
            reply = await actor.request("leave")
            assert reply["type"] == "left" and reply.get("sessionId") == sid, reply
            evs = await wait_all(others, "participantLeft", actor.pid, starts, reason="left")
            assert await actor.wait_closed() == 1000
            live.remove(actor)
        elif action == "drop":
            actor.abort()
            evs = await wait_all(others, "participantLeft", actor.pid, starts,
                                 reason="disconnected")
            live.remove(actor)
        else:
            field, value = ACTION_FIELD[action]
            before = actor.roster[actor.pid]
            await actor.act(action)
            if before[field] == value:  # no change: no event for anybody
                await assert_quiet(starts)
                continue
            evs = await wait_all(live, "participantUpdated", actor.pid, starts)
            assert evs[0]["changed"] == [field], evs[0]
            assert evs[0]["participant"][field] is value, evs[0]
            assert evs[0].get("by") is None, evs[0]
        assert len({e["seq"] for e in evs}) == 1, f"members disagree on seq: {evs}"
    # Every event was delivered to every live member exactly once: count them.
    for m in live:
        m.check()
        n_events = sum(1 for x in m.messages if x["type"] in
                       ("participantJoined", "participantUpdated", "participantLeft"))
        assert m.seq - first_seq[m] == n_events, (m, n_events)
    return live


def test_three_sessions_mixed_traffic(hub):
    async def main():
        async with Pool(hub) as pool:
            sids = [hubtools.new_sid(f"mix{i}") for i in range(3)]
            uids = [set() for _ in sids]
            lives = await asyncio.gather(*(scenario(pool, i, sid, uids[i])
                                           for i, sid in enumerate(sids)))
            bodies = []
            for sid, live in zip(sids, lives):
                bodies.append(await assert_matches_hub(hub, sid, live))
                # a snapshot on request agrees with the rebuilt roster, in order
                for m in live:
                    roster = await m.request("sync")
                    assert roster["type"] == "roster" and roster["sessionId"] == sid, roster
                    assert roster["seq"] == m.seq, (roster, m)
                    assert [p["pid"] for p in roster["participants"]] == list(m.roster), roster
                    assert {p["pid"]: p for p in roster["participants"]} == m.roster

            # Isolation: nobody ever saw anything of another session.
            for i, sid in enumerate(sids):
                for c in pool.clients:
                    if c.session_id != sid:
                        continue
                    for msg in c.messages:
                        own = msg["type"] in REPLIES and msg.get("requestId") in c.sent_rids
                        assert own or msg["type"] in EVENTS, f"{c.label}: unexpected {msg}"
                        if "sessionId" in msg:
                            assert msg["sessionId"] == sid, (c, msg)
                        seen = [msg.get("participant")] + msg.get("participants", [])
                        for p in filter(None, seen):
                            assert p["uid"] in uids[i], f"{c.label} saw a stranger: {msg}"

            # One more change in session 0: sessions 1 and 2 get nothing (ping round-trip).
            quiet = marks(*lives[1], *lives[2])
            actor = lives[0][0]
            start0 = marks(*lives[0])
            await actor.act("raiseHand")
            await wait_all(lives[0], "participantUpdated", actor.pid, start0)
            await assert_quiet(quiet)

            # The admin list agrees with the per-session views.
            listing = (await hub.aadmin("GET", "/v1/sessions")).json()["sessions"]
            by_id = {s["sessionId"]: s for s in listing}
            for sid, live, body in zip(sids, lives, bodies):
                assert by_id[sid]["participantCount"] == len(live), by_id[sid]
                expected_seq = body["seq"] + (1 if sid == sids[0] else 0)
                assert by_id[sid]["seq"] == expected_seq, (by_id[sid], body)
    run(main())


def test_concurrent_burst_converges(hub):
    """Members fire state changes without waiting while others join: every member's
    rebuilt roster still ends equal to the hub's, with no seq gap (batching allowed)."""
    cycle = ["raiseHand", "muteAudio", "pauseVideo", "lowerHand", "unmuteAudio", "resumeVideo"]

    async def burst(m, k):
        rids = []
        for i in range(12):
            rid = m.rid()
            rids.append(rid)
            await m.send({"type": cycle[(i + k) % len(cycle)], "requestId": rid})
        for rid in rids:
            r = await m.wait_msg(lambda x, rid=rid: x.get("requestId") == rid, what=rid)
            assert r["type"] == "ack" or r.get("code") == "ERROR_RATE_LIMITED", r

    async def main():
        async with Pool(hub) as pool:
            sid = hubtools.new_sid("burst")
            members = []
            for k in range(4):
                members.append(await pool.member(sid, f"b{k}", observers=members))
            late = [pool.member(sid, f"late{k}") for k in range(2)]
            results = await asyncio.gather(*(burst(m, k) for k, m in enumerate(members)), *late)
            everyone = members + list(results[len(members):])
            await assert_matches_hub(hub, sid, everyone)
            frames = sum(c.frames for c in everyone)
            msgs = sum(len(c.messages) for c in everyone)
            print(f"burst: {msgs} messages in {frames} frames")
    run(main())
