"""The debrief's data: the transcript lines it reads and the scorecard it produces.

These plain types sit apart from the judging rules (``coach.roleplay.scoring``) and the advice text
(``coach.roleplay.tips``) so that both of those, and the role-play session that keeps the
transcript (``coach.roleplay.session``), can share them without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


class Entry(Protocol):
    """A transcript line: a session's turn or a stored ``history.TurnRecord``."""

    role: str
    text: str
    offer: dict[str, Any] | None


@dataclass
class Line:
    """A plain transcript line (what ``coach.roleplay.session`` keeps)."""

    role: str
    text: str
    offer: dict[str, Any] | None = None
    kind: str | None = None


@dataclass
class Criterion:
    """One judged criterion with the candidate's line that shows it."""

    name: str
    passed: bool
    evidence: str
    detail: str = ""
    credit: float = 0.0  # 0..1, the share of the weight earned


@dataclass
class Concession:
    """One move by one side on one component."""

    side: str  # "recruiter" | "candidate"
    component: str
    before: float
    after: float

    @property
    def size(self) -> float:
        return abs(self.after - self.before)


@dataclass
class Scorecard:
    """The debrief: criteria with evidence, concessions, zone captured, score and three tips."""

    score: int
    criteria: list[Criterion]
    concessions: list[Concession] = field(default_factory=list)
    anchor: dict[str, Any] = field(default_factory=dict)
    zone_captured: float | None = None
    tips: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The scorecard as plain data, as the session result stores and the CLI prints it."""
        return {
            "score": self.score,
            "criteria": [
                {"name": c.name, "passed": c.passed, "evidence": c.evidence, "detail": c.detail}
                for c in self.criteria
            ],
            "concessions": [
                {
                    "side": c.side,
                    "component": c.component,
                    "before": c.before,
                    "after": c.after,
                    "size": c.size,
                }
                for c in self.concessions
            ],
            "anchor": self.anchor,
            "zone_captured": self.zone_captured,
            "tips": self.tips,
        }
