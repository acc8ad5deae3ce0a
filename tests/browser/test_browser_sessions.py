"""Three participants in session A (spread over two chromium instances) and one in
session B: every tab's tiles equal the hub's roster, a change reaches exactly the tabs of
its session, a muted start shows muted from the first frame, a closed tab's tile goes
after the grace period, and a screenshot of the page with three participants."""
import time

import pytest

from hub import GRACE_PERIOD
from pagekit import Tab, hub_states, new_session_id, wait_for, wait_tiles_match_hub

# Records every value the data-audio-muted attribute of any tile in #call ever takes
# (tiles as they are added, and every later change with its old value).
OBSERVE_MUTE_JS = """
window.__muteRecords = [];
const record = (tile, old) => window.__muteRecords.push(
    {uid: tile.dataset.uid, value: tile.getAttribute('data-audio-muted'), old});
new MutationObserver((mutations) => {
    for (const m of mutations) {
        if (m.type === 'childList') {
            for (const n of m.addedNodes) {
                if (n.nodeType !== 1) continue;
                for (const t of n.matches('.sh-tile') ? [n] : n.querySelectorAll('.sh-tile')) record(t, 'added');
            }
        } else if (m.target.matches('.sh-tile')) record(m.target, m.oldValue);
    }
}).observe(document.getElementById('call'),
    {subtree: true, childList: true, attributes: true, attributeFilter: ['data-audio-muted'], attributeOldValue: true});
"""


@pytest.fixture(scope="module")
def call(hub, browsers):
    a, b = new_session_id("A"), new_session_id("B")
    tabs = {
        "A1": Tab(browsers("one"), hub.base, "A1"),
        "A2": Tab(browsers("one"), hub.base, "A2"),
        "A3": Tab(browsers("two"), hub.base, "A3"),
        "B1": Tab(browsers("two"), hub.base, "B1"),
    }
    try:
        tabs["A1"].join("ada", "Ada Lovelace", a, role="moderator")
        tabs["A2"].join("grace", "Grace Hopper", a, layout="TILE")
        tabs["B1"].join("linus", "Linus Torvalds", b)
        # Watch from the first frame, in the others and in A3 itself, before A3 joins muted.
        tabs["A1"].js(OBSERVE_MUTE_JS)
        tabs["A2"].js(OBSERVE_MUTE_JS)
        tabs["A3"].open(uid="alan", name="Alan Turing", session=a, startAudioMuted="1")
        tabs["A3"].js(OBSERVE_MUTE_JS)
        tabs["A3"].click("#join")
        tabs["A3"].wait_status("joined")
        yield {"a": a, "b": b, **tabs}
    finally:
        for tab in tabs.values():
            tab.close()


def a_tabs(call, names=("A1", "A2", "A3")):
    return [call[n] for n in names]


def test_every_tile_set_equals_the_hub_roster(hub, call):
    wait_tiles_match_hub(hub, call["a"], a_tabs(call), count=3)
    wait_tiles_match_hub(hub, call["b"], [call["B1"]], count=1)
    # The SDK's roster is in the hub's join order too.
    hub_order = [p["pid"] for p in hub.roster(call["a"])]
    for tab in a_tabs(call):
        assert [p["pid"] for p in tab.js("return window.__signalhub.roster().participants;")] == hub_order
    assert {t["uid"] for t in call["B1"].tiles()} == {"linus"}
    # Exactly one tile is ours in each tab.
    for tab in [*a_tabs(call), call["B1"]]:
        assert [t["self"] for t in tab.tiles()].count("true") == 1, tab


def test_starting_muted_shows_muted_from_the_first_frame(hub, call):
    wait_tiles_match_hub(hub, call["a"], a_tabs(call), count=3)
    for tab in a_tabs(call):
        seen = [r for r in tab.js("return window.__muteRecords;") if r["uid"] == "alan"]
        assert seen, f"{tab}: no tile for alan was ever drawn"
        assert all(r["value"] == "true" and r["old"] in ("added", "true") for r in seen), (tab, seen)
        assert not [e for e in tab.events() if e["event"] == "onParticipantAudioUnmuted" and e.get("uid") == "alan"]
    alan = next(p for p in hub.roster(call["a"]) if p["uid"] == "alan")
    assert alan["isAudioMuted"] is True
    # The microphone itself is off, not only the indicator.
    audio = [t for t in call["A3"].js("return SignalHubCalls.debug.localTracks();") if t["kind"] == "audio"]
    assert audio and not any(t["enabled"] for t in audio), audio


def test_a_change_in_one_tab_shows_in_its_session_and_not_in_session_b(hub, call):
    wait_tiles_match_hub(hub, call["b"], [call["B1"]], count=1)
    b_before = hub_states(hub.roster(call["b"]))
    b_events_before = len(call["B1"].events())
    a_uids = {"ada", "grace", "alan"}

    call["A1"].click('#call [data-action="toggle-audio"]')
    wait_for(lambda: all(t["audioMuted"] == "true" for tab in a_tabs(call) for t in tab.tiles() if t["uid"] == "ada"),
             message="ada's mute did not reach every tab of session A")
    call["A2"].click('#call [data-action="toggle-hand"]')
    call["A3"].click('#call [data-action="toggle-video"]')
    wait_tiles_match_hub(hub, call["a"], a_tabs(call), count=3)
    states = {p["uid"]: p for p in hub.roster(call["a"])}
    assert states["ada"]["isAudioMuted"] and states["grace"]["isHandRaised"] and states["alan"]["isVideoPaused"]
    for tab in a_tabs(call):
        assert any(e["event"] == "onParticipantAudioMuted" and e.get("uid") == "ada" for e in tab.events()), tab

    # Session B saw nothing of it.
    assert call["B1"].tile_states() == b_before == hub_states(hub.roster(call["b"]))
    b_events = call["B1"].events()
    assert len(b_events) == b_events_before, b_events[b_events_before:]
    assert not [e for e in b_events if e.get("uid") in a_uids]


def test_screenshot_with_three_participants(hub, call, out_dir):
    a1 = call["A1"]
    wait_tiles_match_hub(hub, call["a"], [a1], count=3)
    # Wait for the pictures: every remote tile whose video is on is playing frames.
    wait_for(lambda: a1.js("""
        const tiles = [...document.querySelectorAll('#call .sh-tile[data-self="false"][data-video-paused="false"]')];
        return tiles.length > 0 && tiles.every((t) => t.querySelector('video').videoWidth > 0);"""),
        message="remote video never played in A1")
    path = out_dir / "three-participants.png"
    a1.focus()
    assert a1.driver.save_screenshot(str(path))
    assert path.stat().st_size > 20_000, path.stat().st_size


def test_closing_a_tab_removes_its_tile_after_the_grace_period(hub, call):
    wait_tiles_match_hub(hub, call["a"], a_tabs(call), count=3)
    alan = next(t["pid"] for t in call["A1"].tiles() if t["uid"] == "alan")
    closed_at = time.monotonic()
    call["A3"].close()
    wait_for(lambda: all(alan not in {t["pid"] for t in tab.tiles()} for tab in a_tabs(call, ("A1", "A2"))),
             timeout=GRACE_PERIOD + 10, message="alan's tile never went away")
    elapsed = time.monotonic() - closed_at
    assert elapsed >= GRACE_PERIOD * 0.9, f"the tile went after {elapsed:.2f}s, before the grace period"
    wait_tiles_match_hub(hub, call["a"], a_tabs(call, ("A1", "A2")), count=2)
    for tab in a_tabs(call, ("A1", "A2")):
        left = [e for e in tab.events() if e["event"] == "onParticipantLeft" and e.get("pid") == alan]
        assert [e.get("reason") for e in left] == ["disconnected"], left
