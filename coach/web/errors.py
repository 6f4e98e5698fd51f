"""Errors as the browser sees them: ``{"error": ..., "hint": ...}`` with a fitting status.

The library raises ``CoachError`` subclasses whose message and hint are written for people;
the web layer keeps both words and only chooses the HTTP status, so the page shows exactly
the line the CLI would print.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from coach.advice.chat_store import ChatChanged
from coach.config import Settings
from coach.errors import CoachError, InputError, ProviderError, StoreError
from coach.models.providers import provider_failure
from coach.roleplay.resume import ResumeError

log = logging.getLogger("coach.web")


class NotFoundError(InputError):
    """Something named in the request (a guide, a session) does not exist: HTTP 404."""


class TooLargeError(InputError):
    """A request body or an upload over its limit: HTTP 413."""


class AuthError(CoachError):
    """A missing or wrong token on a server that needs one: HTTP 401."""


class ForbiddenError(CoachError):
    """A request from another site, or to a host name the server does not answer: HTTP 403."""


def status_of(exc: CoachError) -> int:
    """The HTTP status for a library or web error (most specific class first)."""
    for kind, status in (
        (NotFoundError, 404),
        (ChatChanged, 409),  # another process answered in this chat meanwhile
        (ResumeError, 409),  # a stored role-play that no longer replays
        (TooLargeError, 413),
        (AuthError, 401),
        (ForbiddenError, 403),
        (ProviderError, 503),
        (StoreError, 500),
    ):
        if isinstance(exc, kind):
            return status
    return 400


def error_body(exc: CoachError) -> dict[str, str]:
    return {"error": exc.message, "hint": exc.hint}


def error_response(exc: CoachError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, AuthError) else None
    return JSONResponse(error_body(exc), status_code=status_of(exc), headers=headers)


def as_coach_error(exc: Exception, settings: Settings) -> CoachError:
    """Any exception as a ``CoachError``: model-server failures get the CLI's own line."""
    if isinstance(exc, CoachError):
        return exc
    failure = provider_failure(exc, settings)
    if failure is not None:
        return failure
    # A bug: the details go to the server's log, never to the browser.
    log.error("unexpected %s", exc.__class__.__name__, exc_info=settings.debug)
    return CoachError(
        f"Unexpected {exc.__class__.__name__} in the coach.",
        "See the server's log (start it with --debug for a traceback).",
    )


def _validation_line(errors: list[Any]) -> CoachError:
    """The first validation problem as one line, naming the field as the request spells it."""
    first = errors[0] if errors else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "the request"
    if first.get("type") == "missing":
        message = f"Missing field {where!r}."
    elif first.get("type") == "json_invalid":
        message = "The request body is not valid JSON."
    else:
        message = f"Bad value for {where!r}: {first.get('msg', 'invalid')}."
    return InputError(message, "Send a JSON body as /openapi.json describes.")


def install_error_handlers(app: FastAPI, settings: Settings) -> None:
    """Route every failure to the same ``{"error", "hint"}`` JSON."""

    @app.exception_handler(CoachError)
    async def coach_error(_: Request, exc: CoachError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def bad_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(error_body(_validation_line(list(exc.errors()))), status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        return error_response(as_coach_error(exc, settings))
