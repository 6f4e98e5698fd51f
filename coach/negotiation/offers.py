"""Offers as the role-play handles them: which band they come from and how they are written.

An offer is a dict of component -> value: whole dollars for money, percent points for
``bonus_pct`` and ``share_premium_pct`` (extra shares over the standard grant). The
recruiter's plan (``coach.roleplay.recruiter``), the candidate reader (``coach.roleplay.candidate``) and the
recruiter's lines (``coach.roleplay.lines``) all need these few guide lookups and writers;
they live here, below all three, so none of those modules has to import another in a circle.
"""

from __future__ import annotations

from typing import Any

from coach.negotiation.components import (
    BASE,
    BONUS_PCT,
    EQUITY,
    MONEY,
    SHARE_PREMIUM_PCT,
    SIGN_ON,
    format_value,
    whole_dollars,
)
from coach.negotiation.counter import require_band
from coach.negotiation.playbook import Playbook, RegionBand

ORDER = (BASE, EQUITY, BONUS_PCT, SIGN_ON, SHARE_PREMIUM_PCT)


def resolve_band(playbook: Playbook, region: str | None) -> RegionBand:
    """The band for ``region`` (the guide's first band when none is given)."""
    if not region and playbook.bands:
        return playbook.bands[0]
    # One lookup, one set of messages for every command that needs a region's band.
    return require_band(playbook, region or "")


def share_cap(playbook: Playbook) -> float | None:
    """The most extra shares the guide talks about, if it negotiates a share premium at all."""
    values = [
        t.components[SHARE_PREMIUM_PCT]
        for t in (playbook.target, playbook.walk_away)
        if t is not None and SHARE_PREMIUM_PCT in t.components
    ]
    return max(values) if values else None


def offer_json(offer: dict[str, float] | None) -> dict[str, Any] | None:
    """An offer for JSON: whole dollars as ints, percent points as floats, in a stable order."""
    if offer is None:
        return None
    return {c: whole_dollars(offer[c]) if c in MONEY else float(offer[c]) for c in ORDER if c in offer}


def describe_offer(offer: dict[str, float], currency: str = "USD") -> str:
    """The offer in the recruiter's words: ``$235K base, $300K in equity and a 15% bonus``.

    ``currency`` is the guide's: a euro guide's recruiter offers €95K, never $95K.
    """
    parts = []
    if BASE in offer:
        parts.append(f"{format_value(BASE, offer[BASE], currency)} base")
    if EQUITY in offer:
        parts.append(f"{format_value(EQUITY, offer[EQUITY], currency)} in equity")
    if BONUS_PCT in offer:
        parts.append(f"a {format_value(BONUS_PCT, offer[BONUS_PCT])} bonus")
    if offer.get(SIGN_ON):
        parts.append(f"a {format_value(SIGN_ON, offer[SIGN_ON], currency)} sign-on bonus")
    if offer.get(SHARE_PREMIUM_PCT):
        parts.append(
            f"{format_value(SHARE_PREMIUM_PCT, offer[SHARE_PREMIUM_PCT])} more shares than the standard grant"
        )
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)
