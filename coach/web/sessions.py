"""Chat and role-play sessions by id, kept in the SQLite store so any server process resumes them.

The library does the storing (``coach.advice.chat_store`` for chats,
``coach.roleplay.resume`` for role-plays); this module only maps ids to those calls and
runs them off the event loop. A chat is read from the store at every request and written
back after every turn, so a process holds nothing between requests. A role-play is rebuilt
by replaying its turns through the engine; the rebuilt object is cached here and reused
only while the store's turn count and debrief flag still match it, so a turn taken by
another process (or before a restart) is always seen.

Each id has an ``asyncio.Lock`` so two tabs on one session take turns inside a process;
across processes a chat's version check refuses the later of two simultaneous turns.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool

from coach.advice import chat_store
from coach.advice.advisor import Advisor
from coach.advice.conversation import Conversation
from coach.config import Settings
from coach.roleplay import resume
from coach.roleplay.session import RoleplaySession
from coach.web.errors import NotFoundError

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

MAX_CACHED = 200  # rebuilt role-plays kept in memory (the store holds them all)


@dataclass
class Chat:
    """A chat as read from the store: the live conversation and the version it was read at."""

    id: str
    conversation: Conversation
    version: int


def _not_found(kind: str, sid: str) -> NotFoundError:
    start = "POST /api/chat" if kind == "chat" else "POST /api/roleplay"
    label = "chat" if kind == "chat" else "role-play"
    return NotFoundError(f"No open {label} session {sid!r}.", f"Start a new one with {start}.")


class Sessions:
    """The sessions of one server process (see the module docstring)."""

    def __init__(self, settings: Settings, limit: int = MAX_CACHED) -> None:
        self.settings = settings
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._roleplays: OrderedDict[str, tuple[resume.Version, RoleplaySession]] = OrderedDict()
        self._limit = limit
        self._mutex = threading.Lock()  # the cache is used from worker threads

    @property
    def db(self) -> Path:
        return self.settings.history_db

    def lock(self, sid: str) -> asyncio.Lock:
        """The lock that serialises turns on ``sid`` (alive while anyone holds it)."""
        lock = self._locks.get(sid)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[sid] = lock
        return lock

    # -- chats -----------------------------------------------------------------------------

    async def new_chat(self, conversation: Conversation) -> Chat:
        stored = await run_in_threadpool(chat_store.new_chat, self.db, conversation)
        return Chat(stored.id, conversation, stored.version)

    def load_chat(self, sid: str, advisor: Advisor) -> Chat:
        """The chat as stored now (blocking: call it on a worker thread)."""
        try:
            stored = chat_store.load_chat(self.db, sid)
        except chat_store.ChatNotFound:
            raise _not_found("chat", sid) from None
        return Chat(sid, stored.conversation(advisor), stored.version)

    async def chat(self, sid: str, advisor: Advisor) -> Chat:
        return await run_in_threadpool(self.load_chat, sid, advisor)

    def save_chat(self, chat: Chat) -> None:
        """Write the chat back over the version it was read at (blocking)."""
        try:
            chat.version = chat_store.save_chat(self.db, chat.id, chat.conversation, chat.version)
        except chat_store.ChatNotFound:
            raise _not_found("chat", chat.id) from None

    # -- role-plays ------------------------------------------------------------------------

    async def new_roleplay(self, session: RoleplaySession) -> str:
        """Keep a started role-play in the store; returns its unguessable id."""
        sid = secrets.token_urlsafe(12)
        await run_in_threadpool(resume.keep, self.db, sid, session)
        self._cache(sid, resume.version_of(session, ended=False), session)
        return sid

    def load_roleplay(self, sid: str, model: BaseChatModel | None = None) -> RoleplaySession:
        """The role-play as stored now: the cached copy if still current, else replayed."""
        try:
            current = resume.version(self.db, sid)
            with self._mutex:
                cached = self._roleplays.get(sid)
                if cached is not None and cached[0] == current:
                    self._roleplays.move_to_end(sid)
                    return cached[1]
            session, current = resume.resume(self.settings, sid, model)
        except resume.RoleplayNotFound:
            with self._mutex:
                self._roleplays.pop(sid, None)
            raise _not_found("roleplay", sid) from None
        self._cache(sid, current, session)
        return session

    async def roleplay(self, sid: str, model: BaseChatModel | None = None) -> RoleplaySession:
        return await run_in_threadpool(self.load_roleplay, sid, model)

    def roleplay_moved(self, sid: str, session: RoleplaySession, ended: bool = False) -> None:
        """After a turn (or the debrief) on ``session``: the cached copy is current again."""
        with self._mutex:
            before = self._roleplays.get(sid)
        ended = ended or (before is not None and before[0].ended)
        self._cache(sid, resume.version_of(session, ended), session)

    def _cache(self, sid: str, version: resume.Version, session: RoleplaySession) -> None:
        with self._mutex:
            self._roleplays[sid] = (version, session)
            self._roleplays.move_to_end(sid)
            while len(self._roleplays) > self._limit:
                self._roleplays.popitem(last=False)
