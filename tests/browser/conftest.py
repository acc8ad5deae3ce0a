"""Fixtures of the browser suite: one hub (grace period 1 s) and two headless chromium
instances for the whole run; tabs are windows in them, each an independent participant.
Output (hub log, chromedriver logs, browser consoles, screenshots) goes to
test-output/browser/."""
import signal
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[0] / "e2e"))  # hubtools: secret, admin token, HTTP

from chromium import Browser  # noqa: E402
from hub import GRACE_PERIOD, REPO, Hub  # noqa: E402
from pagekit import Tab  # noqa: E402

OUT_DIR = REPO / "test-output" / "browser"


def _terminate(signum, frame):
    # `timeout` sends SIGTERM: unwind like Ctrl-C so fixtures quit every chromium.
    raise KeyboardInterrupt(f"signal {signum}")


signal.signal(signal.SIGTERM, _terminate)


@pytest.fixture(scope="session")
def out_dir():
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    return OUT_DIR


@pytest.fixture(scope="session")
def hub(out_dir):
    h = Hub(out_dir, grace=GRACE_PERIOD).start()
    yield h
    h.stop()


@pytest.fixture(scope="session")
def browsers(out_dir):
    """browsers("one") / browsers("two"): started on first use, quit at the end."""
    started = {}

    def get(name):
        if name not in started:
            started[name] = Browser(name, out_dir)
        return started[name]
    yield get
    for browser in started.values():
        browser.quit()


@pytest.fixture
def new_tab(hub, browsers):
    """new_tab(label, browser="one", on=hub): a fresh window on the test page of a hub;
    closed after the test."""
    tabs = []

    def make(label, browser="one", on=None):
        tab = Tab(browsers(browser), (on or hub).base, label)
        tabs.append(tab)
        return tab
    yield make
    for tab in tabs:
        tab.close()

