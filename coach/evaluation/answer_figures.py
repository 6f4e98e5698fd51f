"""The eval's own reading of figures in answers: money with currency, ranges, percentages.

Independent of the coach's money parser on purpose, so the eval does not share its bugs.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

TOLERANCE = 0.005  # relative difference under which two values are the same figure

# -- figures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One stated figure: ``money`` (with a currency, "" when none was written) or ``percent``."""

    kind: str
    currency: str
    value: float
    text: str = field(default="", compare=False)

    def __str__(self) -> str:
        if self.kind == "percent":
            return f"{self.value:g}%"
        for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
            if abs(self.value) >= scale:
                return f"{self.currency}{self.value / scale:g}{suffix}"
        return f"{self.currency}{self.value:g}"


_CURRENCY_WORDS = {
    "$": "$",
    "us$": "$",
    "usd": "$",
    "dollar": "$",
    "dollars": "$",
    "€": "€",
    "eur": "€",
    "euro": "€",
    "euros": "€",
    "£": "£",
    "gbp": "£",
}
_SCALES = {
    "k": 1e3,
    "thousand": 1e3,
    "grand": 1e3,
    "m": 1e6,
    "mm": 1e6,
    "mil": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
}
_FIGURE = re.compile(
    r"(?<![\w.,])"
    r"(?:(?P<pre>US\$|\$|€|£|(?:USD|EUR|GBP)(?![A-Za-z]))\s?)?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3})+(?![\d,])|\d+(?:\.\d+)?)"
    r"(?P<suf>\s?(?:thousand|grand|million|billion)\b|(?:bn|mm|mil)\b|[kKmMbB](?![A-Za-z]))?"
    r"(?P<pct>\s?(?:%|percent\b|per\s?cent\b))?"
    r"(?P<post>\s?(?:USD|EUR|GBP)\b|\s?€|\s(?:euros?|dollars?)\b)?",
    re.IGNORECASE,
)
_RANGE_JOIN = re.compile(r"\s*(?:-|‐|‑|‒|–|—|−|to)\s*", re.IGNORECASE)
_AND_JOIN = re.compile(r"\s+and\s+", re.IGNORECASE)
_BETWEEN = re.compile(r"between\s*$", re.IGNORECASE)


@dataclass
class _Raw:
    start: int
    end: int
    number: str
    currency: str
    scale: float
    suffix: str
    percent: bool
    post: bool  # the currency was written after the number ("95K EUR")

    @property
    def grouped(self) -> bool:
        """Written with thousands separators ("212,000", "106.000")."""
        return "," in self.number or bool(re.fullmatch(r"\d{1,3}(?:\.\d{3})+", self.number))


def _raw_figures(text: str) -> list[_Raw]:
    found = []
    for m in _FIGURE.finditer(text):
        pre, post = (m.group("pre") or "").strip(), (m.group("post") or "").strip()
        suffix = (m.group("suf") or "").strip()
        found.append(
            _Raw(
                start=m.start(),
                end=m.end(),
                number=m.group("num"),
                currency=_CURRENCY_WORDS.get((pre or post).lower(), ""),
                scale=_SCALES.get(suffix.lower(), 1.0),
                suffix=suffix,
                percent=bool(m.group("pct")),
                post=bool(post) and not pre,
            )
        )
    return found


def _number(raw: _Raw) -> float:
    text = raw.number
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", text) and raw.scale == 1.0 and not raw.percent:
        return float(text.replace(".", ""))  # "106.000 EUR": dots group thousands
    return float(text.replace(",", ""))


def _link_ranges(text: str, raws: list[_Raw]) -> None:
    """Carry a suffix, percent sign or currency across the two ends of a written range."""
    for first, second in itertools.pairwise(raws):
        between = text[first.end : second.start]
        joined = _RANGE_JOIN.fullmatch(between) or (
            _AND_JOIN.fullmatch(between) and _BETWEEN.search(text[: first.start])
        )
        if not joined:
            continue
        if second.percent and not first.percent and not first.currency and first.scale == 1.0:
            first.percent = True
        if (
            first.scale == 1.0
            and second.scale != 1.0
            and not first.percent
            and not first.grouped
            and _number(first) < 1000
        ):
            first.scale, first.suffix = second.scale, second.suffix  # "208–262K"
        if first.currency and not second.currency:
            second.currency = first.currency
        elif second.post and not first.currency and not first.percent:
            first.currency = second.currency  # "95–120K EUR"


def parse_figures(text: str) -> list[Figure]:
    """Every money amount and percentage stated in ``text``, ranges as two figures.

    Money needs a currency, a scale suffix (K, M, B, grand, million...) or thousands
    separators; a bare number ("4 years", "2026", "Q4") is not a figure. "401k" is not pay.
    """
    raws = _raw_figures(text)
    _link_ranges(text, raws)
    figures = []
    for raw in raws:
        written = text[raw.start : raw.end].strip()
        if raw.percent:
            figures.append(Figure("percent", "", _number(raw), written))
            continue
        bare = not raw.currency
        if bare and raw.suffix in ("m", "b", "mm", "mil"):
            continue  # "12m" is more often months than millions without a currency
        if bare and raw.scale == 1e3 and raw.number == "401":
            continue
        if bare and raw.scale == 1.0 and not raw.grouped:
            continue
        figures.append(Figure("money", raw.currency, _number(raw) * raw.scale, written))
    return figures


def parse_expected(items: Iterable[Any]) -> list[Figure]:
    """Figures of an expect list ("$268K", "15%", "850,000"); each must read as exactly one."""
    result = []
    for item in items or []:
        figures = parse_figures(str(item))
        if len(figures) != 1:
            raise ValueError(f"expected figure {item!r} reads as {len(figures)} figures")
        result.append(figures[0])
    return result


def same_value(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE * max(abs(a), abs(b), 1e-9)


def matches(figure: Figure, other: Figure, *, loose_currency: bool = False) -> bool:
    """Same kind, same currency (a missing one matches any when ``loose_currency``), same value."""
    if figure.kind != other.kind or not same_value(figure.value, other.value):
        return False
    if figure.currency == other.currency:
        return True
    return loose_currency and not (figure.currency and other.currency)


def _among(figure: Figure, pool: Iterable[Figure], loose: bool = False) -> bool:
    return any(matches(figure, other, loose_currency=loose) for other in pool)


