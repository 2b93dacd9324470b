"""The server does not hold idle, silent or half-sent sockets open: an idle keep-alive connection is dropped
after the keep-alive timeout, a request that does not arrive whole (nothing sent, half a request line, half
the headers, half the body) within webapp.connections.REQUEST_READ_TIMEOUT_S is closed, on the Gradio routes
and the API alike, and oversized request headers are refused (app.CONNECTION_LIMITS)."""
from __future__ import annotations

import socket
import time
from urllib.parse import urlparse

import pytest

import app as entry
from eval.load import running_app
from webapp.connections import REQUEST_READ_TIMEOUT_S

MARGIN_S = 5.0  # scheduling slack on a shared machine, on top of the configured timeout


@pytest.fixture(scope="module")
def server():
    with running_app() as running:
        url = urlparse(running.url)
        yield url.hostname, url.port


def test_an_idle_keep_alive_connection_is_closed(server):
    with socket.create_connection(server, timeout=entry.KEEP_ALIVE_S + MARGIN_S) as s:
        s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")  # keep-alive: HTTP/1.1's default
        reply = b""
        while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"}"):
            reply += s.recv(4096)
        t0 = time.monotonic()
        while s.recv(4096):  # anything left of the reply, then the close
            pass
        assert time.monotonic() - t0 <= entry.KEEP_ALIVE_S + MARGIN_S


def test_oversized_headers_are_refused(server):
    with socket.create_connection(server, timeout=30) as s:
        s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (entry.MAX_HEADER_BYTES + 1024))
        s.sendall(b"\r\n\r\n")
        reply = s.recv(200)
        assert reply == b"" or reply.startswith(b"HTTP/1.1 4")


def test_a_normal_request_still_answers(server):
    with socket.create_connection(server, timeout=30) as s:
        s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert s.recv(100).startswith(b"HTTP/1.1 200")


# Requests that never arrive whole, each on its own connection: (what is sent, whether a 408 is owed).
UNFINISHED = {
    "silent": (b"", False),
    "half a request line, API": (b"GET /api/v1/hea", True),
    "half the headers, API": (b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n", True),
    "half the headers, Gradio": (b"GET /config HTTP/1.1\r\nHost: x\r\nUser-Agent: slo", True),
    "half a request line, Gradio": (b"GET /gradio_api/in", True),
    "half the body, API": (b"POST /api/v1/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           b"Content-Length: 100\r\n\r\n{\"question\": ", True),
}


def read_to_eof(s: socket.socket) -> bytes:
    """Everything the server sends until it closes (a socket timeout fails the test instead of hanging it)."""
    got = b""
    while chunk := s.recv(4096):
        got += chunk
    return got


def test_unfinished_requests_are_closed_after_the_read_timeout(server):
    """All cases at once (one timeout's wait in all): each connection is closed by the server within a few
    seconds of the deadline, not before it, with a 408 when part of a request had come."""
    limit = REQUEST_READ_TIMEOUT_S + MARGIN_S
    opened = []
    for name, (data, _) in UNFINISHED.items():
        s = socket.create_connection(server, timeout=limit)
        opened.append((name, s, time.monotonic()))
        s.sendall(data)
    try:
        for name, s, t0 in opened:
            reply = read_to_eof(s)
            waited = time.monotonic() - t0
            assert REQUEST_READ_TIMEOUT_S - 1 <= waited <= limit, (name, waited)
            assert reply.startswith(b"HTTP/1.1 408") if UNFINISHED[name][1] else reply == b"", (name, reply[:60])
    finally:
        for _, s, _ in opened:
            s.close()


def test_a_second_request_begun_on_a_kept_alive_connection_is_bounded_too(server):
    """The keep-alive timer stops at the next request's first byte; the read deadline takes over from there."""
    with socket.create_connection(server, timeout=REQUEST_READ_TIMEOUT_S + MARGIN_S) as s:
        s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
        reply = b""
        while not reply.rstrip().endswith(b"}"):
            reply += s.recv(4096)
        assert reply.startswith(b"HTTP/1.1 200")
        s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHo")
        t0 = time.monotonic()
        rest = read_to_eof(s)
        assert REQUEST_READ_TIMEOUT_S - 1 <= time.monotonic() - t0 <= REQUEST_READ_TIMEOUT_S + MARGIN_S
        assert rest.startswith(b"HTTP/1.1 408")
