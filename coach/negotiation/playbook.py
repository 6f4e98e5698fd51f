"""The structured terms of a negotiation guide (its "playbook"), as plain data.

These types are shared by the extractor (``coach.knowledge.extraction``), the counter-offer engine,
the recruiter role-play and the guard. Every value keeps its ``Source`` so advice can cite
the guide line it came from. Money is plain numbers in the playbook's ``currency`` (whole
dollars for a dollar guide, euros for a euro guide); percentages are ``float`` percent
points (``15.0`` means 15%).
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
    an unknown column) to its range. Money is in the playbook's currency, ``bonus_pct`` in
    percent points. A band read from one table row cites that row; a band gathered from
    several lines (a column of a table, a list under a heading) cites its first line and
    quotes the lines it read, joined with "; ".
    """

    region: str
    components: dict[str, Range]
    source: Source


@dataclass
class Threshold:
    """A set of per-component figures with the line that states them (target or walk-away).

    ``source`` is the line stating most of them; a component the guide states on another
    line of the same section ("Sign-on ask: $40,000") is cited in ``component_sources``.
    """

    components: dict[str, float]
    source: Source
    component_sources: dict[str, Source] = field(default_factory=dict)

    def source_for(self, component: str) -> Source:
        """The line that states ``component``."""
        return self.component_sources.get(component, self.source)


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
    floor: Range | None = None  # the least to accept ("Don't settle for less than 8%")


@dataclass
class Fact:
    """A dated or company fact of the guide, which is never pay.

    ``kind`` is "date" (``text`` is the date as written: "Q2 2026", "H1 2027", "March 2025",
    "April") or "company" (``text`` is the figure as written: "$10B", "640 people"). ``label``
    names the topic ("IPO", "Series C", "secondary sale", "bonus payout", "OpenAI deal",
    "headcount", "revenue"). A company figure also has its ``value`` and, for money, its
    ``currency`` ("" for counts), so the coach can tell it apart from a salary figure.
    """

    kind: str  # "date" | "company"
    label: str
    text: str
    source: Source
    value: float | None = None
    currency: str = ""


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
    currency: str = "USD"  # the currency of every money value above (ISO code)
    facts: list[Fact] = field(default_factory=list)

    @property
    def has_terms(self) -> bool:
        """True for a role's guide (bands or thresholds); False for general advice."""
        return bool(self.bands or self.target or self.walk_away)

    def non_pay_amounts(self) -> list[tuple[str, float]]:
        """(currency, value) of every company money figure: deal sizes, funding, revenue."""
        return [
            (f.currency, f.value)
            for f in self.facts
            if f.kind == "company" and f.currency and f.value is not None
        ]

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
            return Threshold(
                components=dict(d["components"]),
                source=src(d["source"]),
                component_sources={k: src(v) for k, v in d.get("component_sources", {}).items()},
            )

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
                Premium(
                    name=p["name"],
                    percent=rng(p["percent"]),
                    source=src(p["source"]),
                    floor=rng(p["floor"]) if p.get("floor") else None,
                )
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
            # Playbooks stored before these fields existed are dollar guides without facts.
            currency=data.get("currency", "USD"),
            facts=[Fact(**{**f, "source": src(f["source"])}) for f in data.get("facts", [])],
        )
