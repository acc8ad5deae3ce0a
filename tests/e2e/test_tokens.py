"""Issue test 2: token cases on `join` and on POST /v1/calls/tokens (PROTOCOL.md 1, 2)."""
import time

import pytest

import hubtools as ht
from hubclient import assert_quiet, marks
from hubpool import Pool, assert_matches_hub, run


def bad_join_tokens(sid):
    """(label, token, expected error code) for a join to `sid`."""
    uid = ht.new_uid("bad")
    good = ht.call_claims(uid, sid)
    return [
        ("malformed garbage", "this-is-not-a-jwt", "ERROR_AUTH_TOKEN_INVALID"),
        ("malformed three parts", "abc.def.ghi", "ERROR_AUTH_TOKEN_INVALID"),
        ("bad signature", ht.forge(good, ht.OTHER_SECRET), "ERROR_AUTH_TOKEN_INVALID"),
        ("tampered payload", ht.tamper(ht.forge(good), sub="someone-else"),
         "ERROR_AUTH_TOKEN_INVALID"),
        ("auth token as call token", ht.auth_token(uid), "ERROR_AUTH_TOKEN_INVALID"),
        ("call claims with aud auth", ht.forge(dict(good, aud=ht.AUD_AUTH)),
         "ERROR_AUTH_TOKEN_INVALID"),
        ("admin token as call token", ht.admin_token(), "ERROR_AUTH_TOKEN_INVALID"),
        ("alg none", ht.alg_none(good), "ERROR_AUTH_TOKEN_INVALID"),
        ("alg HS512", ht.forge(good, alg="HS512"), "ERROR_AUTH_TOKEN_INVALID"),
        ("expired", ht.forge(ht.expired(good)), "ERROR_TOKEN_EXPIRED"),
    ]


def test_join_token_cases(hub):
    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("tok")
            a = await pool.member(sid, "a")
            b = await pool.member(sid, "b", observers=[a])
            seq = a.seq

            # no token at all
            c = await pool.client("missing")
            m = marks(a, b)
            r = await c.request("join", settings={})
            assert r["type"] == "error" and r["code"] == "ERROR_AUTH_TOKEN_MISSING", r
            assert r["requestId"].startswith("missing-"), r
            await assert_quiet(m)

            for label, token, code in bad_join_tokens(sid):
                c = await pool.client(label.replace(" ", "_"))
                m = marks(a, b)
                r = await c.request("join", token=token, settings={})
                assert r["type"] == "error", (label, r)
                assert r.get("code") == code, (label, r)
                assert isinstance(r.get("message"), str), r
                assert r.get("requestId") is not None, (label, r)
                await assert_quiet(m)
                assert not c.closed.is_set(), f"{label}: one failed join must not close"

            # claims a hub would never sign: refused (the exact code is not specified)
            refused = {"ERROR_AUTH_TOKEN_INVALID", "VALIDATION_ERROR", "ERROR_SESSION_ID_MISSING"}
            claims = ht.call_claims(ht.new_uid("odd"), sid)
            no_sid = {k: v for k, v in claims.items() if k != "sid"}
            no_sub = {k: v for k, v in claims.items() if k != "sub"}
            for label, token in (("sid with bad characters", ht.forge(dict(claims, sid="a b/c"))),
                                 ("sid 129 chars", ht.forge(dict(claims, sid="s" * 129))),
                                 ("empty sid", ht.forge(dict(claims, sid=""))),
                                 ("no sid", ht.forge(no_sid)),
                                 ("uid 129 chars", ht.forge(dict(claims, sub="u" * 129))),
                                 ("empty uid", ht.forge(dict(claims, sub=""))),
                                 ("no sub", ht.forge(no_sub))):
                c = await pool.client(label.replace(" ", "_"))
                m = marks(a, b)
                r = await c.request("join", token=token)
                assert r["type"] == "error" and r["code"] in refused, (label, r)
                await assert_quiet(m)

            # token of the wrong JSON type
            c = await pool.client("numtoken")
            m = marks(a, b)
            r = await c.request("join", token=12345)
            assert r["type"] == "error" and r["code"] == "VALIDATION_ERROR", r
            await assert_quiet(m)

            # after a failed join the same socket can still join with a good token
            c = await pool.client("retry")
            r = await c.request("join", token=ht.forge(ht.expired(ht.call_claims("x", sid))))
            assert r["type"] == "error" and r["code"] == "ERROR_TOKEN_EXPIRED", r
            c.uid = ht.new_uid("retry")
            m = marks(a, b)
            joined = await c.join(ht.call_token(c.uid, sid))
            assert joined["sessionId"] == sid
            await a.wait_event("participantJoined", c.pid, start=m[a])
            await b.wait_event("participantJoined", c.pid, start=m[b])
            assert a.seq == seq + 1
            await assert_matches_hub(hub, sid, [a, b, c])
    run(main())


def test_call_token_joins_only_its_own_session(hub):
    async def main():
        async with Pool(hub) as pool:
            sid_a, sid_b = ht.new_sid("A"), ht.new_sid("B")
            a1 = await pool.member(sid_a, "a1")
            b1 = await pool.member(sid_b, "b1")
            b2 = await pool.member(sid_b, "b2", observers=[b1])
            m = marks(a1, b1, b2)
            x = await pool.client("x")
            x.uid = ht.new_uid("x")
            # A token for A; the message also names B in every way it could: ignored.
            joined = await x.join(ht.call_token(x.uid, sid_a), settings={"sessionId": sid_b},
                                  sessionId=sid_b, sid=sid_b, session=sid_b)
            assert joined["sessionId"] == sid_a, joined
            assert x.uid in [p["uid"] for p in joined["participants"]]
            assert a1.pid in [p["pid"] for p in joined["participants"]]
            await a1.wait_event("participantJoined", x.pid, start=m[a1])
            await assert_quiet({b1: m[b1], b2: m[b2]})
            await assert_matches_hub(hub, sid_a, [a1, x])
            await assert_matches_hub(hub, sid_b, [b1, b2])
            assert x.uid not in [p["uid"] for p in b1.roster.values()]
    run(main())


# ---------------------------------------------------------------- HTTP


def post_tokens(hub, body=None, token=None, raw=None, headers=None):
    return hub.http("POST", "/v1/calls/tokens", body=body, token=token, raw=raw,
                    headers=headers)


def test_http_call_token_success_and_join(hub):
    uid, sid = ht.new_uid("h"), ht.new_sid("http")
    auth = ht.auth_token(uid, name="Hana", role="moderator", avatar="https://a.test/h.png")
    r = post_tokens(hub, {"sessionId": sid}, token=auth)
    assert r.status == 200, r
    body = r.json()
    assert body["sessionId"] == sid and body["uid"] == uid, body
    assert isinstance(body["expiresAt"], int) and body["expiresAt"] > time.time(), body
    claims = ht.decode(body["token"], ht.AUD_CALL)
    assert claims["aud"] == ht.AUD_CALL and claims["sub"] == uid and claims["sid"] == sid
    assert claims["name"] == "Hana" and claims["role"] == "moderator"
    assert claims["avatar"] == "https://a.test/h.png"
    assert claims["exp"] == body["expiresAt"] and isinstance(claims["jti"], str)
    assert isinstance(claims["iat"], int)
    # two mints never share a jti
    again = post_tokens(hub, {"sessionId": sid}, token=auth).json()
    assert ht.decode(again["token"], ht.AUD_CALL)["jti"] != claims["jti"]

    async def main():
        async with Pool(hub) as pool:
            c = await pool.client("minted")
            joined = await c.join(body["token"])
            assert joined["sessionId"] == sid
            me = joined["self"]
            assert (me["uid"], me["name"], me["role"]) == (uid, "Hana", "moderator"), me
            assert me.get("avatar") == "https://a.test/h.png", me
    run(main())


def http_bad_cases(uid):
    auth = ht.auth_claims(uid)
    sid = ht.new_sid("hb")
    ok = {"sessionId": sid}
    return [
        ("no Authorization", dict(body=ok), 401, "ERROR_AUTH_TOKEN_MISSING"),
        ("Basic auth", dict(body=ok, headers={"Authorization": "Basic dXNlcjpwdw=="}), 401,
         "ERROR_AUTH_TOKEN_MISSING"),
        ("garbage bearer", dict(body=ok, token="garbage"), 401, "ERROR_AUTH_TOKEN_INVALID"),
        ("bad signature", dict(body=ok, token=ht.forge(auth, ht.OTHER_SECRET)), 401,
         "ERROR_AUTH_TOKEN_INVALID"),
        ("call token as auth", dict(body=ok, token=ht.call_token(uid, sid)), 401,
         "ERROR_AUTH_TOKEN_INVALID"),
        ("admin token as auth", dict(body=ok, token=ht.admin_token()), 401,
         "ERROR_AUTH_TOKEN_INVALID"),
        ("alg none", dict(body=ok, token=ht.alg_none(auth)), 401, "ERROR_AUTH_TOKEN_INVALID"),
        ("alg HS384", dict(body=ok, token=ht.forge(auth, alg="HS384")), 401,
         "ERROR_AUTH_TOKEN_INVALID"),
        ("expired", dict(body=ok, token=ht.forge(ht.expired(auth))), 401,
         "ERROR_TOKEN_EXPIRED"),
        ("sessionId absent", dict(body={}, token=ht.forge(auth)), 400,
         "ERROR_SESSION_ID_MISSING"),
        ("sessionId null", dict(body={"sessionId": None}, token=ht.forge(auth)), 400,
         "ERROR_SESSION_ID_MISSING"),
        ("sessionId empty", dict(body={"sessionId": ""}, token=ht.forge(auth)), 400,
         "ERROR_SESSION_ID_MISSING"),
        ("bad JSON", dict(raw=b'{"sessionId": "x"', token=ht.forge(auth)), 400,
         "VALIDATION_ERROR"),
        ("JSON array", dict(body=[sid], token=ht.forge(auth)), 400, "VALIDATION_ERROR"),
        ("sessionId number", dict(body={"sessionId": 42}, token=ht.forge(auth)), 400,
         "VALIDATION_ERROR"),
        ("sessionId with space", dict(body={"sessionId": "a b"}, token=ht.forge(auth)), 400,
         "VALIDATION_ERROR"),
        ("sessionId with slash", dict(body={"sessionId": "a/b"}, token=ht.forge(auth)), 400,
         "VALIDATION_ERROR"),
        ("sessionId 129 chars", dict(body={"sessionId": "s" * 129}, token=ht.forge(auth)), 400,
         "VALIDATION_ERROR"),
    ]


@pytest.mark.parametrize("case", range(len(http_bad_cases("x"))),
                         ids=[c[0] for c in http_bad_cases("x")])
def test_http_call_token_errors(hub, case):
    label, kw, status, code = http_bad_cases(ht.new_uid("hb"))[case]

    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("watch")
            a = await pool.member(sid, "a")
            b = await pool.member(sid, "b", observers=[a])
            m = marks(a, b)
            r = await hub.ahttp("POST", "/v1/calls/tokens", **kw)
            assert r.status == status, (label, r)
            assert r.error_code() == code, (label, r)
            await assert_quiet(m)
    run(main())


def test_http_session_id_limits_accepted(hub):
    auth = ht.auth_token(ht.new_uid("lim"))
    for sid in ("s" * 128, "A-z_0.9:x", "x"):
        r = post_tokens(hub, {"sessionId": sid}, token=auth)
        assert r.status == 200, (sid, r)
        assert ht.decode(r.json()["token"], ht.AUD_CALL)["sid"] == sid
