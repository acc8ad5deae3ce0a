"""Issue test 6: admin HTTP API, dev login, health, metrics and static files
(PROTOCOL.md section 2)."""
import re

import pytest

import hubtools as ht
from hubclient import marks
from hubpool import Pool, assert_matches_hub, run, wait_all

BAD_ADMIN = [
    ("no token", None, "ERROR_AUTH_TOKEN_MISSING"),
    ("garbage", "garbage", "ERROR_AUTH_TOKEN_INVALID"),
    ("other secret", ht.admin_token(secret=ht.OTHER_SECRET), "ERROR_AUTH_TOKEN_INVALID"),
    ("auth token", ht.auth_token("someone"), "ERROR_AUTH_TOKEN_INVALID"),
    ("alg none", ht.alg_none(ht.admin_claims()), "ERROR_AUTH_TOKEN_INVALID"),
    ("expired", ht.forge(ht.expired(ht.admin_claims())), "ERROR_TOKEN_EXPIRED"),
]
ADMIN_CALLS = [("GET", "/v1/sessions"), ("GET", "/v1/sessions/{sid}"),
               ("DELETE", "/v1/sessions/{sid}"), ("DELETE", "/v1/sessions/{sid}/participants/{pid}"),
               ("POST", "/v1/sessions/{sid}/participants/{pid}/mute")]


@pytest.mark.parametrize("label,token,code", BAD_ADMIN, ids=[b[0] for b in BAD_ADMIN])
def test_admin_endpoints_refuse_bad_tokens(hub, label, token, code):
    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("adm")
            a = await pool.member(sid, "a")
            b = await pool.member(sid, "b", observers=[a])
            m = marks(a, b)
            for method, path in ADMIN_CALLS:
                r = await hub.ahttp(method, path.format(sid=sid, pid=b.pid), token=token)
                assert r.status == 401, (label, method, path, r)
                assert r.error_code() == code, (label, method, path, r)
            for c in (a, b):  # nothing happened to the session
                await c.assert_quiet(m[c])
            await assert_matches_hub(hub, sid, [a, b])
    run(main())


def test_admin_list_get_mute_remove_delete(hub):
    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("adm")
            a = await pool.member(sid, "a", avatar="https://a.test/a.png")
            b = await pool.member(sid, "b", observers=[a])
            c = await pool.member(sid, "c", observers=[a, b])
            everyone = [a, b, c]

            r = await hub.aadmin("GET", "/v1/sessions")
            assert r.status == 200, r
            mine = [s for s in r.json()["sessions"] if s["sessionId"] == sid]
            assert len(mine) == 1, r.json()
            assert (mine[0]["participantCount"], mine[0]["seq"]) == (3, a.seq), mine
            body = await assert_matches_hub(hub, sid, everyone)
            assert [p["pid"] for p in c.joined_msg["participants"]] == [a.pid, b.pid, c.pid]
            assert body["participants"][0]["avatar"] == "https://a.test/a.png"

            # 404s
            for method, path, code in (
                    ("GET", "/v1/sessions/nope-{sid}", "ERROR_SESSION_NOT_FOUND"),
                    ("DELETE", "/v1/sessions/nope-{sid}", "ERROR_SESSION_NOT_FOUND"),
                    ("POST", "/v1/sessions/nope-{sid}/participants/{pid}/mute",
                     "ERROR_SESSION_NOT_FOUND"),
                    ("DELETE", "/v1/sessions/nope-{sid}/participants/{pid}",
                     "ERROR_SESSION_NOT_FOUND"),
                    ("POST", "/v1/sessions/{sid}/participants/nobody/mute",
                     "ERROR_PARTICIPANT_NOT_FOUND"),
                    ("DELETE", "/v1/sessions/{sid}/participants/nobody",
                     "ERROR_PARTICIPANT_NOT_FOUND")):
                r = await hub.aadmin(method, path.format(sid=sid, pid=a.pid))
                assert r.status == 404, (method, path, r)
                if "nope-" in path and "participants" in path:  # either reading is fair
                    assert r.error_code() in (code, "ERROR_PARTICIPANT_NOT_FOUND"), r
                else:
                    assert r.error_code() == code, (method, path, r)

            # forced mute, fanned out as participantUpdated
            m = marks(*everyone)
            r = await hub.aadmin("POST", f"/v1/sessions/{sid}/participants/{b.pid}/mute")
            assert r.status == 204 and r.body == b"", r
            evs = await wait_all(everyone, "participantUpdated", b.pid, m)
            assert evs[0]["changed"] == ["isAudioMuted"], evs[0]
            assert evs[0]["participant"]["isAudioMuted"] is True
            assert len({e["seq"] for e in evs}) == 1
            await assert_matches_hub(hub, sid, everyone)

            # remove one participant: close 4002, the others see reason removed
            m = marks(*everyone)
            r = await hub.aadmin("DELETE", f"/v1/sessions/{sid}/participants/{c.pid}")
            assert r.status == 204, r
            assert await c.wait_closed() == 4002
            await wait_all([a, b], "participantLeft", c.pid, m, reason="removed")
            await assert_matches_hub(hub, sid, [a, b])
            r = await hub.aadmin("DELETE", f"/v1/sessions/{sid}/participants/{c.pid}")
            assert r.status == 404 and r.error_code() == "ERROR_PARTICIPANT_NOT_FOUND", r

            # delete the session: sessionEnded(endedByAdmin) then close 4003
            m = marks(a, b)
            r = await hub.aadmin("DELETE", f"/v1/sessions/{sid}")
            assert r.status == 204, r
            for x in (a, b):
                ended = await x.wait_event("sessionEnded", start=m[x])
                assert ended["sessionId"] == sid and ended["reason"] == "endedByAdmin", ended
                assert await x.wait_closed() == 4003
            r = await hub.aadmin("GET", f"/v1/sessions/{sid}")
            assert r.status == 404 and r.error_code() == "ERROR_SESSION_NOT_FOUND", r
            r = await hub.aadmin("DELETE", f"/v1/sessions/{sid}")
            assert r.status == 404, r
            listing = (await hub.aadmin("GET", "/v1/sessions")).json()["sessions"]
            assert sid not in [s["sessionId"] for s in listing]
    run(main())


def test_dev_login_flow(hub):
    uid = ht.new_uid("dev")
    r = hub.http("POST", "/v1/dev/login", body={"uid": uid, "name": "Dev User"})
    assert r.status == 200, r
    body = r.json()
    assert body["uid"] == uid and isinstance(body["expiresAt"], int), body
    claims = ht.decode(body["authToken"], ht.AUD_AUTH)
    assert claims["sub"] == uid and claims["name"] == "Dev User"
    assert claims["exp"] == body["expiresAt"]
    sid = ht.new_sid("dev")
    r = hub.http("POST", "/v1/calls/tokens", body={"sessionId": sid}, token=body["authToken"])
    assert r.status == 200, r

    async def main():
        async with Pool(hub) as pool:
            c = await pool.client("dev")
            joined = await c.join(r.json()["token"])
            assert joined["sessionId"] == sid and joined["self"]["uid"] == uid
            assert joined["self"]["name"] == "Dev User" and joined["self"]["role"] == "participant"
    run(main())
    for bad in ({"name": "x"}, {"uid": "", "name": "x"}, {"uid": "u" * 129, "name": "x"},
                {"uid": 5, "name": "x"}, [uid]):
        r = hub.http("POST", "/v1/dev/login", body=bad)
        assert r.status == 400 and r.error_code() == "VALIDATION_ERROR", (bad, r)
    r = hub.http("POST", "/v1/dev/login", raw=b"{nope")
    assert r.status == 400 and r.error_code() == "VALIDATION_ERROR", r


def test_dev_login_absent_without_dev(hub_factory):
    prod = hub_factory(dev=False)
    r = prod.http("POST", "/v1/dev/login", body={"uid": "someone", "name": "X"})
    assert r.status == 404, r
    # the rest of the API is there
    assert prod.http("GET", "/healthz").status == 200
    assert prod.admin_http("GET", "/v1/sessions").status == 200


def test_health_metrics_static(hub):
    r = hub.http("GET", "/healthz")
    assert r.status == 200 and r.json() == {"status": "ok"}, r

    r = hub.http("GET", "/metrics")
    assert r.status == 200, r
    assert r.headers.get("Content-Type", "").startswith("text/plain"), r.headers
    sample = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? "
                        r"([-+]?[0-9.eE+-]+|[-+]?Inf|NaN)( -?[0-9]+)?")
    samples = 0
    for line in r.text.splitlines():
        if not line.strip():
            continue
        if line.startswith("#"):
            assert re.match(r"# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* ", line) or \
                not line.startswith(("# HELP", "# TYPE")), line
            continue
        assert sample.fullmatch(line), f"not a Prometheus sample line: {line!r}"
        samples += 1
    assert samples > 0, r.text

    r = hub.http("GET", "/")
    assert r.status == 200 and "html" in r.headers.get("Content-Type", ""), r
    assert "<html" in r.text.lower() or "<!doctype html" in r.text.lower()
    r = hub.http("GET", "/no/such/file-really.txt")
    assert r.status == 404, r
