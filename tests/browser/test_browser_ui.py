"""The call UI's layouts and controls, leaving, and a dropped connection that comes back
(onConnectionLost / onConnectionRestored): resumed inside the grace period, or joined
again as a new participant when the hub has already let it go."""
import pytest

from hub import Hub
from pagekit import new_session_id, wait_for, wait_tiles_match_hub

LAYOUT_JS = """
const main = [...document.querySelectorAll('#call .sh-tile')].filter((t) => t.dataset.main === 'true');
return {container: document.getElementById('call').dataset.layout, main: main.map((t) => t.dataset.uid)};
"""


def event_names(tab):
    return [e["event"] for e in tab.events()]


def test_layouts_and_local_controls(hub, new_tab):
    session = new_session_id("L")
    ada = new_tab("layout-ada").join("l-ada", "Ada", session, layout="SIDEBAR")
    bob = new_tab("layout-bob").join("l-bob", "Bob", session)
    wait_tiles_match_hub(hub, session, [ada, bob], count=2)
    # SIDEBAR and SPOTLIGHT feature one tile: the other participant, or a raised hand.
    assert ada.js(LAYOUT_JS) == {"container": "SIDEBAR", "main": ["l-bob"]}
    assert bob.js(LAYOUT_JS) == {"container": "TILE", "main": []}
    ada.click('#call [data-action="toggle-hand"]')
    wait_for(lambda: ada.js(LAYOUT_JS)["main"] == ["l-ada"], message="a raised hand is not featured")
    ada.run_async("return SignalHubCalls.setLayout('SPOTLIGHT');")
    assert ada.js(LAYOUT_JS) == {"container": "SPOTLIGHT", "main": ["l-ada"]}
    # Toggling back and forth: every tab follows the hub, and the buttons say what they do.
    ada.click('#call [data-action="toggle-hand"]')
    bob.click('#call [data-action="toggle-video"]')
    bob.click('#call [data-action="toggle-audio"]')
    wait_for(lambda: {(t["uid"], t["handRaised"], t["videoPaused"], t["audioMuted"]) for t in ada.tiles()}
             == {("l-ada", "false", "false", "false"), ("l-bob", "false", "true", "true")},
             message=lambda: f"state changes did not arrive: {ada.tiles()}")
    wait_tiles_match_hub(hub, session, [ada, bob], count=2)
    labels = bob.js("return [...document.querySelectorAll('#call .sh-controls button')].map((b) => b.textContent);")
    assert labels == ["Unmute", "Start video", "Raise hand", "Leave"], labels
    bob.click('#call [data-action="toggle-audio"]')
    wait_for(lambda: [t["audioMuted"] for t in ada.tiles() if t["uid"] == "l-bob"] == ["false"],
             message="bob's unmute did not arrive")
    assert "onParticipantAudioUnmuted" in event_names(ada)


def test_leave_removes_the_tile_at_once(hub, new_tab):
    session = new_session_id("Q")
    ada = new_tab("leave-ada").join("q-ada", "Ada", session)
    bob = new_tab("leave-bob").join("q-bob", "Bob", session)
    wait_tiles_match_hub(hub, session, [ada, bob], count=2)
    bob.click('#call [data-action="leave"]')
    bob.wait_status("left")
    assert bob.tiles() == [] and "onSessionLeft" in event_names(bob)
    wait_tiles_match_hub(hub, session, [ada], count=1)
    left = [e for e in ada.events() if e["event"] == "onParticipantLeft"]
    assert [(e["uid"], e["reason"]) for e in left] == [("q-bob", "left")]


def test_the_same_user_in_a_second_tab_replaces_the_first(hub, new_tab):
    session = new_session_id("D")
    first = new_tab("dup-first").join("d-ada", "Ada", session)
    other = new_tab("dup-other").join("d-bob", "Bob", session)
    second = new_tab("dup-second", "two").join("d-ada", "Ada again", session)
    first.wait_status("left")
    assert [e.get("reason") for e in first.events() if e["event"] == "onSessionLeft"] == ["replaced"]
    assert first.tiles() == []
    wait_tiles_match_hub(hub, session, [other, second], count=2)
    assert {p["name"] for p in hub.roster(session)} == {"Bob", "Ada again"}


@pytest.fixture(scope="module")
def hub_without_grace(out_dir):
    """A hub that drops a participant the moment its socket goes: every resume is late."""
    h = Hub(out_dir, grace=0, name="hub-no-grace").start()
    yield h
    h.stop()


@pytest.mark.parametrize("grace", ["resume", "no-grace"])
def test_a_dropped_connection_is_restored(request, hub, new_tab, grace):
    on = hub if grace == "resume" else request.getfixturevalue("hub_without_grace")
    session = new_session_id("R")
    ada = new_tab(f"drop-ada-{grace}", "one", on=on).join("r-ada", "Ada", session)
    bob = new_tab(f"drop-bob-{grace}", "two", on=on).join("r-bob", "Bob", session)
    wait_tiles_match_hub(on, session, [ada, bob], count=2)
    bob_pid = bob.self_pid()
    bob.click('#call [data-action="toggle-hand"]')
    bob.click('#call [data-action="toggle-audio"]')
    wait_for(lambda: {(p["uid"], p["isHandRaised"], p["isAudioMuted"]) for p in on.roster(session)}
             == {("r-ada", False, False), ("r-bob", True, True)}, message="bob's state never reached the hub")
    wait_tiles_match_hub(on, session, [ada, bob], count=2)
    bob.js("SignalHubCalls.debug.dropConnection();")
    restored = wait_for(lambda: [e for e in bob.events() if e["event"] == "onConnectionRestored"],
                        message=lambda: f"bob's connection was not restored: {bob.events()}")
    assert "onConnectionLost" in event_names(bob) and "onSessionLeft" not in event_names(bob)
    # A resume keeps bob's pid and tells nobody; a late one makes him a new participant.
    assert restored[0]["resumed"] is (grace == "resume")
    assert (bob.self_pid() == bob_pid) is (grace == "resume")
    ada_saw_leave = [e for e in ada.events() if e["event"] == "onParticipantLeft"]
    assert bool(ada_saw_leave) is (grace == "no-grace"), ada_saw_leave
    # Either way both tabs end up with the hub's roster: bob once, still muted with his
    # hand up, and nobody else.
    wait_for(lambda: {(p["uid"], p["isHandRaised"], p["isAudioMuted"]) for p in on.roster(session)}
             == {("r-ada", False, False), ("r-bob", True, True)},
             message=lambda: f"bob's state did not survive the reconnect: {on.roster(session)}")
    wait_tiles_match_hub(on, session, [ada, bob], count=2)
    # Media comes back too.
    for tab in (ada, bob):
        wait_for(lambda: [s for s in tab.js("return window.__signalhub.peerStates();").values()
                          if s["connectionState"] == "connected"], timeout=20,
                 message=lambda: f"{tab.label}: no connected peer after the reconnect")
