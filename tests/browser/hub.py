"""Start and stop a real signalhub for the browser tests: dev mode, port 0, a short
grace period, serving web-test-page/ at /. The hub's stderr goes to the test output."""
import os
import queue
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import hubtools  # tests/e2e/hubtools.py: the shared secret, admin tokens, HTTP

REPO = Path(__file__).resolve().parents[2]
BIN = os.environ.get("SIGNALHUB_BIN", str(REPO / ".build" / "debug" / "signalhub"))
GRACE_PERIOD = 1.0  # seconds a dropped participant stays; short, so tests of it are quick
LISTEN_RE = re.compile(r"signalhub listening on http://127\.0\.0\.1:(\d+)")


class Hub:
    def __init__(self, out_dir, grace=GRACE_PERIOD, name="hub"):
        self.name = name
        self.out_dir = Path(out_dir)
        self.grace = grace
        self.args = [BIN, "serve", "--dev", "--host", "127.0.0.1", "--port", "0",
                     "--grace-period", str(grace), "--static-dir", str(REPO / "web-test-page"),
                     "--log-level", os.environ.get("SIGNALHUB_LOG_LEVEL", "debug")]
        self.proc = None

    def start(self, timeout=10.0):
        if not os.access(BIN, os.X_OK):
            raise RuntimeError(f"signalhub binary not found or not executable: {BIN} (set SIGNALHUB_BIN)")
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.out_dir / f"{self.name}-{time.strftime('%H%M%S')}-{os.getpid()}.stderr.log"
        self._log = open(self.log_path, "wb")
        env = dict(os.environ, SIGNALHUB_SECRET=hubtools.SECRET)
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=self._log,
                                     stdin=subprocess.DEVNULL, env=env)
        lines = queue.Queue()
        threading.Thread(target=lambda: lines.put(self.proc.stdout.readline()), daemon=True).start()
        try:
            first = lines.get(timeout=timeout).decode("utf-8", "replace")
        except queue.Empty:
            first = ""
        match = LISTEN_RE.fullmatch(first.rstrip("\r\n"))
        if not match:
            self.stop()
            raise RuntimeError(f"hub did not announce its port (first line {first!r}); see {self.log_path}")
        self.port = int(match.group(1))
        self.base = f"http://127.0.0.1:{self.port}"
        self.admin = hubtools.admin_token()
        return self

    def roster(self, session_id):
        """GET /v1/sessions/{id}: the hub's participants in join order ([] when none)."""
        resp = hubtools.http(self.base, "GET", f"/v1/sessions/{session_id}", token=self.admin)
        if resp.status == 404:
            return []
        assert resp.status == 200, resp
        return resp.json()["participants"]

    def stop(self, timeout=5.0):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
        self._log.close()
