"""Safe by default: loopback only unless a token is set, bounded bodies, same-site calls.

Pure ASGI middleware (not Starlette's ``BaseHTTPMiddleware``, which would buffer streamed
answers). Everything here applies to ``/api`` only; the page and its static files hold no
data and are served to anyone who can reach the server.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from coach.errors import CoachError, InputError
from coach.web.errors import AuthError, ForbiddenError, TooLargeError, error_body, status_of

log = logging.getLogger("coach.web")

API_PREFIX = "/api/"
MAX_JSON_BYTES = 64 * 1024  # a question, a profile or a role-play line: far below this
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server to this machine."""
    if host.strip("[]") in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name such as 0.0.0.0's aliases or a LAN name


def check_bind(host: str, token: str) -> None:
    """Refuse to listen beyond this machine without a token."""
    if not is_loopback(host) and not token:
        raise InputError(
            f"Binding {host} would let other machines use the coach without a token.",
            "Pass --token SECRET (or set COACH_TOKEN), or bind 127.0.0.1.",
        )


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return ""


async def _reply(send: Send, exc: CoachError) -> None:
    body = json.dumps(error_body(exc)).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if isinstance(exc, AuthError):
        headers.append((b"www-authenticate", b"Bearer"))
    await send({"type": "http.response.start", "status": status_of(exc), "headers": headers})
    await send({"type": "http.response.body", "body": body})


class ApiGuard:
    """Token, host and origin checks and the body limit for every ``/api`` request.

    * ``token``: when set, every call must send ``Authorization: Bearer TOKEN``.
    * Without a token the server is on loopback, and answers only requests addressed to a
      loopback name: a web page cannot reach it by rebinding its own name to 127.0.0.1.
    * A request sent by another site's page (its ``Origin`` is not this server) is refused.
    * Bodies are limited to ``limit_for(path)`` bytes; ``None`` lets the route stream and
      limit its own body (guide uploads).
    """

    def __init__(self, app: ASGIApp, token: str, limit_for: Callable[[str], int | None]) -> None:
        self.app = app
        self.token = token
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        try:
            self._check(scope)
        except CoachError as exc:
            await _reply(send, exc)
            return
        limit = self.limit_for(scope["path"])
        if limit is None:
            await self.app(scope, receive, send)
            return
        try:
            body, rest = await self._read(scope, receive, limit)
        except TooLargeError as exc:
            await _reply(send, exc)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await rest()

        await self.app(scope, replay, send)

    def _check(self, scope: Scope) -> None:
        host = urlsplit(f"//{_header(scope, b'host')}").hostname or ""
        if self.token:
            given = _header(scope, b"authorization")
            scheme, _, value = given.partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(
                value.strip().encode(), self.token.encode()
            ):
                raise AuthError(
                    "This coach server needs a token.",
                    "Send the header Authorization: Bearer TOKEN (the --token or COACH_TOKEN value).",
                )
        elif host not in LOOPBACK_NAMES and not is_loopback(host):
            raise ForbiddenError(
                f"This coach server answers only on this machine, not as {host or 'no host'}.",
                "Open it as http://127.0.0.1:PORT, or start it with --token to share it.",
            )
        origin = _header(scope, b"origin")
        cross_site = urlsplit(origin).netloc.lower() != _header(scope, b"host").lower()
        if origin and scope["method"] not in ("GET", "HEAD") and cross_site:
            raise ForbiddenError(
                f"Requests from the page at {origin} are not accepted.",
                "Use the coach's own page, served by this server.",
            )

    @staticmethod
    async def _read(
        scope: Scope, receive: Receive, limit: int
    ) -> tuple[bytes, Callable[[], object]]:
        too_large = TooLargeError(
            f"The request body is over {limit // 1024} KB.",
            "Send a shorter question or message.",
        )
        declared = _header(scope, b"content-length")
        if declared.isdigit() and int(declared) > limit:
            raise too_large
        parts: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise too_large
            parts.append(chunk)
            more = message.get("more_body", False)
        return b"".join(parts), receive


class RequestLog:
    """One info line per API call: method, path, status, time. Never a query or a body.

    Questions, offers and guide text travel in bodies, and an access log that printed query
    strings could still catch a figure, so uvicorn's own access log is turned off.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            log.info(
                "%s %s %s %.0f ms",
                scope["method"],
                scope["path"],
                status or "-",
                (time.perf_counter() - started) * 1000,
            )
