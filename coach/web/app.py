"""The FastAPI application: routers, error mapping, the safety middleware and the page.

``create_app`` builds one app over one ``Settings``; ``coach serve`` runs it with uvicorn,
and the tests drive it with an in-process client. Nothing is read or written outside
``settings.home`` except the packaged page itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from coach import __version__
from coach.advice.advisor import Advisor
from coach.config import Settings
from coach.knowledge.store import KnowledgeStore
from coach.web import api_answers, api_chat, api_guides, api_history, api_roleplay
from coach.web.context import WebContext
from coach.web.errors import install_error_handlers
from coach.web.security import MAX_JSON_BYTES, ApiGuard, RequestLog

STATIC = Path(__file__).resolve().parent / "static"
UPLOAD_PATH = "/api/guides"


def body_limit(path: str) -> int | None:
    """JSON bodies are small; an upload streams and is limited by its own route."""
    return None if path == UPLOAD_PATH else MAX_JSON_BYTES


def create_app(
    settings: Settings,
    *,
    token: str = "",
    store: KnowledgeStore | None = None,
    advisor: Advisor | None = None,
) -> FastAPI:
    """The coach's web app. ``token`` set: every ``/api`` call must carry it.

    ``store`` and ``advisor`` are for tests and embedding; by default they are built on
    first use from ``settings``.
    """
    ctx = WebContext(settings, store=store or (advisor.store if advisor else None))
    ctx.advisor = advisor

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        ctx.queue.close()  # let the model's thread go when the server stops

    app = FastAPI(
        lifespan=lifespan,
        title="coach",
        version=__version__,
        summary="An offline negotiation coach grounded in your own guides.",
        # The interactive docs load their scripts from a CDN: the schema alone is served.
        docs_url=None,
        redoc_url=None,
    )
    app.state.coach = ctx
    install_error_handlers(app, settings)
    for module in (api_answers, api_chat, api_guides, api_roleplay, api_history):
        app.include_router(module.router)

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(ApiGuard, token=token, limit_for=body_limit)
    app.add_middleware(RequestLog)

    return app
