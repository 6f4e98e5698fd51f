"""Mistakes in the candidate's lines, found by code from the reading, the table and the figures.

A negotiation coach helps when it names the error in the line that made it and shows a
better line (ACE, EMNLP 2024: only turn-level feedback of this kind made people improve).
Every mistake here is decided from ``read_candidate``'s signals, the offer on the table and
the guide's target and walk-away: never a model's guess, so the same line always gets the
same note. ``evals/mistakes_cases.yaml`` holds hand-labelled lines that measure it.

The scheme, adapted to job offers:

============================ ===============================================================
``no_number``                asks for their number, or dodges, without naming one
``low_anchor``               the first base figure named is below the target
``reveals_walk_away``        says the floor out loud
``big_concession``           gives up more than half the room to the walk-away in one step
``no_rationale``             a new figure with no reason (no lever, premium, rival or trade)
``bare_ask``                 asks for more without a figure
``accepts_below_walk_away``  accepts an offer below the walk-away
``accepts_early``            accepts the first offer without countering it
``weak_close``               accepts without asking for it in writing
============================ ===============================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from coach.negotiation.components import BASE, SHARE_PREMIUM_PCT, SIGN_ON, TOTAL_COMP
from coach.negotiation.playbook import Playbook
from coach.roleplay.candidate import CandidateMove
from coach.roleplay.rehearsal import key_terms

MISTAKES = (
    "no_number", "low_anchor", "reveals_walk_away", "big_concession", "no_rationale",
    "bare_ask", "accepts_below_walk_away", "accepts_early", "weak_close",
)

# Asking the recruiter to name the number first, or deferring to them.
_THEIR_NUMBER = re.compile(
    r"\bwhat(?:'s| is| are)? (?:the|your) (?:offer|number|range|budget|most)\b"
    r"|\bwhat (?:did|do) you have in mind\b|\bwhat range\b|\bshare the numbers\b"
    r"|\bwhat can you (?:offer|do)\b|\bmost you can\b|\byou tell me\b|\bi'?m (?:flexible|open)\b"
    r"|\bwhatever (?:you|is fair)\b|\bnumbers first\b|\bwhat you'?ve got\b|\bhear (?:your|what)\b"
    r"|\byour number\b|\bbudgeted\b|\bbefore i (?:throw|say|name|give|share)\b|\byou go first\b"
    r"|\bshare the (?:band|range)\b|\bwhat (?:were|are) you thinking\b|\bwhere does the (?:band|"
    r"range)\b|\bwhat (?:number|figure|range|band) (?:did|do|does|are|were|have)\b",
    re.I,
)
# A reason for a figure: a lever, a premium, a competing offer, market data or a trade.
_REASON = re.compile(
    r"\bbecause\b|\bgiven\b|\bsince\b|\bbased on\b|\bpremium\b|\bbenchmark|\bipo\b"
    r"|\bexperience\b|\bmarket\b|\bscope\b|\blevel\b|\boffer from\b|\bcompeting\b"
    r"|\bleaving\b|\bif (?:we|you)\b|\bin exchange\b|\bproof\b|\bwith (?:the|my|an?)\b"
    r"|\bat \$?\d[\d.,]*k? tc\b"
    # a trade: "245 works if the shares go to 20%", "253 if the shares reach 30%"
    r"|\b(?:works?|fine|ok(?:ay)?|do it|deal)\s+if\b"
    r"|\bif (?:the )?(?:shares?|equity|stock|grant|base|sign[- ]?on|bonus)\b|\btrade\b",
    re.I,
)
# Terms every ask shares with the levers ("20% more shares"): naming them argues nothing.
_PAY_TERMS = {"equity", "plus", "base", "premium", "value", "need", "ask", "offer", "ok", "okay"}
_IN_WRITING = re.compile(r"\bwrit(?:ing|ten)\b|\bemail\b|\bsend (?:it|the|me|over)\b", re.I)
_ASKED = (BASE, TOTAL_COMP, SIGN_ON, SHARE_PREMIUM_PCT)


@dataclass(frozen=True)
class Mistake:
    """One mistake in one candidate line, with the line that made it."""

    kind: str
    line: str
    turn: int  # 1-based candidate turn


@dataclass
class MistakeTracker:
    """Follows one role-play turn by turn; ``check`` returns the mistakes of each new line."""

    playbook: Playbook
    walk_away: dict[str, float]
    target: dict[str, float]
    turn: int = 0
    last_ask: float | None = None  # the candidate's latest base ask
    previous_ask: float | None = None  # the base ask before the line just checked
    countered_offer: bool = False  # an ask made while an offer was on the table
    first_offer: dict[str, float] | None = None  # the recruiter's opening offer
    paper_asked: bool = False  # an earlier line asked for the offer in writing
    found: list[Mistake] = field(default_factory=list)

    def check(
        self, move: CandidateMove, offer: dict[str, float] | None
    ) -> list[Mistake]:
        """The mistakes of ``move``, said with ``offer`` on the table (None before any)."""
        self.turn += 1
        self.previous_ask = self.last_ask
        if offer and self.first_offer is None:
            self.first_offer = dict(offer)
        kinds: list[str] = []
        text = move.text
        accepts = move.accepts and not self._counters(move, offer)
        # "I accept 251 base": the figure said is the offer taken, not a new position.
        base = None if accepts else move.asks.get(BASE)
        floor = None if accepts else move.floor
        if base is None and floor is not None and floor[0] == BASE:
            base = floor[1]  # the floor said is the new position (a rival's figure is not)
        named = not accepts and (any(move.asks.get(c) for c in _ASKED) or base is not None
                                 or floor is not None)
        if move.reveals_walk_away:
            kinds.append("reveals_walk_away")
        if not named and not accepts and not move.walks_away:
            # The recruiter opens by asking what the person wants: a first line without a
            # figure (small talk, a question about the team) lets them anchor first.
            if _THEIR_NUMBER.search(text) or (self.turn == 1 and offer is None):
                kinds.append("no_number")
            elif offer and move.pushback and not move.figures:
                kinds.append("bare_ask")
        if base is not None:
            floor, goal = self.walk_away.get(BASE), self.target.get(BASE)
            if self.last_ask is None:
                if goal and base < goal:
                    kinds.append("low_anchor")
            elif floor and base < self.last_ask:
                room = self.last_ask - floor
                if base <= floor or self.last_ask - base > 0.5 * room:
                    kinds.append("big_concession")
        if named and not accepts and self._is_new(move, base) and not self._has_reason(move):
            kinds.append("no_rationale")
        if accepts and offer:
            # The walk-away is every term it names: $251K base with 10% more shares is below
            # "$248K base and 20% more shares".
            if any(offer.get(c, need) < need for c, need in self.walk_away.items() if need):
                kinds.append("accepts_below_walk_away")
            # Taking the opening offer as it stands, never countered with a figure: a bare
            # "any wiggle room?" is not a counter, and an offer that has moved is not the first.
            if not self.countered_offer and offer == self.first_offer:
                kinds.append("accepts_early")
            # Asked for the paper in this line or an earlier one: the close is in writing.
            if not (_IN_WRITING.search(text) or self.paper_asked):
                kinds.append("weak_close")
        self.paper_asked |= bool(_IN_WRITING.search(text))
        if named and offer:
            self.countered_offer = True
        if base is not None:
            self.last_ask = base
        found = [Mistake(kind, text, self.turn) for kind in MISTAKES if kind in kinds]
        self.found += found
        return found

    def _counters(self, move: CandidateMove, offer: dict[str, float] | None) -> bool:
        """A "deal" at figures above the table's is a counter, not a yes."""
        if not offer:
            return False
        return any(value > offer.get(c, value) for c, value in move.asks.items())

    def _is_new(self, move: CandidateMove, base: float | None) -> bool:
        return base is None or base != self.last_ask

    def _has_reason(self, move: CandidateMove) -> bool:
        return bool(
            move.competing or move.share_argument or _REASON.search(move.text)
            or self._makes_a_lever(move.text)
        )

    def _makes_a_lever(self, text: str) -> bool:
        """The line argues one of the guide's levers in its own words ("the models I'd
        optimise are what OpenAI pays you ten billion for"): two of its terms or more."""
        said = set(key_terms(text)) - _PAY_TERMS
        return any(
            len(said & set(key_terms(lever.text))) >= 2
            for lever in [*self.playbook.levers, *self.playbook.scripts]
        )
