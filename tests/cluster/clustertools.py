"""Helpers for the multi-node (Redis) suite: a real redis-server, a cluster of hub
nodes sharing it, a client pool that places members on chosen nodes, and checks that
every member's rebuilt roster equals GET /v1/sessions/{id} on every node.

The e2e helpers (hubtools, hubclient, hubpool, and HubProcess from the e2e conftest)
are reused as they are: this module puts tests/e2e on sys.path and loads the e2e
conftest under the module name `e2e_conftest` (it is not registered as a pytest
plugin, so its fixtures stay out of this suite).
"""
import asyncio
import importlib.util
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

E2E_DIR = Path(__file__).resolve().parent.parent / "e2e"
if str(E2E_DIR) not in sys.path:
    sys.path.insert(0, str(E2E_DIR))


def _load_e2e_conftest():
    name = "e2e_conftest"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, E2E_DIR / "conftest.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


_e2e = _load_e2e_conftest()
HubProcess = _e2e.HubProcess
flag_args = _e2e.flag_args
BIN = _e2e.BIN
OUT_DIR = _e2e.OUT_DIR

import hubtools  # noqa: E402
from hubclient import EVENTS, FLAGS, REPLIES, HubClient, marks  # noqa: E402,F401
from hubpool import Pool, run, wait_all  # noqa: E402,F401

REDIS_SERVER = os.environ.get("REDIS_SERVER_BIN", "/usr/bin/redis-server")
REDIS_CLI = os.environ.get("REDIS_CLI_BIN", "/usr/bin/redis-cli")
NODE_IDS = ("node-a", "node-b", "node-c", "node-d", "node-e")
SETTLE_TIMEOUT = 8.0     # how long rosters may take to converge once traffic stops
HEALTH_TIMEOUT = 15.0    # how long nodes may take to notice Redis going / coming back
UNAVAILABLE = "ERROR_SERVICE_UNAVAILABLE"
ACTION_FIELD = {"muteAudio": ("isAudioMuted", True), "unmuteAudio": ("isAudioMuted", False),
                "pauseVideo": ("isVideoPaused", True), "resumeVideo": ("isVideoPaused", False),
                "raiseHand": ("isHandRaised", True), "lowerHand": ("isHandRaised", False)}


def safe_name(name):
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:120]


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_binary_checked = {}


def binary_supports_redis():
    """(ok, help text): whether `signalhub serve --help` lists --redis."""
    if BIN not in _binary_checked:
        if not os.access(BIN, os.X_OK):
            _binary_checked[BIN] = (False, f"binary not found or not executable: {BIN}")
        else:
            try:
                r = subprocess.run([BIN, "serve", "--help"], capture_output=True, timeout=20)
                text = (r.stdout + r.stderr).decode("utf-8", "replace")
            except (OSError, subprocess.TimeoutExpired) as e:
                text = f"`{BIN} serve --help` failed: {e!r}"
            _binary_checked[BIN] = ("--redis" in text, text)
    return _binary_checked[BIN]


# Redis ------------------------------------------------------------------------------
class RedisServer:
    """A real redis-server on a free loopback port, without persistence: a restart
    (stop() then start()) comes back empty, on the same port."""

    def __init__(self, name):
        self.name = safe_name(name)
        self.port = None
        self.proc = None
        self._log = None
        self.log_path = None
        self.starts = 0

    @property
    def url(self):
        assert self.port is not None, "redis-server was never started"
        return f"redis://127.0.0.1:{self.port}"

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout=10.0):
        """Start (or restart on the same port). On the first start a busy port is
        retried with another free one."""
        if self.running():
            return self
        fixed = self.port is not None
        deadline = time.monotonic() + timeout
        attempt = 0
        while True:
            attempt += 1
            port = self.port if fixed else free_port()
            self._spawn(port)
            if self._wait_ready(port, deadline):
                self.port = port
                self.starts += 1
                return self
            status = self._reap()
            if time.monotonic() >= deadline or (not fixed and attempt >= 5):
                raise AssertionError(
                    f"redis-server did not answer PING on port {port} (exit {status}, "
                    f"attempt {attempt}); log {self.log_path}:\n{self.log_tail()}")
            time.sleep(0.1)  # a restart on a fixed port: let the old socket go

    def _spawn(self, port):
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        self.log_path = OUT_DIR / f"{self.name}-redis-{port}-{os.getpid()}.log"
        self._log = open(self.log_path, "ab")
        self._log.write(f"--- start at {time.strftime('%H:%M:%S')} on port {port}\n".encode())
        self._log.flush()
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--protected-mode", "no"],
            stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def _wait_ready(self, port, deadline):
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                r = subprocess.run([REDIS_CLI, "-p", str(port), "ping"], capture_output=True,
                                   timeout=2)
                # PONG from our own process only (a stranger on the port would not keep
                # ours alive: it exits when it cannot bind).
                if r.stdout.strip() == b"PONG" and self.proc.poll() is None:
                    return True
            except subprocess.TimeoutExpired:
                pass
            time.sleep(0.05)
        return False

    def _reap(self, timeout=5.0):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        if self._log is not None:
            self._log.close()
            self._log = None
        return self.proc.returncode

    def stop(self, timeout=5.0):
        """SIGTERM and wait (SIGKILL if it does not exit)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        return self._reap()

    def kill(self):
        """SIGKILL and wait."""
        return self._reap()

    def cli(self, *args, timeout=5):
        """redis-cli -p PORT args... -> stdout text."""
        r = subprocess.run([REDIS_CLI, "-p", str(self.port), *map(str, args)],
                           capture_output=True, timeout=timeout)
        return r.stdout.decode("utf-8", "replace")

    def keys(self):
        return [k for k in self.cli("--scan").splitlines() if k]

    def log_tail(self, n=2000):
        try:
            if self._log is not None:
                self._log.flush()
            return self.log_path.read_bytes()[-n:].decode("utf-8", "replace")
        except (OSError, AttributeError):
            return ""


# Cluster ----------------------------------------------------------------------------
def summary(body):
    """A short view of a GET /v1/sessions/{id} body for failure messages."""
    if not isinstance(body, dict):
        return repr(body)
    parts = []
    for p in body.get("participants") or []:
        flags = "".join(ch if p.get(f) else "-" for ch, f in zip("AVH", FLAGS))
        parts.append(f"{p.get('pid')}({p.get('uid')},{flags})")
    return f"seq={body.get('seq')} [{', '.join(parts)}]"


def client_summary(c):
    if c.roster is None:
        return f"{c.label}: no roster"
    return f"{c.label}: " + summary({"seq": c.seq, "participants": list(c.roster.values())})


class Cluster:
    """Hub nodes sharing one Redis and one key prefix."""

    def __init__(self, nodes, redis, prefix, node_timeout, grace):
        self.nodes = nodes
        self.redis = redis
        self.prefix = prefix
        self.node_timeout = node_timeout
        self.grace = grace
        self.killed = set()

    @property
    def a(self):
        return self.nodes[0]

    @property
    def b(self):
        return self.nodes[1]

    @property
    def c(self):
        return self.nodes[2]

    def live_nodes(self):
        return [n for n in self.nodes if n not in self.killed]

    def kill(self, node):
        """SIGKILL a node (no goodbye to Redis or to its sockets)."""
        node.proc.kill()
        node.proc.wait(5)
        self.killed.add(node)

    def log_hint(self):
        lines = [f"  {n.node_id}: {n.log_path}" for n in self.nodes]
        if self.redis.log_path is not None:
            lines.append(f"  redis: {self.redis.log_path}")
        return "logs:\n" + "\n".join(lines)

    def assert_alive(self):
        for n in self.live_nodes():
            if n.proc.poll() is not None:
                raise AssertionError(f"{n.node_id} exited on its own with status "
                                     f"{n.proc.returncode}; stderr tail:\n{n.stderr_tail(3000)}")

    # HTTP -------------------------------------------------------------------------
    async def get_session(self, sid, node):
        return await node.aadmin("GET", f"/v1/sessions/{sid}")

    async def list_sessions(self, node):
        r = await node.aadmin("GET", "/v1/sessions")
        assert r.status == 200, f"{node.node_id}: GET /v1/sessions -> {r}"
        body = r.json()
        assert isinstance(body.get("sessions"), list), f"{node.node_id}: {body}"
        return {s["sessionId"]: s for s in body["sessions"]}

    async def wait_health(self, status, nodes=None, timeout=HEALTH_TIMEOUT):
        """Poll GET /healthz until every node answers `status`; returns the responses."""
        nodes = list(nodes or self.live_nodes())
        deadline = time.monotonic() + timeout
        while True:
            self.assert_alive()
            resps = await asyncio.gather(*(n.ahttp("GET", "/healthz") for n in nodes))
            if all(r.status == status for r in resps):
                return dict(zip(nodes, resps))
            if time.monotonic() >= deadline:
                seen = {n.node_id: r for n, r in zip(nodes, resps)}
                raise AssertionError(f"/healthz did not become {status} on every node within "
                                     f"{timeout}s: {seen}\n{self.log_hint()}")
            await asyncio.sleep(0.1)

    async def wait_gone(self, sid, nodes=None, timeout=SETTLE_TIMEOUT):
        """Poll until GET /v1/sessions/{sid} is 404 ERROR_SESSION_NOT_FOUND and the
        session is not listed, on every node."""
        nodes = list(nodes or self.live_nodes())
        deadline = time.monotonic() + timeout
        while True:
            self.assert_alive()
            problems = []
            for n in nodes:
                r = await self.get_session(sid, n)
                if r.status != 404:
                    problems.append(f"{n.node_id}: GET -> {r}")
                elif r.error_code() != "ERROR_SESSION_NOT_FOUND":
                    problems.append(f"{n.node_id}: 404 with code {r.error_code()}")
                listing = await self.list_sessions(n)
                if sid in listing:
                    problems.append(f"{n.node_id}: still lists {listing[sid]}")
            if not problems:
                return
            if time.monotonic() >= deadline:
                raise AssertionError(f"session {sid} still there after {timeout}s: {problems}\n"
                                     f"{self.log_hint()}")
            await asyncio.sleep(0.1)

    async def _compare(self, sid, clients, nodes, expect, ordered):
        """(problem or None, agreed body or None)."""
        for c in clients:
            c.check()  # seq gaps and other violations never heal: fail at once
            if c.closed.is_set():
                raise AssertionError(f"{c.label} was closed ({c.close_code}) but is expected "
                                     f"to be a member; last messages {c.messages[-5:]}")
        await asyncio.gather(*(c.ping_sync() for c in clients))
        resps = await asyncio.gather(*(self.get_session(sid, n) for n in nodes))
        for n, r in zip(nodes, resps):
            if r.status != 200:
                return f"{n.node_id}: GET /v1/sessions/{sid} -> {r}", None
        bodies = [r.json() for r in resps]
        first = bodies[0]
        for n, b in zip(nodes, bodies):
            if b.get("sessionId") != sid:
                return f"{n.node_id}: body for session {b.get('sessionId')!r}: {b}", None
            if b != first:
                diff = ""
                if b.get("seq") == first.get("seq"):
                    diff = f"\n full {nodes[0].node_id}: {first}\n full {n.node_id}: {b}"
                return (f"nodes disagree: {nodes[0].node_id} {summary(first)} vs "
                        f"{n.node_id} {summary(b)}{diff}"), None
        pids = [p["pid"] for p in first["participants"]]
        if len(set(pids)) != len(pids):
            raise AssertionError(f"duplicate pids in GET /v1/sessions/{sid}: {first}")
        if expect is not None:
            want = list(expect)
            if (pids != want) if ordered else (set(pids) != set(want)):
                return (f"hub roster pids {pids} != expected {want}"
                        f"{'' if ordered else ' (any order)'}: {summary(first)}"), None
        hub_roster = {p["pid"]: p for p in first["participants"]}
        for c in clients:
            if c.session_id != sid:
                raise AssertionError(f"{c.label} is in session {c.session_id}, not {sid}")
            if c.seq != first["seq"] or c.roster != hub_roster or list(c.roster) != pids:
                detail = ""
                if c.seq == first["seq"]:
                    detail = f"\n client {c.roster}\n hub    {hub_roster}"
                return (f"{client_summary(c)} differs from the hub's {summary(first)}"
                        f"{detail}"), first
        return None, first

    async def settle(self, sid, clients, expect=None, ordered=True, nodes=None,
                     timeout=SETTLE_TIMEOUT):
        """Wait (bounded) until GET /v1/sessions/{sid} is identical on every live node
        (or `nodes`), then assert every client's rebuilt roster (pids in join order and
        every field) and seq equal it. `expect`: the pids the hub must list (in that order
        unless ordered=False). Returns the agreed body."""
        nodes = list(nodes or self.live_nodes())
        deadline = time.monotonic() + timeout
        while True:
            self.assert_alive()
            problem, body = await self._compare(sid, clients, nodes, expect, ordered)
            if problem is None:
                return body
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"session {sid} did not converge within {timeout}s on "
                    f"{[n.node_id for n in nodes]}: {problem}\nclients:\n  "
                    + "\n  ".join(client_summary(c) for c in clients) + "\n" + self.log_hint())
            await asyncio.sleep(0.05)


def make_cluster(name, redis, n=3, node_timeout=2, grace=0.3, prefix=None, ids=None,
                 started=None, **flags):
    """Start n dev-mode hub nodes on `redis` with one key prefix. `flags` go to
    HubProcess (join_timeout=..., rate_limit=..., any serve flag)."""
    prefix = prefix or f"t{uuid.uuid4().hex[:10]}:"
    ids = list(ids or NODE_IDS[:n])
    nodes = []
    for nid in ids:
        h = HubProcess(f"{name}-{nid}", grace=grace, redis=redis.url, redis_prefix=prefix,
                       node_id=nid, node_timeout=node_timeout, **flags)
        h.node_id = nid
        if started is not None:
            started.append(h)
        nodes.append(h.start())
    # A node listens before it has reached Redis; like a load balancer, wait for /healthz.
    deadline = time.monotonic() + HEALTH_TIMEOUT
    for h in nodes:
        while h.http("GET", "/healthz").status != 200:
            if time.monotonic() >= deadline:
                raise AssertionError(f"{h.node_id}: /healthz not 200 within {HEALTH_TIMEOUT}s:\n{h.stderr_tail()}")
            time.sleep(0.05)
    return Cluster(nodes, redis, prefix, node_timeout, grace)


# Clients ----------------------------------------------------------------------------
class ClusterPool(Pool):
    """A Pool whose clients connect to a chosen node (its .node and .node_id are set)."""

    def __init__(self, cluster, **connect_defaults):
        super().__init__(cluster.nodes[0], **connect_defaults)
        self.cluster = cluster

    async def client(self, label="c", node=None, url=None, **connect_kw):
        node = node or self.cluster.nodes[0]
        c = HubClient(url or node.ws_url, f"{label}@{node.node_id[-1]}")
        c.node, c.node_id = node, node.node_id
        self.clients.append(c)
        try:
            return await c.connect(**{**self.connect_defaults, **connect_kw})
        except AssertionError:
            raise
        except Exception as e:  # noqa: BLE001
            raise AssertionError(f"{c.label}: cannot connect to {node.node_id} "
                                 f"({node.ws_url}): {e!r}") from None

    async def member(self, sid, label, node, observers=(), **kw):
        """Connect to `node` and join `sid`; wait until every observer (on any node) has
        seen the participantJoined with the joined seq and the same participant."""
        return await super().member(sid, label, observers, node=node, **kw)

    async def resume(self, old, label, node, token=None, resume_token=None, last_seq=None,
                     pid=None, carry=True, timeout=hubtools.DEFAULT_TIMEOUT):
        """A new socket on `node` that joins with `resume` for `old`'s participant (see
        hubpool.Pool.resume). Returns (client, reply); the reply may be an `error`."""
        c = await self.client(label, node)
        c.uid = old.uid
        if carry:
            c.resume_state_from(old)
        reply = await c.request(
            "join", timeout, token=token or hubtools.call_token(old.uid, old.session_id),
            resume={"pid": pid or old.pid, "resumeToken": resume_token or old.resume_token,
                    "lastSeq": old.seq if last_seq is None else last_seq})
        return c, reply


def roster_events(client, start):
    return [m for m in client.since(start) if m["type"] in EVENTS]


def unsolicited(client, start):
    """What arrived since `start` apart from replies to this client's own requests."""
    return [m for m in client.since(start)
            if not (m["type"] in REPLIES and m.get("requestId") in client.sent_rids)]


class Checkpoint:
    """Marks on a set of members that all agree on the session seq."""

    def __init__(self, clients):
        self.clients = list(clients)
        self.marks = marks(*self.clients)
        seqs = {c.label: c.seq for c in self.clients}
        assert len(set(seqs.values())) == 1, f"members disagree on seq: {seqs}"
        self.seq = next(iter(seqs.values()))

    def __getitem__(self, c):
        return self.marks[c]

    def events(self, c):
        return roster_events(c, self.marks[c])


async def expect_update(cp, actor_pid, field, value, by=None, seq=None, clients=None):
    """Every member of checkpoint `cp` receives participantUpdated for `actor_pid`
    changing exactly `field` to `value`, with seq cp.seq+1 (or `seq`), and no other
    roster event since the checkpoint. Returns the events."""
    clients = clients or cp.clients
    want_seq = cp.seq + 1 if seq is None else seq
    evs = await wait_all(clients, "participantUpdated", actor_pid, cp.marks)
    for c, ev in zip(clients, evs):
        assert ev["seq"] == want_seq, f"{c.label}: expected seq {want_seq}: {ev}"
        assert ev["changed"] == [field], f"{c.label}: {ev}"
        assert ev["participant"][field] is value, f"{c.label}: {ev}"
        if by is None:
            assert ev.get("by") is None, f"{c.label}: unexpected `by`: {ev}"
        else:
            assert ev.get("by") == by, f"{c.label}: `by` should be {by}: {ev}"
        assert cp.events(c) == [ev], \
            f"{c.label}: expected only that update since the checkpoint, got {cp.events(c)}"
    return evs


async def change(clients, actor, action, cp=None):
    """`actor` makes a state change that does change its state: it gets `ack`, and
    every member (on any node) sees the update with the next seq and nothing else."""
    field, value = ACTION_FIELD[action]
    assert actor.roster[actor.pid][field] is not value, \
        f"test bug: {actor.label} {action} would not change anything"
    cp = cp or Checkpoint(clients)
    await actor.act(action)
    return await expect_update(cp, actor.pid, field, value)


def saw_nothing_of(client, start, pid):
    """No join or leave for `pid` in what `client` received since `start`."""
    bad = [m for m in client.since(start) if m["type"] in ("participantJoined", "participantLeft")
           and (m.get("participant") or {}).get("pid") == pid]
    assert bad == [], f"{client.label} saw {pid} leave or join: {bad}"


def arrival(client, msg):
    """time.monotonic() at which `msg` (an object from client.messages) arrived."""
    for i, m in enumerate(client.messages):
        if m is msg:
            return client.times[i]
    raise AssertionError(f"{client.label}: message not found: {msg}")


def dumps(obj):
    return json.dumps(obj, sort_keys=True)
