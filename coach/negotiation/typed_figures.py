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

# What a bare number counts when it is not money ("265 people", "150-core", "3 years").
_UNIT_AFTER = re.compile(
    r"^\s*(?:-\s*)?(?:%|percent|per ?cent|x\b|people|persons|employees|staff|engineers|cores?|"
    r"days?|weeks?|months?|years?|yrs?|hours?|hrs?|shares|options|units|rsus?|points?|bps|"
    r"million|billion|m\b|b\b|bn\b|mm\b)",
    _I,
)


def _bare_thousands(text: str, match: re.Match[str]) -> bool:
    """A three-digit number said alone ("265.", "what about 252?") in a pay negotiation."""
    digits = match.group("n")
    if not re.fullmatch(r"[1-9]\d{2}", digits):
        return False
    before = text[max(0, match.start() - 2) : match.start()]
    if re.search(r"[A-Za-z#/-]$", before):  # "L5", "IC3", "Q2", "#215", "24/7"
        return False
    return not _UNIT_AFTER.match(text[match.end() :])


def _loose_figures(text: str, taken: list[Figure]) -> list[Figure]:
    """Amounts people type without a dollar sign (``270k``, ``270,000``, ``270 thousand``)."""
    found = []
    for match in _BARE_MONEY.finditer(text):
        if any(f.start <= match.start() < f.end for f in taken):
            continue
        digits = match.group("n")
        value = float(digits.replace(",", "")) * (1000 if match.group("k") else 1)
        if match.group("k") and text[match.start() : match.end() + 1].lower().startswith("401k"):
            continue  # a retirement plan, not $401K
        # "270k", "270,000" and "270000" are money; so is a bare "265" or "ok, 262 then?",
        # which in a pay negotiation means thousands, unless a unit follows ("265 people").
        looks_like_money = match.group("k") or "," in digits or re.fullmatch(r"\d{5,7}", digits)
        if not match.group("k") and _UNIT_AFTER.match(text[match.end():]):
            continue  # "850,000-core wafers", "14,000 charge points": a count
        if not looks_like_money and _bare_thousands(text, match):
            value, looks_like_money = value * 1000, True
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


# "two fifty", "two sixty-five": hundreds said as people say prices, meaning thousands here.
_SPOKEN_HUNDREDS = re.compile(
    r"\b(?P<h>one|two|three|four|five|six|seven|eight|nine)[\s-]+"
    r"(?P<t>twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    r"(?:[\s-]+(?P<u>one|two|three|four|five|six|seven|eight|nine))?\b(?![\s-]+thousand)",
    _I,
)


# "a quarter million", "half a million": fractions of a million said as words.
_FRACTION_MILLION = re.compile(
    r"\b(?:(?P<q>a quarter|quarter)(?: of a)?|(?P<h>half)(?: of)? a|(?P<t>three quarters? of a)) "
    r"(?:million|mil)\b", _I)


def _word_figures(text: str) -> list[Figure]:
    """Amounts spelled out in words ("two hundred seventy thousand", "two fifty-five")."""
    found = []
    for match in _FRACTION_MILLION.finditer(text):
        value = 250_000.0 if match.group("q") else 500_000.0 if match.group("h") else 750_000.0
        found.append(Figure(match.group(0), "money", value, value, False, *match.span()))
    for match in _SPOKEN_HUNDREDS.finditer(text):
        hundreds = _UNITS[match.group("h").lower()] * 100
        value = 1000.0 * (hundreds + _TENS[match.group("t").lower()]
                          + _UNITS.get((match.group("u") or "").lower(), 0))
        found.append(Figure(match.group(0), "money", value, value, False, *match.span()))
    for match in _WORD_RUN.finditer(text):
        if any(f.start <= match.start() < f.end for f in found):
            continue
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
        elif (pct := _PERCENT_AFTER.match(text, match.end())) and 0 < value <= 100:
            # "thirty percent more shares" is the same ask as "30% more shares".
            end = pct.end()
            found.append(Figure(text[match.start():end], "percent", value, value, False,
                                match.start(), end))
    return found


_PERCENT_AFTER = re.compile(r"[\s-]*(?:percent|per cent|%)", _I)


def candidate_figures(text: str) -> list[Figure]:
    """Every figure in a candidate message, including the dollar-less forms people type."""
    figures = find_figures(text)
    figures += _loose_figures(text, figures)
    figures += [
        w for w in _word_figures(text) if all(w.end <= f.start or w.start >= f.end for f in figures)
    ]
    return sorted(figures, key=lambda f: f.start)
