"""Chat sessions kept in SQLite: each conversation's dialogue state and history, by id.

A ``Conversation`` is little more than what it has understood (its ``DialogueState``) and
the turns the model saw; both are plain data, so a chat is stored as two JSON columns and
rebuilt on any process that has an ``Advisor``. That lets a restarted server carry on a
chat, and several server processes share one.

Every row has a ``version`` that each save bumps. A save names the version it started
from, and if another process saved in between the save is refused (``ChatChanged``)
instead of silently dropping that other turn. The table sits in the history database
(``settings.history_db``) beside the role-play history; connections are short-lived, one
per call, in WAL mode, as ``coach.roleplay.history`` does.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from coach.advice.advisor import Advisor
from coach.advice.conversation import Conversation
from coach.advice.state import DialogueState
from coach.database import connect
from coach.errors import InputError

# Past this many stored chats the least recently used are deleted, so a page that keeps
# starting chats cannot fill the disk.
MAX_CHATS = 1000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS chats (
    id TEXT PRIMARY KEY,
    guide TEXT,
    state_json TEXT NOT NULL,
    history_json TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chats_updated ON chats (updated_at);
"""


class ChatNotFound(InputError):
    """No stored chat has this id (never started, or pruned)."""


class ChatChanged(InputError):
    """Another process saved the chat since this turn read it; this turn was not kept."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _connect(db: Path | str) -> AbstractContextManager[sqlite3.Connection]:
    return connect(db, _SCHEMA, "chat store")


@dataclass
class StoredChat:
    """One chat as stored: enough to rebuild its ``Conversation``, and the version read."""

    id: str
    guide: str | None
    state: DialogueState
    history: list[dict[str, str]]
    version: int

    def conversation(self, advisor: Advisor) -> Conversation:
        """The live conversation (a copy: changing it does not change this record)."""
        state = DialogueState(**json.loads(json.dumps(asdict(self.state))))
        return Conversation(advisor, self.guide, [dict(m) for m in self.history], state)


def _state(data: dict[str, Any]) -> DialogueState:
    # Unknown keys (a newer coach wrote them) are dropped rather than failing the resume.
    known = {f.name for f in fields(DialogueState)}
    return DialogueState(**{k: v for k, v in data.items() if k in known})


def _columns(conversation: Conversation) -> tuple[str, str]:
    return json.dumps(asdict(conversation.state)), json.dumps(conversation.history)


def new_chat(db: Path | str, conversation: Conversation) -> StoredChat:
    """Store a new conversation under a fresh, unguessable id (version 0)."""
    chat_id = secrets.token_urlsafe(12)
    state, history = _columns(conversation)
    now = _now()
    with _connect(db) as conn:
        conn.execute(
            "INSERT INTO chats (id, guide, state_json, history_json, version, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, 0, ?, ?)",
            (chat_id, conversation.guide, state, history, now, now),
        )
        conn.execute(
            "DELETE FROM chats WHERE id IN (SELECT id FROM chats ORDER BY updated_at DESC "
            "LIMIT -1 OFFSET ?)",
            (MAX_CHATS,),
        )
    return load_chat(db, chat_id)


def load_chat(db: Path | str, chat_id: str) -> StoredChat:
    """The stored chat ``chat_id``; ``ChatNotFound`` if there is none."""
    with _connect(db) as conn:
        row = conn.execute(
            "SELECT guide, state_json, history_json, version FROM chats WHERE id = ?",
            (chat_id,),
        ).fetchone()
    if row is None:
        raise ChatNotFound(
            f"No open chat session {chat_id!r}.", "Start a new one with POST /api/chat."
        )
    guide, state, history, version = row
    return StoredChat(chat_id, guide, _state(json.loads(state)), json.loads(history), version)


def save_chat(db: Path | str, chat_id: str, conversation: Conversation, version: int) -> int:
    """Store ``conversation`` over the version it was read at; returns the new version.

    ``ChatChanged`` if the stored chat moved on meanwhile (another process saved a turn),
    ``ChatNotFound`` if it is gone.
    """
    state, history = _columns(conversation)
    with _connect(db) as conn:
        cursor = conn.execute(
            "UPDATE chats SET guide = ?, state_json = ?, history_json = ?, "
            "version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
            (conversation.guide, state, history, _now(), chat_id, version),
        )
        if cursor.rowcount == 1:
            return version + 1
        exists = conn.execute("SELECT 1 FROM chats WHERE id = ?", (chat_id,)).fetchone()
    if exists is None:
        raise ChatNotFound(
            f"No open chat session {chat_id!r}.", "Start a new one with POST /api/chat."
        )
    raise ChatChanged(
        "This chat was changed from another window while it answered; that answer was not kept.",
        "Send the message again.",
    )


def delete_chat(db: Path | str, chat_id: str) -> bool:
    """Forget a chat; True if there was one."""
    with _connect(db) as conn:
        return conn.execute("DELETE FROM chats WHERE id = ?", (chat_id,)).rowcount == 1
