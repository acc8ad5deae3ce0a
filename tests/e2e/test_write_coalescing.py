"""Write coalescing (`serve --coalesce-us`): after a write, a socket waits out the interval
before its next one, and what arrived meanwhile goes out as one batched frame; a socket
that was quiet for longer is written at once."""
import asyncio
import os
import subprocess
import time

import hubtools as ht
from hubpool import Pool, run

INTERVAL = 0.4  # seconds: far above loopback latency, so the hold is unmistakable


def coalescing_hub(hub_factory):
    return hub_factory(coalesce_us=int(INTERVAL * 1_000_000), rate_limit=0)


def test_events_close_together_wait_and_go_out_as_one_frame(hub_factory):
    hub = coalescing_hub(hub_factory)

    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("coalesce")
            a = await pool.member(sid, "a")
            b = await pool.member(sid, "b", observers=[a])
            c = await pool.member(sid, "c", observers=[a, b])
            start = a.mark()
            await b.send({"type": "muteAudio"})
            first = await a.wait_event("participantUpdated", b.pid, start=start)
            first_at, frames_before, mark = time.monotonic(), a.frames, a.mark()
            assert first["participant"]["isAudioMuted"] is True
            # Two more events from two senders, well inside a's interval after that write.
            await c.send({"type": "muteAudio"})
            await b.send({"type": "unmuteAudio"})
            await a.wait_event("participantUpdated", c.pid, start=mark)
            await a.wait_event("participantUpdated", b.pid, start=mark)
            held = time.monotonic() - first_at
            got = [m for m in a.since(mark) if m["type"] == "participantUpdated"]
            assert [m["participant"]["pid"] for m in got] == [c.pid, b.pid], got
            assert a.frames - frames_before == 1, "both events should share one frame"
            # The frame waited out the rest of the interval that began with the first write.
            assert held >= INTERVAL - 0.1, f"written {held:.3f} s after the previous frame"
            metrics = await hub.ametrics()
            assert metrics["signalhub_frames_written_total"] < metrics["signalhub_messages_sent_total"], metrics
    run(main())


def test_a_quiet_socket_is_written_at_once(hub_factory):
    hub = coalescing_hub(hub_factory)

    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("quiet")
            a = await pool.member(sid, "a")
            b = await pool.member(sid, "b", observers=[a])
            await b.ping_sync()
            await asyncio.sleep(INTERVAL + 0.1)  # the state under test: nothing written to a for a whole interval
            start = a.mark()
            sent_at = time.monotonic()
            await b.send({"type": "muteAudio"})
            await a.wait_event("participantUpdated", b.pid, start=start)
            waited = time.monotonic() - sent_at
            assert waited < INTERVAL - 0.1, f"a quiet socket waited {waited:.3f} s"
    run(main())


def test_an_interval_out_of_range_is_refused(hub_factory):
    """`--coalesce-us` takes 0 to 1 s; anything else stops `serve` with a clear message."""
    from conftest import BIN
    for value in ("-1", "1000001"):
        out = subprocess.run([BIN, "serve", "--port", "0", f"--coalesce-us={value}"],
                             env=dict(os.environ, SIGNALHUB_SECRET=ht.SECRET), capture_output=True,
                             timeout=10, stdin=subprocess.DEVNULL)
        assert out.returncode != 0, out
        assert b"--coalesce-us must be 0-1000000" in out.stderr, out.stderr
