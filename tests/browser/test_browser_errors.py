"""Every client-side error code of the SDK, produced through its public API in a real
page, and checked to come before any network or device use; hub errors pass through
with the hub's code."""
import pytest
from selenium.webdriver.common.by import By

from pagekit import new_session_id

# Counts every fetch, WebSocket and getUserMedia the page makes from now on.
COUNT_NETWORK_JS = """
const net = window.__net = {fetch: 0, ws: 0, media: 0};
const realFetch = window.fetch;
window.fetch = (...a) => { net.fetch++; return realFetch(...a); };
const RealWebSocket = window.WebSocket;
window.WebSocket = class extends RealWebSocket { constructor(...a) { super(...a); net.ws++; } };
const md = navigator.mediaDevices, realGum = md.getUserMedia.bind(md);
md.getUserMedia = (c) => { net.media++; return realGum(c); };
"""
# Runs `call` (an async expression using S = SignalHubCalls) and reports the error code
# it rejected with, or the {data, error} it resolved to.
OUTCOME_JS = """
const S = window.SignalHubCalls;
const container = document.getElementById('call');
try {
    const value = await (%s);
    return {resolved: value};
} catch (err) {
    return {rejected: err.code || String(err)};
}
"""


def outcome(tab, call):
    return tab.run_async(OUTCOME_JS % call)


def code_of(result):
    """The error code: from a rejection, or from a {data, error} result."""
    if "rejected" in result:
        return result["rejected"]
    value = result["resolved"]
    return value["error"]["code"] if isinstance(value, dict) and value.get("error") else None


@pytest.fixture
def page(new_tab):
    tab = new_tab("errors").open()
    tab.js(COUNT_NETWORK_JS)
    return tab


def net(tab):
    return tab.js("return window.__net;")


def test_sdk_not_initialized(page):
    for call in ("S.login('u1', 'U One')", "S.loginWithAuthToken('a.b.c')", "S.generateToken('room')"):
        assert code_of(outcome(page, call)) == "ERROR_SDK_NOT_INITIALIZED", call
    joined = outcome(page, "S.joinSession('token', {}, container)")
    assert joined == {"resolved": {"data": None, "error": joined["resolved"]["error"]}}, joined  # resolved, never thrown
    assert code_of(joined) == "ERROR_SDK_NOT_INITIALIZED"
    assert net(page) == {"fetch": 0, "ws": 0, "media": 0}


def test_auth_token_missing(page):
    outcome(page, "S.init()")
    assert code_of(outcome(page, "S.generateToken('room')")) == "ERROR_AUTH_TOKEN_MISSING"
    assert code_of(outcome(page, "S.loginWithAuthToken('')")) == "ERROR_AUTH_TOKEN_MISSING"
    assert code_of(outcome(page, "S.joinSession('', {}, container)")) == "ERROR_AUTH_TOKEN_MISSING"
    assert code_of(outcome(page, "S.joinSession(undefined, {}, container)")) == "ERROR_AUTH_TOKEN_MISSING"
    assert net(page) == {"fetch": 0, "ws": 0, "media": 0}


def test_session_id_missing(page):
    outcome(page, "S.init()")
    assert outcome(page, "S.login('u2', 'U Two').then((u) => u.uid)") == {"resolved": "u2"}
    fetches = net(page)["fetch"]
    for call in ("S.generateToken('')", "S.generateToken(null)", "S.generateToken()"):
        assert code_of(outcome(page, call)) == "ERROR_SESSION_ID_MISSING", call
    assert net(page)["fetch"] == fetches, "a missing session ID must fail before any request"


def test_validation_error_before_any_network_use(page):
    outcome(page, "S.init()")
    outcome(page, "S.login('u3', 'U Three')")
    token = outcome(page, f"S.generateToken('{new_session_id('V')}').then((t) => t.token)")["resolved"]
    before = net(page)
    bad_joins = [
        "{sessionType: 'HOLOGRAM'}", "{sessionType: 'video'}", "{layout: 'GRID'}",
        "{startAudioMuted: 'yes'}", "{startVideoPaused: 1}", "'VIDEO'", "[]",
    ]
    for settings in bad_joins:
        call = f"S.joinSession({token!r}, {settings}, container)"
        assert code_of(outcome(page, call)) == "VALIDATION_ERROR", settings
    assert code_of(outcome(page, f"S.joinSession({token!r}, {{}}, null)")) == "VALIDATION_ERROR"
    assert code_of(outcome(page, f"S.joinSession({token!r}, {{}}, 'call')")) == "VALIDATION_ERROR"
    assert code_of(outcome(page, "S.generateToken('no spaces allowed')")) == "VALIDATION_ERROR"
    assert code_of(outcome(page, "S.setLayout('GRID')")) == "VALIDATION_ERROR"
    assert code_of(outcome(page, "S.init({hubUrl: 'ftp://example.org'})")) == "VALIDATION_ERROR"
    assert code_of(outcome(page, "S.init({iceServers: [{url: 'stun:x'}]})")) == "VALIDATION_ERROR"
    assert net(page) == before, "bad settings must fail before any fetch, socket or device use"
    assert page.tiles() == [] and page.js("return document.getElementById('call').children.length;") == 0


def test_hub_errors_pass_through_with_the_hubs_code(page):
    outcome(page, "S.init()")
    result = outcome(page, "S.joinSession('not-a-jwt', {}, container)")
    assert code_of(result) == "ERROR_AUTH_TOKEN_INVALID", result
    assert code_of(outcome(page, "S.loginWithAuthToken('x.y.z').then(() => S.generateToken('room'))")) == "ERROR_AUTH_TOKEN_INVALID"
    assert page.js("return document.getElementById('call').children.length;") == 0  # no UI left behind


def test_the_page_shows_the_error_code(new_tab):
    tab = new_tab("page-errors").open(uid="u4", name="U Four")
    tab.driver.find_element(By.ID, "sessionId").clear()
    tab.click("#join")
    assert tab.wait_status("error")["code"] == "ERROR_SESSION_ID_MISSING"
    tab.driver.find_element(By.ID, "sessionId").send_keys("bad id")
    tab.click("#join")
    assert tab.wait_status("error")["code"] == "VALIDATION_ERROR"
    assert tab.tiles() == []
