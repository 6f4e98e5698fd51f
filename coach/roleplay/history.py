"""Practice history in SQLite: every role-play saved turn by turn, as it happens.

Each turn is inserted and committed on its own, in WAL mode, so a crash or a closed
terminal loses at most the turn in flight and a half-finished session still shows up
(with no outcome). Connections are short-lived: one per call, which keeps the store safe
to use from a CLI, tests and evals at once without shared state.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from coach.database import connect
from coach.errors import InputError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL DEFAULT 'roleplay',
    started_at TEXT NOT NULL,
    ended_at TEXT,
    guide TEXT NOT NULL,
    region TEXT NOT NULL,
    persona TEXT NOT NULL,
    seed INTEGER NOT NULL,
    outcome TEXT,
    score INTEGER,
    scorecard_json TEXT,
    hidden_json TEXT
);
CREATE TABLE IF NOT EXISTS turns (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    role TEXT NOT NULL,
    text TEXT NOT NULL,
    offer_json TEXT,
    kind TEXT,
    at TEXT NOT NULL,
    PRIMARY KEY (session_id, idx)
);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _connect(db: Path | str) -> AbstractContextManager[sqlite3.Connection]:
    return connect(db, _SCHEMA, "history database")


@dataclass
class TurnRecord:
    """One stored line of a session."""

    idx: int
    role: str
    text: str
    offer: dict[str, Any] | None
    kind: str | None
    at: str


@dataclass
class SessionRecord:
    """A stored session: its settings, outcome, score, scorecard and (when loaded) turns."""

    id: int
    kind: str
    started_at: str
    ended_at: str | None
    guide: str
    region: str
    persona: str
    seed: int
    outcome: str | None
    score: int | None
    scorecard: dict[str, Any] | None = None
    hidden: dict[str, Any] | None = None
    turns: list[TurnRecord] = field(default_factory=list)
    turn_count: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "guide": self.guide,
            "region": self.region,
            "persona": self.persona,
            "seed": self.seed,
            "outcome": self.outcome,
            "score": self.score,
            "turns": [
                {"role": t.role, "text": t.text, "offer": t.offer, "kind": t.kind, "at": t.at}
                for t in self.turns
            ],
            "scorecard": self.scorecard,
            "hidden": self.hidden,
        }


def _session(row: sqlite3.Row, full: bool = False) -> SessionRecord:
    loads = lambda text: json.loads(text) if text else None  # noqa: E731
    return SessionRecord(
        id=row["id"],
        kind=row["kind"],
        started_at=row["started_at"],
        ended_at=row["ended_at"],
        guide=row["guide"],
        region=row["region"],
        persona=row["persona"],
        seed=row["seed"],
        outcome=row["outcome"],
        score=row["score"],
        scorecard=loads(row["scorecard_json"]) if full else None,
        hidden=loads(row["hidden_json"]) if full else None,
        turn_count=row["turn_count"],
    )


def start_session(
    db: Path | str, guide: str, region: str, persona: str, seed: int, kind: str = "roleplay"
) -> int:
    """Record a new session and return its id."""
    with _connect(db) as conn:
        cursor = conn.execute(
            "INSERT INTO sessions (kind, started_at, guide, region, persona, seed) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (kind, _now(), guide, region, persona, seed),
        )
        return int(cursor.lastrowid or 0)


def add_turn(
    db: Path | str,
    session_id: int,
    role: str,
    text: str,
    offer: dict[str, Any] | None = None,
    kind: str | None = None,
) -> int:
    """Append one turn to a session, committed at once; returns its index."""
    with _connect(db) as conn:
        row = conn.execute(
            "SELECT COALESCE(MAX(idx) + 1, 0) FROM turns WHERE session_id = ?", (session_id,)
        ).fetchone()
        idx = int(row[0])
        conn.execute(
            "INSERT INTO turns (session_id, idx, role, text, offer_json, kind, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                session_id,
                idx,
                role,
                text,
                json.dumps(offer) if offer is not None else None,
                kind,
                _now(),
            ),
        )
        return idx


def finish_session(
    db: Path | str,
    session_id: int,
    outcome: str,
    score: int | None,
    scorecard: dict[str, Any] | None = None,
    hidden: dict[str, Any] | None = None,
) -> None:
    """Store a session's outcome, score, scorecard and the recruiter's now-revealed plan."""
    with _connect(db) as conn:
        conn.execute(
            "UPDATE sessions SET ended_at = ?, outcome = ?, score = ?, scorecard_json = ?, "
            "hidden_json = ? WHERE id = ?",
            (
                _now(),
                outcome,
                score,
                json.dumps(scorecard) if scorecard is not None else None,
                json.dumps(hidden) if hidden is not None else None,
                session_id,
            ),
        )


_SELECT = (
    "SELECT s.*, (SELECT COUNT(*) FROM turns t WHERE t.session_id = s.id) AS turn_count "
    "FROM sessions s"
)


def list_sessions(db: Path | str, limit: int | None = None) -> list[SessionRecord]:
    """Sessions newest first, with outcome, score and number of turns (no transcripts)."""
    if not Path(db).exists():
        return []
    query = _SELECT + " ORDER BY s.id DESC" + (" LIMIT ?" if limit else "")
    with _connect(db) as conn:
        rows = conn.execute(query, (limit,) if limit else ()).fetchall()
    return [_session(row) for row in rows]


def get_session(db: Path | str, session_id: int) -> SessionRecord:
    """One session with its turns and scorecard; ``InputError`` if there is no such id."""
    with _connect(db) as conn:
        row = conn.execute(_SELECT + " WHERE s.id = ?", (session_id,)).fetchone()
        if row is None:
            raise InputError(
                f"No practice session with id {session_id}.",
                "Run `coach history` to list session ids.",
            )
        turns = conn.execute(
            "SELECT * FROM turns WHERE session_id = ? ORDER BY idx", (session_id,)
        ).fetchall()
    record = _session(row, full=True)
    record.turns = [
        TurnRecord(
            idx=t["idx"],
            role=t["role"],
            text=t["text"],
            offer=json.loads(t["offer_json"]) if t["offer_json"] else None,
            kind=t["kind"],
            at=t["at"],
        )
        for t in turns
    ]
    return record


def scores_over_time(db: Path | str, kind: str = "roleplay") -> list[tuple[str, int]]:
    """(started_at, score) of every scored session, oldest first: the progress curve."""
    if not Path(db).exists():
        return []
    with _connect(db) as conn:
        rows = conn.execute(
            "SELECT started_at, score FROM sessions WHERE score IS NOT NULL AND kind = ? "
            "ORDER BY id",
            (kind,),
        ).fetchall()
    return [(row["started_at"], int(row["score"])) for row in rows]
