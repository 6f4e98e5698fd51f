"""The structured terms of a negotiation guide (its "playbook"), as plain data.

These types are shared by the extractor (``coach.knowledge.extraction``), the counter-offer engine,
the recruiter role-play and the guard. Every value keeps its ``Source`` so advice can cite
the guide line it came from. Money is whole dollars (``int``); percentages are ``float``
percent points (``15.0`` means 15%).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Source:
    """Where a value came from: the guide, its section path and the quoted line."""

    guide: str
    section: str
    line: int
    quote: str


@dataclass(frozen=True)
class Range:
    """A closed numeric range. ``low == high`` for a single figure such as ``$248K``."""

    low: float
    high: float

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high


@dataclass
class RegionBand:
    """One row of a guide's compensation table: a region and its per-component ranges.

    ``components`` maps a component name (see ``coach.negotiation.components``, or a slug of
    an unknown column) to its range. Money is in dollars,
    ``bonus_pct`` in percent points.
    """

    region: str
    components: dict[str, Range]
    source: Source


@dataclass
class Threshold:
    """A set of per-component figures with the line that states them (target or walk-away)."""

    components: dict[str, float]
    source: Source


@dataclass
class CompetingOffer:
    """A competing-offer reference point named by the guide (company, figure, what it measures)."""

    company: str
    amount: int
    measure: str  # e.g. "total_comp"
    source: Source


@dataclass
class Premium:
    """A named premium such as the "AI premium", as a percentage range."""

    name: str
    percent: Range
    source: Source


@dataclass
class Script:
    """A named script to say out loud, with the key points a rehearsal checks for."""

    name: str  # slug, e.g. "share-premium"
    title: str
    text: str
    key_points: list[str]
    source: Source


@dataclass
class Playbook:
    """Everything the engine needs from one guide. Missing pieces are listed in ``missing``."""

    guide: str
    title: str
    role: str = ""
    company: str = ""
    level_mapping: str = ""
    bands: list[RegionBand] = field(default_factory=list)
    premiums: list[Premium] = field(default_factory=list)
    target: Threshold | None = None
    walk_away: Threshold | None = None
    competing_offers: list[CompetingOffer] = field(default_factory=list)
    scripts: list[Script] = field(default_factory=list)
    levers: list[Script] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def regions(self) -> list[str]:
        return [band.region for band in self.bands]

    def band_for(self, region: str) -> RegionBand | None:
        """The band whose region matches ``region`` case- and space-insensitively."""
        wanted = " ".join(region.lower().split())
        for band in self.bands:
            if " ".join(band.region.lower().split()) == wanted:
                return band
        return None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Playbook:
        """Rebuild a playbook stored as JSON (the inverse of ``to_dict``)."""

        def src(d: dict[str, Any]) -> Source:
            return Source(**d)

        def rng(d: dict[str, Any]) -> Range:
            return Range(**d)

        def threshold(d: dict[str, Any] | None) -> Threshold | None:
            if d is None:
                return None
            return Threshold(components=dict(d["components"]), source=src(d["source"]))

        def script(d: dict[str, Any]) -> Script:
            return Script(**{**d, "source": src(d["source"])})

        return cls(
            guide=data["guide"],
            title=data["title"],
            role=data.get("role", ""),
            company=data.get("company", ""),
            level_mapping=data.get("level_mapping", ""),
            bands=[
                RegionBand(
                    region=b["region"],
                    components={k: rng(v) for k, v in b["components"].items()},
                    source=src(b["source"]),
                )
                for b in data.get("bands", [])
            ],
            premiums=[
                Premium(name=p["name"], percent=rng(p["percent"]), source=src(p["source"]))
                for p in data.get("premiums", [])
            ],
            target=threshold(data.get("target")),
            walk_away=threshold(data.get("walk_away")),
            competing_offers=[
                CompetingOffer(**{**c, "source": src(c["source"])})
                for c in data.get("competing_offers", [])
            ],
            scripts=[script(s) for s in data.get("scripts", [])],
            levers=[script(s) for s in data.get("levers", [])],
            missing=list(data.get("missing", [])),
        )
