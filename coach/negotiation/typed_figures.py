"""Figures as people type them in a chat: ``$270K``, ``270k``, ``270,000``, "two hundred
seventy thousand".

The candidate reader (``coach.roleplay.candidate``) hears asks in these; the guard's checks
on recruiter lines (``coach.guard.replies``) mask them before a model sees the message.
"""

from __future__ import annotations

import re

from coach.negotiation.money import Figure, find_figures

_I = re.IGNORECASE

# Dollar-less amounts as candidates type them. Deliberately not ``find_spoken_figures``
# (which guards model output): here a bare "270000" and "270 grand" are asks, "2.5M" is not,
# and only 10K-10M counts, so sharing one reader would change what counts as an ask.
_BARE_MONEY = re.compile(
    r"(?<![\w$.,])(?P<n>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s?(?P<k>k\b|thousand\b|grand\b)?", _I
)

def _loose_figures(text: str, taken: list[Figure]) -> list[Figure]:
    """Amounts people type without a dollar sign (``270k``, ``270,000``, ``270 thousand``)."""
    found = []
    for match in _BARE_MONEY.finditer(text):
        if any(f.start <= match.start() < f.end for f in taken):
            continue
        digits = match.group("n")
        value = float(digits.replace(",", "")) * (1000 if match.group("k") else 1)
        # A bare "270" is not money, but "270k", "270,000" and "270000" are.
        looks_like_money = match.group("k") or "," in digits or re.fullmatch(r"\d{5,7}", digits)
        if looks_like_money and 10_000 <= value <= 10_000_000:
            raw = match.group(0).strip()
            found.append(Figure(raw, "money", value, value, False, match.start(), match.end()))
    return found


_UNITS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {
    w: 10 * i
    for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)
}
_NUMBER_WORD = "|".join([*_UNITS, *_TENS, "hundred", "thousand", "and"])
_WORD_RUN = re.compile(rf"\b(?:{_NUMBER_WORD})(?:[\s-]+(?:{_NUMBER_WORD}))*\b", _I)


def _word_figures(text: str) -> list[Figure]:
    """Amounts spelled out in words ("two hundred seventy thousand")."""
    found = []
    for match in _WORD_RUN.finditer(text):
        total = current = 0
        words = re.split(r"[\s-]+", match.group(0).lower())
        for word in words:
            if word in _UNITS or word in _TENS:
                current += _UNITS.get(word, 0) + _TENS.get(word, 0)
            elif word == "hundred":
                current *= 100
            elif word == "thousand":
                total, current = total + current * 1000, 0
        value = float(total + current)
        if "thousand" in words and 10_000 <= value <= 10_000_000:
            found.append(Figure(match.group(0), "money", value, value, False, *match.span()))
    return found


def candidate_figures(text: str) -> list[Figure]:
    """Every figure in a candidate message, including the dollar-less forms people type."""
    figures = find_figures(text)
    figures += _loose_figures(text, figures)
    figures += [
        w for w in _word_figures(text) if all(w.end <= f.start or w.start >= f.end for f in figures)
    ]
    return sorted(figures, key=lambda f: f.start)
