"""Real media through the hub's `signal` relay: two participants in different chromium
instances reach a connected RTCPeerConnection with live remote tracks (fake camera and
microphone), and a VOICE session carries audio only."""
from pagekit import new_session_id, wait_for

REMOTE_VIDEO_JS = """
return [...document.querySelectorAll('#call .sh-tile[data-self="false"] video')]
    .map((v) => ({width: v.videoWidth, height: v.videoHeight, paused: v.paused,
                  tracks: v.srcObject ? v.srcObject.getTracks().map((t) => t.kind + ':' + t.readyState) : []}));
"""


def peer_states(tab):
    return tab.js("return window.__signalhub.peerStates();")


def connected_peer(tab, kinds):
    """The single peer's state once it is connected with a live remote track of each kind."""
    peers = peer_states(tab)
    if len(peers) != 1:
        return None
    (state,) = peers.values()
    live = {t["kind"] for t in state["remoteTracks"] if t["readyState"] == "live"}
    return state if state["connectionState"] == "connected" and kinds <= live else None


def test_two_tabs_see_and_hear_each_other(new_tab):
    session = new_session_id("M")
    ada = new_tab("media-ada", "one").join("m-ada", "Ada", session)
    bob = new_tab("media-bob", "two").join("m-bob", "Bob", session)
    states = {}
    for tab in (ada, bob):
        states[tab.label] = wait_for(lambda: connected_peer(tab, {"audio", "video"}), timeout=20,
                                     message=lambda: f"{tab.label}: no connected peer with live audio and video: {peer_states(tab)}")
    # Exactly one side offered (no glare): the later joiner, bob.
    assert (states["media-ada"]["offerer"], states["media-bob"]["offerer"]) == (False, True)
    for tab in (ada, bob):
        videos = wait_for(lambda: [v for v in tab.js(REMOTE_VIDEO_JS) if v["width"] > 0 and not v["paused"]],
                          message=lambda: f"{tab.label}: the remote <video> shows no frames: {tab.js(REMOTE_VIDEO_JS)}")
        assert "video:live" in videos[0]["tracks"] and "audio:live" in videos[0]["tracks"], videos
        assert all(t["readyState"] == "live" for t in tab.js("return SignalHubCalls.debug.localTracks();"))
        # The tile shows the peer connection's state too.
        assert [t.get("peerState") for t in tab.tiles() if t["self"] == "false"] == ["connected"]


def test_voice_session_is_audio_only(new_tab):
    session = new_session_id("V")
    ada = new_tab("voice-ada", "one").join("v-ada", "Ada", session, sessionType="VOICE")
    bob = new_tab("voice-bob", "two").join("v-bob", "Bob", session, sessionType="VOICE")
    for tab in (ada, bob):
        state = wait_for(lambda: connected_peer(tab, {"audio"}), timeout=20,
                         message=lambda: f"{tab.label}: no connected audio peer: {peer_states(tab)}")
        assert {t["kind"] for t in state["remoteTracks"]} == {"audio"}, state
        assert [t["kind"] for t in tab.js("return SignalHubCalls.debug.localTracks();")] == ["audio"]
        tiles = tab.tiles()
        assert len(tiles) == 2 and all(t["sessionType"] == "VOICE" and t["videoPaused"] == "true" for t in tiles), tiles
        assert tab.js("return document.querySelector('#call [data-action=\"toggle-video\"]').disabled;")
