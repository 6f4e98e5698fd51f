"""The pay components of an offer: their names, the words that name them, how they are written.

Every part of the coach that reads or writes a component (the guide extractor, the candidate
reader, the guard's meaning check, the money-question router, the engine, the recruiter and
the debrief) uses this one vocabulary, so "the bonus" means the same thing everywhere and a
figure is written the same way wherever it appears.

Offers and thresholds are dicts of component -> value: whole units of the guide's currency
(dollars unless the playbook says otherwise) for money, percent points for the ``_pct``
components (``15.0`` means 15%). A guide column that names none of these keeps its own slug.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from coach.negotiation.money import format_money, format_percent, format_percent_range, format_range

BASE = "base"
EQUITY = "equity"
BONUS_PCT = "bonus_pct"
BONUS = "bonus"  # a bonus a guide states in dollars rather than as a percentage of base
SIGN_ON = "sign_on"
TOTAL_COMP = "total_comp"
SHARE_PREMIUM_PCT = "share_premium_pct"  # extra shares over the standard grant
PREMIUM_PCT = "premium_pct"  # a named premium such as the "AI premium"

# The money components an offer can carry (a dollar bonus is a guide's column, never an offer).
MONEY = (BASE, EQUITY, SIGN_ON, TOTAL_COMP)

LABELS = {
    BASE: "base salary",
    EQUITY: "equity",
    BONUS_PCT: "bonus",
    BONUS: "bonus",
    SIGN_ON: "sign-on bonus",
    TOTAL_COMP: "total comp",
    SHARE_PREMIUM_PCT: "share premium",
}

# The words that name each component, most specific first: "share premium" before "share",
# a named "premium" before anything else it might sit next to. Readers look for these near
# a figure; a figure's kind then settles what it is (a percentage "of equity" is a share
# premium, a dollar "bonus" is no percentage). Patterns are case-insensitive.
CUES: dict[str, str] = {
    SHARE_PREMIUM_PCT: r"share premium|(?:more|additional|extra) (?:shares|equity|stock)",
    PREMIUM_PCT: r"\bpremium\b",
    SIGN_ON: r"sign[- ]?on|signing|(?:hiring|joining|welcome) bonus|golden hello",
    TOTAL_COMP: r"\btc\b|total comp|all[- ]in|\bpackage\b",
    BASE: r"\bbase\b|salary",
    BONUS_PCT: r"bonus",
    EQUITY: r"equity|\brsus?\b|\bshares?\b|stock|\boptions?\b|grant",
}


def is_percent(component: str) -> bool:
    """Whether the component is measured in percent points (its name ends in ``_pct``)."""
    return component.endswith("_pct")


def whole_dollars(value: float) -> int:
    """The one rounding rule for money: to the nearest dollar, halves up (as amounts are read)."""
    return int(Decimal(str(value)).to_integral_value(rounding=ROUND_HALF_UP))


def label(component: str) -> str:
    """The component's name in a sentence: ``base salary``, ``sign-on bonus``."""
    return LABELS.get(component, component.replace("_", " "))


def format_value(component: str, value: float, currency: str = "USD") -> str:
    """One figure in house style: ``$248K`` (``€95K``) for money, ``15%`` for percent points."""
    if is_percent(component):
        return format_percent(value)
    return format_money(whole_dollars(value), currency)


def format_span(component: str, low: float, high: float, currency: str = "USD") -> str:
    """A range in house style, ``$208K–$262K`` or ``15–20%``; one figure when equal."""
    if is_percent(component):
        return format_percent_range(low, high)
    return format_range(whole_dollars(low), whole_dollars(high), currency)


def terms_text(components: dict[str, float], currency: str = "USD") -> str:
    """``$248K base salary and 20% share premium`` from a component -> value mapping."""
    return " and ".join(f"{format_value(c, v, currency)} {label(c)}" for c, v in components.items())
