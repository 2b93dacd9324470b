"""uvicorn's HTTP/1.1 protocol (h11) with a deadline for receiving a request, so silent and slow sockets
cannot pile up.

uvicorn (0.54) times out only an idle keep-alive connection, after a reply (``timeout_keep_alive``), and
stops that timer at the first byte a client sends. A connection that sends nothing at all, half a request
line, headers without their closing blank line, or a body that never ends, is held open for good: each one
holds a socket, and counts against ``limit_concurrency`` (app.CONNECTION_LIMITS), so a few hundred of them
lock every user out (slowloris). uvicorn has no setting for it (its issue 157 lists the timeouts as
planned), and ASGI middleware cannot help: it runs only once the request head has been parsed.

:class:`BoundedH11Protocol` gives each request REQUEST_READ_TIMEOUT_S to arrive whole (request line,
headers and body), counted from the moment the connection opens, or, on a kept-alive connection, from the
first byte of the next request (the time in between is the keep-alive timeout's). Past it the connection
is closed: with a 408 reply when part of a request had come, without one when nothing had. Replies are
never cut: the deadline ends when the request has been read, however long the answer then takes (an
event stream may stay open for minutes).
"""
from __future__ import annotations

import asyncio
import logging

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

# A browser or an API client sends a request head and a small body (a question, at most the 64 KB API
# cap; the app takes no uploads) in well under a second even on a slow line. Ten seconds leave room for
# a bad mobile connection and close a silent or trickling socket soon.
REQUEST_READ_TIMEOUT_S = 10.0
TIMEOUT_REPLY = (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
                 b"content-length: 16\r\nconnection: close\r\n\r\nRequest Timeout\n")

log = logging.getLogger("uvicorn.error")


class BoundedH11Protocol(H11Protocol):
    """H11Protocol whose every request must arrive within :data:`REQUEST_READ_TIMEOUT_S` (see the module)."""

    read_timeout_s: float = REQUEST_READ_TIMEOUT_S

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._read_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()  # a fresh connection owes its first request from now on

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._reading_request():
            self._arm()  # first byte of a request on a kept-alive connection: no-op if already armed
        else:
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self._reading_request() and (self.conn.their_state is h11.SEND_BODY or self.conn.trailing_data[0]):
            self._arm()  # replied before the body ended, or the next request has begun
        else:
            self._disarm()  # idle now: the keep-alive timeout's turn, until a byte of the next request

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _reading_request(self) -> bool:
        """Whether the server is still waiting for part of the client's request (its head or its body).
        Not once the connection has become a WebSocket: another protocol object owns it then."""
        return (not self.transport.is_closing() and self.transport.get_protocol() is self
                and self.conn.their_state in (h11.IDLE, h11.SEND_BODY))

    def _arm(self) -> None:
        if self._read_deadline is None:
            self._read_deadline = self.loop.call_later(self.read_timeout_s, self._timed_out)

    def _disarm(self) -> None:
        if self._read_deadline is not None:
            self._read_deadline.cancel()
            self._read_deadline = None

    def _timed_out(self) -> None:
        self._read_deadline = None
        if not self._reading_request():
            return
        if self.flow.read_paused:  # the app has not taken the body it was sent yet: not the client's delay
            self._arm()
            return
        begun = self.conn.their_state is h11.SEND_BODY or bool(self.conn.trailing_data[0])
        if begun and self.conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):  # nothing of a reply sent yet
            self.transport.write(TIMEOUT_REPLY)
        log.info("closed a connection whose request did not arrive within %.0f s", self.read_timeout_s)
        self.transport.close()
