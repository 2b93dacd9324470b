"""The server does not hold idle sockets open: a client that connects and sends nothing is dropped after the
keep-alive timeout, and oversized request headers are refused (app.CONNECTION_LIMITS)."""
from __future__ import annotations

import socket
import time
from urllib.parse import urlparse

import pytest

import app as entry
from eval.load import running_app

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
