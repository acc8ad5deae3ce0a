"""Frame-level attacks with hand-made frames (RFC 6455): invalid UTF-8 in text frames
(close 1007), binary frames on /v1/signal (VALIDATION_ERROR), messages over the size
limit however they are fragmented or announced (1009), and the diagnostic echo socket
(refused unless --echo)."""
import json

import pytest

import hubtools as ht
from hubclient import assert_quiet, marks
from hubpool import Pool, assert_matches_hub, run
from rawws import BINARY, CLOSE, CONT, TEXT, HandshakeRefused, RawWS

INVALID_UTF8 = [
    ("lone continuation byte", b"\x80"),
    ("overlong slash", b"\xc0\xaf"),
    ("UTF-16 surrogate", b"\xed\xa0\x80"),
    ("above U+10FFFF", b"\xf4\x90\x80\x80"),
    ("truncated sequence", b"\xe2\x82"),
    ("byte 0xFF", b"\xff"),
]


def ping_with(raw_bytes):
    return b'{"type":"ping","requestId":"u8","note":"' + raw_bytes + b'"}'


def test_invalid_utf8_closes_1007(hub_factory):
    hub = hub_factory(grace=0.3)

    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("utf8")
            a = await pool.member(sid, "a")
            b = await pool.member(sid, "b", observers=[a])
            m = marks(a, b)
            for label, bad in INVALID_UTF8:
                raw = await RawWS.open(hub.port)
                await raw.send_frame(TEXT, ping_with(bad))
                assert await raw.wait_close() == 1007, label
                # split over two fragments: still refused
                raw = await RawWS.open(hub.port)
                msg = ping_with(bad)
                await raw.send_frame(TEXT, msg[:len(msg) - 3], fin=False)
                await raw.send_frame(CONT, msg[len(msg) - 3:])
                assert await raw.wait_close() == 1007, f"{label}, fragmented"
            # a valid character split between two fragments is fine
            raw = await RawWS.open(hub.port)
            msg = '{"type":"ping","requestId":"é€😀"}'.encode()
            await raw.send_frame(TEXT, msg[:29], fin=False)  # cuts the 😀
            await raw.send_frame(CONT, msg[29:])
            got = await raw.recv_json()
            assert got[0]["type"] == "pong" and got[0]["requestId"] == "é€😀", got
            raw.abort()
            await assert_quiet(m)
            # a joined member that sends invalid UTF-8 is closed and, after the grace
            # period, leaves like any dropped socket; nobody sees anything else
            raw = await RawWS.open(hub.port)
            await raw.send_json({"type": "join", "token": ht.call_token(ht.new_uid("r"), sid)})
            pid = (await raw.recv_json())[0]["self"]["pid"]
            for o in (a, b):
                await o.wait_event("participantJoined", pid, start=m[o])
            m = marks(a, b)
            await raw.send_frame(TEXT, ping_with(b"\xc3\x28"))
            assert await raw.wait_close() == 1007
            for o in (a, b):
                ev = await o.wait_event("participantLeft", pid, start=m[o])
                assert ev["reason"] == "disconnected", ev
                assert [x["type"] for x in o.since(m[o])] == ["participantLeft"], o.since(m[o])
            await assert_matches_hub(hub, sid, [a, b])
    run(main())


def test_binary_frame_is_a_validation_error(hub):
    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("bin")
            a = await pool.member(sid, "a")
            b = await pool.member(sid, "b", observers=[a])
            m = marks(a, b)
            for payload in (b'{"type":"raiseHand","requestId":"bin"}', bytes(range(256)), b""):
                start = a.mark()
                await a.send(payload)
                err = await a.wait_msg(lambda x: x["type"] == "error", start=start)
                assert err["code"] == "VALIDATION_ERROR", err
                await a.ping_sync()  # still open and usable
            assert a.roster[a.pid]["isHandRaised"] is False  # the binary raiseHand did nothing
            await assert_quiet({b: m[b]})
            await assert_matches_hub(hub, sid, [a, b])
    run(main())


def test_oversize_messages_close_1009(hub_factory):
    hub = hub_factory(max_message_size=4096, grace=0.3)

    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("size")
            a = await pool.member(sid, "a")
            m = marks(a)
            raw = await RawWS.open(hub.port)  # three fragments, 6000 bytes in all
            for i in range(3):
                await raw.send_frame(TEXT if i == 0 else CONT, b" " * 2000, fin=i == 2)
            assert await raw.wait_close() == 1009
            raw = await RawWS.open(hub.port)  # a header announcing 1 GiB
            await raw.send_raw(bytes([0x81, 0x80 | 127]) + (1 << 30).to_bytes(8, "big")
                               + b"\0\0\0\0" + b" " * 8192)
            assert await raw.wait_close() == 1009
            raw = await RawWS.open(hub.port)  # exactly at the limit is fine
            msg = b'{"type":"ping","requestId":"max"}'
            await raw.send_frame(TEXT, msg + b" " * (4096 - len(msg)))
            assert (await raw.recv_json())[0]["type"] == "pong"
            raw.abort()
            await assert_quiet(m)
            # a joined member closed for size leaves after its grace period: no ghost
            raw = await RawWS.open(hub.port)
            await raw.send_json({"type": "join", "token": ht.call_token(ht.new_uid("r"), sid)})
            pid = (await raw.recv_json())[0]["self"]["pid"]
            await a.wait_event("participantJoined", pid, start=m[a])
            m = marks(a)
            await raw.send_frame(TEXT, b" " * 5000)
            assert await raw.wait_close() == 1009
            ev = await a.wait_event("participantLeft", pid, start=m[a])
            assert ev["reason"] == "disconnected" and a.since(m[a]) == [ev], a.since(m[a])
            await assert_matches_hub(hub, sid, [a])
    run(main())


def test_echo_is_off_by_default(hub):
    async def main():
        with pytest.raises(HandshakeRefused):
            await RawWS.open(hub.port, path="/v1/echo", protocols=())
        with pytest.raises(HandshakeRefused):
            await RawWS.open(hub.port, path="/v1/other")
    run(main())


def test_echo_returns_every_message_as_it_came(hub_factory):
    hub = hub_factory(echo=True)

    async def main():
        async with Pool(hub) as pool:
            sid = ht.new_sid("echo")
            a = await pool.member(sid, "a")  # signaling works next to it
            m = marks(a)
            e = await RawWS.open(hub.port, path="/v1/echo", protocols=())
            join = json.dumps({"type": "join", "token": ht.call_token("echo-user", sid)})
            for opcode, payload in ((TEXT, "héllo €"), (TEXT, join), (TEXT, "not json {"),
                                    (TEXT, ""), (BINARY, bytes(range(256)) * 4), (BINARY, b"")):
                data = payload.encode() if opcode == TEXT else payload
                await e.send_frame(opcode, data)
                assert await e.recv_message() == (opcode, payload), payload[:40]
            for opcode, parts in ((TEXT, [b"frag-", "é".encode()[:1], "é".encode()[1:] + b"-end"]),
                                  (BINARY, [b"\x00\x01", b"", b"\xff"])):
                for i, part in enumerate(parts):
                    await e.send_frame(opcode if i == 0 else CONT, part, fin=i == len(parts) - 1)
                want = b"".join(parts)
                assert await e.recv_message() == (opcode, want.decode() if opcode == TEXT else want)
            big = "x" * 60000
            await e.send_text(big)
            assert await e.recv_message() == (TEXT, big)
            await e.send_frame(CLOSE, (1000).to_bytes(2, "big"))
            assert await e.wait_close() == 1000
            await assert_quiet(m)  # the echoed join joined nobody
            await assert_matches_hub(hub, sid, [a])
    run(main())
