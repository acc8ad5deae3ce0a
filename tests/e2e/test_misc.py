"""Further PROTOCOL.md behaviour: signal relay, grace period and resume, session size
limit, shutdown, client variants, and the `signalhub token` CLI."""
import asyncio
import os
import signal
import subprocess
import time

import hubtools as ht
from hubclient import assert_quiet, marks
from hubpool import Pool, assert_matches_hub, run, wait_all


def test_signal_relay(hub):
    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("sig")
            a = await pool.member(sid, "a")
            b = await pool.member(sid, "b", observers=[a])
            c = await pool.member(sid, "c", observers=[a, b])
            m = marks(a, b, c)
            data = {"kind": "offer", "sdp": "v=0\r\n", "n": [1, 2.5, None, True]}
            await a.act("signal", to=b.pid, data=data)
            got = await b.wait_msg(lambda x: x["type"] == "signal", start=m[b])
            assert got["from"] == a.pid and got["data"] == data, got
            await assert_quiet({c: m[c]})
            r = await a.request("signal", to="no-such-pid", data={})
            assert r["type"] == "error" and r["code"] == "ERROR_PARTICIPANT_NOT_FOUND", r
            await assert_quiet(marks(b, c))
            assert a.seq == b.seq == c.seq  # signals do not touch the roster seq
    run(main())


def test_drop_keeps_participant_for_grace_period(hub_factory):
    hub = hub_factory(grace=1.0)

    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("grace")
            a = await pool.member(sid, "a")
            b = await pool.member(sid, "b", observers=[a])
            m = marks(a)
            t0 = time.monotonic()
            b.abort()
            r = await hub.aadmin("GET", f"/v1/sessions/{sid}")
            assert b.pid in [p["pid"] for p in r.json()["participants"]], r
            await a.wait_event("participantLeft", b.pid, start=m[a], reason="disconnected")
            assert time.monotonic() - t0 >= 0.8, "left before the grace period ended"
            await assert_matches_hub(hub, sid, [a])
    run(main())


def test_resume_within_grace(hub_factory):
    hub = hub_factory(grace=5)

    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("resume")
            a = await pool.member(sid, "a")
            b = await pool.member(sid, "b", observers=[a])
            c = await pool.member(sid, "c", observers=[a, b])
            last_seq, token = a.seq, a.joined_msg["resumeToken"]
            m = marks(b, c)
            a.abort()
            await a.wait_closed()
            await b.act("raiseHand")  # an event the dropped member misses
            await wait_all([b, c], "participantUpdated", b.pid, m)
            a2 = await pool.client("a2")
            a2.resume_state_from(a)
            joined = await a2.request("join", token=ht.call_token(a.uid, sid), resume={
                "pid": a.pid, "resumeToken": token, "lastSeq": last_seq})
            assert joined["type"] == "joined", joined
            assert joined["resumed"] is True, f"resume refused or ignored: {joined}"
            assert joined["self"]["pid"] == a.pid, f"resume gave a new pid: {joined}"
            assert joined["self"]["pid"] == a.pid and joined["sessionId"] == sid, joined
            await asyncio.gather(a2.ping_sync(), b.ping_sync(), c.ping_sync())
            assert a2.roster[b.pid]["isHandRaised"] is True, a2.roster
            for o in (b, c):  # no leave or join event for the resumed member
                kinds = [x["type"] for x in o.messages[m[o]:] if x["type"] not in ("ack", "pong")]
                assert kinds == ["participantUpdated"], (o.label, o.messages[m[o]:])
            await assert_matches_hub(hub, sid, [a2, b, c])
            m = marks(b, c, a2)  # and it is a live member again
            await a2.act("raiseHand")
            await wait_all([a2, b, c], "participantUpdated", a.pid, m)
    run(main())


def test_session_full(hub_factory):
    hub = hub_factory(max_participants=2)

    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("full")
            a = await pool.member(sid, "a")
            b = await pool.member(sid, "b", observers=[a])
            m = marks(a, b)
            c = await pool.client("c")
            r = await c.request("join", token=ht.call_token(ht.new_uid("c"), sid))
            assert r["type"] == "error" and r["code"] == "ERROR_SESSION_FULL", r
            await assert_quiet(m)
            other = await pool.member(ht.new_sid("full2"), "other")  # per session limit
            assert other.pid
            await assert_matches_hub(hub, sid, [a, b])
    run(main())


def test_sigterm_ends_sessions_and_exits(hub_factory):
    hub = hub_factory()

    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("bye")
            a = await pool.member(sid, "a")
            b = await pool.member(sid, "b", observers=[a])
            m = marks(a, b)
            hub.proc.send_signal(signal.SIGTERM)
            for c in (a, b):
                ended = await c.wait_event("sessionEnded", start=m[c])
                assert ended["sessionId"] == sid and ended["reason"] == "serverShutdown", ended
                assert await c.wait_closed() == 1001
            await asyncio.to_thread(hub.proc.wait, 5)
    run(main())
    assert hub.stop() is not None  # already exited; joins the stdout reader
    assert hub.stdout_lines == [], f"extra stdout lines: {hub.stdout_lines}"


def test_client_variants(hub):
    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("variants")
            a = await pool.member(sid, "a")
            for label, kw in (("nosub", {"subprotocols": ()}),
                              ("deflate", {"compression": "deflate"})):
                c = await pool.client(label, **kw)
                c.uid = ht.new_uid(label)
                m = marks(a)
                await c.join(ht.call_token(c.uid, sid), settings={"layout": "TILE"})
                await a.wait_event("participantJoined", c.pid, start=m[a])
                await c.act("signal", to=a.pid, data={"pad": "p" * 2000})
                await c.ping_sync()
            await assert_matches_hub(hub, sid, pool.clients)
    run(main())


def cli(hub, *args):
    env = dict(os.environ, SIGNALHUB_SECRET=ht.SECRET)
    out = subprocess.run([hub.args[0], "token", *args], env=env, capture_output=True,
                         timeout=10, stdin=subprocess.DEVNULL)
    assert out.returncode == 0, out
    lines = out.stdout.decode().splitlines()
    assert len(lines) == 1 and lines[0].count(".") == 2, out.stdout
    return lines[0]


def test_cli_tokens(hub):
    uid, sid = ht.new_uid("cli"), ht.new_sid("cli")
    auth = ht.decode(cli(hub, "auth", "--uid", uid, "--name", "Cli", "--role", "moderator"),
                     ht.AUD_AUTH)
    assert (auth["sub"], auth["name"], auth["role"]) == (uid, "Cli", "moderator"), auth
    assert auth["exp"] > time.time() >= auth["iat"] - 5
    plain = ht.decode(cli(hub, "auth", "--uid", "u2"), ht.AUD_AUTH)
    assert plain["sub"] == "u2" and plain.get("role", "participant") == "participant"
    call_tok = cli(hub, "call", "--uid", uid, "--session", sid, "--name", "Cli")
    call = ht.decode(call_tok, ht.AUD_CALL)
    assert (call["sub"], call["sid"], call["name"]) == (uid, sid, "Cli"), call
    assert call["role"] == "participant" and isinstance(call["jti"], str), call
    admin = cli(hub, "admin")
    assert ht.decode(admin, ht.AUD_ADMIN)["aud"] == ht.AUD_ADMIN
    assert hub.http("GET", "/v1/sessions", token=admin).status == 200

    async def main():
        async with Pool(hub) as pool:
            c = await pool.client("cli")
            joined = await c.join(call_tok)
            assert joined["sessionId"] == sid and joined["self"]["uid"] == uid
    run(main())
