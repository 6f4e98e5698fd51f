"""The recruiter's hidden plan and the negotiation state the engine keeps between turns.

``plan_for`` draws the recruiter's hidden numbers from the guide's pay band (seeded, so a
session replays exactly). ``NegotiationState`` is what ``coach.roleplay.recruiter`` decides
from and what ``coach.roleplay.lines`` writes from; it lives here, below both, so neither
has to import the other.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from typing import Any

from coach.errors import InputError
from coach.negotiation.components import BASE, BONUS_PCT, EQUITY, SHARE_PREMIUM_PCT, SIGN_ON
from coach.negotiation.offers import offer_json, resolve_band, share_cap
from coach.negotiation.playbook import Playbook, RegionBand

PERSONAS = ("friendly", "firm", "lowball", "budget", "deadline")
MAX_ROUNDS = 6
SHARE_STEP = 5.0  # extra shares move in 5-point steps, as real grants do


# -- the hidden plan ---------------------------------------------------------------------


@dataclass(frozen=True)
class PersonaStyle:
    """How a persona negotiates: where it opens and tops out in the band, how fast it moves."""

    opening: tuple[float, float]  # fraction of the band where the opening offer sits
    ceiling: tuple[float, float]  # fraction of the band where the hidden maximum sits
    steps: tuple[float, ...]  # share of (max - opening) given up at each concession
    leads_with_offer: bool  # lowballers anchor first; the others ask for expectations
    description: str  # tone for the prompt: never numbers
    # Whether "can you do better?" with no figure and no reason moves this recruiter at all.
    moves_on_bare_ask: bool = True


STYLES = {
    "friendly": PersonaStyle(
        (0.3, 0.45), (0.8, 1.0), (0.35, 0.3, 0.25, 0.2), False, "warm, upbeat and collaborative"
    ),
    "firm": PersonaStyle(
        (0.15, 0.3), (0.65, 0.9), (0.2, 0.15, 0.12, 0.1), False, "polite, brief and firm"
    ),
    "lowball": PersonaStyle(
        (0.0, 0.12), (0.55, 0.8), (0.15, 0.12, 0.1, 0.08), True, "confident, brisk and thrifty",
        moves_on_bare_ask=False,
    ),
    # Pleads budget limits: small steps, a low ceiling, and every move framed as a stretch.
    "budget": PersonaStyle(
        (0.1, 0.2), (0.5, 0.7), (0.12, 0.1, 0.08, 0.06), False,
        "sympathetic but constrained, often says money is tight this year",
        moves_on_bare_ask=False,
    ),
    # Exploding-offer pressure: anchors first and keeps reminding the candidate of a deadline.
    "deadline": PersonaStyle(
        (0.05, 0.2), (0.6, 0.85), (0.15, 0.12, 0.1, 0.08), True,
        "pleasant but pushy about timing, presses for a quick answer",
        moves_on_bare_ask=False,
    ),
}


@dataclass
class RecruiterPlan:
    """The recruiter's hidden numbers: never in a prompt, shown to the candidate only after."""

    persona: str
    seed: int
    region: str
    opening: dict[str, float]
    maximum: dict[str, float]
    schedule: list[float]
    max_rounds: int = MAX_ROUNDS

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(opening=offer_json(self.opening), maximum=offer_json(self.maximum))
        return data


def plan_for(
    playbook: Playbook,
    region: str | None,
    persona: str,
    seed: int,
    max_rounds: int = MAX_ROUNDS,
    offer: dict[str, float] | None = None,
) -> RecruiterPlan:
    """Draw the hidden plan from the band: same playbook, region, persona and seed -> same plan.

    ``offer`` is what the person was really offered (said in `coach chat`): the recruiter
    opens with it, so the rehearsal starts where the real negotiation stands.
    """
    if persona not in STYLES:
        raise InputError(f"Unknown persona {persona!r}.", f"Use one of: {', '.join(PERSONAS)}.")
    band = resolve_band(playbook, region)
    style = STYLES[persona]
    rng = random.Random(f"{playbook.guide}|{band.region}|{persona}|{seed}")
    opening: dict[str, float] = {}
    maximum: dict[str, float] = {}
    for component in (BASE, EQUITY, SIGN_ON):
        if (span := band.components.get(component)) is None:
            continue
        width = span.high - span.low
        opening[component] = float(
            int((span.low + rng.uniform(*style.opening) * width) // 1000) * 1000
        )
        top = int((span.low + rng.uniform(*style.ceiling) * width) // 1000) * 1000
        maximum[component] = float(min(max(top, opening[component]), span.high))
    if (bonus := band.components.get(BONUS_PCT)) is not None:
        opening[BONUS_PCT] = float(bonus.low)
        extra = round(rng.uniform(*style.ceiling) * (bonus.high - bonus.low))
        maximum[BONUS_PCT] = float(min(bonus.low + extra, bonus.high))
    if (cap := share_cap(playbook)) is not None:
        opening[SHARE_PREMIUM_PCT] = 0.0
        top = round(rng.uniform(*style.ceiling) * cap / SHARE_STEP) * SHARE_STEP
        maximum[SHARE_PREMIUM_PCT] = float(min(max(top, SHARE_STEP), cap))
    for component, value in (offer or {}).items():
        if component in opening:
            opening[component] = float(value)
            maximum[component] = max(maximum[component], float(value))
    schedule = [round(s * rng.uniform(0.85, 1.15), 3) for s in style.steps]
    return RecruiterPlan(persona, seed, band.region, opening, maximum, schedule, max_rounds)


@dataclass
class NegotiationState:
    """Everything the engine remembers between turns, hidden plan included."""

    playbook: Playbook
    band: RegionBand
    plan: RecruiterPlan
    offer: dict[str, float] | None = None
    asks: dict[str, float] = field(default_factory=dict)
    rounds: int = 0  # candidate turns so far, silence included
    bargaining: int = 0  # turns that negotiated over an offer already on the table
    concessions: int = 0
    final_made: bool = False
    credible_competitor: str = ""  # the first credible competing offer the candidate raised
    strong_anchor: bool = False
    outcome: str | None = None  # "deal" | "no_deal" | "walked_away" once the game is over

    @property
    def done(self) -> bool:
        return self.outcome is not None


def new_state(playbook: Playbook, plan: RecruiterPlan) -> NegotiationState:
    """A fresh negotiation for ``plan`` (see ``opening_move`` for the first line)."""
    return NegotiationState(playbook, resolve_band(playbook, plan.region), plan)
