"""One way to open the SQLite file the coach keeps its history, chats and role-plays in.

Three stores share ``history.sqlite3`` (role-play history, web chats, resumable role-plays),
so they open it alike: WAL journaling (readers never block the one writer), their own
tables created on first use, a commit on success, and every failure turned into one
``StoreError`` line that says how to fix it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from coach.errors import StoreError


@contextmanager
def connect(
    db: Path | str, schema: str, what: str = "history database"
) -> Iterator[sqlite3.Connection]:
    """A connection with ``schema`` in place; commits on success, always closes.

    ``what`` names the store in error lines ("the chat store ...").
    """
    path = Path(db)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=10)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(
            f"Cannot open the {what} {path}: {exc}.",
            "Check that COACH_HOME points at a writable folder.",
        ) from exc
    try:
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        # In WAL mode this survives a crashed process (only a power cut can lose the last
        # write), and it spares every turn a disk flush.
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.executescript(schema)
        # Take the write lock now, waiting up to the timeout for it: a transaction that
        # starts by reading and then writes is refused at once ("database is locked") when
        # another connection wrote in between, which twenty chats at once did hit.
        conn.execute("BEGIN IMMEDIATE")
        yield conn
        conn.commit()
    except sqlite3.Error as exc:
        conn.rollback()
        raise StoreError(
            f"The {what} {path} could not be written: {exc}.",
            "Check the disk has space; move a damaged file aside to start afresh.",
        ) from exc
    finally:
        conn.close()
