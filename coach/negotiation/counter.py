"""The counter-offer engine: compares an offer with the band, target and walk-away.

This is where the money decisions are made, in code, every time the same way: the verdict,
the counter (always anchored at the target, never below it) and the script to use. The
language model only words the result, and the guard holds it to these figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from coach.errors import InputError
from coach.negotiation.citations import Citation, cite
from coach.negotiation.components import (
    BASE,
    BONUS_PCT,
    SHARE_PREMIUM_PCT,
    format_span,
    is_percent,
    label,
    terms_text,
    whole_dollars,
)
from coach.negotiation.playbook import Playbook, RegionBand, Script
from coach.negotiation.profile import Profile

BELOW = "below_walk_away"
ACCEPTABLE = "acceptable"
MEETS = "meets_target"


@dataclass
class CounterAdvice:
    """The engine's decision about one offer, with the sources behind each figure."""

    verdict: str
    region: str
    offer: dict[str, float]
    counter: dict[str, float]
    walk_away: dict[str, float]
    target: dict[str, float]
    band: dict[str, tuple[float, float]]
    script: Script | None
    citations: list[Citation]
    message: str
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        def whole(values: dict[str, float]) -> dict[str, float | int]:
            return {k: (v if is_percent(k) else whole_dollars(v)) for k, v in values.items()}

        return {
            "verdict": self.verdict,
            "region": self.region,
            "offer": whole(self.offer),
            "counter": whole(self.counter),
            "walk_away": whole(self.walk_away),
            "target": whole(self.target),
            "band": {
                k: ([lo, hi] if is_percent(k) else [whole_dollars(lo), whole_dollars(hi)])
                for k, (lo, hi) in self.band.items()
            },
            "script": self.script.name if self.script else None,
            "citations": [
                {"guide": c.guide, "section": c.section, "text": c.text} for c in self.citations
            ],
            "message": self.message,
            "notes": self.notes,
        }


def require_band(playbook: Playbook, region: str) -> RegionBand:
    """The band for ``region``, or one line naming the regions the guide does have."""
    if not playbook.bands:
        raise InputError(
            f"The guide {playbook.guide!r} has no pay table, so it has no regions to compare with.",
            "Ingest a guide with a table of regions, or pick one with --guide ID.",
        )
    band = playbook.band_for(region)
    if band is None:
        raise InputError(
            f"Unknown region {region!r} in {playbook.guide!r}.",
            f"Known regions: {', '.join(playbook.regions())}.",
        )
    return band


def thresholds(
    playbook: Playbook, band: RegionBand, profile: Profile | None
) -> tuple[dict[str, float], dict[str, float], list[str]]:
    """The walk-away and target in force: the guide's, overridden by the person's own."""
    notes: list[str] = []
    walk = dict(playbook.walk_away.components) if playbook.walk_away else {}
    target = dict(playbook.target.components) if playbook.target else {}
    if not walk and BASE in band.components:
        walk = {BASE: band.components[BASE].low}
        notes.append("The guide states no walk-away, so the bottom of the base band stands in.")
    if not target and BASE in band.components:
        target = {BASE: band.components[BASE].high}
        notes.append("The guide states no target, so the top of the base band stands in.")
    if profile and profile.walk_away:
        walk.update(profile.walk_away)
        notes.append("Your profile's walk-away overrides the guide's.")
    if profile and profile.target:
        target.update(profile.target)
        notes.append("Your profile's target overrides the guide's.")
    # A target below the walk-away would make the engine open under the person's floor.
    for component, floor in walk.items():
        if component in target and target[component] < floor:
            target[component] = floor
    return walk, target, notes


def verdict_for(offer: dict[str, float], walk: dict[str, float], target: dict[str, float]) -> str:
    if any(c in offer and offer[c] < floor for c, floor in walk.items()):
        return BELOW
    compared = [c for c in target if c in offer]
    if compared and all(offer[c] >= target[c] for c in compared):
        return MEETS
    return ACCEPTABLE


def counter_for(
    offer: dict[str, float], target: dict[str, float], band: RegionBand
) -> dict[str, float]:
    """Anchor at the target on every component it names, never below what is on the table."""
    counter = {c: max(v, offer.get(c, v)) for c, v in target.items()}
    for component, value in offer.items():
        if component in counter:
            continue
        top = band.components.get(component)
        # Components the target does not name are asked up to the top of the band.
        counter[component] = max(value, top.high) if top else value
    return counter


def pick_script(playbook: Playbook, target: dict[str, float]) -> Script | None:
    wanted = ["share-premium", "negotiate-up"] if SHARE_PREMIUM_PCT in target else ["negotiate-up"]
    for name in wanted:
        for script in playbook.scripts:
            if script.name == name:
                return script
    return playbook.scripts[0] if playbook.scripts else None


def evaluate_offer(
    playbook: Playbook,
    region: str,
    offer: dict[str, float],
    profile: Profile | None = None,
    *,
    with_band: bool = True,
) -> CounterAdvice:
    """Decide the verdict and counter for ``offer`` in ``region`` under ``playbook``.

    ``with_band`` adds the region's band to the message: ``coach counter`` shows it as
    context, while an answer to "should I take it?" states only the figures asked about.
    """
    band = require_band(playbook, region)
    walk, target, notes = thresholds(playbook, band, profile)
    verdict = verdict_for(offer, walk, target)
    counter = counter_for(offer, target, band)
    script = pick_script(playbook, target)
    citations: list[Citation] = []
    offered = terms_text(offer, playbook.currency)
    if not with_band:
        offered += f" in {band.region}"  # without the band line, still say which region it judged
    walk_source = playbook.walk_away.source if playbook.walk_away else band.source
    target_source = playbook.target.source if playbook.target else band.source
    band_text = "; ".join(
        f"{label(c)} {format_span(c, r.low, r.high, playbook.currency)}" for c, r in band.components.items() if c in offer
    )
    counter_text = terms_text(counter, playbook.currency)
    if verdict == BELOW:
        opening = (
            f"Your offer of {offered} is below your walk-away of {terms_text(walk, playbook.currency)}"
            f"{cite(walk_source, citations)}."
        )
        move = f"Do not accept it. Counter at {counter_text}{cite(target_source, citations)}, your target."
    elif verdict == MEETS:
        met = {c: v for c, v in target.items() if c in offer}
        still = {c: v for c, v in target.items() if c not in offer}
        opening = (
            f"Your offer of {offered} meets your target of {terms_text(met, playbook.currency)}"
            f"{cite(target_source, citations)}."
        )
        move = (
            f"Before you accept, also ask for {terms_text(still, playbook.currency)}."
            if still
            else "You can accept it."
        )
    else:
        opening = (
            f"Your offer of {offered} clears your walk-away of {terms_text(walk, playbook.currency)}"
            f"{cite(walk_source, citations)} but is short of your target."
        )
        move = (
            f"Counter at {counter_text}{cite(target_source, citations)}, your target, "
            "before you accept."
        )
    band_line = (
        f" The {band.region} band is {band_text}{cite(band.source, citations)}."
        if band_text and with_band
        else ""
    )
    script_line = f" Use the {script.name} script." if script else ""
    if BONUS_PCT in offer and BONUS_PCT not in band.components:
        notes.append("The guide's table has no bonus column to compare the bonus with.")
    message = opening + " " + move + band_line + script_line
    return CounterAdvice(
        verdict=verdict,
        region=band.region,
        offer=offer,
        counter=counter,
        walk_away=walk,
        target=target,
        band={c: (r.low, r.high) for c, r in band.components.items()},
        script=script,
        citations=citations,
        message=message,
        notes=notes,
    )
