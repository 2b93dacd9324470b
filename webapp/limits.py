"""ASGI middleware every request passes, API and Gradio alike: a body cap and optional basic auth.

Both answer in the API's error shape, ``{"error": {"code", "message"}}``, so a client sees one kind of
error whichever route it called.
"""
from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Callable

Scope = dict
ASGIApp = Callable


class BodyTooLarge(Exception):
    """A request body grew past its cap while it was being read (no or a false Content-Length)."""


def error_body(code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False).encode("utf-8")


async def send_error(send, status: int, code: str, message: str, headers: list[tuple[bytes, bytes]] = ()) -> None:
    body = error_body(code, message)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})


def too_large_message(limit: int) -> str:
    return f"请求体过大：最多 {limit} 字节。"


class BodyLimit:
    """Refuse a request whose body is over its path's cap with 413, by Content-Length before it is read
    and by counting while it is read (a chunked body has no length to trust)."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for  # path → cap in bytes

    async def __call__(self, scope: Scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > limit
            except ValueError:
                await send_error(send, 400, "bad_request", "Content-Length 无效。")
                return
            if too_big:
                await send_error(send, 413, "payload_too_large", too_large_message(limit))
                return
        seen = 0
        over = False  # the body went past the cap: whatever the app answers becomes our 413
        replaced = started = False

        async def counted_receive():
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    over = True
                    raise BodyTooLarge(too_large_message(limit))
            return message

        async def watched_send(message):
            nonlocal replaced, started
            if over and message["type"] == "http.response.start":
                replaced = True  # the app saw a read error (FastAPI calls it 400): the client gets 413
                await send_error(send, 413, "payload_too_large", too_large_message(limit))
                return
            if replaced:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge as e:
            if started:
                raise
            if not replaced:
                await send_error(send, 413, "payload_too_large", str(e))


def parse_credentials(value: str) -> tuple[str, str]:
    """``user:password`` → the pair; a clear error for anything else (the password may hold ':')."""
    user, sep, password = (value or "").partition(":")
    if not sep or not user or not password:
        raise ValueError("auth must look like user:password (both non-empty)")
    return user, password


class BasicAuth:
    """HTTP basic auth for every route (the app's page, its assets and events, the API and its docs).
    The browser asks once and then sends the credentials with every request, the app's own included."""

    REALM = b'Basic realm="qiaoxi", charset="UTF-8"'

    def __init__(self, app: ASGIApp, user: str, password: str) -> None:
        self.app = app
        self.user, self.password = user.encode("utf-8"), password.encode("utf-8")

    def _allowed(self, header: bytes | None) -> bool:
        if not header or not header[:6].lower() == b"basic ":
            return False
        try:
            user, _, password = base64.b64decode(header[6:].strip(), validate=True).partition(b":")
        except (binascii.Error, ValueError):
            return False
        # Both compared, always, in constant time: no early exit tells which one was wrong.
        ok_user = secrets.compare_digest(user, self.user)
        ok_password = secrets.compare_digest(password, self.password)
        return ok_user and ok_password

    async def __call__(self, scope: Scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if self._allowed(dict(scope.get("headers") or []).get(b"authorization")):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        await send_error(send, 401, "unauthorized", "需要登录：请提供用户名和密码。",
                         headers=[(b"www-authenticate", self.REALM)])
