"""A hand-rolled WebSocket client over a plain (or TLS) asyncio stream, for the attacks a
well-behaved library will not make: frames built byte by byte (RFC 6455 section 5),
invalid UTF-8, fragmented messages, and peers that never read, never answer pings and
never answer a close.

    ws = await RawWS.open(hub.port)           # HTTP upgrade done by hand
    await ws.send_json({"type": "join", ...})  # masked text frame
    op, data = await ws.recv_message()          # pings are neither answered nor returned
"""
import asyncio
import base64
import hashlib
import json
import os
import socket
import struct

from hubtools import DEFAULT_TIMEOUT

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


class HandshakeRefused(Exception):
    """The hub did not switch protocols: `status` is the HTTP status, or None when it
    closed the connection without a response."""

    def __init__(self, status, head):
        super().__init__(f"upgrade refused: status {status}, response {head[:300]!r}")
        self.status, self.head = status, head


def frame(opcode, payload=b"", fin=True, mask=True, rsv=0):
    """One frame's bytes; client frames are masked (RFC 6455 5.3)."""
    head = bytes([(0x80 if fin else 0) | (rsv << 4) | opcode])
    n = len(payload)
    bit = 0x80 if mask else 0
    if n < 126:
        head += bytes([bit | n])
    elif n < 1 << 16:
        head += bytes([bit | 126]) + struct.pack("!H", n)
    else:
        head += bytes([bit | 127]) + struct.pack("!Q", n)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


class RawWS:
    def __init__(self, reader, writer, status, headers):
        self.reader, self.writer = reader, writer
        self.status, self.headers = status, headers
        self.close_code = None   # from the hub's close frame
        self.pings = 0           # pings received (never answered)
        self.eof = False

    @classmethod
    async def open(cls, port, path="/v1/signal", host="127.0.0.1", origin=None,
                   protocols=("signalhub.v1",), ssl=None, rcvbuf=None, timeout=DEFAULT_TIMEOUT):
        """Connect and upgrade; raises HandshakeRefused unless the answer is 101."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.setblocking(False)
        await asyncio.wait_for(asyncio.get_running_loop().sock_connect(sock, (host, port)), timeout)
        reader, writer = await asyncio.wait_for(asyncio.open_connection(
            sock=sock, ssl=ssl, server_hostname=host if ssl else None), timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Upgrade: websocket",
                 "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
        if protocols:
            lines.append(f"Sec-WebSocket-Protocol: {', '.join(protocols)}")
        if origin is not None:
            lines.append(f"Origin: {origin}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        except (asyncio.IncompleteReadError, ConnectionError) as e:
            writer.close()
            partial = getattr(e, "partial", b"")
            raise HandshakeRefused(_status(partial), partial) from None
        status = _status(head)
        headers = {}
        for line in head.decode("latin-1").split("\r\n")[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        if status != 101:
            writer.close()
            raise HandshakeRefused(status, head)
        expect = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        assert headers.get("sec-websocket-accept") == expect, headers
        return cls(reader, writer, status, headers)

    # sending -------------------------------------------------------------
    async def send_raw(self, data):
        self.writer.write(data)
        await self.writer.drain()

    async def send_frame(self, opcode, payload=b"", fin=True):
        await self.send_raw(frame(opcode, payload, fin))

    async def send_text(self, text):
        await self.send_frame(TEXT, text.encode() if isinstance(text, str) else text)

    async def send_json(self, obj):
        await self.send_text(json.dumps(obj))

    def stop_reading(self):
        """Take nothing more from the kernel: once its small buffers are full, the hub
        cannot write to this socket any more."""
        self.writer.transport.pause_reading()

    def resume_reading(self):
        self.writer.transport.resume_reading()

    def abort(self):
        transport = self.writer.transport
        if not transport.is_closing():
            transport.abort()

    # receiving -----------------------------------------------------------
    async def recv_frame(self, timeout=DEFAULT_TIMEOUT):
        """(fin, opcode, payload) of the next frame, or None at end of stream."""
        async def read():
            try:
                b0, b1 = await self.reader.readexactly(2)
                n = b1 & 0x7F
                if n == 126:
                    n = struct.unpack("!H", await self.reader.readexactly(2))[0]
                elif n == 127:
                    n = struct.unpack("!Q", await self.reader.readexactly(8))[0]
                key = await self.reader.readexactly(4) if b1 & 0x80 else None
                payload = await self.reader.readexactly(n)
            except (asyncio.IncompleteReadError, ConnectionError):
                self.eof = True
                return None
            if key:
                payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
            return bool(b0 & 0x80), b0 & 0x0F, payload
        return await asyncio.wait_for(read(), timeout)

    async def recv_message(self, timeout=DEFAULT_TIMEOUT):
        """(opcode, data) of the next data message (fragments joined; text decoded);
        (CLOSE, code) for a close frame; None at end of stream. Pings are counted, never
        answered."""
        parts, first = [], None
        while True:
            f = await self.recv_frame(timeout)
            if f is None:
                return None
            fin, op, payload = f
            if op == PING:
                self.pings += 1
                continue
            if op == PONG:
                continue
            if op == CLOSE:
                self.close_code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                return CLOSE, self.close_code
            if op != CONT:
                first = op
            parts.append(payload)
            if fin:
                data = b"".join(parts)
                return first, (data.decode() if first == TEXT else data)

    async def recv_json(self, timeout=DEFAULT_TIMEOUT):
        """The next hub message objects (a batch array is flattened), as a list."""
        got = await self.recv_message(timeout)
        assert got is not None and got[0] == TEXT, f"expected a text frame, got {got!r}"
        data = json.loads(got[1])
        return data if isinstance(data, list) else [data]

    async def wait_close(self, timeout=DEFAULT_TIMEOUT, reply=True):
        """Read (and drop) messages until the hub's close frame or end of stream; return
        the close code, or None when the stream ended without one. With `reply`, answer
        the close frame as RFC 6455 asks (lws waits for that answer before it lets go
        of a connection it closed itself)."""
        async def drain():
            while True:
                got = await self.recv_message(timeout)
                if got is None:
                    return None
                if got[0] == CLOSE:
                    if reply:
                        try:
                            echo = b"" if got[1] == 1005 else struct.pack("!H", got[1])
                            await self.send_frame(CLOSE, echo)
                        except ConnectionError:
                            pass
                    return got[1]
        return await asyncio.wait_for(drain(), timeout)


def _status(head):
    try:
        return int(head.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None
