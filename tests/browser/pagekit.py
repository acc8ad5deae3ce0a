"""Driving the test page: one Tab per participant (a window in one of the browsers),
reading tiles from their data attributes, and polling waits on DOM state."""
import uuid
from urllib.parse import urlencode

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

DEFAULT_TIMEOUT = 15.0
FLAGS = (("audioMuted", "isAudioMuted"), ("videoPaused", "isVideoPaused"), ("handRaised", "isHandRaised"))

# The dataset of every tile in the call container.
TILES_JS = "return [...document.querySelectorAll('#call .sh-tile')].map((t) => ({...t.dataset}));"
# Runs an async function body with the given arguments; resolves to its result.
ASYNC_WRAPPER = """
const done = arguments[arguments.length - 1];
const args = Array.from(arguments).slice(0, -1);
(async (...args) => { %s })(...args).then(
    (value) => done({ value: value === undefined ? null : value }),
    (err) => done({ thrown: String(err && err.stack || err) }));
"""


def new_session_id(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def wait_for(condition, timeout=DEFAULT_TIMEOUT, message="condition not met", driver=None):
    """Poll `condition` (every 0.1 s) until it returns a truthy value, which is returned."""
    last = {}

    def probe(_):
        last["value"] = condition()
        return last["value"]
    try:
        return WebDriverWait(driver or object(), timeout, poll_frequency=0.1).until(probe)
    except TimeoutException:
        text = message() if callable(message) else message
        raise AssertionError(f"{text} within {timeout}s; last value: {last.get('value')!r}") from None


class Tab:
    def __init__(self, browser, base_url, label):
        self.browser = browser
        self.driver = browser.driver
        self.base_url = base_url
        self.label = label
        self.handle = browser.new_window()
        self.closed = False

    def __repr__(self):
        return f"<Tab {self.label}>"

    def focus(self):
        if self.driver.current_window_handle != self.handle:
            self.driver.switch_to.window(self.handle)

    def open(self, **params):
        self.focus()
        query = f"?{urlencode(params)}" if params else ""
        self.driver.get(f"{self.base_url}/{query}")
        wait_for(lambda: self.js("return !!window.SignalHubCalls && !!window.__signalhub"),
                 message=f"{self.label}: the SDK did not load")
        return self

    def js(self, script, *args):
        self.focus()
        return self.driver.execute_script(script, *args)

    def run_async(self, body, *args):
        """Run an async JS function body in the page and return its result; raise if it threw."""
        self.focus()
        out = self.driver.execute_async_script(ASYNC_WRAPPER % body, *args)
        if "thrown" in out:
            raise AssertionError(f"{self.label}: script threw: {out['thrown']}")
        return out["value"]

    def join(self, uid, name, session, wait=True, **settings):
        """Fill the page's form (through query parameters) and press Join."""
        params = {"uid": uid, "name": name, "session": session}
        for key, value in settings.items():
            params[key] = ("1" if value else "0") if isinstance(value, bool) else value
        self.open(**params)
        self.driver.find_element(By.ID, "join").click()
        if wait:
            self.wait_status("joined")
        return self

    def status(self):
        return self.js("const s = document.getElementById('status');"
                       "return {state: s.dataset.state, code: s.dataset.errorCode || '', text: s.textContent};")

    def wait_status(self, state, timeout=DEFAULT_TIMEOUT):
        return wait_for(lambda: (lambda s: s if s["state"] == state else None)(self.status()),
                        timeout, lambda: f"{self.label}: status never became {state!r} (now {self.status()!r})")

    def tiles(self):
        return self.js(TILES_JS)

    def tile_states(self):
        """{(pid, uid, isAudioMuted, isVideoPaused, isHandRaised)} as the tiles show them."""
        return {(t["pid"], t["uid"], *(t[attr] == "true" for attr, _ in FLAGS)) for t in self.tiles()}

    def self_pid(self):
        return self.js("const r = window.__signalhub.roster(); return r && r.pid;")

    def click(self, css):
        self.focus()
        self.driver.find_element(By.CSS_SELECTOR, css).click()

    def events(self):
        return self.js("return window.__signalhub.events;")

    def close(self):
        """Close the window as a user closing the tab would: no leave, the socket just goes."""
        if self.closed:
            return
        self.closed = True
        self.browser.collect_console()
        self.focus()
        self.driver.close()
        self.driver.switch_to.window(self.browser.home)


def hub_states(participants):
    return {(p["pid"], p["uid"], p["isAudioMuted"], p["isVideoPaused"], p["isHandRaised"]) for p in participants}


def wait_tiles_match_hub(hub, session_id, tabs, count=None, timeout=DEFAULT_TIMEOUT):
    """Wait until every tab's tiles equal the hub's GET /v1/sessions/{id} roster."""
    def matches():
        expected = hub_states(hub.roster(session_id))
        if count is not None and len(expected) != count:
            return None
        return expected if all(tab.tile_states() == expected for tab in tabs) else None
    return wait_for(matches, timeout, lambda: f"tiles of {tabs} never matched the hub roster of {session_id}: "
                    f"hub={hub_states(hub.roster(session_id))} tiles={[t.tile_states() for t in tabs]}")
