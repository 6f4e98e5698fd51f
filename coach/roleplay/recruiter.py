"""The recruiter's mind: a deterministic engine that decides every move from a hidden plan.

A small model cannot keep a secret budget or do concession arithmetic, so it never sees
either. ``coach.roleplay.plan.plan_for`` draws the recruiter's hidden numbers from the
guide's pay band (seeded, so a session replays exactly); ``coach.roleplay.candidate.read_candidate`` turns a candidate's message
into signals (figures asked for, competing offers, the share-premium argument, acceptance,
walking away, attempts to extract secrets); ``next_move`` decides the reply and writes it as
a templated line in the recruiter's voice (``coach.roleplay.lines``). The model only rewords
that line (see ``coach.roleplay.session``).

Offers are dicts of component -> value: whole dollars for money, percent points for
``bonus_pct`` and ``share_premium_pct`` (extra shares over the standard grant); see
``coach.negotiation.offers`` for how they are looked up and written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from coach.negotiation.components import (
    BASE,
    BONUS_PCT,
    EQUITY,
    SHARE_PREMIUM_PCT,
    TOTAL_COMP,
)
from coach.negotiation.offers import describe_offer
from coach.roleplay.candidate import CandidateMove
from coach.roleplay.lines import CLOSED, PERSONA_EXTRAS, line_for
from coach.roleplay.plan import SHARE_STEP, STYLES, NegotiationState


@dataclass
class RecruiterMove:
    """One decided move: its kind, the offer on the table after it, and the templated line."""

    kind: str
    offer: dict[str, float] | None
    line: str
    changed: dict[str, tuple[float, float]] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    outcome: str | None = None


def opening_move(state: NegotiationState) -> RecruiterMove:
    """The first line: an offer (lowball persona anchors first) or a question about expectations."""
    role, company = state.playbook.role or "this role", state.playbook.company or "the team"
    if STYLES[state.plan.persona].leads_with_offer:
        state.offer = dict(state.plan.opening)
        line = (
            f"Thanks for making time today. We'd love to have you as {role} at {company}, and "
            f"we're offering {describe_offer(state.offer, state.playbook.currency)}. I think that's a strong package."
        ) + PERSONA_EXTRAS.get((state.plan.persona, "open"), "")
        return RecruiterMove("open", dict(state.offer), line, reasons=["persona anchors first"])
    line = (
        f"Thanks for making time today. We're excited about bringing you on as {role} at "
        f"{company}. Before I put numbers together, what are you looking for?"
    )
    return RecruiterMove("open", None, line)


def _leverage(state: NegotiationState, move: CandidateMove) -> tuple[float, list[str]]:
    """How hard this message pushes: anchors, credible offers and the share argument count."""
    factor, reasons = 1.0, []
    if move.strong_anchor:
        factor *= 1.3
        reasons.append("strong anchor")
    credible = [c for c in move.competing if c.credible]
    if credible:
        factor *= 1.5
        reasons.append(f"credible competing offer ({credible[0].company})")
    elif state.credible_competitor:
        factor *= 1.2
        reasons.append(f"competing offer still on the table ({state.credible_competitor})")
    if move.share_argument:
        factor *= 1.25
        reasons.append("share-premium argument")
    if not (move.asks or credible or move.share_argument):
        factor *= 0.6
        reasons.append("pushback without a figure")
    return min(factor, 2.2), reasons


def _wants(state: NegotiationState, move: CandidateMove) -> dict[str, float]:
    """Components to improve this turn, each with the most the candidate asked for."""
    offer = state.offer or {}
    wants = {c: v for c, v in state.asks.items() if c in offer and v > offer[c]}
    credible = any(c.credible for c in move.competing)
    named_a_figure = any(c in offer for c in move.asks)  # an ask already met needs no push
    if not wants and not named_a_figure and (move.pushback or credible or move.total_ask):
        wants[BASE] = float("inf")
    if (move.total_ask or credible) and EQUITY in offer:
        wants.setdefault(EQUITY, float("inf"))
    if move.share_argument and SHARE_PREMIUM_PCT in offer:
        wants.setdefault(SHARE_PREMIUM_PCT, float("inf"))
    return wants


def _concede(state: NegotiationState, wants: dict[str, float], factor: float) -> dict:
    """Raise each wanted component by the schedule, capped by the hidden maximum and the ask."""
    assert state.offer is not None
    plan = state.plan
    frac = plan.schedule[min(state.concessions, len(plan.schedule) - 1)] * factor
    changed: dict[str, tuple[float, float]] = {}
    for component, ask in wants.items():
        now, top = state.offer[component], plan.maximum[component]
        spread = top - plan.opening[component]
        if component == SHARE_PREMIUM_PCT:
            step = max(SHARE_STEP, round(frac * top / SHARE_STEP) * SHARE_STEP)
        elif component == BONUS_PCT:
            step = max(1.0, float(round(frac * spread)))
        else:
            step = max(1000.0, round(frac * spread / 1000) * 1000.0)
        new = min(now + step, top, ask)
        if new > now:  # never backwards, never past the hidden maximum
            state.offer[component] = new
            changed[component] = (now, new)
    state.concessions += bool(changed)
    return changed


def _met(state: NegotiationState) -> bool:
    """True when the offer on the table meets every component the candidate asked for."""
    offer = state.offer or {}
    asked = {c: v for c, v in state.asks.items() if c in offer}
    return bool(asked) and all(offer[c] >= v for c, v in asked.items())


def next_move(state: NegotiationState, move: CandidateMove) -> RecruiterMove:
    """Decide the recruiter's reply to ``move``, advancing ``state`` (it is the only mutator)."""
    if state.done:
        return RecruiterMove("close_no_deal", _copy(state.offer), CLOSED, outcome=state.outcome)
    state.rounds += 1
    state.asks.update({c: v for c, v in move.asks.items() if c != TOTAL_COMP})
    state.strong_anchor |= move.strong_anchor
    if not state.credible_competitor:
        state.credible_competitor = next((c.company for c in move.competing if c.credible), "")
    over_time = state.rounds >= 2 * state.plan.max_rounds  # silence or stalling cannot loop

    def decided(kind: str, changed=None, reasons=None, outcome=None, **how: Any) -> RecruiterMove:
        state.outcome = outcome or state.outcome
        line = line_for(kind, state, move, changed or {}, **how)
        return RecruiterMove(kind, _copy(state.offer), line, changed or {}, reasons or [], outcome)

    offer = state.offer
    if move.injection:
        return decided("close_no_deal", outcome="no_deal") if over_time else decided("deflect")
    if move.walks_away:
        return decided("close_no_deal", outcome="walked_away", walked=True)
    asks_met = offer is not None and all(c in offer and offer[c] >= v for c, v in move.asks.items())
    if move.accepts and asks_met:
        return decided("accept_deal", outcome="deal", early=state.concessions == 0)
    if over_time:
        # Whatever else was said, a session that has run this long ends here.
        return decided("close_no_deal", outcome="no_deal")
    if move.empty or move.unclear:
        return decided("hold", why="empty" if move.empty else "unclear")
    if offer is None:
        state.offer = dict(state.plan.opening)
        return decided("open", reasons=["opening offer after hearing expectations"])
    if state.final_made:
        if move.asks or move.pushback or move.competing:
            return decided("close_no_deal", outcome="no_deal")
        return decided("hold", why="final")
    if move.unrealistic:
        return decided("hold", why="unrealistic")
    if move.competing and not any(c.credible for c in move.competing) and not move.asks:
        return decided("hold", why="unverified")
    bare = not (move.asks or move.competing or move.share_argument)
    if bare and not STYLES[state.plan.persona].moves_on_bare_ask:
        # A vague "can you do better?" gets nothing from a tough recruiter.
        return decided("hold", why="bare")
    state.bargaining += 1
    factor, reasons = _leverage(state, move)
    wants = _wants(state, move)
    changed = _concede(state, wants, factor) if wants else {}
    if state.bargaining >= state.plan.max_rounds - 1 or (wants and not changed):
        state.final_made = True
        return decided("final_offer", changed, reasons)
    if changed:
        return decided("concede", changed, reasons, met=_met(state))
    return decided("hold", why="met" if _met(state) else "neutral")


def _copy(offer: dict[str, float] | None) -> dict[str, float] | None:
    """A snapshot for a returned move, so later concessions cannot rewrite what it said."""
    return dict(offer) if offer is not None else None
