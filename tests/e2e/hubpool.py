"""Running scenarios: a pool of clients per test, joins, and roster comparisons."""
import asyncio

import hubtools
from hubclient import HubClient

TEST_TIMEOUT = 30.0


def run(coro, timeout=TEST_TIMEOUT):
    """Run one async scenario, bounded in time."""
    async def bounded():
        return await asyncio.wait_for(coro, timeout)
    return asyncio.run(bounded())


class Pool:
    """The clients of one test: all are dropped at the end, and their logs checked."""

    def __init__(self, hub, **connect_defaults):
        """`connect_defaults` go to every client's connect (e.g. ssl=context, origin=...)."""
        self.hub = hub
        self.clients = []
        self.connect_defaults = connect_defaults

    async def __aenter__(self):
        return self

    async def __aexit__(self, exc_type, exc, tb):
        for c in self.clients:
            if c.ws is not None and not c.closed.is_set():
                c.abort()
        for c in self.clients:
            if c._task is not None:
                try:
                    await asyncio.wait_for(c._task, 2)
                except (asyncio.TimeoutError, asyncio.CancelledError):
                    pass
        if exc_type is None:
            for c in self.clients:
                c.check()

    async def client(self, label="c", url=None, **connect_kw):
        c = HubClient(url or self.hub.ws_url, label)
        self.clients.append(c)
        return await c.connect(**{**self.connect_defaults, **connect_kw})

    async def resume(self, old, label, token=None, resume_token=None, last_seq=None, pid=None,
                     carry=True, timeout=hubtools.DEFAULT_TIMEOUT):
        """A new socket that joins with `resume` for `old`'s participant: by default with
        a call token for old's uid and session, its last resumeToken, pid and seq, and old's
        roster and seq carried over (as a resuming client would keep them). Returns
        (client, reply); the reply may be an `error`."""
        c = await self.client(label)
        c.uid = old.uid
        if carry:
            c.resume_state_from(old)
        reply = await c.request(
            "join", timeout, token=token or hubtools.call_token(old.uid, old.session_id),
            resume={"pid": pid or old.pid, "resumeToken": resume_token or old.resume_token,
                    "lastSeq": old.seq if last_seq is None else last_seq})
        return c, reply

    async def member(self, sid, label, observers=(), uid=None, name=None, role="participant",
                     avatar=None, settings=None, token=None, **client_kw):
        """Connect and join `sid`; wait until every observer has seen the participantJoined.
        `client_kw` go to `client` (a subclass's node choice, say)."""
        c = await self.client(label, **client_kw)
        c.uid = uid or hubtools.new_uid(label)
        starts = {o: o.mark() for o in observers}
        tok = token or hubtools.call_token(c.uid, sid, name=name, role=role, avatar=avatar)
        joined = await c.join(tok, settings)
        assert joined.get("sessionId") == sid, joined
        assert joined["self"]["uid"] == c.uid, joined
        assert joined.get("resumed") is False, joined
        for o in observers:
            ev = await o.wait_event("participantJoined", c.pid, start=starts[o])
            assert ev["seq"] == joined["seq"], \
                f"{o.label} saw {label} join with seq {ev['seq']}, joined said {joined['seq']}"
            assert ev["participant"] == joined["self"], (ev, joined)
        return c


async def assert_matches_hub(hub, sid, clients):
    """After a sync round-trip, each client's rebuilt roster and seq equal GET /v1/sessions/{id}."""
    await asyncio.gather(*(c.ping_sync() for c in clients))
    resp = await hub.aadmin("GET", f"/v1/sessions/{sid}")
    assert resp.status == 200, resp
    body = resp.json()
    assert body.get("sessionId") == sid, body
    hub_roster = {p["pid"]: p for p in body["participants"]}
    assert len(hub_roster) == len(body["participants"]), f"duplicate pids: {body}"
    for c in clients:
        c.check()
        assert c.session_id == sid, c
        assert c.roster == hub_roster, \
            f"{c.label} roster differs from hub:\n client {c.roster}\n hub    {hub_roster}"
        assert c.seq == body["seq"], f"{c.label} seq {c.seq} != hub seq {body['seq']}"
    orders = {tuple(c.roster) for c in clients}
    assert len(orders) <= 1, f"members disagree on join order: {orders}"
    return body


async def wait_all(clients, mtype, pid=None, starts=None, **fields):
    """Every client receives the event; returns them in client order."""
    starts = starts or {}
    return await asyncio.gather(*(c.wait_event(mtype, pid, start=starts.get(c, 0), **fields)
                                  for c in clients))
