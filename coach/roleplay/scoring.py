"""The debrief: how the candidate negotiated, judged against the guide and the hidden plan.

Every criterion is decided by code from the transcript (each candidate line is re-read with
``coach.roleplay.candidate.read_candidate``), so a stored session scores the same way tomorrow. The
evidence for a criterion is the candidate's own line that shows it; where no line shows it
the evidence says so in brackets. The scorecard's types live in ``coach.roleplay.scorecard`` and its
tips (and the in-game ``next_step_hint``, which never sees the hidden plan) in
``coach.roleplay.tips``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from coach.negotiation.components import BASE, format_value
from coach.negotiation.offers import resolve_band
from coach.negotiation.playbook import Playbook
from coach.roleplay.candidate import CandidateMove, read_candidate
from coach.roleplay.plan import RecruiterPlan
from coach.roleplay.rehearsal import find_script
from coach.roleplay.scorecard import Concession, Criterion, Entry, Scorecard
from coach.roleplay.tips import describe, tips_for

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


def _quote(text: str) -> str:
    """A candidate line as evidence; bracketed text is kept for "no line shows it"."""
    return f'"{text}"'


@dataclass
class _Read:
    """A candidate line, what it says, and where it sits (lines may repeat: use ``at``)."""

    entry: Entry
    move: CandidateMove
    at: int


def _candidate_lines(playbook: Playbook, region: str | None, transcript: list) -> list[_Read]:
    """Every candidate line re-read, with its index so repeated lines stay distinct."""
    return [
        _Read(e, read_candidate(e.text, playbook, region), i)
        for i, e in enumerate(transcript)
        if e.role == "candidate"
    ]


def _concessions(transcript: list, reads: list[_Read]) -> list[Concession]:
    """Each side's moves: the recruiter raising an offer, the candidate lowering an ask."""
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
            money = self.playbook.currency
            detail = f"asked {describe(compared, money)} vs target {describe(self.target, money)}"
        else:
            # No target in the guide: the top of the published band is the anchor to reach.
            span = resolve_band(self.playbook, self.plan.region).components.get(BASE)
            ok = bool(span) and asks.get(BASE, 0) >= 0.95 * span.high
            detail = f"asked {describe(asks, self.playbook.currency)}"
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
            f"you gave up {format_value(BASE, mine, self.playbook.currency)} on base, "
            f"the recruiter {format_value(BASE, theirs, self.playbook.currency)}"
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
        walk_text = describe(walk, self.playbook.currency) if walk else "(no walk-away in the guide)"
        if outcome == "deal" and final:
            meets = all(final.get(c, 0) >= v - 0.5 for c, v in walk.items())
            got = (
                describe({c: final.get(c, 0) for c in walk}, self.playbook.currency)
                if walk
                else "reached"
            )
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
    card.tips = tips_for(playbook, card, judge.target, judge.walk)
    return card
