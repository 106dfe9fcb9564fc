"""The preview's HTTP server: every connection on one event-loop thread, none left hanging.

http.server's ThreadingHTTPServer, used before, listened with a backlog of 5,
started a thread per connection and timed none out: 200 requests at once left
93 of 600 unanswered after 30 s (`python -m bench burst`, with other work on
the machine), and 300 clients that connected and said nothing held 311 threads.
Here:

- the listen backlog is BACKLOG, so a burst of connections waits in the kernel
  instead of being dropped (a dropped connection is retried after 1, 3, 7 s…);
- connections are coroutines on one thread: an open connection costs a socket
  and a few kilobytes, never a thread, and at most MAX_CONNECTIONS are open
  (the oldest still-silent one makes way for a new one);
- a request must arrive whole within `idle_timeout` seconds of connecting, and
  the client must take each answer within `idle_timeout` seconds;
- an event stream (live reload) waits on its feed without a thread; the server
  writes to it at least every KEEPALIVE_SECONDS, so it is never idle, and it ends
  when the client goes, stops reading, or the server stops.

One request per connection (HTTP/1.0 answers, `Connection: close`) and GET and
HEAD only: what a preview needs, and what http.server did.
"""
from __future__ import annotations

import asyncio
import ipaddress
import socket
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus
from typing import Any, Protocol

BACKLOG = 1024
"""Connections the kernel holds until they are accepted: more than a browser and the
200-at-once burst test open together (Linux caps it at net.core.somaxconn, 4096)."""
MAX_CONNECTIONS = 512
"""Open connections at most: well under the 1,024 files a process may usually hold."""
IDLE_TIMEOUT = 15.0
"""Seconds a client may stay silent. Longer than the 10 s Chromium keeps an unused
preconnected socket, so the browser always lets go of one first."""
KEEPALIVE_SECONDS = 15.0
MAX_LINE = 65536
"""The longest request line or header line, and at most MAX_HEADERS headers: as http.server."""
MAX_HEADERS = 100
TEXT = "text/plain; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    content_type: str = TEXT
    body: bytes = b""
    location: str | None = None


class Feed(Protocol):
    """What an event stream follows: a numbered message, and a call when it changes."""

    def latest(self) -> tuple[int, bytes] | None:
        """(sequence number, message) now; None once the feed is closed."""

    def subscribe(self, wake: Callable[[], None]) -> Callable[[], None]:
        """Call `wake` (from any thread) after each change; returns the call that unsubscribes."""


@dataclass(frozen=True, slots=True)
class EventStream:
    """An answer that stays open: `text/event-stream`, the feed's messages as they come."""
    feed: Feed


Answer = Callable[[str, str], "Response | EventStream"]
"""(method, request target as sent) -> the answer; runs on the server's thread, so it must be quick."""


class BadRequest(Exception):
    def __init__(self, status: int):
        self.status = status


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on the first address `host` resolves to (IPv4 first); OSError if that fails."""
    found = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = sorted(found, key=lambda info: info[0] != socket.AF_INET)[0]
    sock = socket.socket(family, kind, proto)
    try:
        # a restart may bind the port while its predecessor's closed connections linger (TIME_WAIT)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(BACKLOG)
    except BaseException:
        sock.close()
        raise
    return sock


def route_out_address(family: socket.AddressFamily) -> str | None:
    """The address of this machine that others on the network see, if it has a route out:
    a UDP socket "connected" to a documentation address (choosing the route sends nothing)."""
    probe = ("192.0.2.1" if family == socket.AF_INET else "2001:db8::1", 9)
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as udp:
            udp.connect(probe)
            address = udp.getsockname()[0]
    except OSError:  # no route out, or no such family here
        return None
    return None if is_loopback(address) else address


def is_loopback(address: str) -> bool:
    return ipaddress.ip_address(address.split("%")[0]).is_loopback


class HTTPServer:
    """Serves `answer`'s answers on a listening socket, from a thread of its own, until `stop()`."""

    def __init__(self, sock: socket.socket, answer: Answer, idle_timeout: float = IDLE_TIMEOUT,
                 max_connections: int = MAX_CONNECTIONS, server_name: str = "briefings-preview"):
        self.sock, self.answer, self.server_name = sock, answer, server_name
        self.idle_timeout, self.max_connections = idle_timeout, max_connections
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Future[None] | None = None
        self._open: dict[asyncio.Task[None], asyncio.StreamWriter] = {}
        self._silent: dict[asyncio.Task[None], asyncio.StreamWriter] = {}  # no request yet; oldest first
        self._thread = threading.Thread(target=self._run, name="briefings-http", daemon=True)
        self._started = threading.Event()
        self._failure: BaseException | None = None

    def start(self) -> None:
        self._thread.start()
        self._started.wait()
        if self._failure:
            raise self._failure

    def stop(self) -> None:
        """Close every connection, event streams included, and the listening socket; safe to call twice."""
        if self._thread.is_alive():
            assert self._loop is not None, "set before start() returns"
            self._loop.call_soon_threadsafe(self._stop)
            self._thread.join()
        self.sock.close()

    def _stop(self) -> None:
        if self._stopping and not self._stopping.done():
            self._stopping.set_result(None)

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:
            self._failure = exc
        finally:
            self._started.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._loop.set_exception_handler(_report)
        self._stopping = self._loop.create_future()
        server = await asyncio.start_server(self._connected, sock=self.sock, backlog=BACKLOG, limit=MAX_LINE)
        self._started.set()
        try:
            await self._stopping
        finally:
            server.close()
            for task in list(self._open):
                task.cancel()
            await asyncio.gather(*self._open, return_exceptions=True)

    # --- one connection

    async def _connected(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None, "asyncio.start_server runs each connection as a task"
        if len(self._open) >= self.max_connections:
            if not self._silent:
                writer.transport.abort()
                return
            self._silent.pop(next(iter(self._silent))).transport.abort()
        self._open[task] = self._silent[task] = writer
        writer.transport.set_write_buffer_limits(high=0)  # drain() waits until the kernel has it all
        clean = False
        try:
            await self._exchange(reader, writer, task)
            clean = True
        except (ConnectionError, TimeoutError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # the client went away or stalled, or the server is stopping
        except Exception:  # a bug: this connection ends, the server goes on
            traceback.print_exc()
        finally:
            del self._open[task]
            self._silent.pop(task, None)
            if clean:
                writer.close()
            else:
                writer.transport.abort()

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                        task: asyncio.Task[None]) -> None:
        try:
            async with asyncio.timeout(self.idle_timeout):
                method, target = await read_request(reader)
        except BadRequest as bad:
            body = f"{HTTPStatus(bad.status).phrase}\n".encode()
            return await self._send(writer, self._head(bad.status, TEXT, len(body)) + body)
        finally:
            self._silent.pop(task, None)
        if method not in ("GET", "HEAD"):
            body = f"Unsupported method: {method} (this server answers GET and HEAD)\n".encode()
            return await self._send(writer, self._head(501, TEXT, len(body)) + body)
        answer = self.answer(method, target)
        if isinstance(answer, EventStream):
            return await self._stream(reader, writer, answer.feed)
        head = self._head(answer.status, answer.content_type, len(answer.body), answer.location)
        await self._send(writer, head if method == "HEAD" else head + answer.body)

    async def _send(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        writer.write(data)
        await asyncio.wait_for(writer.drain(), self.idle_timeout)

    def _head(self, status: int, content_type: str, length: int | None, location: str | None = None) -> bytes:
        lines = [f"HTTP/1.0 {status} {HTTPStatus(status).phrase}", f"Server: {self.server_name}",
                 f"Date: {formatdate(usegmt=True)}", f"Content-Type: {content_type}", "Cache-Control: no-store",
                 "Connection: close"]
        if length is not None:
            lines.append(f"Content-Length: {length}")
        if location:
            lines.append(f"Location: {location}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")

    async def _stream(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, feed: Feed) -> None:
        """The feed's message now and after each change, a keepalive comment when quiet, until the
        feed closes or the client goes (reading from it ends: a browser sends nothing more)."""
        loop = asyncio.get_running_loop()
        changed = asyncio.Event()
        unsubscribe = feed.subscribe(lambda: _call_soon(loop, changed.set))
        gone = asyncio.ensure_future(reader.read(1))
        try:
            await self._send(writer, self._head(200, "text/event-stream; charset=utf-8", None)
                             + b"retry: 1000\n\n")
            seen = None
            while True:
                changed.clear()  # before reading the feed: a change after it wakes the wait below
                latest = feed.latest()
                if latest is None:
                    return
                if latest[0] != seen:
                    seen = latest[0]
                    await self._send(writer, latest[1])
                news = asyncio.ensure_future(changed.wait())
                done, _ = await asyncio.wait({news, gone}, timeout=KEEPALIVE_SECONDS,
                                             return_when=asyncio.FIRST_COMPLETED)
                news.cancel()
                if gone in done:
                    return
                if not done:
                    await self._send(writer, b": keepalive\n\n")
        finally:
            unsubscribe()
            if gone.done() and not gone.cancelled():
                gone.exception()  # seen: a reset connection is no error worth reporting
            gone.cancel()


async def read_request(reader: asyncio.StreamReader) -> tuple[str, str]:
    """(method, target) of the request line; the headers are read and ignored."""
    try:
        words = (await _line(reader)).decode("latin-1").split()
        if len(words) != 3 or not words[2].startswith("HTTP/1."):
            raise BadRequest(400)
        for _ in range(MAX_HEADERS + 1):
            if await _line(reader) in (b"\r\n", b"\n"):
                return words[0], words[1]
    except ValueError:  # a line over the limit
        raise BadRequest(431) from None
    raise BadRequest(431)


async def _line(reader: asyncio.StreamReader) -> bytes:
    line = await reader.readline()
    if not line.endswith(b"\n"):
        raise asyncio.IncompleteReadError(line, None)  # the client closed mid-request
    return line


def _call_soon(loop: asyncio.AbstractEventLoop, callback: Callable[[], object]) -> None:
    try:
        loop.call_soon_threadsafe(callback)
    except RuntimeError:  # the loop is closed: the server stopped
        pass


def _report(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Problems outside any request (e.g. no file handles left to accept with): one line, no traceback."""
    error = context.get("exception")
    print(f"serve: {context.get('message', 'error')}: {error}" if error else f"serve: {context['message']}",
          file=sys.stderr, flush=True)
