"""Retry and compare: the same scenario played again, and what changed between two attempts.

A scenario is the guide, region, persona and seed: replaying it gives the same recruiter
with the same hidden plan, so a second attempt measures the person, not the dice.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coach.errors import InputError
from coach.roleplay import history
from coach.roleplay.history import SessionRecord

Scenario = tuple[str, str, str, int]


def scenario(record: SessionRecord) -> Scenario:
    return (record.guide, record.region, record.persona, record.seed)


def last_session(db: Path | str) -> SessionRecord:
    """The newest role-play, for `--retry` with no id."""
    sessions = [s for s in history.list_sessions(db) if s.kind == "roleplay"]
    if not sessions:
        raise InputError("There is no role-play to retry yet.", "Play one with `coach roleplay`.")
    return sessions[0]


def retry_ids(db: Path | str) -> set[int]:
    """Sessions that replay an earlier session's scenario (the progress chart marks them)."""
    seen: set[Scenario] = set()
    retries: set[int] = set()
    for record in reversed(history.list_sessions(db)):  # oldest first
        key = scenario(record)
        if key in seen:
            retries.add(record.id)
        seen.add(key)
    return retries


def _mistakes(record: SessionRecord) -> list[str]:
    return [m["kind"] for m in (record.scorecard or {}).get("mistakes", [])]


@dataclass
class Comparison:
    """Two attempts side by side: score, outcome, room captured, and mistakes fixed or not."""

    first: SessionRecord
    second: SessionRecord
    fixed: list[str]
    repeated: list[str]
    new: list[str]

    @property
    def same_scenario(self) -> bool:
        return scenario(self.first) == scenario(self.second)

    def rows(self) -> list[tuple[str, str, str]]:
        """(what, first attempt, second attempt) for a two-column table."""

        def captured(record: SessionRecord) -> str:
            share = (record.scorecard or {}).get("zone_captured")
            return "-" if share is None else f"{share:.0%}"

        def count(record: SessionRecord) -> str:
            return str(len(_mistakes(record)))

        return [
            ("session", f"#{self.first.id}", f"#{self.second.id}"),
            ("outcome", self.first.outcome or "unfinished", self.second.outcome or "unfinished"),
            ("score", str(self.first.score or 0), str(self.second.score or 0)),
            ("room captured", captured(self.first), captured(self.second)),
            ("mistakes", count(self.first), count(self.second)),
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "first": self.first.id,
            "second": self.second.id,
            "same_scenario": self.same_scenario,
            "rows": [{"what": w, "first": a, "second": b} for w, a, b in self.rows()],
            "fixed": self.fixed,
            "repeated": self.repeated,
            "new": self.new,
        }


def compare(db: Path | str, first_id: int, second_id: int) -> Comparison:
    """Compare two stored sessions (the first is usually the earlier attempt)."""
    first, second = history.get_session(db, first_id), history.get_session(db, second_id)
    before, after = set(_mistakes(first)), set(_mistakes(second))
    return Comparison(
        first,
        second,
        fixed=sorted(before - after),
        repeated=sorted(before & after),
        new=sorted(after - before),
    )
