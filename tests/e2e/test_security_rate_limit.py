"""Message floods (PROTOCOL.md: ERROR_RATE_LIMITED, "persistent abuse closes it with
1008"): a token bucket per socket (--rate-limit R --rate-burst B). The burst passes,
then each message is refused with its requestId, and after 20 refusals the socket is
closed with 1008. The other members notice nothing."""
import asyncio
import json
import time

import hubtools as ht
from hubclient import assert_quiet, marks
from hubpool import Pool, assert_matches_hub, run
from rawws import TEXT, RawWS, frame

RATE, BURST, STRIKES = 10, 20, 20


def split_replies(messages, prefix):
    """The replies to the flood, in order: (pongs, errors); pongs must all come first."""
    replies = [m for m in messages if str(m.get("requestId", "")).startswith(prefix)]
    kinds = [m["type"] for m in replies]
    n_ok = kinds.index("error") if "error" in kinds else len(kinds)
    assert set(kinds[:n_ok]) <= {"pong", "ack"}, kinds
    errors = replies[n_ok:]
    assert all(e["type"] == "error" and e["code"] == "ERROR_RATE_LIMITED" for e in errors), errors
    # one reply per message, in order, until the close
    assert [m["requestId"] for m in replies] == [f"{prefix}{i}" for i in range(len(replies))]
    return n_ok, errors


def test_flood_is_refused_then_closed_1008(hub_factory):
    grace = 2
    hub = hub_factory(rate_limit=RATE, rate_burst=BURST, grace=grace)

    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("flood")
            a = await pool.member(sid, "attacker")
            b = await pool.member(sid, "b", observers=[a])
            c = await pool.member(sid, "c", observers=[a, b])
            m = marks(a, b, c)
            sent, t0 = 0, time.monotonic()
            # All at once, as many messages as it takes to be closed; more only when a
            # refill let some through. Never more than that: the hub resets the TCP
            # connection when data arrives after its close frame, and the client may
            # then lose that frame (see docs/security-tests.md).
            more = (BURST - 1) + STRIKES + 1  # the join took one token
            for _ in range(10):
                for _ in range(more):
                    await a.send({"type": "ping", "requestId": f"flood-{sent}", "ts": sent})
                    sent += 1
                await a.wait_msg(lambda x: x.get("requestId") == f"flood-{sent - 1}",
                                 start=m[a], what="the reply to the last message")
                refused = sum(1 for x in a.since(m[a]) if x["type"] == "error")
                if refused > STRIKES:
                    break
                more = STRIKES + 1 - refused
            elapsed = time.monotonic() - t0
            assert await a.wait_closed() == 1008
            n_ok, errors = split_replies(a.since(m[a]), "flood-")
            assert n_ok + len(errors) == sent, "one reply per message"
            assert BURST - 2 <= n_ok <= BURST + RATE * elapsed + 1, (n_ok, elapsed)
            assert len(errors) == STRIKES + 1, \
                f"{len(errors)} refusals; expected {STRIKES}, then a last one with the close"
            await assert_quiet({b: m[b], c: m[c]})  # no flood, no event reached them
            await assert_matches_hub(hub, sid, [b, c])  # the attacker is in its grace period
            closed_at = time.monotonic()
            for o in (b, c):  # then it leaves like any dropped member: no ghost
                ev = await o.wait_event("participantLeft", a.pid, start=m[o], timeout=grace + 3)
                assert ev["reason"] == "disconnected", ev
            assert time.monotonic() - closed_at >= grace - 0.5, "left before the grace period"
            await assert_matches_hub(hub, sid, [b, c])
    run(main())


def test_tokens_come_back_and_sparse_refusals_do_not_close(hub_factory):
    hub = hub_factory(rate_limit=RATE, rate_burst=BURST)

    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("refill")
            a = await pool.member(sid, "a")
            b = await pool.member(sid, "b", observers=[a])
            m = marks(a, b)
            for i in range(BURST + 5):  # a few over the burst: refused, not closed
                await a.send({"type": "raiseHand" if i % 2 else "lowerHand",
                              "requestId": f"over-{i}"})
            last = await a.wait_msg(lambda x: x.get("requestId") == f"over-{BURST + 4}",
                                    start=m[a])
            assert last["type"] == "error" and last["code"] == "ERROR_RATE_LIMITED", last
            n_ok, errors = split_replies(a.since(m[a]), "over-")
            assert 5 - 1 <= len(errors) <= 5 + 1, (n_ok, errors)
            assert not a.closed.is_set()
            await asyncio.sleep(0.5)  # the timer under test: 5 tokens come back at 10/s
            for _ in range(3):
                await a.ping_sync()
            # b saw exactly the changes of the accepted messages, and nothing refused
            raised, expected = False, []
            for i in range(n_ok):
                if raised != bool(i % 2):
                    raised = bool(i % 2)
                    expected.append(raised)
            updates = [x for x in b.since(m[b]) if x["type"] != "pong"]
            assert [x["participant"]["isHandRaised"] for x in updates] == expected, updates
            await assert_matches_hub(hub, sid, [a, b])
    run(main())


def test_unjoined_garbage_flood_is_closed_1008(hub_factory):
    hub = hub_factory(rate_limit=RATE, rate_burst=BURST)

    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("garbage")
            a = await pool.member(sid, "a")
            m = marks(a)
            raw = await RawWS.open(hub.port)
            codes, sent, more = [], 0, BURST + STRIKES + 1  # as above: never send too many
            for _ in range(10):
                await raw.send_raw(b"".join(frame(TEXT, b"garbage {") for _ in range(more)))
                sent += more
                while len(codes) < sent:
                    got = await raw.recv_message()
                    assert got is not None and got[0] == TEXT, (got, codes)
                    data = json.loads(got[1])
                    codes += [x["code"] for x in (data if isinstance(data, list) else [data])]
                refused = codes.count("ERROR_RATE_LIMITED")
                if refused > STRIKES:
                    break
                more = STRIKES + 1 - refused
            assert await raw.wait_close() == 1008, codes
            n_bad = codes.index("ERROR_RATE_LIMITED")
            assert set(codes[:n_bad]) == {"VALIDATION_ERROR"} and BURST - 1 <= n_bad, codes
            assert codes[n_bad:] == ["ERROR_RATE_LIMITED"] * (STRIKES + 1), codes
            await assert_quiet(m)
            await assert_matches_hub(hub, sid, [a])
    run(main())
