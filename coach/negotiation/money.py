"""Money and percentages as guides and users write them: parsing, finding and formatting.

Guides write the same figure many ways (``$248K``, ``$248,000``, ``$218K–$272K``,
``€95K–€120K``, ``95–120K €``, ``EUR 95,000``, ``15-20%``, ``20%+``); users type amounts as
``235k`` or ``$235,000``. This module turns all of them into plain numbers (whole units of
their currency, percent points) plus a currency code, and back into one house style, so the
engine, the playbook extractor and the guard compare like with like.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from coach.errors import InputError

MAX_AMOUNT = 100_000_000  # no salary component is bigger; a larger entry is a typo
MAX_PERCENT = 1000.0

AMOUNT_HINT = "Write an amount like 235k, $235K, $235,000, 235000 or $2.5M."
PERCENT_HINT = "Write a percentage like 15, 15% or 12.5%."

_MULTIPLIERS = {
    "": 1,
    "k": 10**3,
    "thousand": 10**3,
    "m": 10**6,
    "mm": 10**6,
    "mn": 10**6,
    "million": 10**6,
    "b": 10**9,
    "bn": 10**9,
    "billion": 10**9,
}

# A number as written: "185,000", "185,000.00", "1.4", "235000". Commas must group
# thousands properly so "1,23" is not read as 123.
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3}){2,}|\d+(?:\.\d+)?"
# Letter suffixes sit right after the digits ("$248K"); word suffixes may follow a space.
_SUFFIX = r"\s?(?:thousand|million|billion)|bn|mm|mn|[kmb]"
# A figure must not run on into letters or digits ("$50Kish", "$1,23" are not figures).
_END = r"(?![a-z\d]|,\d)"
_DASH = r"\s*[-–—]\s*|\s+to\s+"
_PCT = r"\s?(?:%|percent\b|per\s?cent\b)"
# Percentages are bare numbers, so they must not be glued to a word ("IC3", "Q2", "L5").
_NOT_GLUED = r"(?<![\w.$,])"

# Currencies by symbol and by ISO code. "$" is read as US dollars: guides in other dollar
# currencies are not among those the coach knows.
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}
_BY_SYMBOL = {symbol: code for code, symbol in SYMBOLS.items()}
_CODE = r"(?<![a-z])(?:usd|eur|gbp)(?![a-z])"
_MARK = rf"[$€£]|{_CODE}"
# A currency written before the number ("$248K", "€95K", "EUR 95,000").
_PRE = rf"(?P<c1>{_MARK})\s?"
# ... or only after it ("95K €", "95,000 EUR", "95–120K €").
_POST = r"\s?(?P<post>[€£]|(?<![a-z])(?:usd|eur|gbp)(?![a-z]))"

_MONEY_RANGE = re.compile(
    rf"{_PRE}(?P<n1>{_NUM})(?P<s1>{_SUFFIX})?{_END}(?:{_DASH})"
    rf"(?P<d2>(?:{_MARK})\s?)?(?P<n2>{_NUM})(?P<s2>{_SUFFIX})?{_END}(?P<plus>\+)?",
    re.IGNORECASE,
)
_MONEY_ONE = re.compile(rf"{_PRE}(?P<n1>{_NUM})(?P<s1>{_SUFFIX})?{_END}(?P<plus>\+)?", re.I)
_NOT_AFTER_MONEY = r"(?<![\w$€£.,])"
_MONEY_RANGE_POST = re.compile(
    rf"{_NOT_AFTER_MONEY}(?P<n1>{_NUM})(?P<s1>{_SUFFIX})?{_END}(?:{_DASH})"
    rf"(?P<n2>{_NUM})(?P<s2>{_SUFFIX})?{_END}(?P<plus>\+)?{_POST}",
    re.IGNORECASE,
)
_MONEY_ONE_POST = re.compile(
    rf"{_NOT_AFTER_MONEY}(?P<n1>{_NUM})(?P<s1>{_SUFFIX})?{_END}(?P<plus>\+)?{_POST}", re.I
)
_PERCENT_RANGE = re.compile(
    rf"{_NOT_GLUED}\+?(?P<n1>\d+(?:\.\d+)?)(?:{_PCT})?(?:{_DASH})"
    rf"(?P<n2>\d+(?:\.\d+)?){_PCT}(?P<plus>\+)?",
    re.IGNORECASE,
)
_PERCENT_ONE = re.compile(rf"{_NOT_GLUED}\+?(?P<n1>\d+(?:\.\d+)?){_PCT}(?P<plus>\+)?", re.I)

_AMOUNT = re.compile(
    rf"\$?\s*(?P<n>{_NUM})\s*(?P<s>thousand|million|billion|bn|mm|mn|[kmb])?\s*\+?",
    re.IGNORECASE,
)
_WORDS = r"dollars?|euros?|pounds?(?: sterling)?"
_CURRENCY_WORDS = {"dollar": "USD", "euro": "EUR", "pound": "GBP"}
_NEGATIVE = re.compile(r"^\s*(?:\(|-|−|\$\s*-)")
_PERCENT_INPUT = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*(?:%|percent|per\s?cent)?\s*\+?", re.I)


@dataclass(frozen=True)
class Figure:
    """One money amount, percentage or range found in text, with where it was found.

    ``currency`` is the ISO code of a money figure ("USD", "EUR", "GBP"); it is "" for
    money written with no currency at all (a model's bare ``300K``) and "USD" for
    percentages, which have none.
    """

    raw: str
    kind: Literal["money", "percent"]
    low: float
    high: float
    open_ended: bool
    start: int
    end: int
    currency: str = "USD"


def currency_of(mark: str | None) -> str:
    """The ISO code a currency mark stands for: ``€`` or ``eur`` -> ``EUR``; none -> ``USD``."""
    mark = (mark or "").strip()
    return _BY_SYMBOL.get(mark, mark.upper() or "USD")


def _value(number: str, suffix: str | None) -> Decimal:
    """The exact value of a number and its optional suffix ("1.4", "B" -> 1.4e9)."""
    if number.count(".") > 1:  # "1.200.000": dots between thousands, as in much of Europe
        number = number.replace(".", "")
    return Decimal(number.replace(",", "")) * _MULTIPLIERS[(suffix or "").strip().lower()]


def _money_value(number: str, suffix: str | None) -> Decimal:
    """Like ``_value``, but money written with dots between thousands ("80.000 €") is read
    as thousands: no guide states pay to the tenth of a cent."""
    if not (suffix or "").strip() and re.fullmatch(r"\d{1,3}(?:\.\d{3})+", number):
        number = number.replace(".", "")
    return _value(number, suffix)


def parse_amount(text: str) -> int:
    """A user-entered amount (``235k``, ``$235,000``, ``$2.5M``) in whole dollars.

    Raises ``InputError`` for words, empty input, negative or zero amounts and amounts
    above $100M.
    """
    cleaned = (text or "").strip()
    if not cleaned:
        raise InputError("No amount was given.", AMOUNT_HINT)
    if _NEGATIVE.match(cleaned):
        raise InputError(f"{cleaned!r} is negative; amounts must be above zero.", AMOUNT_HINT)
    match = _AMOUNT.fullmatch(cleaned)
    if not match:
        raise InputError(f"{cleaned!r} is not an amount the coach can read.", AMOUNT_HINT)
    value = _value(match.group("n"), match.group("s"))
    dollars = int(value.to_integral_value(rounding=ROUND_HALF_UP))
    if dollars <= 0:
        raise InputError(f"{cleaned!r} is zero; amounts must be above zero.", AMOUNT_HINT)
    if dollars > MAX_AMOUNT:
        raise InputError(f"{cleaned!r} is above $100M, which looks like a typo.", AMOUNT_HINT)
    return dollars


def parse_percent(text: str) -> float:
    """A user-entered percentage (``15``, ``15%``, ``20%+``, ``12.5 %``) in percent points."""
    cleaned = (text or "").strip()
    if not cleaned:
        raise InputError("No percentage was given.", PERCENT_HINT)
    if _NEGATIVE.match(cleaned):
        raise InputError(f"{cleaned!r} is negative; percentages must be 0 or more.", PERCENT_HINT)
    match = _PERCENT_INPUT.fullmatch(cleaned)
    if not match:
        raise InputError(f"{cleaned!r} is not a percentage the coach can read.", PERCENT_HINT)
    value = float(match.group("n"))
    if value > MAX_PERCENT:
        raise InputError(f"{cleaned!r} is above {MAX_PERCENT:g}%.", PERCENT_HINT)
    return value


def _money_figure(match: re.Match[str], is_range: bool) -> Figure | None:
    """A money Figure from a range or single match, or None if the range is not sensible."""
    groups = match.groupdict()
    currency = currency_of(groups.get("c1") or groups.get("post"))
    low = _money_value(match.group("n1"), match.group("s1"))
    high = low
    if is_range:
        s1, s2, second = match.group("s1"), match.group("s2"), groups.get("d2")
        if second and currency_of(second) != currency:
            return None  # "€95K–$120K" is two amounts in two currencies, not a range
        high = _money_value(match.group("n2"), s2)
        # One mark for both numbers, before ("$218–272K") or after ("95–120K €").
        if not second:
            if s1 and not s2:
                return None  # "$10B - 2026": the bare number is not a second amount
            if s2 and not s1 and _money_value(match.group("n1"), s2) <= high:
                low = _money_value(match.group("n1"), s2)  # "$218–272K": the K applies to both
            if high < low:
                return None
    return Figure(
        raw=match.group(0),
        kind="money",
        low=float(min(low, high)),
        high=float(max(low, high)),
        open_ended=bool(match.group("plus")),
        start=match.start(),
        end=match.end(),
        currency=currency,
    )


def _percent_figure(match: re.Match[str], is_range: bool) -> Figure:
    low = float(match.group("n1"))
    high = float(match.group("n2")) if is_range else low
    return Figure(
        raw=match.group(0),
        kind="percent",
        low=min(low, high),
        high=max(low, high),
        open_ended=bool(match.group("plus")),
        start=match.start(),
        end=match.end(),
    )


def find_figures(text: str) -> list[Figure]:
    """Every money amount, money range, percentage and percentage range in ``text``, in order.

    Money needs a currency (``$``, ``€``, ``£`` or ``USD``/``EUR``/``GBP``, before the number
    or after it) so stray numbers ("IC3", "850,000-core", "Q2 2026") are skipped;
    percentages need ``%`` or the word "percent". Where readings overlap, the earliest and
    then the longest wins, so ``$218K–$272K`` is one range rather than two amounts.
    """
    candidates: list[Figure] = []
    for pattern, is_range in (
        (_MONEY_RANGE, True),
        (_MONEY_ONE, False),
        (_MONEY_RANGE_POST, True),
        (_MONEY_ONE_POST, False),
    ):
        for match in pattern.finditer(text):
            if figure := _money_figure(match, is_range=is_range):
                candidates.append(figure)
    candidates += [_percent_figure(m, True) for m in _PERCENT_RANGE.finditer(text)]
    candidates += [_percent_figure(m, False) for m in _PERCENT_ONE.finditer(text)]
    candidates.sort(key=lambda f: (f.start, -(f.end - f.start)))
    chosen: list[Figure] = []
    for figure in candidates:
        if not chosen or figure.start >= chosen[-1].end:
            chosen.append(figure)
    return chosen


# Money as a model might write it without a symbol: "300K", "300,000 dollars", "95K euros".
_BARE_AMOUNT = re.compile(
    rf"(?<![\w$€£.,])(?P<n>{_NUM})(?:(?P<s>{_SUFFIX}){_END}(?:\s?(?P<w1>{_WORDS})\b)?"
    rf"|\s?(?P<w2>{_WORDS})\b)",
    re.IGNORECASE,
)


# Prose ranges with the scale spelled once at the end and no currency mark: "a base of 168 to
# 194 thousand", "152-178k". Guides in one stated currency write pay like this.
_SCALED_RANGE = re.compile(
    r"(?<![\w$€£.,])(?P<n1>\d{1,3}(?:\.\d+)?)(?:\s*[-–—]\s*|\s+to\s+)"
    r"(?P<n2>\d{1,3}(?:\.\d+)?)\s?(?P<s>thousand|grand|k)\b",
    re.IGNORECASE,
)


def find_scaled_ranges(text: str) -> list[Figure]:
    """Money ranges written without a currency mark but with a scale ("168 to 194 thousand").

    The currency is "" (whatever the text's currency is). Only ranges are read: a lone "2.1
    million" is as likely patients as pay, while "168 to 194 thousand" is a band.
    """
    figures = []
    for match in _SCALED_RANGE.finditer(text):
        scale = 1000.0
        low, high = float(match.group("n1")) * scale, float(match.group("n2")) * scale
        if low < high:
            figures.append(Figure(match.group(0), "money", low, high, False, *match.span(), ""))
    return figures


def find_guide_figures(text: str) -> list[Figure]:
    """``find_figures`` plus ``find_scaled_ranges`` where they do not overlap, in order."""
    figures = find_figures(text)
    for extra in find_scaled_ranges(text):
        if not any(f.start < extra.end and extra.start < f.end for f in figures):
            figures.append(extra)
    return sorted(figures, key=lambda f: f.start)


def find_spoken_figures(text: str) -> list[Figure]:
    """``find_figures`` plus money written without a symbol (``300K``, ``300,000 dollars``).

    Guides always write a currency, but a model rewording them may not; the guard reads model
    output with this so an invented ``300K`` cannot slip past as "not a figure". Money that
    names no currency at all (``300K``) has currency "".
    """
    figures = find_guide_figures(text)
    for match in _BARE_AMOUNT.finditer(text):
        if any(
            f.start <= match.start() < f.end or match.start() <= f.start < match.end()
            for f in figures
        ):
            continue
        value = float(_value(match.group("n"), match.group("s") or ""))
        if value < 1000:
            continue  # "5 dollars" is not a pay figure worth guarding, and "3k" is rare noise
        word = (match.group("w1") or match.group("w2") or "").lower()
        currency = next((c for w, c in _CURRENCY_WORDS.items() if word.startswith(w)), "")
        figures.append(
            Figure(match.group(0), "money", value, value, False, *match.span(), currency)
        )
    return sorted(figures, key=lambda f: f.start)


def figure_values(fig: Figure) -> set[float]:
    """The normalised values a figure asserts (its low and high), for grounding checks."""
    return {fig.low, fig.high}


def _short(amount: int, unit: int, letter: str) -> str | None:
    """``amount`` as e.g. ``1.4M`` when it is exact to one decimal of ``unit``, else None."""
    if amount % (unit // 10):
        return None
    whole, tenths = divmod(amount // (unit // 10), 10)
    return f"{whole}.{tenths}{letter}" if tenths else f"{whole}{letter}"


def currency_symbol(currency: str = "USD") -> str:
    """How an amount in ``currency`` is marked: ``$``, ``€``, ``£``, else the code and a space."""
    return SYMBOLS.get(currency.upper(), f"{currency.upper()} ") if currency else "$"


def format_money(amount: int, currency: str = "USD") -> str:
    """House style for money: ``$248K``, ``$248,500``, ``$1.4M``, ``$10B``, ``€95K``."""
    sign = "-" if amount < 0 else ""
    value = abs(int(amount))
    if value >= 10**9:
        body = _short(value, 10**9, "B")
    elif value >= 10**6:
        body = _short(value, 10**6, "M")
    elif value >= 1000 and value % 1000 == 0:
        body = f"{value // 1000}K"
    else:
        body = None
    return f"{sign}{currency_symbol(currency)}{body or f'{value:,}'}"


def format_range(low: int, high: int, currency: str = "USD") -> str:
    """A money range in house style, ``$218K–$272K``, ``€95K–€120K``; one figure if equal."""
    low, high = min(low, high), max(low, high)
    if low == high:
        return format_money(low, currency)
    return f"{format_money(low, currency)}–{format_money(high, currency)}"


def format_percent(value: float) -> str:
    """A percentage in house style: ``15%``, ``12.5%`` (at most two decimals)."""
    text = f"{round(float(value), 2):.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def format_percent_range(low: float, high: float) -> str:
    """A percentage range in house style, ``15–20%``; one figure if equal."""
    low, high = min(low, high), max(low, high)
    if low == high:
        return format_percent(low)
    return f"{format_percent(low)[:-1]}–{format_percent(high)}"
