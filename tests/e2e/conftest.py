"""Fixtures: start a real signalhub process on --port 0 and stop it at teardown.

The binary comes from $SIGNALHUB_BIN (default /work/main/.build/debug/signalhub).
Each hub's stderr is kept in /work/main/test-output/<name>-<time>.stderr.log.
"""
import asyncio
import os
import queue
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

import hubtools
from hubtools import SECRET

BIN = os.environ.get("SIGNALHUB_BIN", "/work/main/.build/debug/signalhub")
OUT_DIR = Path(os.environ.get("SIGNALHUB_TEST_OUTPUT", "/work/main/test-output"))
LOG_LEVEL = os.environ.get("SIGNALHUB_LOG_LEVEL", "debug")
LISTEN_RE = re.compile(r"signalhub listening on (https?)://127\.0\.0\.1:(\d+)")
START_TIMEOUT = 10.0


def flag_args(flags):
    """Keyword arguments as `serve` flags: rate_limit=0 -> --rate-limit 0, echo=True ->
    --echo (False/None: left out), allowed_origin=[a, b] -> --allowed-origin a
    --allowed-origin b."""
    args = []
    for key, value in flags.items():
        flag = "--" + key.replace("_", "-")
        if value is None or value is False:
            continue
        if value is True:
            args.append(flag)
        elif isinstance(value, (list, tuple)):
            for v in value:
                args += [flag, str(v)]
        else:
            args += [flag, str(value)]
    return args


class HubProcess:
    def __init__(self, name, dev=True, grace=0.3, join_timeout=10, max_message_size=65536,
                 max_participants=50, extra=(), ssl_context=None, **flags):
        """`flags` are further `serve` flags (see flag_args), e.g. ping_interval=1,
        rate_limit=0, max_queued_bytes=65536, allowed_origin=[...], echo=True,
        tls_cert=path, tls_key=path (then pass ssl_context to trust the certificate)."""
        self.name = name
        self.args = [BIN, "serve", "--host", "127.0.0.1", "--port", "0",
                     "--grace-period", str(grace), "--join-timeout", str(join_timeout),
                     "--max-message-size", str(max_message_size),
                     "--max-participants", str(max_participants), "--log-level", LOG_LEVEL,
                     *flag_args(flags), *extra]
        if dev:
            self.args.insert(6, "--dev")
        self.ssl_context = ssl_context
        self.proc = None
        self.port = None
        self.stdout_lines = []  # every stdout line after the first
        self._lines = queue.Queue()

    def start(self):
        if not os.access(BIN, os.X_OK):
            pytest.fail(f"signalhub binary not found or not executable: {BIN}")
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", self.name)
        self.log_path = OUT_DIR / f"{safe}-{time.strftime('%H%M%S')}-{os.getpid()}.stderr.log"
        self._log = open(self.log_path, "wb")
        env = dict(os.environ, SIGNALHUB_SECRET=SECRET)
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=self._log,
                                     stdin=subprocess.DEVNULL, env=env)
        self._pump_thread = threading.Thread(target=self._pump, daemon=True)
        self._pump_thread.start()
        try:
            first = self._lines.get(timeout=START_TIMEOUT)
        except queue.Empty:
            first = None
        if first is None:
            self.stop()
            pytest.fail(f"hub {self.name} did not announce its port within {START_TIMEOUT}s "
                        f"(exit {self.proc.returncode}); args {self.args}; stderr tail:\n"
                        f"{self.stderr_tail()}")
        m = LISTEN_RE.fullmatch(first.rstrip("\r\n"))
        if not m:
            self.stop()
            pytest.fail(f"hub {self.name}: first stdout line is {first!r}, expected "
                        f"'signalhub listening on http(s)://127.0.0.1:PORT'")
        self.scheme, self.port = m.group(1), int(m.group(2))
        self.base = f"{self.scheme}://127.0.0.1:{self.port}"
        self.ws_url = f"{'wss' if self.scheme == 'https' else 'ws'}://127.0.0.1:{self.port}/v1/signal"
        self.admin = hubtools.admin_token()
        return self

    def _pump(self):
        first = True
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace")
            if first:
                self._lines.put(line)
                first = False
            else:
                self.stdout_lines.append(line)
        if first:
            self._lines.put(None)

    @property
    def pid(self):
        """The hub's process id (for /proc/<pid>/status)."""
        return self.proc.pid

    def rss_kb(self):
        """The hub's resident set size (VmRSS) in KiB."""
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise AssertionError(f"no VmRSS in /proc/{self.pid}/status")

    def metrics(self):
        """GET /metrics as {sample name with labels: value}."""
        resp = self.http("GET", "/metrics")
        assert resp.status == 200, resp
        return hubtools.parse_metrics(resp.text)

    async def ametrics(self):
        return await asyncio.to_thread(self.metrics)

    def stderr_tail(self, n=4000):
        try:
            self._log.flush()
            return self.log_path.read_bytes()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self, timeout=5.0):
        """SIGTERM, then SIGKILL if it does not exit. Returns the exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
        self._pump_thread.join(2)
        self._log.close()
        return self.proc.returncode

    # HTTP helpers ---------------------------------------------------------
    def http(self, method, path, **kw):
        return hubtools.http(self.base, method, path, context=self.ssl_context, **kw)

    def admin_http(self, method, path, **kw):
        return self.http(method, path, token=self.admin, **kw)

    async def ahttp(self, method, path, **kw):
        return await asyncio.to_thread(self.http, method, path, **kw)

    async def aadmin(self, method, path, **kw):
        return await asyncio.to_thread(self.http, method, path, token=self.admin, **kw)


@pytest.fixture(scope="module")
def hub(request):
    """A fresh dev-mode hub per test module: grace period 0.3 s, defaults otherwise."""
    h = HubProcess(request.module.__name__).start()
    yield h
    h.stop()


@pytest.fixture
def hub_factory(request):
    """Start extra hubs with custom flags; all are stopped at the end of the test."""
    started = []

    def make(**kw):
        h = HubProcess(f"{request.node.name}-{len(started)}", **kw)
        started.append(h)
        return h.start()
    yield make
    for h in started:
        h.stop()
