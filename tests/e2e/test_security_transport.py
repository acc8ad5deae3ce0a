"""Transport-level defences: TLS (https and wss on one port), allowed origins, the
connection cap (with the join timeout reclaiming idle sockets), and the HTTP body limit.
Every refusal leaves the existing members undisturbed."""
import asyncio
import http.client
import ssl
import subprocess
import urllib.error

import pytest

import hubtools as ht
from hubclient import assert_quiet, marks
from hubpool import Pool, assert_matches_hub, run, wait_all
from rawws import HandshakeRefused, RawWS


def self_signed(tmp_path):
    """A throwaway certificate for 127.0.0.1 made with the openssl CLI."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    return str(cert), str(key)


def test_tls_serves_https_and_wss(hub_factory, tmp_path):
    cert, key = self_signed(tmp_path)
    trust = ssl.create_default_context(cafile=cert)
    hub = hub_factory(tls_cert=cert, tls_key=key, ssl_context=trust)
    assert hub.scheme == "https" and hub.ws_url.startswith("wss://"), hub.base
    r = hub.http("GET", "/healthz")
    assert r.status == 200 and r.json() == {"status": "ok"}, r
    # the hub really serves that certificate: a client that does not trust it refuses
    with pytest.raises(urllib.error.URLError) as refused:
        ht.http(hub.base, "GET", "/healthz", context=ssl.create_default_context())
    assert isinstance(refused.value.reason, ssl.SSLCertVerificationError), refused.value
    # plain http on the TLS port gets no answer
    try:
        plain = ht.http(f"http://127.0.0.1:{hub.port}", "GET", "/healthz")
    except (urllib.error.URLError, ConnectionError, http.client.HTTPException):
        plain = None
    assert plain is None or plain.status >= 400, f"plain http on the TLS port: {plain}"

    async def main():
        async with Pool(hub, ssl=trust) as pool:
            sid = ht.new_sid("tls")
            a = await pool.member(sid, "a")
            b = await pool.member(sid, "b", observers=[a])
            m = marks(a, b)
            await b.act("raiseHand")
            await wait_all([a, b], "participantUpdated", b.pid, m)
            with pytest.raises(HandshakeRefused):  # plain ws on the TLS port
                await RawWS.open(hub.port)
            raw = await RawWS.open(hub.port, ssl=trust)  # a hand-made wss upgrade works too
            raw.abort()
            await assert_quiet(marks(a, b))
            await assert_matches_hub(hub, sid, [a, b])
    run(main())


ALLOWED = ["https://app.example.test", "http://localhost:8080"]
REFUSED = ["https://evil.test", "https://app.example.test.evil.test", "http://app.example.test",
           "https://app.example.test:8443", "null", "https://app.example.tes"]


def test_allowed_origins(hub_factory):
    hub = hub_factory(allowed_origin=ALLOWED)

    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("origin")
            a = await pool.member(sid, "a")  # no Origin header (native client): allowed
            for i, origin in enumerate(ALLOWED):
                c = await pool.client(f"o{i}", origin=origin)
                c.uid = ht.new_uid("o")
                m = marks(a)
                await c.join(ht.call_token(c.uid, sid))
                await a.wait_event("participantJoined", c.pid, start=m[a])
            await asyncio.gather(*(c.ping_sync() for c in pool.clients))  # all joins seen
            m = marks(*pool.clients)
            for origin in REFUSED:
                with pytest.raises(HandshakeRefused):
                    await RawWS.open(hub.port, origin=origin)
            with pytest.raises(Exception):  # the websockets client is refused as well
                await pool.client("evil", origin=REFUSED[0])
            pool.clients.pop()
            await assert_quiet(m)
            await assert_matches_hub(hub, sid, pool.clients)
    run(main())


def test_connection_cap_and_idle_sockets(hub_factory):
    """A connection flood: idle sockets fill the cap, the next upgrade is refused, the
    join timeout frees the places; HTTP is not affected by the cap."""
    hub = hub_factory(max_connections=2, join_timeout=1)

    async def main():
        async with Pool(hub) as pool:
            idle = [await RawWS.open(hub.port) for _ in range(2)]
            with pytest.raises(HandshakeRefused):
                await RawWS.open(hub.port)
            assert (await hub.ahttp("GET", "/healthz")).status == 200
            for raw in idle:  # slowloris: never join
                assert await raw.wait_close(timeout=5) == 1008
            sid = ht.new_sid("cap")
            a = await pool.member(sid, "a")
            b = await pool.member(sid, "b", observers=[a])
            m = marks(a, b)
            with pytest.raises(HandshakeRefused):
                await RawWS.open(hub.port)
            await assert_quiet(m)
            await b.request("leave")
            assert await b.wait_closed() == 1000
            c = await pool.member(sid, "c", observers=[a])  # b's place is free again
            await assert_matches_hub(hub, sid, [a, c])
    run(main())


def test_http_body_limit(hub_factory):
    hub = hub_factory(max_body_size=1024)
    auth = ht.auth_token(ht.new_uid("body"))
    body = b'{"sessionId":"body-limit"}'
    at_limit = body + b" " * (1024 - len(body))  # JSON allows trailing whitespace
    r = hub.http("POST", "/v1/calls/tokens", raw=at_limit, token=auth)
    assert r.status == 200, f"a body of exactly --max-body-size bytes: {r}"
    for size in (1025, 64 * 1024, 1 << 20):
        for path, token in (("/v1/calls/tokens", auth), ("/v1/dev/login", None)):
            r = hub.http("POST", path, raw=body + b" " * (size - len(body)), token=token)
            assert r.status == 413, (path, size, r)
            assert r.error_code() == "VALIDATION_ERROR", (path, size, r)
    assert hub.http("GET", "/healthz").status == 200
    assert hub.http("POST", "/v1/dev/login", body={"uid": "u1", "name": "U"}).status == 200


def test_descriptor_table_is_reserved_at_start(hub_factory):
    """The hub grows its descriptor table once at start-up, to --max-connections plus some
    slack (within the open-files limit): growing it mid-storm stalls the service thread for
    an RCU grace period at each doubling, which showed as 10-30 ms join latency spikes."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(5000 + 64, hard)
    hub = hub_factory(max_connections=5000)
    with open(f"/proc/{hub.pid}/status") as f:
        fdsize = next(int(line.split()[1]) for line in f if line.startswith("FDSize:"))
    assert fdsize >= wanted, f"FDSize {fdsize}: the table was not reserved for {wanted} descriptors"
    # Still serves after it.
    assert hub.http("GET", "/healthz").status == 200
