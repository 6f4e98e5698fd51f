"""Open chat and role-play sessions, kept in memory by a random id.

Role-play turns are also written to the SQLite history as they happen (by the library);
this registry only holds the live objects. It is bounded: past ``MAX_SESSIONS`` the least
recently used session is dropped, so a page that keeps starting sessions cannot fill memory.
Each session has its own lock, so two tabs sending to one session take turns.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from coach.web.errors import NotFoundError

MAX_SESSIONS = 200


@dataclass
class Live:
    """One open session: the library object and the lock that serialises its turns."""

    kind: str  # "chat" | "roleplay"
    obj: Any
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Sessions:
    """The registry (see the module docstring)."""

    def __init__(self, limit: int = MAX_SESSIONS) -> None:
        self._live: OrderedDict[str, Live] = OrderedDict()
        self._limit = limit

    def add(self, kind: str, obj: Any) -> str:
        # Unguessable, so one person's session id does not lead to another's.
        sid = secrets.token_urlsafe(12)
        self._live[sid] = Live(kind, obj)
        while len(self._live) > self._limit:
            self._live.popitem(last=False)
        return sid

    def get(self, kind: str, sid: str) -> Live:
        live = self._live.get(sid)
        if live is None or live.kind != kind:
            start = "POST /api/chat" if kind == "chat" else "POST /api/roleplay"
            label = "chat" if kind == "chat" else "role-play"
            raise NotFoundError(
                f"No open {label} session {sid!r} (the server may have restarted).",
                f"Start a new one with {start}.",
            )
        self._live.move_to_end(sid)
        return live
