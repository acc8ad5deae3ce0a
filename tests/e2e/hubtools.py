"""Token forging, ids and HTTP helpers for the SignalHub end-to-end suite.

Tokens are forged here with PyJWT and the shared secret, independently of the
hub's own token code, so the hub is tested against the contract
(/work/shared/PROTOCOL.md section 1), not against itself.
"""
import base64
import json
import time
import urllib.error
import urllib.request
import uuid

import jwt

SECRET = "e2e-signalhub-secret-0123456789abcdef-0123456789abcdef-0123456789"  # >= 64 bytes
OTHER_SECRET = "some-other-secret-that-is-also-long-enough-for-hs512-signing-0000"
AUD_AUTH = "signalhub:auth"
AUD_CALL = "signalhub:call"
AUD_ADMIN = "signalhub:admin"
DEFAULT_TIMEOUT = 5.0


def new_uid(prefix="u"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def new_sid(prefix="sess"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def forge(claims, secret=SECRET, alg="HS256"):
    return jwt.encode(claims, secret, algorithm=alg)


def _b64(obj):
    raw = json.dumps(obj, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def alg_none(claims):
    """An unsigned token: header alg none, empty signature."""
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."


def tamper(token, **changes):
    """Keep header and signature, swap the payload for one with `changes` applied."""
    header, payload, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return f"{header}.{_b64(dict(claims, **changes))}.{sig}"


def auth_claims(uid, name=None, role=None, avatar=None, ttl=3600, iat=None):
    now = int(time.time()) if iat is None else iat
    c = {"aud": AUD_AUTH, "sub": uid, "name": name or f"Name {uid}", "iat": now, "exp": now + ttl}
    if role is not None:
        c["role"] = role
    if avatar is not None:
        c["avatar"] = avatar
    return c


def call_claims(uid, sid, name=None, role="participant", avatar=None, ttl=3600, iat=None):
    now = int(time.time()) if iat is None else iat
    c = {"aud": AUD_CALL, "sub": uid, "name": name or f"Name {uid}", "role": role, "sid": sid,
         "iat": now, "exp": now + ttl, "jti": uuid.uuid4().hex}
    if avatar is not None:
        c["avatar"] = avatar
    return c


def admin_claims(ttl=3600):
    now = int(time.time())
    return {"aud": AUD_ADMIN, "sub": "e2e-admin", "iat": now, "exp": now + ttl}


def auth_token(uid, secret=SECRET, alg="HS256", **kw):
    return forge(auth_claims(uid, **kw), secret, alg)


def call_token(uid, sid, secret=SECRET, alg="HS256", **kw):
    return forge(call_claims(uid, sid, **kw), secret, alg)


def admin_token(secret=SECRET, ttl=3600):
    return forge(admin_claims(ttl), secret)


def expired(claims):
    now = int(time.time())
    return dict(claims, iat=now - 7200, exp=now - 3600)


def decode(token, aud):
    """Verify a hub-minted token independently with PyJWT."""
    header = jwt.get_unverified_header(token)
    assert header.get("alg") == "HS256", header
    return jwt.decode(token, SECRET, algorithms=["HS256"], audience=aud)


class Resp:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            raise AssertionError(f"HTTP {self.status}: body is not JSON: {self.text[:300]!r}")

    def error_code(self):
        """The `code` of a PROTOCOL.md error body {"error":{"code","message"}}."""
        body = self.json()
        assert isinstance(body, dict) and isinstance(body.get("error"), dict), body
        assert isinstance(body["error"].get("code"), str), body
        assert isinstance(body["error"].get("message"), str), body
        return body["error"]["code"]

    def __repr__(self):
        return f"<HTTP {self.status} {self.text[:300]!r}>"


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def parse_metrics(text):
    """Prometheus text format -> {sample name with its labels: float value}."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            out[name.strip()] = float(value)
    return out


def http(base, method, path, body=None, token=None, raw=None, headers=None,
         timeout=DEFAULT_TIMEOUT, context=None):
    """One HTTP request; never raises on a status code. `raw` is sent verbatim.
    `context`: an ssl.SSLContext for https."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token is not None:
        req.add_header("Authorization", f"Bearer {token}")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    opener = _opener if context is None else urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context))
    try:
        with opener.open(req, timeout=timeout) as r:
            return Resp(r.status, r.headers, r.read())
    except urllib.error.HTTPError as e:
        return Resp(e.code, e.headers, e.read())
