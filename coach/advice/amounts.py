"""Amounts as people write them in a chat: "310k", "$310,000", "310 grand", "245", "€103.5K".

The guide parser (``coach.negotiation.money``) reads figures written with a currency sign.
People often leave it out, or spell the number. This module reads those too, and decides
what a bare number means: "240" said of a base salary is $240K, never $240.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1000, "grand": 1000, "k": 1000, "million": 1_000_000}
_WORD = "|".join(sorted([*_UNITS, *_SCALES], key=len, reverse=True))
_SPELLED = re.compile(rf"\b(?:(?:{_WORD})(?:[\s-]+(?:and\s+)?|\b))+", re.I)
_CURRENCY_WORDS = {"usd": "USD", "dollars": "USD", "eur": "EUR", "euros": "EUR", "euro": "EUR",
                   "gbp": "GBP", "pounds": "GBP"}
_SIGNS = {"$": "USD", "€": "EUR", "£": "GBP"}
# A bare number, optionally with a sign, thousands separators (either style) and a suffix.
_BARE = re.compile(
    r"(?<![\w.])(?P<sign>[$€£])?\s?(?P<num>\d{1,3}(?:[.,]\d{3})+|\d+(?:[.,]\d+)?)"
    r"(?:\s?(?P<suffix>k\b|m\b|mm\b|grand\b|thousand\b|million\b))?"
    r"(?:\s?(?P<cur>usd|eur|euros?|gbp|dollars|pounds)\b)?(?P<pct>\s?%|\s?percent\b)?",
    re.I,
)
# Nouns that make the number before them a count ("640 people", "14,000 charge points").
_COUNTED = re.compile(
    r"\s*(?:people|persons|employees|staff|engineers|heads|headcount|customers|clients|users|"
    r"robots|sites|patients|samples|charge points|teams|reports|hours|days|weeks|months|"
    r"years|yrs|shares|options|units|points)\b", re.I
)
# Below this a bare number said of pay is in thousands ("245" base means $245K).
_THOUSANDS_BELOW = 2000
# Pay said per month ("16k a month", "8.500 euro brutto per month", "USD 14,000 monthly
# gross"): guides state yearly figures, so a monthly amount is read as twelve of them.
_PER_MONTH_AFTER = re.compile(
    r"\s*(?:(?:usd|eur|euros?|gbp|dollars|pounds|brutto|gross|net|base|salary|pre-?tax)\s*){0,3}"
    r"(?:(?:a|per|each|every|/)\s?(?:month|mo)\b|monthly\b|p\.?m\.?(?!\w))",
    re.I,
)
_PER_MONTH_BEFORE = re.compile(r"\bmonthly\s+(?:[a-z]+\s+){0,2}(?:of\s+)?[$€£]?\s?$", re.I)
# A month's pay lies between these; outside them "per month" is something else (a stipend).
_MONTHLY_PAY = (2_000, 60_000)


@dataclass(frozen=True)
class Amount:
    """One amount in a message: its value in currency units (or percent points)."""

    value: float
    currency: str  # "USD", "EUR", "GBP", "" when unstated, "%" for a percentage
    start: int
    end: int
    raw: str

    @property
    def is_percent(self) -> bool:
        return self.currency == "%"


def _spelled_value(words: str) -> float | None:
    total, current = 0, 0
    seen = False
    for word in re.findall(r"[a-z]+", words.lower()):
        if word == "and":
            continue
        if word in _UNITS:
            current += _UNITS[word]
            seen = True
        elif word == "hundred":
            current = max(current, 1) * 100
            seen = True
        elif word in _SCALES:
            total += max(current, 1) * _SCALES[word]
            current = 0
            seen = True
    return float(total + current) if seen else None


def _number(text: str) -> float:
    # "106.000" and "106,000" are thousands; "103.5" and "103,5" are decimals.
    if re.fullmatch(r"[1-9]\d{0,2}(?:[.,]\d{3})+", text):  # not "0.175", a decimal
        return float(re.sub(r"[.,]", "", text))
    return float(text.replace(",", "."))


# Pay said the way people say it aloud: "one-ninety" (190), "two-oh-eight" (208),
# "two-fifteen" (215), "one-eighty-five" (185): hundreds, then the rest, in thousands.
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_TEENS = "ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
_ONES = "one|two|three|four|five|six|seven|eight|nine"
_SPOKEN = re.compile(
    rf"\b(?P<hundreds>{_ONES})[\s-]+(?:(?P<oh>oh|o)[\s-]+(?P<digit>{_ONES})|(?P<teen>{_TEENS})|"
    rf"(?P<tens>{_TENS})(?:[\s-]+(?P<unit>{_ONES}))?)\b(?!-)"
    r"(?:\s?(?:k|grand|thousand)\b)?(?!\s+hundred\b)",
    re.I,
)


def _spoken(text: str) -> list[Amount]:
    found = []
    for match in _SPOKEN.finditer(text):
        value = _UNITS[match.group("hundreds").lower()] * 100
        for part in ("digit", "teen", "tens", "unit"):
            if match.group(part):
                value += _UNITS[match.group(part).lower()]
        found.append(Amount(value * 1000.0, "", *match.span(), match.group(0)))
    return found


def _said_monthly(text: str, start: int, end: int) -> bool:
    """Whether the amount at ``start:end`` is said per month."""
    return bool(_PER_MONTH_AFTER.match(text, end)) or bool(
        _PER_MONTH_BEFORE.search(text[max(0, start - 30):start])
    )


def read_amounts(text: str) -> list[Amount]:
    """Every amount in ``text``, with bare pay numbers scaled to thousands."""
    found: list[Amount] = _spoken(text)
    taken: list[tuple[int, int]] = [(a.start, a.end) for a in found]
    for match in _BARE.finditer(text):
        if text[match.end():match.end() + 1].isalpha() or re.match(
            r"401\s?\(?k", text[match.start():match.end() + 3], re.I
        ):
            continue  # "401k", "3rd" and the like are names, not amounts
        value = _number(match.group("num"))
        suffix = (match.group("suffix") or "").lower()
        if suffix in {"k", "grand", "thousand"}:
            value *= 1000
        elif suffix in {"m", "mm", "million"}:
            value *= 1_000_000
        if match.group("pct"):
            found.append(Amount(value, "%", *match.span(), match.group(0)))
            taken.append(match.span())
            continue
        currency = _SIGNS.get(match.group("sign") or "", "")
        currency = currency or _CURRENCY_WORDS.get((match.group("cur") or "").lower(), "")
        before = text[max(0, match.start() - 4):match.start()].lower()
        if not currency and re.search(r"(?<![\w'’])(?:q|h|l|ic|e|p|d|s)$", before.strip()):
            continue  # "Q 2", "L 5", "IC 3": a quarter or a level (not the "'s" of "it's 250")
        # "3 offers", "4 years": too small to be pay in thousands, unless said as an offer
        # ("they offered remote at 97").
        offer_said = re.search(r"\b(?:at|offered|offering|of|is|was|be)\s*$",
                               text[max(0, match.start() - 12):match.start()], re.I)
        if not suffix and not currency and (value < 40 or (value < 100 and not offer_said)):
            continue
        if not currency and _COUNTED.match(text, match.end()):
            continue  # "640 people", "30 days": a count, whatever its size
        if 1900 <= value <= 2100 and not currency and not suffix:
            continue  # a year, not pay
        if _said_monthly(text, match.start(), match.end()):
            # "500 a month" is 500; only a month's pay becomes a year's.
            value *= 12 if _MONTHLY_PAY[0] <= value <= _MONTHLY_PAY[1] else 1
        elif value < _THOUSANDS_BELOW and not suffix:
            value *= 1000
        found.append(Amount(value, currency, *match.span(), match.group(0)))
        taken.append(match.span())
    for match in _SPELLED.finditer(text):
        words = match.group(0).strip()
        if not re.search(r"hundred|thousand|grand|million|ty\b", words, re.I):
            continue  # "one", "two": counts, not amounts
        if any(s <= match.start() < e for s, e in taken):
            continue
        value = _spelled_value(words)
        if value is None:
            continue
        if value < _THOUSANDS_BELOW:
            value *= 1000
        found.append(Amount(value, "", match.start(), match.start() + len(words), words))
    return sorted(found, key=lambda a: a.start)
