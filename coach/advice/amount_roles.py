"""Whose figure is an amount: the offer's, a rival's, money left behind, or a company's.

A message often holds several amounts ("they offered 188k; I'd leave 40k unvested; Halden
said 298k"). Only some belong to the offer being negotiated; these rules tell them apart
from the words around each amount.
"""

from __future__ import annotations

import re

from coach.advice.amounts import Amount
from coach.advice.component_words import ALL_COMPONENTS, components
from coach.negotiation import components as comp

# An amount too small for a yearly base ("8k") is never read as one.
SMALLEST_BASE = 25_000


def _near(pattern: re.Pattern[str], lowered: str, amount: Amount, reach: int = 30) -> bool:
    """Whether ``pattern`` starts within ``reach`` characters of the amount.

    Matched on the whole message, so a window's edge cannot cut "leave me" to "leave".
    """
    return any(amount.start - reach <= m.start() <= amount.end + reach
               for m in pattern.finditer(lowered))


_GIVEN_UP = re.compile(
    # ("Where does that leave the offer?" asks about the offer; nothing is left behind.)
    r"(?<!that )(?<!this )(?<!it )\bleav(?:e|ing)\b(?!\s+(?:me|you|us|it|that|this|them|"
    r"the offer|things)\b)|\bleft behind\b|\bforfeit\w*|"
    r"\bunvested\b|\bdeferred\b|"
    r"\bwalking away from\b|\bgiving up\b|\bclawback\b"
)


# Words that say money is left behind, with or without an amount ("the unvested RSUs I'd
# leave behind"): what covers it is the sign-on.
LEFT_BEHIND = re.compile(r"\bunvested\b|\b(?:leave|leaving|left) (?:\w+ )?behind\b|\bforfeit\w*|"
                         r"\bwalk(?:ing)? away from (?:my|the|\w+ )", re.I)


def given_up(lowered: str, amount: Amount) -> bool:
    """Whether an amount is money the person leaves behind, not money offered to them."""
    return _near(_GIVEN_UP, lowered, amount)


def rivals_figure(lowered: str, amount: Amount, rival_ends: list[int]) -> bool:
    """Whether an amount belongs to a competing company named just before it ("Pennant Bank
    at 320 TC", "a verbal from Halden, 298k"), not to the offer being negotiated.

    A clause break, or the person speaking of themselves ("with Stromwerk in hand I won't go
    below 115k"), between the name and the amount gives the amount back to the person.
    """
    for end in rival_ends:
        if end > amount.start:
            continue  # named after the amount
        between = lowered[end:amount.start]
        if 0 <= len(between) <= 40 and not re.search(
            r"[.?!;]|\bi\b|\bi'm\b|\bmy\b|\bthey\b|\bbut\b|\bwhile\b|\bvs\b", between
        ):
            return True
    return False


def without(lowered: str, amounts: list[Amount]) -> str:
    """The message with the words around these amounts blanked out."""
    for amount in amounts:
        lo, hi = max(0, amount.start - 30), amount.end + 30
        lowered = lowered[:lo] + " " * (min(hi, len(lowered)) - lo) + lowered[hi:]
    return lowered


_ELSEWHERE = re.compile(
    r"\belsewhere\b|(?<!mixed it up with )(?<!mixed up with )(?<!confused it with )"
    r"\banother (?:company|offer|place|firm)\b|\b(?:an|my) other offer\b|"
    r"\boutside offer\b|\bcompeting offer\b|\bsomewhere else\b"
)


def elsewhere(lowered: str, amount: Amount) -> bool:
    """Whether an amount is another company's offer ("a written 241k TC offer elsewhere"),
    or a company figure ("85M revenue")."""
    return _near(_ELSEWHERE, lowered, amount) or bool(_COMPANY_FIGURE.match(lowered, amount.end))


_COMPANY_FIGURE = re.compile(r"\s*(?:in )?(?:revenue|arr|valuation|funding|raised|round|"
                             r"series [a-f]|in sales|payment volume|tpv)\b")


def component_near(amount: Amount, lowered: str) -> str:
    """The component an amount is said of: the cue word right after it, else right before."""
    # Within the amount's own clause: in "base 188k, sign-on 25k" the sign-on after the comma
    # belongs to the next amount.
    clause = r"[,;.!?+&/]|\band\b|\bplus\b|[$€£]?\d"
    after = re.split(clause, lowered[amount.end:amount.end + 25])[0]
    before = re.split(clause, lowered[max(0, amount.start - 25):amount.start])[-1]
    for window in (after, before):
        named = components(window)
        if named and named[0] != ALL_COMPONENTS:
            # "18k bonus target" is a bonus in money; only "15% bonus" is a percentage.
            if named[0] == comp.BONUS_PCT and not amount.is_percent:
                return comp.BONUS
            return named[0]
    if amount.is_percent:
        return comp.BONUS_PCT
    named = [c for c in components(lowered) if c != ALL_COMPONENTS]
    if len(named) == 1 and named[0] != comp.BASE:
        return named[0]  # "a line for the sign-on? they only put 10k"
    return comp.BASE if amount.value >= SMALLEST_BASE else ""
