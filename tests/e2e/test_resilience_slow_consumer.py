"""A member that stops reading while the others generate thousands of events
(PROTOCOL.md "Consistency": "A member that cannot keep up is sent a fresh `roster`
snapshot in place of the events it missed, or is disconnected; it is never left with a
silent gap"). Meanwhile the hub's memory stays bounded and the live members' events
keep arriving promptly.

Note: --max-queued-bytes bounds the hub's own queue. The kernel's send buffer for the
socket (autotuned up to net.ipv4.tcp_wmem's maximum, 4 MiB by default) fills first, so
the participants carry large names and avatars to make each event ~2 KB.
"""
import asyncio
import socket
import time

import hubtools as ht
from hubpool import Pool, assert_matches_hub, run

MAX_QUEUED = 65536
RSS_LIMIT_KB = 150 * 1024      # the hub's resident memory stays under 150 MB
LATENCY_MAX = 1.0              # every toggle reaches every live member within 1 s
LATENCY_P99 = 0.5
MAX_EVENTS_PER_PHASE = 12000   # safety bound: 4 MiB of kernel buffer is ~2000 events
NAME, AVATAR = "N" * 400, "https://avatars.test/" + "a" * 1600
SNAPSHOTS = "signalhub_slow_consumer_snapshots_total"
DROPPED = "signalhub_slow_consumers_dropped_total"


class Load:
    """Generators toggle their hand; every toggle's send time is kept, so that the k-th
    participantUpdated about a generator at any member is the k-th toggle."""

    def __init__(self, generators):
        self.generators = generators
        self.sent = {g.pid: [] for g in generators}
        self.events = 0

    async def burst(self, per_generator):
        """Each generator makes `per_generator` changes, waiting for each ack."""
        async def one(g):
            for _ in range(per_generator):
                sent = self.sent[g.pid]
                sent.append(time.monotonic())
                await g.act("lowerHand" if len(sent) % 2 == 0 else "raiseHand")
        await asyncio.gather(*(one(g) for g in self.generators))
        self.events += per_generator * len(self.generators)

    async def until(self, hub, counter, per_generator):
        """Bursts until the metric `counter` moved; returns the events generated."""
        before = (await hub.ametrics()).get(counter, 0)
        start = self.events
        while (await hub.ametrics()).get(counter, 0) == before:
            assert self.events - start < MAX_EVENTS_PER_PHASE, \
                f"{counter} did not move after {self.events - start} events to a stopped reader"
            await self.burst(per_generator)
        return self.events - start

    def latencies(self, members):
        out = []
        for m in members:
            seen = {pid: 0 for pid in self.sent}
            for msg, t in zip(m.messages, m.times):
                pid = (msg.get("participant") or {}).get("pid")
                if msg["type"] == "participantUpdated" and pid in seen:
                    out.append(t - self.sent[pid][seen[pid]])
                    seen[pid] += 1
            assert seen == {pid: len(s) for pid, s in self.sent.items()}, \
                f"{m.label} missed toggles: {seen}"
        return sorted(out)


async def sample_rss(hub, peak, stop):
    while not stop.is_set():
        peak[0] = max(peak[0], hub.rss_kb())
        try:
            await asyncio.wait_for(stop.wait(), 0.05)
        except asyncio.TimeoutError:
            pass


async def stopped_reader(pool, hub, sid):
    """A member with a 4 KiB receive buffer and a one-frame client queue."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", hub.port))
    s = await pool.client("slow", sock=sock, max_queue=1)
    s.uid = ht.new_uid("slow")
    await s.join(ht.call_token(s.uid, sid, name=NAME, avatar=AVATAR))
    return s


def test_slow_consumer_gets_snapshot_then_is_dropped(hub_factory):
    hub = hub_factory(max_queued_bytes=MAX_QUEUED, rate_limit=0, grace=0.5)

    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("slow")
            gens = []
            for i in range(4):
                gens.append(await pool.member(sid, f"g{i}", observers=gens, name=NAME,
                                              avatar=AVATAR))
            watcher = await pool.member(sid, "watcher", observers=gens)
            live = gens + [watcher]
            s = await stopped_reader(pool, hub, sid)
            await asyncio.gather(*(c.ping_sync() for c in live))  # all saw s join
            load, peak, stop = Load(gens), [hub.rss_kb()], asyncio.Event()
            sampler = asyncio.create_task(sample_rss(hub, peak, stop))

            # 1. s stops reading until its backlog is replaced by a snapshot. Bursts of
            # 8 events (~18 KB) stay under the limit once the snapshot is queued, so s
            # is not dropped; when it reads again it catches up through the snapshot.
            s.pause_reading()
            n1 = await load.until(hub, SNAPSHOTS, per_generator=2)
            s.resume_reading()
            await s.ping_sync()
            assert not s.closed.is_set(), f"slow member dropped in phase 1 ({s.close_code})"
            snaps = [m for m in s.messages if m["type"] == "roster" and "requestId" not in m]
            assert snaps, "the slow member never received a replacement roster snapshot"
            await assert_matches_hub(hub, sid, live + [s])

            # 2. s stops again and never catches up: a snapshot, then it is dropped.
            s.pause_reading()
            n2 = await load.until(hub, DROPPED, per_generator=10)
            while load.events < 3000:  # thousands in all, the hub busy dropping
                await load.burst(10)
            s.resume_reading()
            await s.wait_closed(timeout=10)
            starts = {c: 0 for c in live}
            await asyncio.gather(*(c.wait_event("participantLeft", s.pid, start=starts[c],
                                                reason="disconnected") for c in live))
            stop.set()
            await sampler

            lat = load.latencies(live)
            p99, worst = lat[int(len(lat) * 0.99)], lat[-1]
            print(f"events {n1}+{n2} ({load.events} in all), deliveries {len(lat)}, p99 {p99 * 1000:.1f} ms, "
                  f"max {worst * 1000:.1f} ms, peak RSS {peak[0] // 1024} MB")
            assert peak[0] < RSS_LIMIT_KB, f"hub RSS peaked at {peak[0]} KiB"
            assert p99 < LATENCY_P99 and worst < LATENCY_MAX, \
                f"live members' latency p99 {p99:.3f}s max {worst:.3f}s"
            metrics = await hub.ametrics()
            assert metrics.get(SNAPSHOTS, 0) >= 2 and metrics.get(DROPPED, 0) == 1, metrics
            await assert_matches_hub(hub, sid, live)
    run(main(), timeout=60)
