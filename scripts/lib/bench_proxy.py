"""A TCP proxy for the benchmarks: it holds each HTTP request for a fixed delay before passing it
on (a network round trip of that length), and logs when each request arrived, when its answer
came back and its `Action=`. With a quota it is also a request quota as IAM's: a token bucket
that answers IAM's `Throttling` error above its rate (a refused request costs no token). Also a
listener that accepts connections and never answers.

Both run on a thread of their own (an asyncio loop), in the benchmark driver's process.
"""

import asyncio
import re
import socket
import threading
import time

_ACTION = re.compile(rb"Action=([A-Za-z0-9]+)")
_USER = re.compile(rb"[?&\r\n]UserName=([^&\s]+)")


_THROTTLING_BODY = (
    b'<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>'
    b"<Code>Throttling</Code><Message>Rate exceeded</Message></Error>"
    b"<RequestId>throttled</RequestId></ErrorResponse>"
)
_THROTTLING = (
    b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/xml\r\nContent-Length: "
    + str(len(_THROTTLING_BODY)).encode()
    + b"\r\n\r\n"
    + _THROTTLING_BODY
)


class _Loop:
    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def stop(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


async def _read_message(reader):
    """One HTTP/1.1 message (head and a Content-Length or chunked body); b"" at end of stream."""
    head = await reader.readuntil(b"\r\n\r\n")
    lower = head.lower()
    m = re.search(rb"\r\ncontent-length:\s*(\d+)", lower)
    if m:
        return head + await reader.readexactly(int(m.group(1)))
    if b"\r\ntransfer-encoding: chunked" in lower:
        body = b""
        while True:
            line = await reader.readuntil(b"\r\n")
            size = int(line.split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            body += line + chunk
            if size == 0:
                return head + body
    if head.startswith(b"HTTP/"):  # a response without a length: until the connection closes
        return head + await reader.read()
    return head


class DelayProxy:
    """Listens on 127.0.0.1 (a free port); `endpoint` is its URL. Each request waits `delay`
    seconds, then goes to `upstream` ("host:port"); `log` holds (start, end, action, user name or
    None) per request, times from `time.perf_counter()`."""

    def __init__(self, upstream, delay, quota=None):
        self.upstream_host, port = upstream.rsplit(":", 1)
        self.upstream_port = int(port)
        self.delay = delay
        self.quota = quota  # (requests a second, burst) or None
        self.reset_quota()
        self.log = []
        self._lock = threading.Lock()
        self._loop = _Loop()
        self._server = self._loop.run(self._start())
        port = self._server.sockets[0].getsockname()[1]
        self.endpoint = f"http://127.0.0.1:{port}"

    def reset_quota(self):
        """A full bucket, and the counts of requests served and refused from zero."""
        self.tokens = self.quota[1] if self.quota else 0
        self.filled = time.perf_counter()
        self.served = self.refused = 0

    def _take(self):
        if self.quota is None:
            return True
        rate, burst = self.quota
        now = time.perf_counter()
        self.tokens = min(burst, self.tokens + (now - self.filled) * rate)
        self.filled = now
        if self.tokens >= 1:
            self.tokens -= 1
            self.served += 1
            return True
        self.refused += 1
        return False

    async def _start(self):
        return await asyncio.start_server(self._serve, "127.0.0.1", 0)

    async def _serve(self, client_r, client_w):
        up_r = up_w = None
        try:
            while True:
                try:
                    request = await _read_message(client_r)
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                start = time.perf_counter()
                m = _ACTION.search(request)
                action = m.group(1).decode() if m else ""
                u = _USER.search(request)
                user = u.group(1).decode() if u else None
                await asyncio.sleep(self.delay)
                if not self._take():
                    client_w.write(_THROTTLING)
                    await client_w.drain()
                    continue
                if up_w is None:
                    up_r, up_w = await asyncio.open_connection(self.upstream_host, self.upstream_port)
                up_w.write(request)
                await up_w.drain()
                response = await _read_message(up_r)
                end = time.perf_counter()
                with self._lock:
                    self.log.append((start, end, action, user))
                client_w.write(response)
                await client_w.drain()
                if b"\r\nconnection: close" in response.split(b"\r\n\r\n", 1)[0].lower():
                    up_w.close()
                    up_r = up_w = None
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            client_w.close()
            if up_w is not None:
                up_w.close()

    def take_log(self):
        """The log so far, sorted by start, and a fresh one from now on."""
        with self._lock:
            log, self.log = sorted(self.log, key=lambda e: e[0]), []
        return log

    def close(self):
        self._server.close()
        self._loop.stop()


class BlackHole:
    """A listener on 127.0.0.1 that accepts every connection and never answers."""

    def __init__(self):
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(128)
        self._held = []
        self.endpoint = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self._held.append(conn)

    def close(self):
        self._sock.close()
        for c in self._held:
            c.close()


def closed_port_endpoint():
    """A URL on 127.0.0.1 whose port nothing listens on (connections are refused)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"


def sequential_round_trips(log):
    """The longest chain of requests in `log` each sent after the one before it was answered:
    the round trips that happened one after another."""
    depth = []
    for i, entry in enumerate(log):
        start = entry[0]
        before = [depth[j] for j in range(i) if log[j][1] <= start]
        depth.append(1 + max(before, default=0))
    return max(depth, default=0)
