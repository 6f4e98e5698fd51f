"""What every request shares: settings, the store, one Advisor, the model queue, sessions.

The Advisor (and with it the embedding model and the chat model) is built once, on first
use, on a worker thread: building it reads model files, which must not block the event loop
or happen twice when two browsers arrive together.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from coach.advice.advisor import Advisor
from coach.config import Settings
from coach.errors import InputError
from coach.knowledge.library import open_store, require_guide
from coach.knowledge.store import KnowledgeStore
from coach.web.errors import NotFoundError
from coach.web.generation import GenerationQueue
from coach.web.sessions import Sessions


@dataclass
class WebContext:
    """The server's long-lived objects (one per app)."""

    settings: Settings
    store: KnowledgeStore | None = None
    advisor: Advisor | None = None
    queue: GenerationQueue = field(default_factory=GenerationQueue)
    sessions: Sessions = field(init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.sessions = Sessions(self.settings)

    def _build(self) -> Advisor:
        with self._lock:
            if self.advisor is None:
                if self.store is None:
                    self.store = open_store(self.settings)
                self.advisor = Advisor(self.settings, store=self.store)
            return self.advisor

    async def get_advisor(self) -> Advisor:
        if self.advisor is not None:
            return self.advisor
        return await run_in_threadpool(self._build)

    async def get_store(self) -> KnowledgeStore:
        return (await self.get_advisor()).store

    async def check_guide(self, guide: str | None) -> None:
        """A named guide must be stored: otherwise 404 with the library's own line."""
        if not guide:
            return
        store = await self.get_store()
        try:
            await run_in_threadpool(require_guide, store, guide)
        except InputError as exc:
            raise NotFoundError(exc.message, exc.hint) from None


def context(request: Request) -> WebContext:
    """The FastAPI dependency that hands each endpoint the app's ``WebContext``."""
    return request.app.state.coach


# Endpoints take ``ctx: Ctx`` to receive the app's ``WebContext``.
Ctx = Annotated[WebContext, Depends(context)]
