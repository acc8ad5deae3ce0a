"""Liveness (PROTOCOL.md: "The hub sends WebSocket pings and drops sockets that stay
silent past the timeout") and graceful shutdown (sessionEnded `serverShutdown`, close
1001, /healthz 503 while the hub waits for sockets, exit code 0), with hand-rolled peers
that never read, never answer a ping and never answer a close."""
import asyncio
import json
import signal
import time


import hubtools as ht
from hubclient import marks
from hubpool import Pool, assert_matches_hub, run
from rawws import CLOSE, TEXT, HandshakeRefused, RawWS

PING_INTERVAL, PING_TIMEOUT, GRACE = 1, 2, 0.5
SHUTDOWN_TIMEOUT = 3
SLACK = 2.0
SNAPSHOTS = "signalhub_slow_consumer_snapshots_total"


async def raw_member(hub, sid, observer, label="raw", **open_kw):
    """A raw socket that joins (one masked text frame) and then never reads."""
    uid = ht.new_uid(label)
    start = observer.mark()
    raw = await RawWS.open(hub.port, **open_kw)
    await raw.send_json({"type": "join", "token": ht.call_token(uid, sid), "requestId": label})
    ev = await observer.wait_msg(lambda m: m["type"] == "participantJoined"
                                 and m["participant"]["uid"] == uid, start=start,
                                 what=f"{label} joining")
    return raw, ev["participant"]["pid"]


async def read_all(raw, timeout=3):
    """Everything the hub sent, read after the fact: (json messages, pings, close code)."""
    messages = []
    while True:
        try:
            got = await raw.recv_message(timeout)
        except asyncio.TimeoutError:
            break
        if got is None or got[0] == CLOSE:
            break
        if got[0] == TEXT:
            data = json.loads(got[1])
            messages += data if isinstance(data, list) else [data]
    return messages, raw.pings, raw.close_code


def test_silent_socket_is_dropped_after_ping_timeout(hub_factory):
    hub = hub_factory(ping_interval=PING_INTERVAL, ping_timeout=PING_TIMEOUT, grace=GRACE)

    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("live")
            a = await pool.member(sid, "a")  # websockets answers pings: stays
            b = await pool.member(sid, "b", observers=[a])
            hb = a.joined_msg["heartbeat"]
            assert (hb["intervalMs"], hb["timeoutMs"]) == (PING_INTERVAL * 1000,
                                                           PING_TIMEOUT * 1000), hb
            raw, pid = await raw_member(hub, sid, a)
            raw.stop_reading()  # pings stay unread in the kernel, and unanswered
            t0 = time.monotonic()
            m = marks(a, b)
            limit = PING_TIMEOUT + GRACE + SLACK
            for c in (a, b):
                ev = await c.wait_event("participantLeft", pid, start=m[c], timeout=limit)
                assert ev["reason"] == "disconnected", ev
            elapsed = time.monotonic() - t0
            assert elapsed >= PING_TIMEOUT - 0.5, f"dropped after {elapsed:.2f}s, before the timeout"
            raw.resume_reading()  # now look at what the hub had sent
            got, pings, _ = await read_all(raw)
            assert pings >= 1, "the hub never pinged the silent socket"
            assert got and got[0]["type"] == "joined" and got[0]["self"]["pid"] == pid, got
            # the members that answer pings were silent just as long, and are still here
            assert not a.closed.is_set() and not b.closed.is_set()
            await assert_matches_hub(hub, sid, [a, b])
            print(f"silent socket left after {elapsed:.2f}s ({pings} pings)")
    run(main())


async def stuck_reader(hub, sid, toggler, watcher):
    """A raw member that never reads, with a full backlog: the toggler (a big avatar,
    so each event is ~8 KB) changes state until the hub has replaced the stuck member's
    backlog by a snapshot (metric), i.e. its socket cannot take one more byte. Bursts
    stay far below --max-queued-bytes, so it is not dropped."""
    raw, pid = await raw_member(hub, sid, watcher, "stuck", rcvbuf=4096)
    raw.stop_reading()
    n = 0
    while (await hub.ametrics()).get(SNAPSHOTS, 0) == 0:
        assert n < 5000, "the stuck reader's backlog never overflowed"
        for _ in range(10):
            await toggler.act("raiseHand" if n % 2 == 0 else "lowerHand")
            n += 1
    return raw


def test_shutdown_waits_for_a_stuck_socket(hub_factory):
    hub = hub_factory(shutdown_timeout=SHUTDOWN_TIMEOUT, rate_limit=0)

    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("shut")
            a = await pool.member(sid, "a", avatar="https://a.test/" + "x" * 8000)
            b = await pool.member(sid, "b", observers=[a])
            raw = await stuck_reader(hub, sid, a, b)
            assert (await hub.ahttp("GET", "/healthz")).json() == {"status": "ok"}
            await asyncio.gather(a.ping_sync(), b.ping_sync())  # every toggle seen
            m = marks(a, b)
            t0 = time.monotonic()
            hub.proc.send_signal(signal.SIGTERM)
            for c in (a, b):
                ended = await c.wait_event("sessionEnded", start=m[c])
                assert ended["sessionId"] == sid and ended["reason"] == "serverShutdown", ended
                assert await c.wait_closed() == 1001
                kinds = [x["type"] for x in c.since(m[c])]
                assert kinds == ["sessionEnded"], kinds  # no participantLeft storm first
            await assert_shutting_down(hub)
            code = await asyncio.to_thread(hub.proc.wait, SHUTDOWN_TIMEOUT + SLACK)
            elapsed = time.monotonic() - t0
            assert code == 0, f"exit code {code}"
            assert SHUTDOWN_TIMEOUT - 0.5 <= elapsed <= SHUTDOWN_TIMEOUT + SLACK, elapsed
            raw.abort()
            print(f"exited after {elapsed:.2f}s")
    run(main())
    assert hub.stop() == 0
    assert hub.stdout_lines == [], hub.stdout_lines


async def assert_shutting_down(hub):
    """/healthz says 503 shutting_down, and no new socket is accepted."""
    health = await hub.ahttp("GET", "/healthz")
    assert health.status == 503, health
    assert health.json() == {"status": "shutting_down"}, health
    try:
        late = await RawWS.open(hub.port)
        late.abort()
        raise AssertionError("a WebSocket upgrade was accepted while shutting down")
    except HandshakeRefused:
        pass


def test_shutdown_waits_for_the_close_handshake(hub_factory):
    """A peer that reads but never answers the close frame: the hub waits for the closing
    handshake (RFC 6455 7.1) up to --shutdown-timeout, answering /healthz 503 meanwhile."""
    hub = hub_factory(shutdown_timeout=SHUTDOWN_TIMEOUT)

    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("shutack")
            a = await pool.member(sid, "a")
            raw, _ = await raw_member(hub, sid, a, "mute")
            t0 = time.monotonic()
            hub.proc.send_signal(signal.SIGTERM)
            assert await a.wait_closed() == 1001
            got, _, close_code = await read_all(raw, timeout=1)  # not answering the close
            assert got[-1]["type"] == "sessionEnded" and close_code == 1001, (got, close_code)
            try:  # the connection must stay open, waiting for our close frame
                after = await raw.recv_frame(timeout=1.0)
            except asyncio.TimeoutError:
                after = "still open"
            assert after == "still open", \
                f"the hub ended the TCP connection {time.monotonic() - t0:.3f}s after SIGTERM " \
                f"without the peer's close frame (read {after!r}, exit {hub.proc.poll()})"
            await assert_shutting_down(hub)
            assert await asyncio.to_thread(hub.proc.wait, SHUTDOWN_TIMEOUT + SLACK) == 0
    run(main())
