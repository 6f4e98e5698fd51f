"""Tests for coach.roleplay.history: the SQLite practice log, written turn by turn."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from coach.errors import InputError, StoreError
from coach.roleplay import history


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "history.sqlite3"


def test_a_session_round_trip(db: Path) -> None:
    sid = history.start_session(db, "cerebras", "Sunnyvale", "firm", 7)
    assert history.add_turn(db, sid, "recruiter", "Hello.", None, "open") == 0
    offer = {"base": 230000, "bonus_pct": 15.0}
    assert history.add_turn(db, sid, "candidate", "I'm targeting $268K base.") == 1
    assert history.add_turn(db, sid, "recruiter", "We can do $230K.", offer, "open") == 2
    history.finish_session(db, sid, "deal", 72, {"score": 72}, {"maximum": {"base": 260000}})
    stored = history.get_session(db, sid)
    assert (stored.guide, stored.region, stored.persona, stored.seed) == (
        "cerebras",
        "Sunnyvale",
        "firm",
        7,
    )
    assert [t.role for t in stored.turns] == ["recruiter", "candidate", "recruiter"]
    assert stored.turns[2].offer == offer and stored.turns[2].kind == "open"
    assert stored.outcome == "deal" and stored.score == 72 and stored.scorecard == {"score": 72}
    assert stored.hidden == {"maximum": {"base": 260000}} and stored.ended_at
    assert stored.to_json()["turns"][1]["text"] == "I'm targeting $268K base."


def test_each_turn_is_committed_at_once_in_wal_mode(db: Path) -> None:
    sid = history.start_session(db, "g", "r", "firm", 1)
    history.add_turn(db, sid, "recruiter", "Hello.")
    # A separate connection (another process, or the same one after a crash) sees the turn.
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT text FROM turns").fetchall() == [("Hello.",)]
    finally:
        conn.close()
    unfinished = history.list_sessions(db)[0]
    assert unfinished.outcome is None and unfinished.score is None and unfinished.turn_count == 1


def test_list_newest_first_and_progress_oldest_first(db: Path) -> None:
    ids = [history.start_session(db, "g", "r", "firm", seed) for seed in range(3)]
    history.finish_session(db, ids[0], "no_deal", 40)
    history.finish_session(db, ids[2], "deal", 85)
    assert [s.id for s in history.list_sessions(db)] == list(reversed(ids))
    assert [s.id for s in history.list_sessions(db, limit=1)] == [ids[2]]
    assert [score for _, score in history.scores_over_time(db)] == [40, 85]
    assert history.scores_over_time(db, kind="rehearsal") == []


def test_missing_things(db: Path) -> None:
    assert history.list_sessions(db) == [] and history.scores_over_time(db) == []
    with pytest.raises(InputError, match="No practice session with id 42"):
        history.get_session(db, 42)


def test_an_unusable_path_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError) as error:
        history.start_session(blocker / "history.sqlite3", "g", "r", "firm", 1)
    assert "COACH_HOME" in error.value.hint


def test_a_damaged_database_is_a_store_error(tmp_path: Path) -> None:
    bad = tmp_path / "history.sqlite3"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError):
        history.list_sessions(bad)


def test_text_is_stored_verbatim(db: Path) -> None:
    sid = history.start_session(db, "g", "r", "firm", 1)
    weird = "日本語 '; DROP TABLE turns; -- \x00 💰"
    history.add_turn(db, sid, "candidate", weird)
    assert history.get_session(db, sid).turns[0].text == weird
