"""The debrief: how the candidate negotiated, judged against the guide and the hidden plan.

Every criterion is decided by code from the transcript (each candidate line is re-read with
``coach.recruiter.read_candidate``), so a stored session scores the same way tomorrow. The
evidence for a criterion is the candidate's own line that shows it; where no line shows it
the evidence says so in brackets. ``next_step_hint`` is the coach's in-game advice: it sees
the transcript and the guide, never the recruiter's hidden plan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Protocol

from coach.money import format_money, format_percent
from coach.recruiter import CandidateMove, RecruiterPlan, read_candidate, resolve_band
from coach.rehearsal import find_script
from coach.terms import BASE, SHARE_PREMIUM_PCT, Playbook

# Weights sum to 100; criteria that do not apply (no script in the guide, no zone of
# agreement) drop out and the rest are rescaled.
WEIGHTS = {
    "anchored_first": 5,
    "anchor_at_target": 15,
    "no_early_acceptance": 10,
    "concessions_smaller": 10,
    "deal_vs_walk_away": 20,
    "zone_captured": 15,
    "share_premium_script": 10,
    "walk_away_private": 10,
    "competing_offer_used": 5,
}
TIP_ORDER = [
    "deal_vs_walk_away",
    "anchor_at_target",
    "no_early_acceptance",
    "walk_away_private",
    "share_premium_script",
    "competing_offer_used",
    "zone_captured",
    "concessions_smaller",
    "anchored_first",
]


class Entry(Protocol):
    """A transcript line: a session's turn or a stored ``history.TurnRecord``."""

    role: str
    text: str
    offer: dict[str, Any] | None


@dataclass
class Line:
    """A plain transcript line (what ``coach.roleplay`` keeps)."""

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


def _fmt(component: str, value: float) -> str:
    if component.endswith("_pct"):
        suffix = " more shares" if component == SHARE_PREMIUM_PCT else " bonus"
        return format_percent(value) + suffix
    return format_money(int(value)) + (" base" if component == BASE else f" {component}")


def describe(components: dict[str, float]) -> str:
    """Thresholds as words: ``$268K base and 30% more shares``."""
    return " and ".join(_fmt(c, v) for c, v in components.items())


def _quote(text: str) -> str:
    return f'"{text}"'


@dataclass
class _Read:
    """A candidate line, what it says, and where it sits (lines may repeat: use ``at``)."""

    entry: Entry
    move: CandidateMove
    at: int


def _candidate_lines(playbook: Playbook, region: str | None, transcript: list) -> list[_Read]:
    return [
        _Read(e, read_candidate(e.text, playbook, region), i)
        for i, e in enumerate(transcript)
        if e.role == "candidate"
    ]


def _concessions(transcript: list, reads: list[_Read]) -> list[Concession]:
    found: list[Concession] = []
    previous: dict[str, Any] | None = None
    for entry in transcript:
        if entry.role == "recruiter" and entry.offer:
            for component, value in entry.offer.items():
                if previous and value > previous.get(component, value):
                    found.append(Concession("recruiter", component, previous[component], value))
            previous = dict(entry.offer)
    asks: dict[str, float] = {}
    for read in reads:
        for component, value in read.move.asks.items():
            if component in asks and value < asks[component]:
                found.append(Concession("candidate", component, asks[component], value))
            asks[component] = value
    return found


class _Judge:
    """Collects criteria for one session; one method a criterion keeps each rule readable."""

    def __init__(self, playbook: Playbook, plan: RecruiterPlan, transcript: list) -> None:
        self.playbook, self.plan, self.transcript = playbook, plan, transcript
        self.reads = _candidate_lines(playbook, plan.region, transcript)
        self.target = dict(playbook.target.components) if playbook.target else {}
        walk = dict(playbook.walk_away.components) if playbook.walk_away else {}
        self.walk = {c: v for c, v in walk.items() if c in plan.maximum}
        self.criteria: list[Criterion] = []

    def add(self, name: str, passed: bool, evidence: str, detail: str = "", credit=None) -> None:
        credit = float(passed) if credit is None else credit
        self.criteria.append(Criterion(name, bool(passed), evidence, detail, credit))

    def last_line(self) -> str:
        return _quote(self.reads[-1].entry.text) if self.reads else "(you said nothing)"

    def anchors(self) -> dict[str, Any]:
        first_ask = next((r for r in self.reads if r.move.asks), None)
        first_offer = next(
            (i for i, e in enumerate(self.transcript) if e.role == "recruiter" and e.offer),
            len(self.transcript),
        )
        ask_at = first_ask.at if first_ask else len(self.transcript)
        replies = [r for r in self.reads if r.at > first_offer]
        first = ask_at < first_offer
        countered = bool(replies and replies[0].move.asks)
        evidence = _quote(first_ask.entry.text) if first_ask else "(you never named a figure)"
        who = "candidate" if first else "recruiter"
        detail = f"{who} named a number first" + ("; you countered at once" if countered else "")
        self.add("anchored_first", first or countered, evidence, detail)
        anchor: dict[str, Any] = {"who": who, "candidate_ask": None, "target": self.target}
        if first_ask is None:
            self.add("anchor_at_target", False, evidence, "you never named a figure")
            return anchor
        asks = first_ask.move.asks
        anchor["candidate_ask"] = asks
        compared = {c: v for c, v in asks.items() if c in self.target}
        if compared:
            ok = all(v >= 0.98 * self.target[c] for c, v in compared.items())
            detail = f"asked {describe(compared)} vs target {describe(self.target)}"
        else:
            # No target in the guide: the top of the published band is the anchor to reach.
            span = resolve_band(self.playbook, self.plan.region).components.get(BASE)
            ok = bool(span) and asks.get(BASE, 0) >= 0.95 * span.high
            detail = f"asked {describe(asks)}"
        self.add("anchor_at_target", ok, evidence, detail)
        return anchor

    def early_acceptance(self, outcome: str) -> _Read | None:
        accept = None
        if outcome == "deal":
            accept = next((r for r in reversed(self.reads) if r.move.accepts), None)
        if accept is None:
            self.add("no_early_acceptance", True, "(you did not accept early)")
            return None
        # Early means the first figure on the table was taken: the recruiter never moved.
        offers = [
            e.offer for e in self.transcript[: accept.at] if e.role == "recruiter" and e.offer
        ]
        pushed = len({tuple(sorted(o.items())) for o in offers}) > 1
        detail = "accepted after the recruiter moved" if pushed else "accepted the first offer"
        self.add("no_early_acceptance", pushed, _quote(accept.entry.text), detail)
        return accept

    def concessions(self) -> list[Concession]:
        found = _concessions(self.transcript, self.reads)
        mine = sum(c.size for c in found if c.side == "candidate" and c.component == BASE)
        theirs = sum(c.size for c in found if c.side == "recruiter" and c.component == BASE)
        lowered = next(
            (
                r
                for r in self.reads
                for c in found
                if c.side == "candidate" and r.move.asks.get(c.component) == c.after
            ),
            None,
        )
        evidence = _quote(lowered.entry.text) if lowered else "(you never lowered an ask)"
        detail = (
            f"you gave up {format_money(int(mine))} on base, "
            f"the recruiter {format_money(int(theirs))}"
        )
        self.add("concessions_smaller", mine <= theirs, evidence, detail)
        return found

    def deal(
        self, outcome: str, final: dict[str, Any] | None, accept: _Read | None
    ) -> float | None:
        """The deal vs the walk-away, and the share of the zone of agreement captured."""
        plan, walk = self.plan, self.walk
        lows = walk or {BASE: plan.opening.get(BASE, 0.0)}
        zone = {c: (lo, plan.maximum[c]) for c, lo in lows.items() if c in plan.maximum}
        evidence = _quote(accept.entry.text) if accept else self.last_line()
        walk_text = describe(walk) if walk else "(no walk-away in the guide)"
        if outcome == "deal" and final:
            meets = all(final.get(c, 0) >= v - 0.5 for c, v in walk.items())
            got = describe({c: final.get(c, 0) for c in walk}) if walk else "reached"
            self.add("deal_vs_walk_away", meets, evidence, f"deal {got} vs walk-away {walk_text}")
            shares = [
                min(1.0, max(0.0, (final.get(c, 0) - lo) / (hi - lo)))
                for c, (lo, hi) in zone.items()
                if hi > lo
            ]
            captured = round(sum(shares) / len(shares), 2) if shares else float(meets)
        else:
            possible = all(hi >= lo for lo, hi in zone.values())
            last = next((e.offer for e in reversed(self.transcript) if e.offer), None) or {}
            on_table = bool(walk) and all(last.get(c, 0) >= v - 0.5 for c, v in walk.items())
            detail = (
                "no deal, though the last offer met your walk-away"
                if possible and on_table
                else "no deal, though the recruiter had room to meet your walk-away"
                if possible
                else "no deal, and the recruiter could not reach your walk-away"
            )
            self.add("deal_vs_walk_away", not possible, evidence, detail)
            if not possible:
                return None  # nothing could be captured, so the criterion does not apply
            captured = 0.0
        pct = round(captured * 100)
        self.add(
            "zone_captured",
            captured >= 0.5,
            evidence,
            f"captured {pct}% of the zone of agreement",
            captured,
        )
        return captured

    def script_and_secrets(self) -> None:
        script = find_script(self.playbook)
        if script is not None and script.key_points:
            used = {p for r in self.reads for p in r.move.share_points}
            needed = max(1, math.ceil(len(script.key_points) / 2))
            best = max(self.reads, key=lambda r: len(r.move.share_points), default=None)
            shown = best is not None and best.move.share_points
            evidence = _quote(best.entry.text) if shown else "(no line used the script)"
            detail = f"used {len(used)} of {len(script.key_points)} key points"
            self.add(
                "share_premium_script",
                len(used) >= needed,
                evidence,
                detail,
                min(1.0, len(used) / needed),
            )
        reveal = next((r for r in self.reads if r.move.reveals_walk_away), None)
        evidence = _quote(reveal.entry.text) if reveal else "(you never stated your walk-away)"
        self.add(
            "walk_away_private",
            reveal is None,
            evidence,
            "revealed your walk-away" if reveal else "",
        )
        if self.playbook.competing_offers:
            named = next((r for r in self.reads if any(c.credible for c in r.move.competing)), None)
            evidence = _quote(named.entry.text) if named else "(no competing offer mentioned)"
            self.add("competing_offer_used", named is not None, evidence)


def build_scorecard(
    playbook: Playbook,
    plan: RecruiterPlan,
    transcript: list,
    outcome: str,
    final_offer: dict[str, Any] | None,
) -> Scorecard:
    """Judge a finished (or abandoned) session; ``transcript`` holds ``Entry``-like lines."""
    judge = _Judge(playbook, plan, transcript)
    anchor = judge.anchors()
    accept = judge.early_acceptance(outcome)
    concessions = judge.concessions()
    captured = judge.deal(outcome, final_offer, accept)
    judge.script_and_secrets()
    criteria = judge.criteria
    total = sum(WEIGHTS[c.name] for c in criteria)
    score = round(100 * sum(WEIGHTS[c.name] * c.credit for c in criteria) / total)
    card = Scorecard(score, criteria, concessions, anchor, captured)
    card.tips = _tips(playbook, card, judge.target, judge.walk)
    return card


def _tips(playbook: Playbook, card: Scorecard, target: dict, walk: dict) -> list[str]:
    """Exactly three concrete things to do differently, the costliest failures first."""
    target_text = describe(target) if target else "the top of the guide's band"
    walk_text = describe(walk) if walk else "your walk-away"
    failed = {c.name: c for c in card.criteria if not c.passed}
    script = find_script(playbook)
    offers = playbook.competing_offers
    example = ""
    if offers:
        measure = "TC" if offers[0].measure == "total_comp" else offers[0].measure
        example = f"{offers[0].company} at {format_money(offers[0].amount)} {measure}"
    deal_failed = failed.get("deal_vs_walk_away")
    advice = {
        "deal_vs_walk_away": (
            f"Don't accept below your walk-away ({walk_text}): say you can't accept that and "
            "ask what they can change."
            if deal_failed and deal_failed.detail.startswith("deal ")
            else f"The last offer met your walk-away ({walk_text}): accept a final offer that "
            "clears it, or make one last specific ask instead of leaving."
            if deal_failed and "last offer met" in deal_failed.detail
            else f"The recruiter had room to reach your walk-away ({walk_text}): bring your "
            "strongest levers (a competing offer, the share-premium case) before the final round."
        ),
        "anchor_at_target": (
            f"Open at the guide's target, {target_text}, and give one reason before anything else."
        ),
        "no_early_acceptance": (
            f"Never take the first offer: counter once with {target_text} and a reason."
        ),
        "walk_away_private": (
            "Keep your walk-away to yourself: when asked for your lowest number, repeat your "
            "target and the reasons for it."
        ),
        "share_premium_script": (
            "Make the share-premium case out loud ("
            + "; ".join(script.key_points[:2] if script else [])
            + f"), and rehearse it with `coach rehearse {script.name if script else ''}`."
        ),
        "competing_offer_used": (
            f"Name a credible alternative from your guide, such as {example}, to earn bigger moves."
        ),
        "zone_captured": (
            "You left room on the table: after each concession, ask again for a specific "
            f"figure such as {target_text}."
        ),
        "concessions_smaller": (
            "Concede in smaller steps than the recruiter, and ask for something in return "
            "each time."
        ),
        "anchored_first": (
            "Name your number before the recruiter does, or counter their first offer with your "
            "own figure at once."
        ),
    }
    tips = [advice[name] for name in TIP_ORDER if name in failed]
    fillers = [
        "Before accepting, ask for the whole package in writing: base, equity (share count and "
        "vesting) and bonus.",
        "Practise against a tougher recruiter next time: `coach roleplay --persona lowball`.",
        f"Rehearse your opening line until it is automatic, starting from {target_text}.",
    ]
    return (tips + fillers)[:3]


def next_step_hint(playbook: Playbook, region: str | None, transcript: list) -> str:
    """What to say next, from the guide and the visible transcript (never the hidden plan)."""
    reads = _candidate_lines(playbook, region, transcript)
    target = dict(playbook.target.components) if playbook.target else {}
    walk = dict(playbook.walk_away.components) if playbook.walk_away else {}
    offer = next((e.offer for e in reversed(transcript) if e.role == "recruiter" and e.offer), None)
    last_kind = next(
        (getattr(e, "kind", None) for e in reversed(transcript) if e.role == "recruiter"), None
    )
    target_text = describe(target) if target else "the top of the guide's band"
    script = find_script(playbook)
    used = {p for r in reads for p in r.move.share_points}
    credible = any(c.credible for r in reads for c in r.move.competing)
    if offer and last_kind == "final_offer":
        if walk and all(offer.get(c, 0) >= v for c, v in walk.items() if c in offer):
            return (
                f"That is a final offer and it clears your walk-away ({describe(walk)}). "
                "Accept it, or make one last specific ask and be ready to accept."
            )
        return (
            f"That is a final offer below your walk-away ({describe(walk) if walk else 'floor'}). "
            "Decline politely, without naming your floor."
        )
    if not any(r.move.asks for r in reads):
        return (
            f"Anchor first with the guide's target: say you're targeting {target_text}, "
            "and give one reason tied to the work you'd own."
        )
    if script is not None and len(used) < max(1, math.ceil(len(script.key_points) / 2)):
        missing = [p for p in script.key_points if p not in used][:2]
        return "Make the share-premium case with the guide's points: " + "; ".join(missing) + "."
    if playbook.competing_offers and not credible:
        o = playbook.competing_offers[0]
        measure = "TC" if o.measure == "total_comp" else o.measure
        return (
            f"Mention a credible alternative from your guide, such as {o.company} at "
            f"{format_money(o.amount)} {measure}, and ask them to close the gap."
        )
    if offer and walk and all(offer.get(c, 0) >= v for c, v in walk.items() if c in offer):
        return (
            f"The offer clears your walk-away ({describe(walk)}). Push once more for "
            f"{target_text} with a specific figure, or accept if they say it's final."
        )
    return (
        f"Hold your ask at {target_text}, repeat your strongest reason, and don't reveal "
        "your walk-away."
    )
