"""Resume over real sockets (PROTOCOL.md "Identity, reconnects and liveness"): a member
whose TCP connection dies without a close frame comes back on a new socket with the
same pid, the events it missed (or a `roster` when they are no longer kept) and no
leave or join for anybody, while the rest of the session keeps changing state."""
import asyncio

import hubtools as ht
from hubclient import EVENTS, assert_quiet, marks
from hubpool import Pool, assert_matches_hub, run, wait_all

TOGGLES = [("raiseHand", "lowerHand"), ("muteAudio", "unmuteAudio"), ("pauseVideo", "resumeVideo")]


async def churn(member, stop, n=0):
    """State changes, one after another, until `stop` is set."""
    while not stop.is_set():
        on, off = TOGGLES[n % len(TOGGLES)]
        await member.act(on)
        await member.act(off)
        n += 1


async def wait_events(client, start, count):
    """Until `client` has seen `count` roster events since mark `start`."""
    def enough(_):
        return sum(1 for m in client.since(start) if m["type"] in EVENTS) >= count
    await client.wait_msg(enough, start=start, what=f"{count} roster events")


def saw_nothing_of(client, start, pid):
    """No join or leave for `pid` in what `client` received since `start`."""
    bad = [m for m in client.since(start) if m["type"] in ("participantJoined", "participantLeft")
           and (m.get("participant") or {}).get("pid") == pid]
    assert bad == [], f"{client.label} saw {pid} leave or join: {bad}"


def check_resumed(old, new, joined, sid):
    assert joined["type"] == "joined", f"resume refused: {joined}"
    assert joined["resumed"] is True, joined
    assert joined["sessionId"] == sid and joined["self"]["pid"] == old.pid, joined
    assert joined["resumeToken"] and joined["resumeToken"] != old.resume_token, \
        f"a resume must hand out a new resumeToken: {joined}"
    # what came before `joined` rebuilt exactly the snapshot that `joined` carries
    roster, seq = new.pre_joined
    assert seq == joined["seq"], f"replay ended at seq {seq}, joined says {joined['seq']}"
    assert roster == {p["pid"]: p for p in joined["participants"]}, (roster, joined)


def test_resume_after_abrupt_drop_under_traffic(hub_factory):
    hub = hub_factory(grace=5, rate_limit=0)

    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("rdrop")
            a = await pool.member(sid, "a")
            b = await pool.member(sid, "b", observers=[a])
            c = await pool.member(sid, "c", observers=[a, b])
            d = await pool.member(sid, "d", observers=[a, b, c])
            stop = asyncio.Event()
            m = marks(b, c, d)
            traffic = [asyncio.create_task(churn(x, stop, i)) for i, x in enumerate((b, c))]
            await wait_events(d, m[d], 4)  # a sees some of it
            a.abort()  # mid-session, no close frame
            await a.wait_closed()
            dropped_at = d.mark()
            await wait_events(d, dropped_at, 20)  # and misses some
            a2, joined = await pool.resume(a, "a2")
            after = a2.mark()
            check_resumed(a, a2, joined, sid)
            missed = a2.messages[:a2.messages.index(joined)]
            assert [x["type"] for x in missed] == ["roster"] or len(missed) >= 20, \
                f"a missed at least 20 events, but got {missed}"
            print(f"resume replayed {len(missed)} messages: {[x['type'] for x in missed][:3]}")
            await wait_events(a2, after, 10)  # live again, still under traffic
            stop.set()
            await asyncio.gather(*traffic)
            for o in (b, c, d):
                saw_nothing_of(o, m[o], a.pid)
            await assert_matches_hub(hub, sid, [a2, b, c, d])
            m = marks(a2, b, c, d)
            await a2.act("raiseHand")
            await wait_all([a2, b, c, d], "participantUpdated", a.pid, m)
            await assert_matches_hub(hub, sid, [a2, b, c, d])
    run(main())


def test_resume_beyond_history_gets_roster(hub_factory):
    hub = hub_factory(grace=5, resume_history=2)

    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("rhist")
            a = await pool.member(sid, "a")
            b = await pool.member(sid, "b", observers=[a])
            c = await pool.member(sid, "c", observers=[a, b])
            # three missed events, two kept: a `roster`, then `joined`
            a.abort()
            await a.wait_closed()
            m = marks(b, c)
            for action in ("raiseHand", "muteAudio", "pauseVideo"):
                await b.act(action)
            await asyncio.gather(wait_events(b, m[b], 3), wait_events(c, m[c], 3))
            a2, joined = await pool.resume(a, "a2")
            check_resumed(a, a2, joined, sid)
            kinds = [x["type"] for x in a2.messages]
            assert kinds == ["roster", "joined"], f"expected a roster then joined: {a2.messages}"
            roster = a2.messages[0]
            assert roster["seq"] == joined["seq"] == a.seq + 3, (a.seq, roster, joined)
            assert roster["participants"] == joined["participants"], (roster, joined)
            assert a2.roster[b.pid]["isVideoPaused"] is True, a2.roster
            await assert_matches_hub(hub, sid, [a2, b, c])
            # exactly two missed events are still kept: replayed one by one
            a2.abort()
            await a2.wait_closed()
            m = marks(b, c)
            await c.act("raiseHand")
            await c.act("muteAudio")
            await wait_events(b, m[b], 2)
            a3, joined = await pool.resume(a2, "a3")
            check_resumed(a2, a3, joined, sid)
            kinds = [(x["type"], x.get("seq")) for x in a3.messages]
            s = a2.seq
            assert kinds == [("participantUpdated", s + 1), ("participantUpdated", s + 2),
                             ("joined", s + 2)], a3.messages
            for o in (b, c):  # both joined after a
                saw_nothing_of(o, 0, a.pid)
            await assert_matches_hub(hub, sid, [a3, b, c])
    run(main())


def test_resume_after_grace_is_refused_then_rejoin(hub_factory):
    hub = hub_factory(grace=0.3)

    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("rlate")
            a = await pool.member(sid, "a")
            b = await pool.member(sid, "b", observers=[a])
            m = marks(b)
            a.abort()
            await b.wait_event("participantLeft", a.pid, start=m[b], reason="disconnected")
            a2, reply = await pool.resume(a, "a2", carry=False)
            assert reply["type"] == "error", f"resume after the grace period: {reply}"
            assert reply["code"] == "ERROR_PARTICIPANT_NOT_FOUND", reply
            assert reply["requestId"] in a2.sent_rids, reply
            assert not a2.closed.is_set()
            m = marks(b)
            joined = await a2.join(ht.call_token(a.uid, sid))  # plain join, same socket
            assert joined["resumed"] is False and joined["self"]["uid"] == a.uid, joined
            ev = await b.wait_event("participantJoined", a2.pid, start=m[b])
            assert ev["seq"] == joined["seq"], (ev, joined)
            await assert_matches_hub(hub, sid, [a2, b])
    run(main())


def test_resume_hijack_is_refused(hub_factory):
    hub = hub_factory(grace=5)

    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("rhijack")
            v = await pool.member(sid, "victim")
            b = await pool.member(sid, "b", observers=[v])
            x = await pool.member(sid, "attacker", observers=[v, b])
            wrong = v.resume_token[::-1] if v.resume_token[::-1] != v.resume_token else "x" * 22
            attacks = [
                ("wrong resume token", ht.call_token(v.uid, sid), wrong,
                 {"ERROR_AUTH_TOKEN_INVALID"}),
                ("other uid's call token", ht.call_token(x.uid, sid), v.resume_token,
                 {"ERROR_AUTH_TOKEN_INVALID"}),
                ("call token for another session", ht.call_token(v.uid, ht.new_sid("else")),
                 v.resume_token, {"ERROR_AUTH_TOKEN_INVALID", "ERROR_PARTICIPANT_NOT_FOUND"}),
            ]

            async def attack_all(victim):
                for label, token, rtoken, codes in attacks:
                    m = marks(*(c for c in (victim, b, x) if not c.closed.is_set()))
                    h, r = await pool.resume(victim, "hijack", token=token, resume_token=rtoken,
                                             carry=False)
                    assert r["type"] == "error" and r["code"] in codes, (label, r)
                    await assert_quiet(m)  # the victim and the others noticed nothing
                    h.abort()

            await attack_all(v)  # while the victim is connected
            assert not v.closed.is_set()
            await assert_matches_hub(hub, sid, [v, b, x])
            m = marks(b, x)
            v.abort()  # and while it is in its grace period
            await v.wait_closed()
            await attack_all(v)
            v2, joined = await pool.resume(v, "victim2")  # the owner still gets back in
            check_resumed(v, v2, joined, sid)
            for o in (b, x):
                saw_nothing_of(o, m[o], v.pid)
            await assert_matches_hub(hub, sid, [v2, b, x])
            # the resume rotated the token: the old one is dead, the new one works
            v2.abort()
            await v2.wait_closed()
            h, r = await pool.resume(v2, "replay", resume_token=v.resume_token, carry=False)
            assert r["type"] == "error" and r["code"] == "ERROR_AUTH_TOKEN_INVALID", r
            v3, joined = await pool.resume(v2, "victim3")
            check_resumed(v2, v3, joined, sid)
            await assert_matches_hub(hub, sid, [v3, b, x])
    run(main())


def test_resume_while_old_socket_open_closes_it_4001(hub_factory):
    hub = hub_factory(grace=5)

    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("rhalf")
            a = await pool.member(sid, "a")
            b = await pool.member(sid, "b", observers=[a])
            m = marks(a, b)
            a2, joined = await pool.resume(a, "a2")  # the old socket is still open
            check_resumed(a, a2, joined, sid)
            assert await a.wait_closed() == 4001
            assert [x for x in a.since(m[a])] == [], a.since(m[a])
            await b.assert_quiet(m[b])
            await assert_matches_hub(hub, sid, [a2, b])
    run(main())
