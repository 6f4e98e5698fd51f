"""The coach's advice text: the debrief's three tips and the in-game ``/hint``.

``coach.roleplay.scoring`` decides which criteria passed; ``tips_for`` turns the failures into
concrete things to do next time. ``next_step_hint`` suggests the next line during a session
from the guide and the visible transcript only, never the recruiter's hidden plan, so an
in-game hint cannot leak what the candidate is meant to find out.
"""

from __future__ import annotations

import math

from coach.negotiation.components import (
    BASE,
    SHARE_PREMIUM_PCT,
    TOTAL_COMP,
    format_value,
    is_percent,
)
from coach.negotiation.money import format_money
from coach.negotiation.playbook import Playbook
from coach.roleplay.candidate import read_candidate
from coach.roleplay.rehearsal import find_script
from coach.roleplay.scorecard import Scorecard

# The order tips are given in: the failures that cost the candidate most come first.
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


def _fmt(component: str, value: float, currency: str = "USD") -> str:
    """One component's figure with its name, in house style (``$268K base``, ``€95K base``)."""
    if is_percent(component):
        suffix = " more shares" if component == SHARE_PREMIUM_PCT else " bonus"
        return format_value(component, value) + suffix
    named = " base" if component == BASE else f" {component}"
    return format_value(component, value, currency) + named


def describe(components: dict[str, float], currency: str = "USD") -> str:
    """Thresholds as words, in the guide's currency: ``$268K base and 30% more shares``."""
    return " and ".join(_fmt(c, v, currency) for c, v in components.items())


def tips_for(playbook: Playbook, card: Scorecard, target: dict, walk: dict) -> list[str]:
    """Exactly three concrete things to do differently, the costliest failures first."""
    target_text = describe(target, playbook.currency) if target else "the top of the guide's band"
    walk_text = describe(walk, playbook.currency) if walk else "your walk-away"
    failed = {c.name: c for c in card.criteria if not c.passed}
    script = find_script(playbook)
    offers = playbook.competing_offers
    example = ""
    if offers:
        measure = "TC" if offers[0].measure == TOTAL_COMP else offers[0].measure
        example = f"{offers[0].company} at {format_money(offers[0].amount, playbook.currency)} {measure}"
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
    moves = [read_candidate(e.text, playbook, region) for e in transcript if e.role == "candidate"]
    target = dict(playbook.target.components) if playbook.target else {}
    walk = dict(playbook.walk_away.components) if playbook.walk_away else {}
    offer = next((e.offer for e in reversed(transcript) if e.role == "recruiter" and e.offer), None)
    last_kind = next(
        (getattr(e, "kind", None) for e in reversed(transcript) if e.role == "recruiter"), None
    )
    target_text = describe(target, playbook.currency) if target else "the top of the guide's band"
    script = find_script(playbook)
    used = {p for m in moves for p in m.share_points}
    credible = any(c.credible for m in moves for c in m.competing)
    if offer and last_kind == "final_offer":
        if walk and all(offer.get(c, 0) >= v for c, v in walk.items() if c in offer):
            return (
                f"That is a final offer and it clears your walk-away ({describe(walk, playbook.currency)}). "
                "Accept it, or make one last specific ask and be ready to accept."
            )
        return (
            f"That is a final offer below your walk-away ({describe(walk, playbook.currency) if walk else 'floor'}). "
            "Decline politely, without naming your floor."
        )
    if not any(m.asks for m in moves):
        return (
            f"Anchor first with the guide's target: say you're targeting {target_text}, "
            "and give one reason tied to the work you'd own."
        )
    if script is not None and len(used) < max(1, math.ceil(len(script.key_points) / 2)):
        missing = [p for p in script.key_points if p not in used][:2]
        return "Make the share-premium case with the guide's points: " + "; ".join(missing) + "."
    if playbook.competing_offers and not credible:
        o = playbook.competing_offers[0]
        measure = "TC" if o.measure == TOTAL_COMP else o.measure
        return (
            f"Mention a credible alternative from your guide, such as {o.company} at "
            f"{format_money(o.amount, playbook.currency)} {measure}, and ask them to close the gap."
        )
    if offer and walk and all(offer.get(c, 0) >= v for c, v in walk.items() if c in offer):
        return (
            f"The offer clears your walk-away ({describe(walk, playbook.currency)}). Push once more for "
            f"{target_text} with a specific figure, or accept if they say it's final."
        )
    return (
        f"Hold your ask at {target_text}, repeat your strongest reason, and don't reveal "
        "your walk-away."
    )
