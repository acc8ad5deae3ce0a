"""Randomized consistency soak (PROTOCOL.md "Consistency: the roster guarantee").

Many simulated users over several sessions join, join again with the same uid, change
state, signal, sync, send garbage, leave, drop their TCP connection abruptly and resume
(quickly: must succeed; late: must be refused, then a plain join). At the end every
connected member's roster equals GET /v1/sessions/{id}, and no client ever saw a seq
gap. Each user's choices come from its own seeded Random, so a seed replays the same
scripts (the interleaving still depends on timing).

    SIGNALHUB_SOAK_SEED=123 SIGNALHUB_SOAK_CLIENTS=1000 SIGNALHUB_SOAK_SECONDS=120 \
        python3 -m pytest tests/e2e/test_resilience_soak.py -s     (or scripts/soak.sh)

SIGNALHUB_SOAK_GRACE (the hub's grace period, default 1 s) and SIGNALHUB_SOAK_THINK (the
longest pause between one user's actions, default 0.3 s) tune it further.
"""
import asyncio
import os
import random
import time

import hubtools as ht
from hubpool import Pool, assert_matches_hub, run

SEED = int(os.environ.get("SIGNALHUB_SOAK_SEED") or random.SystemRandom().randrange(1 << 31))
CLIENTS = int(os.environ.get("SIGNALHUB_SOAK_CLIENTS", "200"))
SECONDS = float(os.environ.get("SIGNALHUB_SOAK_SECONDS", "8"))
THINK = float(os.environ.get("SIGNALHUB_SOAK_THINK", "0.3"))  # max pause between actions
GRACE = float(os.environ.get("SIGNALHUB_SOAK_GRACE", "1"))  # the hub's --grace-period
PER_SESSION = 20
TIMEOUT = 20.0  # per reply: generous, the Python side may be saturated in long runs

CHANGES = ["muteAudio", "unmuteAudio", "pauseVideo", "resumeVideo", "raiseHand", "lowerHand"]
GARBAGE_TEXT = ["not json", '{"type":', "[1,2]", '"ping"', "null", "{}", '{"type":"teleport"}']
ACTIONS = [("change", 45), ("sync", 4), ("ping", 4), ("signal", 6), ("garbage", 8),
           ("rejoin", 5), ("leave", 4), ("drop", 7), ("moderate", 2), ("idle", 15)]


class User:
    """One simulated user: a uid in one session, scripted by its own Random."""

    def __init__(self, pool, index, sid):
        self.pool, self.sid = pool, sid
        self.rng = random.Random(SEED * 100003 + index)
        self.uid = f"soak{index}-{self.rng.randrange(1 << 30):x}"
        self.label = f"u{index}"
        self.client = None        # the live client, or None
        self.dropped = None       # (client, time) after an abrupt drop
        self.stats = {}

    def count(self, what):
        self.stats[what] = self.stats.get(what, 0) + 1

    async def join(self):
        old, self.client = self.client, None
        c = await self.pool.client(self.label)
        c.uid = self.uid
        joined = await c.join(ht.call_token(self.uid, self.sid), timeout=TIMEOUT)
        assert joined["resumed"] is False and joined["sessionId"] == self.sid, joined
        self.client, self.dropped = c, None
        if old is not None:  # a duplicate join: the first socket is replaced
            assert await old.wait_closed(TIMEOUT) == 4001, f"{old.label} not closed 4001"

    async def come_back(self):
        old, at = self.dropped
        await old.wait_closed(TIMEOUT)
        if self.rng.random() < 0.8:
            c, reply = await self.pool.resume(old, self.label, timeout=TIMEOUT)
            took = time.monotonic() - at
            if reply["type"] == "joined":
                assert reply["resumed"] is True and reply["self"]["pid"] == old.pid, reply
                self.client, self.dropped = c, None
                return self.count("resume")
            # The grace period starts when the hub notices the drop, after `at`: a reply
            # within GRACE of `at` was decided inside it, and must have been a success.
            assert took >= GRACE and reply.get("code") == "ERROR_PARTICIPANT_NOT_FOUND", \
                f"{self.label}: resume refused {took:.2f}s after the drop: {reply}"
            c.abort()
            self.count("resume too late under load")
        elif self.rng.random() < 0.2:  # wait out the grace period: resume is refused
            await self.gone(old.pid)
            c, reply = await self.pool.resume(old, self.label, carry=False, timeout=TIMEOUT)
            assert reply["type"] == "error" and reply["code"] == "ERROR_PARTICIPANT_NOT_FOUND", \
                f"{self.label}: resume after the grace period: {reply}"
            c.abort()
            self.count("late resume refused")
        await self.join()

    async def gone(self, pid):
        """Until the hub's roster no longer has `pid` (its grace period is over)."""
        deadline = time.monotonic() + GRACE + TIMEOUT
        while time.monotonic() < deadline:
            r = await self.pool.hub.aadmin("GET", f"/v1/sessions/{self.sid}")
            if r.status == 404 or pid not in [p["pid"] for p in r.json()["participants"]]:
                return
            await asyncio.sleep(0.1)  # polling the grace timer under test
        raise AssertionError(f"{self.label}: {pid} still in the roster long after its drop")

    async def step(self):
        if self.client is None:
            if self.dropped:
                return await self.come_back()
            self.count("join")
            return await self.join()
        c = self.client
        c.forget()  # bound memory in long runs; roster, seq and errors are kept
        action = self.rng.choices([a for a, _ in ACTIONS], [w for _, w in ACTIONS])[0]
        self.count(action)
        if action == "change":
            reply = await c.request(self.rng.choice(CHANGES), TIMEOUT)
            assert reply["type"] == "ack", reply
        elif action in ("sync", "ping"):
            reply = await c.request(action, TIMEOUT)
            assert reply["type"] == ("roster" if action == "sync" else "pong"), reply
        elif action == "signal":
            others = [p for p in c.roster if p != c.pid] or [c.pid]
            reply = await c.request("signal", TIMEOUT, to=self.rng.choice(others),
                                    data={"sdp": "x" * self.rng.randrange(2000)})
            assert reply["type"] == "ack" or reply.get("code") == "ERROR_PARTICIPANT_NOT_FOUND", reply
        elif action == "moderate":  # not a moderator: forbidden, harmless
            reply = await c.request("muteParticipant", TIMEOUT, pid=self.rng.choice(list(c.roster)))
            assert reply.get("code") == "ERROR_FORBIDDEN", reply
        elif action == "garbage":
            await self.garbage(c)
        elif action == "rejoin":
            await self.join()
        elif action == "leave":
            reply = await c.request("leave", TIMEOUT)
            assert reply["type"] == "left", reply
            assert await c.wait_closed(TIMEOUT) == 1000
            self.client = None
        elif action == "drop":
            c.abort()
            self.client, self.dropped = None, (c, time.monotonic())
            if self.rng.random() < 0.5:  # reconnect at once (else at the next step)
                await self.come_back()

    async def garbage(self, c):
        kind = self.rng.randrange(4)
        if kind == 0:  # unparseable or not a message: an error without a requestId
            start = c.mark()
            await c.send(self.rng.choice(GARBAGE_TEXT) if self.rng.random() < 0.8 else b"\x00\xff")
            reply = await c.wait_msg(lambda m: m["type"] == "error", TIMEOUT, start)
        elif kind == 1:
            reply = await c.request("join", TIMEOUT, token=ht.call_token(self.uid, self.sid))
            assert reply.get("code") == "ERROR_ALREADY_JOINED", reply
            return
        elif kind == 2:
            reply = await c.request(self.rng.choice(["teleport", "muteAudio"]), TIMEOUT,
                                    **{"ts": "x"} if self.rng.random() < 0.5 else {"type": 7})
            if reply["type"] == "ack":  # muteAudio with an extra field is fine
                return
        else:
            reply = await c.request("signal", TIMEOUT, to=self.rng.randrange(100), data=None)
        assert reply.get("code") == "VALIDATION_ERROR", reply

    async def live(self, until, gate):
        await asyncio.sleep(self.rng.uniform(0, THINK))
        while time.monotonic() < until:
            async with gate:
                await self.step()
            await asyncio.sleep(self.rng.uniform(0, THINK))


async def soak(hub):
    print(f"\nsoak: SIGNALHUB_SOAK_SEED={SEED} clients={CLIENTS} seconds={SECONDS} grace={GRACE}")
    n_sessions = max(1, CLIENTS // PER_SESSION)
    sids = [f"soak-{SEED}-{i}" for i in range(n_sessions)]
    async with Pool(hub) as pool:
        users = [User(pool, i, sids[i % n_sessions]) for i in range(CLIENTS)]
        gate = asyncio.Semaphore(100)  # bounds concurrent requests (and connects)
        t0 = time.monotonic()
        tasks = [asyncio.create_task(u.live(t0 + SECONDS, gate)) for u in users]
        try:
            await asyncio.gather(*tasks)
        finally:  # on a failure, stop everyone before the pool is torn down
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        # Quiet: every dropped participant leaves once its grace period ends.
        live = {u.client.pid for u in users if u.client is not None}
        deadline = time.monotonic() + GRACE + 5
        while True:
            lists = await asyncio.gather(*(hub.aadmin("GET", f"/v1/sessions/{s}") for s in sids))
            stale = [p["pid"] for r in lists if r.status == 200 for p in r.json()["participants"]
                     if p["pid"] not in live]
            if not stale or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.1)  # polling the grace timers under test
        assert stale == [], f"participants still in the hub {GRACE + 5}s after the end: {stale}"
        for sid in sids:
            members = [u.client for u in users if u.sid == sid and u.client is not None]
            if members:
                await assert_matches_hub(hub, sid, members)
            else:
                assert (await hub.aadmin("GET", f"/v1/sessions/{sid}")).status == 404
        for c in pool.clients:  # every client ever connected: no seq gap, no bad message
            c.check()
        totals = {}
        for u in users:
            for k, v in u.stats.items():
                totals[k] = totals.get(k, 0) + v
        print(f"soak: {len(pool.clients)} sockets, {time.monotonic() - t0:.1f}s, {totals}")


def test_randomized_consistency_soak(hub_factory):
    hub = hub_factory(grace=GRACE, rate_limit=0, max_participants=PER_SESSION + 5)
    try:
        run(soak(hub), timeout=SECONDS + 120)
    except BaseException as e:
        raise AssertionError(f"soak failed: reproduce with SIGNALHUB_SOAK_SEED={SEED} "
                             f"SIGNALHUB_SOAK_CLIENTS={CLIENTS} SIGNALHUB_SOAK_SECONDS={SECONDS} "
                             f"SIGNALHUB_SOAK_GRACE={GRACE}: {e!r}") from e
