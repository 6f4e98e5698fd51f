"""Open role-plays kept in SQLite, rebuilt on demand by replaying their turns through the engine.

A ``RoleplaySession`` is deterministic given its playbook, region, persona, seed and the
candidate's lines: the plan is drawn from the seed and every recruiter move is decided by
the engine. The history database already records the session (guide, region, persona,
seed) and every turn as it happens (``coach.roleplay.history``), so only what the history
lacks is kept here, in one row per open role-play under a caller-chosen handle: the
playbook as it was played (the guide with the person's own figures at the time), the real
offer the plan opened with, and the round limit.

``resume`` replays the stored turns through the session's own ``start`` and ``respond``,
with the history off and a stand-in model that says the recorded recruiter lines: each
candidate line is read and decided again by the engine, the words are the ones the person
saw, no model is called and no history turn is written twice. The replayed moves must match the recorded ones (kind and
offer); if the engine or the stored data changed so that they do not, ``ResumeError``
says so rather than continuing a negotiation that is no longer the one the person saw.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coach.config import Settings
from coach.database import connect
from coach.errors import InputError
from coach.negotiation.playbook import Playbook
from coach.roleplay import history
from coach.roleplay.history import TurnRecord
from coach.roleplay.session import RoleplaySession

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

# Past this many kept role-plays the oldest rows go (their history stays).
MAX_OPEN = 1000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS roleplay_open (
    handle TEXT PRIMARY KEY,
    session_id INTEGER NOT NULL,
    playbook_json TEXT NOT NULL,
    offer_json TEXT,
    max_rounds INTEGER NOT NULL,
    word_hints INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
"""


class RoleplayNotFound(InputError):
    """No kept role-play has this handle."""


class ResumeError(InputError):
    """The stored turns no longer replay to the same negotiation."""


@dataclass(frozen=True)
class Version:
    """How far a stored role-play has got: turns recorded, and whether it was debriefed."""

    turns: int
    ended: bool


def _connect(db: Path | str) -> AbstractContextManager[sqlite3.Connection]:
    return connect(db, _SCHEMA, "history database")


def _missing(handle: str) -> RoleplayNotFound:
    return RoleplayNotFound(
        f"No open role-play session {handle!r}.", "Start a new one with POST /api/roleplay."
    )


def keep(
    db: Path | str,
    handle: str,
    session: RoleplaySession,
    offer: dict[str, float] | None = None,
) -> None:
    """Store what it takes to resume a started, persisted ``session`` under ``handle``.

    ``offer`` is the real offer the session was created with (``RoleplaySession(offer=)``),
    which the plan cannot give back once drawn.
    """
    if session.session_id is None:
        raise ValueError("only a started session that records its history can be kept")
    with _connect(db) as conn:
        conn.execute(
            "INSERT OR REPLACE INTO roleplay_open (handle, session_id, playbook_json, "
            "offer_json, max_rounds, word_hints, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                handle,
                session.session_id,
                json.dumps(session.playbook.to_dict()),
                json.dumps(offer) if offer else None,
                session.plan.max_rounds,
                int(session.word_hints),
                datetime.now(UTC).isoformat(timespec="microseconds"),
            ),
        )
        conn.execute(
            "DELETE FROM roleplay_open WHERE handle IN (SELECT handle FROM roleplay_open "
            "ORDER BY created_at DESC LIMIT -1 OFFSET ?)",
            (MAX_OPEN,),
        )


def _row(db: Path | str, handle: str) -> tuple[Any, ...]:
    with _connect(db) as conn:
        row = conn.execute(
            "SELECT session_id, playbook_json, offer_json, max_rounds, word_hints "
            "FROM roleplay_open WHERE handle = ?",
            (handle,),
        ).fetchone()
    if row is None:
        raise _missing(handle)
    return tuple(row)


def _record(db: Path | str, handle: str, session_id: int) -> history.SessionRecord:
    try:
        return history.get_session(db, session_id)
    except InputError:  # the history row was deleted under us
        raise _missing(handle) from None


def version(db: Path | str, handle: str) -> Version:
    """The stored role-play's progress, to tell whether a copy in memory is still current."""
    session_id = _row(db, handle)[0]
    record = _record(db, handle, session_id)
    return Version(len(record.turns), record.ended_at is not None)


def version_of(session: RoleplaySession, ended: bool) -> Version:
    """The ``Version`` a live session is at (``ended``: its debrief has been saved)."""
    return Version(len(session.transcript), ended)


def resume(
    settings: Settings,
    handle: str,
    model: BaseChatModel | None = None,
) -> tuple[RoleplaySession, Version]:
    """Rebuild the kept role-play ``handle`` from the store, with no model call.

    New turns are recorded in the same history session as before. A session that was
    already debriefed comes back finished, with the same debrief.
    """
    db = settings.history_db
    session_id, playbook_json, offer, max_rounds, word_hints = _row(db, handle)
    record = _record(db, handle, session_id)
    session = RoleplaySession(
        settings,
        Playbook.from_dict(json.loads(playbook_json)),
        region=record.region,
        persona=record.persona,
        seed=record.seed,
        model=model,
        persist=False,  # nothing is written while replaying
        word_hints=bool(word_hints),
        max_rounds=max_rounds,
        offer=json.loads(offer) if offer else None,
    )
    replay(session, record.turns)
    session.session_id = session_id
    ended = record.ended_at is not None
    if ended:
        session.finish()  # recomputes the same debrief; not saved again (persist is off)
    session.persist = True
    if len(session.transcript) > len(record.turns):
        # The server stopped between the candidate's line and the recruiter's reply: the
        # reply is the engine's templated line, recorded now so history and session agree.
        last = session.transcript[-1]
        history.add_turn(db, session_id, last.role, last.text, last.offer, last.kind)
    return session, version_of(session, ended)


class _RecordedWords:
    """A stand-in chat model that says the recorded recruiter lines again, in order.

    Replaying through the session's own ``start``/``respond`` keeps every part of a turn
    (engine, feedback, decided offers) exactly as it ran; only the words come from the
    record. When the record runs out it fails, and the session falls back to its
    templated line, as it does whenever a model call fails.
    """

    def __init__(self, texts: list[str]) -> None:
        self._texts = iter(texts)

    def bind(self, **_: Any) -> _RecordedWords:
        return self

    def invoke(self, *_: Any, **__: Any) -> Any:
        text = next(self._texts, None)
        if text is None:
            raise LookupError("no recorded line left")
        return type("Reply", (), {"content": text})()


def replay(session: RoleplaySession, turns: list[TurnRecord]) -> None:
    """Advance a fresh ``session`` through recorded ``turns`` without the model or history.

    ``session`` must not be started and must have ``persist`` off. A trailing candidate
    line with no recorded reply gets the engine's templated reply.
    """
    if not turns:
        return
    if session.started or session.persist:
        raise ValueError("replay needs a fresh session that does not record")
    if turns[0].role != "recruiter" or any(
        turn.role != ("candidate" if index % 2 else "recruiter") for index, turn in enumerate(turns)
    ):
        raise ResumeError(
            "This role-play's stored turns are out of order.", "Start a new role-play."
        )
    model = session.model
    session.model = _RecordedWords([t.text for t in turns if t.role == "recruiter"])  # type: ignore[assignment]
    try:
        session.start()
        for said in turns[1::2]:
            if session.done:
                raise ResumeError(
                    "This role-play's stored turns go on after it ended.",
                    "Start a new role-play.",
                )
            session.respond(said.text)
    finally:
        session.model = model
    for line, recorded in zip(session.transcript, turns, strict=False):
        stored = json.loads(json.dumps(line.offer))  # as the history's JSON column gives it
        if (line.role, line.kind, stored) != (recorded.role, recorded.kind, recorded.offer):
            raise ResumeError(
                "This role-play no longer replays the same way (the coach or the stored "
                "session changed since it started).",
                "Finish it from the history or start a new role-play.",
            )
        # The words the person saw stand, even if today's guard would word them otherwise.
        line.text = recorded.text
