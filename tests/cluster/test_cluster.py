"""Multi-node mode (serve --redis): hub nodes sharing one Redis and key prefix serve one
roster per session, whichever node each member is on (PROTOCOL.md: "The same holds when
the members of one session are spread over several hub nodes").

Every test runs real hub processes on a real redis-server and drives them over real
sockets with the e2e client (tests/e2e/hubclient.py), which records any seq gap,
duplicate or reordering as a protocol violation.
"""
import asyncio
import os
import random
import time

import hubtools as ht
from clustertools import (ACTION_FIELD, EVENTS, UNAVAILABLE, Checkpoint, ClusterPool, arrival,
                          change, expect_update, marks, roster_events, run, saw_nothing_of,
                          unsolicited, wait_all)

SETTINGS = [None, {"startAudioMuted": True}, {"sessionType": "VOICE"},
            {"startVideoPaused": True, "layout": "SIDEBAR"}, {"sessionType": "AUDIO"},
            {"startAudioMuted": True, "startVideoPaused": True}]
# the randomized mix: relative weights of its actions
WEIGHTS = {"toggle": 45, "signal": 8, "join": 9, "rejoin": 5, "leave": 7, "drop": 9,
           "resume": 9, "replace": 5}


def expected_flags(settings):
    s = settings or {}
    voice = s.get("sessionType") in ("VOICE", "AUDIO")
    return {"sessionType": "VOICE" if voice else "VIDEO",
            "isAudioMuted": bool(s.get("startAudioMuted")),
            "isVideoPaused": voice or bool(s.get("startVideoPaused")),
            "isHandRaised": False}


def check_resumed(old, new, joined, sid):
    assert joined["type"] == "joined", f"resume refused: {joined}"
    assert joined["resumed"] is True, joined
    assert joined["sessionId"] == sid and joined["self"]["pid"] == old.pid, joined
    assert joined["resumeToken"] and joined["resumeToken"] != old.resume_token, \
        f"a resume must hand out a new resumeToken: {joined}"
    # what came before `joined` (replayed events or a roster) rebuilt exactly its snapshot
    roster, seq = new.pre_joined
    assert seq == joined["seq"], f"replay ended at seq {seq}, joined says {joined['seq']}"
    assert roster == {p["pid"]: p for p in joined["participants"]}, (roster, joined)


# 1 -----------------------------------------------------------------------------------
def test_spread_members_see_one_roster(cluster):
    """Nine members round-robin over three nodes, then six more joining concurrently
    while the first nine raise their hands: one roster, one seq, identical on every node."""
    async def main():
        async with ClusterPool(cluster) as pool:
            sid = ht.new_sid("spread")
            members, settings = [], {}
            for i in range(9):
                node = cluster.nodes[i % 3]
                s = SETTINGS[i % len(SETTINGS)]
                role = "moderator" if i == 4 else "participant"
                m = await pool.member(sid, f"m{i}", node, observers=members, settings=s,
                                      role=role, avatar=f"https://a.test/{i}.png")
                settings[m] = s
                members.append(m)
            first_seq = {m: m.joined_msg["seq"] for m in members}
            pids = [m.pid for m in members]
            assert len(set(pids)) == 9, f"pids not unique across nodes: {pids}"
            # every joined snapshot lists the earlier members in join order
            for i, m in enumerate(members):
                got = [p["pid"] for p in m.joined_msg["participants"]]
                assert got == pids[:i + 1], f"{m.label} joined with {got}, expected {pids[:i + 1]}"
            body = await cluster.settle(sid, members, expect=pids)
            for m in members:
                p = body["participants"][pids.index(m.pid)]
                want = expected_flags(settings[m])
                assert {k: p[k] for k in want} == want, f"{m.label}: {p} vs settings {settings[m]}"
                assert p["uid"] == m.uid and p["avatar"].endswith(".png"), p
                assert p["role"] == ("moderator" if m is members[4] else "participant"), p
            for node in cluster.nodes:
                listing = await cluster.list_sessions(node)
                assert sid in listing, f"{node.node_id} does not list {sid}: {listing}"
                assert (listing[sid]["participantCount"], listing[sid]["seq"]) == \
                    (9, body["seq"]), f"{node.node_id}: {listing[sid]} vs {body['seq']}"

            # concurrent joins on all nodes, concurrent state changes from all nodes
            async def joiner(k):
                c = await pool.client(f"late{k}", cluster.nodes[k % 3])
                c.uid = ht.new_uid(f"late{k}")
                await c.join(ht.call_token(c.uid, sid))
                return c
            results = await asyncio.gather(*(joiner(k) for k in range(6)),
                                           *(m.act("raiseHand") for m in members))
            late = list(results[:6])
            everyone = members + late
            body = await cluster.settle(sid, everyone)
            assert len(body["participants"]) == 15, body
            assert body["seq"] == first_seq[members[-1]] + 15, \
                f"expected 6 joins + 9 updates after seq {first_seq[members[-1]]}: {body['seq']}"
            assert all(p["isHandRaised"] for p in body["participants"][:9]), body
            # every event reached every early member exactly once
            for m in members:
                n = sum(1 for x in m.messages if x["type"] in EVENTS)
                assert m.seq - first_seq[m] == n, f"{m.label}: {n} events for seq " \
                    f"{first_seq[m]} -> {m.seq}"
    run(main(), timeout=60)


# 2 -----------------------------------------------------------------------------------
def test_scripted_mix_across_nodes(cluster):
    A, B, C = cluster.nodes

    async def main():
        async with ClusterPool(cluster) as pool:
            sid = ht.new_sid("script")
            mod = await pool.member(sid, "mod", A, role="moderator")
            p1 = await pool.member(sid, "p1", B, observers=[mod], avatar="https://a.test/1")
            p2 = await pool.member(sid, "p2", C, observers=[mod, p1],
                                   settings={"sessionType": "VOICE"})
            p3 = await pool.member(sid, "p3", A, observers=[mod, p1, p2],
                                   settings={"startAudioMuted": True})
            p4 = await pool.member(sid, "p4", B, observers=[mod, p1, p2, p3])
            p5 = await pool.member(sid, "p5", C, observers=[mod, p1, p2, p3, p4],
                                   settings={"startVideoPaused": True})
            live = [mod, p1, p2, p3, p4, p5]
            for c in live:  # start states as seen from every node
                assert c.roster[p2.pid]["sessionType"] == "VOICE", c.roster[p2.pid]
                assert c.roster[p2.pid]["isVideoPaused"] is True, c.roster[p2.pid]
                assert c.roster[p3.pid]["isAudioMuted"] is True, c.roster[p3.pid]
                assert c.roster[p5.pid]["isVideoPaused"] is True, c.roster[p5.pid]
            await cluster.settle(sid, live, expect=[c.pid for c in live])

            # state changes from every node reach every node, one seq each
            for actor, action in [(p1, "muteAudio"), (p1, "unmuteAudio"), (p3, "raiseHand"),
                                  (p4, "pauseVideo"), (p4, "resumeVideo"), (p3, "unmuteAudio"),
                                  (p5, "resumeVideo"), (p3, "lowerHand"), (p2, "raiseHand"),
                                  (p2, "muteAudio"), (mod, "pauseVideo")]:
                await change(live, actor, action)

            # no-ops make no event anywhere: the next real change has the very next seq
            cp = Checkpoint(live)
            await p1.act("unmuteAudio")                 # already unmuted
            await p2.act("pauseVideo")                  # VOICE: always paused
            r = await p2.request("resumeVideo")         # ack or error, never an unpaused VOICE
            assert r["type"] in ("ack", "error"), r
            r = await p1.request("muteParticipant", pid=p2.pid)   # not a moderator
            assert r["type"] == "error" and r["code"] == "ERROR_FORBIDDEN", r
            r = await p4.request("removeParticipant", pid=mod.pid)
            assert r["type"] == "error" and r["code"] == "ERROR_FORBIDDEN", r
            r = await p5.request("endSession")
            assert r["type"] == "error" and r["code"] == "ERROR_FORBIDDEN", r
            await p1.act("raiseHand")
            await expect_update(cp, p1.pid, "isHandRaised", True)

            # signals cross nodes, to their target only, and do not touch seq
            cp = Checkpoint(live)
            sigs = [(mod, p2, {"kind": "offer", "sdp": "v=0\r\n", "n": [1, 2.5, None, True]}),
                    (p5, p1, {"kind": "answer", "text": "h\u00e9llo \u2603"}),
                    (p4, p3, {"candidate": "candidate:1 1 udp 1 10.0.0.1 9 typ host"}),
                    (p3, p4, "a plain string")]
            for frm, to, data in sigs:
                await frm.act("signal", to=to.pid, data=data)
            for frm, to, data in sigs:
                got = await to.wait_msg(lambda x, f=frm: x["type"] == "signal"
                                        and x.get("from") == f.pid, start=cp[to],
                                        what=f"signal from {frm.label}")
                assert got["data"] == data, f"{to.label}: {got} (sent {data!r})"
            r = await mod.request("signal", to="no-such-pid", data={})
            assert r["type"] == "error" and r["code"] == "ERROR_PARTICIPANT_NOT_FOUND", r
            await p3.act("raiseHand")  # sentinel: seq went up by exactly one
            await expect_update(cp, p3.pid, "isHandRaised", True)
            for c in live:
                got = [(x["from"], x["data"]) for x in c.since(cp[c]) if x["type"] == "signal"]
                want = [(f.pid, d) for f, t, d in sigs if t is c]
                assert got == want, f"{c.label} got signals {got}, expected {want}"

            # moderator on A mutes members on B and C (`by` set); a second mute is a no-op
            cp = Checkpoint(live)
            await mod.act("muteParticipant", pid=p1.pid)
            await expect_update(cp, p1.pid, "isAudioMuted", True, by=mod.pid)
            cp = Checkpoint(live)
            await mod.act("muteParticipant", pid=p5.pid)
            await mod.act("muteParticipant", pid=p5.pid)
            await expect_update(cp, p5.pid, "isAudioMuted", True, by=mod.pid)
            await change(live, p5, "unmuteAudio")  # no `by` on the member's own change

            # moderator on A removes a member on B: 4002, the others see reason removed
            cp = Checkpoint(live)
            await mod.act("removeParticipant", pid=p4.pid)
            assert await p4.wait_closed() == 4002, f"p4 closed with {p4.close_code}"
            own = [x for x in p4.since(cp[p4]) if x["type"] == "participantLeft"]
            assert all(x.get("reason") == "removed" for x in own), own
            live.remove(p4)
            evs = await wait_all(live, "participantLeft", p4.pid, cp.marks, reason="removed")
            for c, ev in zip(live, evs):
                assert ev["seq"] == cp.seq + 1 and cp.events(c) == [ev], (c.label, cp.events(c))

            # the same uid as p1 (on B) joins on C: p1 gets left(replaced) and 4001, the
            # others left(replaced) then joined, consecutive seqs
            cp = Checkpoint(live)
            p1b = await pool.client("p1b", C)
            p1b.uid = p1.uid
            joined = await p1b.join(ht.call_token(p1.uid, sid, avatar="https://a.test/1b"))
            ev = await p1.wait_event("participantLeft", p1.pid, start=cp[p1], reason="replaced")
            assert ev["seq"] == cp.seq + 1, ev
            assert await p1.wait_closed() == 4001, f"p1 closed with {p1.close_code}"
            others = [c for c in live if c is not p1]
            for c in others:
                left = await c.wait_event("participantLeft", p1.pid, start=cp[c], reason="replaced")
                came = await c.wait_event("participantJoined", p1b.pid, start=cp[c])
                assert (left["seq"], came["seq"]) == (cp.seq + 1, cp.seq + 2), (left, came)
                assert cp.events(c) == [left, came], (c.label, cp.events(c))
                assert came["participant"]["uid"] == p1.uid, came
            assert joined["seq"] == cp.seq + 2 and p1b.pid != p1.pid, joined
            assert [p["pid"] for p in joined["participants"]] == \
                [mod.pid, p2.pid, p3.pid, p5.pid, p1b.pid], joined
            live = others + [p1b]

            # admin mute through A of a member on C
            cp = Checkpoint(live)
            r = await A.aadmin("POST", f"/v1/sessions/{sid}/participants/{p1b.pid}/mute")
            assert r.status == 204, f"admin mute via node-a: {r}"
            evs = await wait_all(live, "participantUpdated", p1b.pid, cp.marks)
            for c, ev in zip(live, evs):
                assert ev["seq"] == cp.seq + 1 and ev["changed"] == ["isAudioMuted"], ev
                assert ev["participant"]["isAudioMuted"] is True, ev
                assert cp.events(c) == [ev], (c.label, cp.events(c))
            # admin 404s through other nodes
            r = await B.aadmin("POST", f"/v1/sessions/{sid}/participants/no-such-pid/mute")
            assert r.status == 404 and r.error_code() == "ERROR_PARTICIPANT_NOT_FOUND", r
            r = await C.aadmin("DELETE", f"/v1/sessions/{sid}/participants/no-such-pid")
            assert r.status == 404 and r.error_code() == "ERROR_PARTICIPANT_NOT_FOUND", r

            # admin DELETE through B of a member on C
            cp = Checkpoint(live)
            r = await B.aadmin("DELETE", f"/v1/sessions/{sid}/participants/{p5.pid}")
            assert r.status == 204, f"admin remove via node-b: {r}"
            assert await p5.wait_closed() == 4002, f"p5 closed with {p5.close_code}"
            live.remove(p5)
            evs = await wait_all(live, "participantLeft", p5.pid, cp.marks, reason="removed")
            for c, ev in zip(live, evs):
                assert ev["seq"] == cp.seq + 1 and cp.events(c) == [ev], (c.label, cp.events(c))

            # leave on C: `left`, the others see reason left, close 1000
            cp = Checkpoint(live)
            reply = await p2.request("leave")
            assert reply["type"] == "left" and reply.get("sessionId") == sid, reply
            assert await p2.wait_closed() == 1000, f"p2 closed with {p2.close_code}"
            live.remove(p2)
            evs = await wait_all(live, "participantLeft", p2.pid, cp.marks, reason="left")
            for c, ev in zip(live, evs):
                assert ev["seq"] == cp.seq + 1 and cp.events(c) == [ev], (c.label, cp.events(c))

            # a newcomer on B, then one roster everywhere
            p6 = await pool.member(sid, "p6", B, observers=live)
            live.append(p6)
            await cluster.settle(sid, live, expect=[mod.pid, p3.pid, p1b.pid, p6.pid])

            # endSession by the moderator on A ends it for members on A, B and C
            m = marks(*live)
            await mod.send({"type": "endSession", "requestId": "end"})
            for c in live:
                ended = await c.wait_event("sessionEnded", start=m[c])
                assert ended["sessionId"] == sid, ended
                assert ended["reason"] == "endedByModerator", f"{c.label}: {ended}"
                assert await c.wait_closed() == 4003, f"{c.label} closed with {c.close_code}"
            await cluster.wait_gone(sid)
    run(main(), timeout=60)


# 3 -----------------------------------------------------------------------------------
def test_resume_on_another_node(cluster_factory):
    """A member on node A loses its socket and resumes on node B inside the grace
    period: same pid, no leave or join for anyone, missed events replayed (or a
    roster), and node A's grace timer does not remove it later."""
    cl = cluster_factory(grace=4)
    A, B, C = cl.nodes

    async def main():
        async with ClusterPool(cl) as pool:
            sid = ht.new_sid("resume")
            a = await pool.member(sid, "a", A)
            b = await pool.member(sid, "b", B, observers=[a])
            c = await pool.member(sid, "c", C, observers=[a, b])
            d = await pool.member(sid, "d", A, observers=[a, b, c])
            await change([a, b, c, d], a, "raiseHand")
            cp = Checkpoint([b, c, d])
            dropped_at = time.monotonic()
            a.abort()
            await a.wait_closed()
            # the session moves on while a is away
            await change([b, c, d], b, "muteAudio")
            await change([b, c, d], c, "pauseVideo")
            await change([b, c, d], d, "raiseHand")
            a2, joined = await pool.resume(a, "a2", B)
            check_resumed(a, a2, joined, sid)
            assert joined["self"]["isHandRaised"] is True, f"state lost on resume: {joined}"
            missed = a2.messages[:a2.messages.index(joined)]
            kinds = [(x["type"], x.get("seq")) for x in missed]
            s = a.seq
            assert kinds in ([("roster", s + 3)], [("participantUpdated", s + 1),
                             ("participantUpdated", s + 2), ("participantUpdated", s + 3)]), \
                f"expected the 3 missed events (or one roster) before joined: {missed}"
            assert [p["pid"] for p in joined["participants"]] == [a.pid, b.pid, c.pid, d.pid]
            everyone = [a2, b, c, d]
            await change(everyone, c, "raiseHand")  # a2 hears live events from C
            await change(everyone, a2, "muteAudio")  # and its changes reach everyone
            # Outlive the original grace period on node A: it must not remove a2 now.
            await asyncio.sleep(max(0.0, dropped_at + cl.grace + 1.0 - time.monotonic()))
            await change(everyone, a2, "lowerHand")  # seq + 1: nothing happened meanwhile
            for o in (b, c, d):
                saw_nothing_of(o, cp[o], a.pid)
            assert not a2.closed.is_set(), f"a2 closed ({a2.close_code})"
            await cl.settle(sid, everyone, expect=[a.pid, b.pid, c.pid, d.pid])
    run(main(), timeout=45)


def test_resume_on_another_node_while_old_socket_open(cluster_factory):
    """Resume on node C while the old socket on node A is still open (a half-open
    connection): the old socket is closed with 4001 and told nothing else; nobody
    else notices anything."""
    cl = cluster_factory(grace=4)
    A, B, C = cl.nodes

    async def main():
        async with ClusterPool(cl) as pool:
            sid = ht.new_sid("halfopen")
            a = await pool.member(sid, "a", A)
            b = await pool.member(sid, "b", B, observers=[a])
            cp = Checkpoint([a, b])
            a2, joined = await pool.resume(a, "a2", C)
            check_resumed(a, a2, joined, sid)
            assert joined["seq"] == cp.seq, f"a resume is no roster event: {joined}"
            assert await a.wait_closed() == 4001, f"old socket closed with {a.close_code}"
            assert a.since(cp[a]) == [], f"the old socket was told something: {a.since(cp[a])}"
            ev = (await change([a2, b], b, "raiseHand"))[1]
            assert cp.events(b) == [ev] and ev["seq"] == cp.seq + 1, \
                f"b saw more than its own update: {cp.events(b)}"
            saw_nothing_of(b, cp[b], a.pid)
            await cl.settle(sid, [a2, b], expect=[a.pid, b.pid])
    run(main(), timeout=30)


# 4 -----------------------------------------------------------------------------------
def test_randomized_mix(cluster_factory):
    """A seeded random sequence of joins, rejoins, leaves, state changes, signals, drops,
    resumes on other nodes and duplicate-uid replacements, in two sessions over three
    nodes. Rerun a failure with CLUSTER_SEED=<seed>."""
    seed = int(os.environ.get("CLUSTER_SEED") or random.randrange(1 << 30))
    print(f"randomized mix: seed {seed} (rerun with CLUSTER_SEED={seed})")
    rng = random.Random(seed)
    grace = 1.5
    cl = cluster_factory(grace=grace, rate_limit=0)
    n_actions = 150

    async def main():
        async with ClusterPool(cl) as pool:
            sids = [ht.new_sid("rand0"), ht.new_sid("rand1")]
            live = {sid: [] for sid in sids}
            gone_uids = {sid: [] for sid in sids}   # may rejoin
            dropped = {sid: [] for sid in sids}     # (client, time) in their grace period
            signals = []                            # (target, from pid, data)
            counter = [0]

            def note(step, sid, *what):
                print(f"  {step:3d} {sid[-4:]}", *what)  # shown when the test fails

            def label():
                counter[0] += 1
                return f"r{counter[0]}"

            def node():
                return rng.choice(cl.nodes)

            async def join(sid, uid=None):
                uid = uid or ht.new_uid("rnd")
                settings = rng.choice(SETTINGS)
                c = await pool.client(label(), node())
                c.uid = uid
                joined = await c.join(ht.call_token(uid, sid), settings)
                assert joined["resumed"] is False, joined
                want = expected_flags(settings)
                assert {k: joined["self"][k] for k in want} == want, (settings, joined)
                live[sid].append(c)
                return c

            for sid in sids:
                for _ in range(6):
                    await join(sid)

            for step in range(n_actions):
                sid = rng.choice(sids)
                members = live[sid]
                now = time.monotonic()
                # drops older than half the grace period are no longer resumed
                for c, t in list(dropped[sid]):
                    if now - t > grace / 2:
                        dropped[sid].remove((c, t))
                        gone_uids[sid].append(c.uid)
                weights = dict(WEIGHTS)
                if not gone_uids[sid]:
                    weights.pop("rejoin")
                if not dropped[sid]:
                    weights.pop("resume")
                kind = rng.choices(list(weights), list(weights.values()))[0]
                if len(members) < 3:
                    kind = "join"
                elif len(members) > 9:
                    kind = "leave"
                if kind == "toggle":
                    # 1-3 concurrent state changes by members on any node
                    actors = rng.sample(members, min(len(members), rng.randint(1, 3)))
                    acts = [rng.choice(list(ACTION_FIELD)) for _ in actors]
                    note(step, sid, "toggle", *(f"{a.label}:{x}" for a, x in zip(actors, acts)))
                    replies = await asyncio.gather(*(a.request(x) for a, x in zip(actors, acts)))
                    for a, x, r in zip(actors, acts, replies):
                        voice = a.joined_msg["self"]["sessionType"] == "VOICE"
                        ok = r["type"] == "ack" or (voice and x == "resumeVideo"
                                                    and r["type"] == "error")
                        assert ok, f"step {step}: {a.label} {x} -> {r}"
                elif kind == "signal":
                    frm, to = rng.sample(members, 2)
                    data = {"step": step, "seed": seed}
                    note(step, sid, "signal", frm.label, to.label)
                    await frm.act("signal", to=to.pid, data=data)
                    signals.append((to, frm.pid, data))
                elif kind == "join":
                    c = await join(sid)
                    note(step, sid, "join", c.label)
                elif kind == "rejoin":
                    uid = gone_uids[sid].pop(rng.randrange(len(gone_uids[sid])))
                    c = await join(sid, uid)
                    note(step, sid, "rejoin", c.label, uid)
                elif kind == "leave":
                    c = rng.choice(members)
                    note(step, sid, "leave", c.label)
                    r = await c.request("leave")
                    assert r["type"] == "left", f"step {step}: leave -> {r}"
                    assert await c.wait_closed() == 1000, c.close_code
                    members.remove(c)
                    gone_uids[sid].append(c.uid)
                elif kind == "drop":
                    c = rng.choice(members)
                    note(step, sid, "drop", c.label)
                    c.abort()
                    await c.wait_closed()
                    members.remove(c)
                    dropped[sid].append((c, time.monotonic()))
                elif kind == "resume":
                    old, t = dropped[sid].pop(rng.randrange(len(dropped[sid])))
                    where = rng.choice([n for n in cl.nodes if n is not old.node])
                    c, joined = await pool.resume(old, label(), where)
                    note(step, sid, "resume", old.label, c.label)
                    check_resumed(old, c, joined, sid)
                    members.append(c)
                else:
                    assert kind == "replace", kind
                    old = rng.choice(members)
                    where = rng.choice([n for n in cl.nodes if n is not old.node])
                    c = await pool.client(label(), where)
                    c.uid = old.uid
                    await c.join(ht.call_token(old.uid, sid))
                    note(step, sid, "replace", old.label, c.label)
                    assert await old.wait_closed() == 4001, \
                        f"step {step}: replaced {old.label} closed with {old.close_code}"
                    members.remove(old)
                    members.append(c)
            # quiescence: every dropped member leaves after the grace period
            bodies = {}
            for sid in sids:
                bodies[sid] = await cl.settle(sid, live[sid], expect=[c.pid for c in live[sid]],
                                              ordered=False, timeout=grace + 8)
            for node in cl.nodes:
                listing = await cl.list_sessions(node)
                for sid in sids:
                    got = listing.get(sid)
                    assert got is not None and (got["participantCount"], got["seq"]) == \
                        (len(live[sid]), bodies[sid]["seq"]), f"{node.node_id}: {got} vs {bodies[sid]}"
            # every signal to a member that is still here arrived, once
            for to, frm, data in signals:
                if to.closed.is_set():
                    continue
                got = [x for x in to.messages if x["type"] == "signal"
                       and x.get("from") == frm and x.get("data") == data]
                assert len(got) == 1, f"{to.label}: signal {data} from {frm} arrived {len(got)}x"
            for c in pool.clients:
                c.check()
    run(main(), timeout=90)


# 5 -----------------------------------------------------------------------------------
def test_node_sigkill_removes_its_members(cluster_factory):
    timeout = 2
    cl = cluster_factory(node_timeout=timeout)
    A, B, C = cl.nodes
    bound = timeout * 1.5 + 2

    async def main():
        async with ClusterPool(cl) as pool:
            s1, s2, s3 = ht.new_sid("kill1"), ht.new_sid("kill2"), ht.new_sid("kill3")
            m1 = []
            for i, node in enumerate([A, B, C, A, B, C]):
                m1.append(await pool.member(s1, f"k{i}", node, observers=m1))
            a3 = await pool.member(s2, "s2a", A)
            c3 = await pool.member(s2, "s2c", C, observers=[a3])
            c4 = await pool.member(s3, "s3c", C)  # a session that lives on C alone
            await change(m1, m1[2], "raiseHand")
            await cl.settle(s1, m1)
            for node in (A, B):  # the C-only session is visible everywhere
                assert s3 in await cl.list_sessions(node), f"{node.node_id} does not list {s3}"
            on_c = [m for m in m1 if m.node is C]
            survivors = [m for m in m1 if m.node is not C]
            cp = Checkpoint(survivors)
            cp2 = Checkpoint([a3])
            killed_at = time.monotonic()
            cl.kill(C)
            waits = [s.wait_event("participantLeft", gone.pid, start=cp[s],
                                  timeout=bound + 3, reason="disconnected")
                     for s in survivors for gone in on_c]
            waits.append(a3.wait_event("participantLeft", c3.pid, start=cp2[a3],
                                       timeout=bound + 3, reason="disconnected"))
            evs = await asyncio.gather(*waits)
            holders = [s for s in survivors for _ in on_c] + [a3]
            late = max(arrival(h, ev) for h, ev in zip(holders, evs)) - killed_at
            print(f"members of the killed node removed after {late:.2f}s (bound {bound}s)")
            assert late <= bound, f"removal took {late:.2f}s, bound {bound}s\n{cl.log_hint()}"
            for s in survivors:
                evs = cp.events(s)
                assert [e["type"] for e in evs] == ["participantLeft"] * len(on_c), \
                    f"{s.label}: expected only the {len(on_c)} leaves: {evs}"
                assert sorted(e["seq"] for e in evs) == \
                    list(range(cp.seq + 1, cp.seq + 1 + len(on_c))), evs
            for c in on_c + [c3, c4]:
                await c.wait_closed()
            await cl.settle(s1, survivors, expect=[m.pid for m in survivors])
            await cl.settle(s2, [a3], expect=[a3.pid])
            await cl.wait_gone(s3, timeout=bound)
            # the surviving nodes carry on
            newbie = await pool.member(s1, "new", B, observers=survivors)
            await change(survivors + [newbie], survivors[0], "muteAudio")
            await cl.settle(s1, survivors + [newbie],
                            expect=[m.pid for m in survivors] + [newbie.pid])
            await cl.wait_health(200)
    run(main(), timeout=60)


# 6 -----------------------------------------------------------------------------------
def test_redis_outage_and_recovery(cluster_factory, redis_server):
    cl = cluster_factory(join_timeout=60)
    A, B, C = cl.nodes
    min_outage = cl.node_timeout + 1.5  # longer than the node timeout

    async def main():
        async with ClusterPool(cl) as pool:
            sid = ht.new_sid("outage")
            a1 = await pool.member(sid, "a1", A)
            a2 = await pool.member(sid, "a2", A, observers=[a1])
            b1 = await pool.member(sid, "b1", B, observers=[a1, a2])
            c1 = await pool.member(sid, "c1", C, observers=[a1, a2, b1])
            c2 = await pool.member(sid, "c2", C, observers=[a1, a2, b1, c1])
            await change([a1, a2, b1, c1, c2], b1, "raiseHand")
            survivors = [a1, a2, b1, c1]
            await cl.settle(sid, survivors + [c2])
            seq_before = {c: c.seq for c in survivors}
            spare_a = await pool.client("spareA", A)

            m = marks(*survivors, c2)
            stopped_at = time.monotonic()
            redis_server.stop()
            health = await cl.wait_health(503)
            for node, r in health.items():
                body = r.json()
                assert isinstance(body, dict) and body.get("status") not in (None, "ok"), \
                    f"{node.node_id}: /healthz 503 with body {body}"

            # joins are refused on every node, and do not count as failed joins
            spare_b = await pool.client("spareB", B)
            spare_c = await pool.client("spareC", C)
            for spare in (spare_a, spare_b, spare_c):
                uid = ht.new_uid("spare")
                spare.uid = uid
                for attempt in range(4):  # one more than --max-failed-joins
                    r = await spare.request("join", token=ht.call_token(uid, sid))
                    assert r["type"] == "error" and r["code"] == UNAVAILABLE, \
                        f"{spare.label} join #{attempt + 1} during the outage: {r}"
                    assert not spare.closed.is_set(), \
                        f"{spare.label} closed ({spare.close_code}) after a refused join"
            # state changes are refused, not acknowledged
            for c, action in ((a1, "muteAudio"), (b1, "lowerHand"), (c1, "pauseVideo")):
                r = await c.request(action)
                assert r["type"] == "error" and r["code"] == UNAVAILABLE, \
                    f"{c.label} {action} during the outage: {r}"
            # c2 goes away during the outage; nobody hears anything, nobody is closed
            c2.abort()
            await c2.wait_closed()
            await asyncio.sleep(max(0.0, stopped_at + min_outage - time.monotonic()))
            for c in survivors:
                await c.ping_sync()
                assert not c.closed.is_set(), f"{c.label} closed during the outage"
                assert unsolicited(c, m[c]) == [], \
                    f"{c.label} heard something during the outage: {unsolicited(c, m[c])}"
            r = await a1.request("sync")
            assert r["type"] in ("roster", "error"), r

            redis_server.start()  # same port, empty
            await cl.wait_health(200)
            body = await cl.settle(sid, survivors, expect=[c.pid for c in survivors],
                                   ordered=False, timeout=10)
            for c in survivors:
                assert c.seq >= seq_before[c], f"{c.label} seq went back"
                for x in c.since(m[c]):
                    if x["type"] == "participantLeft":
                        assert x["participant"]["pid"] == c2.pid, \
                            f"{c.label} saw a surviving member leave: {x}"
            hub = {p["pid"]: p for p in body["participants"]}
            assert hub[a1.pid]["isAudioMuted"] is False, "a refused muteAudio took effect"
            assert hub[b1.pid]["isHandRaised"] is True, "a refused lowerHand took effect"
            assert hub[c1.pid]["isVideoPaused"] is False, "a refused pauseVideo took effect"

            # the refused sockets join now, and everyone sees them
            everyone = list(survivors)
            for spare in (spare_a, spare_b, spare_c):
                starts = marks(*everyone)
                joined = await spare.join(ht.call_token(spare.uid, sid))
                assert joined["resumed"] is False, joined
                for o in everyone:
                    ev = await o.wait_event("participantJoined", spare.pid, start=starts[o])
                    assert ev["seq"] == joined["seq"], (o.label, ev, joined)
                everyone.append(spare)
            await change(everyone, a1, "muteAudio")
            await cl.settle(sid, everyone)
    run(main(), timeout=60)


# 7 -----------------------------------------------------------------------------------
def test_admin_and_tokens_on_any_node(cluster):
    A, B, C = cluster.nodes

    async def main():
        async with ClusterPool(cluster) as pool:
            sid, other = ht.new_sid("admin"), ht.new_sid("other")
            # a call token minted on A (from a dev-login auth token from C) joins on C
            uid = ht.new_uid("minted")
            login = await C.ahttp("POST", "/v1/dev/login", body={"uid": uid, "name": "Minted"})
            assert login.status == 200, login
            r = await A.ahttp("POST", "/v1/calls/tokens", body={"sessionId": sid},
                              token=login.json()["authToken"])
            assert r.status == 200 and r.json()["sessionId"] == sid, r
            token = r.json()["token"]
            claims = ht.decode(token, ht.AUD_CALL)  # signed with the shared secret
            assert (claims["sid"], claims["sub"]) == (sid, uid), claims
            a = await pool.member(sid, "a", A)
            c = await pool.member(sid, "c", C, token=token, uid=uid, observers=[a])
            assert c.joined_msg["self"]["name"] == "Minted", c.joined_msg
            a2 = await pool.member(sid, "a2", A, observers=[a, c])
            ob = await pool.member(other, "ob", B)  # B has no member of `sid`
            members = [a, c, a2]
            await change(members, c, "raiseHand")
            body = await cluster.settle(sid, members, expect=[a.pid, c.pid, a2.pid])
            for node in cluster.nodes:
                listing = await cluster.list_sessions(node)
                assert (listing[sid]["participantCount"], listing[sid]["seq"]) == \
                    (3, body["seq"]), f"{node.node_id}: {listing.get(sid)}"
                assert listing[other]["participantCount"] == 1, listing
                r = await node.aadmin("GET", "/v1/sessions/no-such-session")
                assert r.status == 404 and r.error_code() == "ERROR_SESSION_NOT_FOUND", r

            # DELETE through B, which hosts no member of the session
            m = marks(*members, ob)
            r = await B.aadmin("DELETE", f"/v1/sessions/{sid}")
            assert r.status == 204, f"DELETE via node-b: {r}"
            for x in members:
                ended = await x.wait_event("sessionEnded", start=m[x])
                assert ended["sessionId"] == sid and ended["reason"] == "endedByAdmin", ended
                assert await x.wait_closed() == 4003, f"{x.label} closed with {x.close_code}"
            await cluster.wait_gone(sid)
            r = await C.aadmin("DELETE", f"/v1/sessions/{sid}")
            assert r.status == 404 and r.error_code() == "ERROR_SESSION_NOT_FOUND", r
            await ob.assert_quiet(m[ob])  # the other session noticed nothing
            for node in cluster.nodes:
                assert other in await cluster.list_sessions(node), node.node_id
            await cluster.settle(other, [ob], expect=[ob.pid])
    run(main(), timeout=45)


# 8 -----------------------------------------------------------------------------------
def test_prefixes_isolate_clusters(cluster_factory, redis_server):
    """Two clusters on one Redis with different --redis-prefix share nothing, and every
    key they write is under their prefix."""
    one = cluster_factory(n=2)
    two = cluster_factory(n=1)

    async def main():
        async with ClusterPool(one) as p1, ClusterPool(two) as p2:
            sid = ht.new_sid("iso")
            x = await p1.member(sid, "x", one.a)
            y = await p1.member(sid, "y", one.b, observers=[x])
            r = await two.get_session(sid, two.a)
            assert r.status == 404, f"cluster two sees cluster one's session: {r}"
            assert sid not in await two.list_sessions(two.a)
            m = marks(x, y)
            z = await p2.member(sid, "z", two.a)  # same session id, other cluster
            assert [p["pid"] for p in z.joined_msg["participants"]] == [z.pid], z.joined_msg
            await change([x, y], y, "raiseHand")
            assert [e["participant"]["pid"] for e in roster_events(x, m[x])] == [y.pid], \
                x.since(m[x])
            await one.settle(sid, [x, y], expect=[x.pid, y.pid])
            await two.settle(sid, [z], expect=[z.pid])
            keys = redis_server.keys()
            assert keys, "nothing stored in Redis"
            stray = [k for k in keys if not k.startswith((one.prefix, two.prefix))]
            assert stray == [], f"keys outside the prefixes {one.prefix} {two.prefix}: {stray}"
    run(main(), timeout=30)


# 10 ----------------------------------------------------------------------------------
def test_node_sigterm_hands_its_members_over(cluster_factory):
    """A node stopped gracefully: its members hear sessionEnded (serverShutdown) and 1001,
    and the other nodes' members see them leave (disconnected) at once, well before the
    node timeout, while the session goes on."""
    timeout = 10  # long, so that only the graceful path can explain a prompt leave
    cl = cluster_factory(node_timeout=timeout)
    A, B, C = cl.nodes

    async def main():
        async with ClusterPool(cl) as pool:
            sid = ht.new_sid("term")
            a = await pool.member(sid, "a", A)
            c = await pool.member(sid, "c", C, observers=[a])
            b = await pool.member(sid, "b", B, observers=[a, c])
            cp = Checkpoint([a, b])
            stopped_at = time.monotonic()
            stopping = asyncio.create_task(asyncio.to_thread(C.stop))
            ended = await c.wait_msg(lambda m: m.get("type") == "sessionEnded", what="sessionEnded")
            assert ended["reason"] == "serverShutdown", ended
            await c.wait_closed()
            assert c.close_code == 1001, c.close_code
            for s in (a, b):
                ev = await s.wait_event("participantLeft", c.pid, start=cp[s], reason="disconnected", timeout=5)
                assert ev["seq"] == cp.seq + 1, ev
            took = time.monotonic() - stopped_at
            assert took < timeout / 2, f"the leave took {took:.2f}s: not the graceful path"
            assert await stopping == 0, "the node did not exit cleanly"
            cl.killed.add(C)  # stopped: no longer asked by settle()
            await cl.settle(sid, [a, b], expect=[a.pid, b.pid])
    run(main(), timeout=40)
