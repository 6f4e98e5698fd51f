"""How a pay part is counted or paid: per year or over the grant, which month, its vesting.

"Is that per year?", "which month is the bonus paid?" and "is there a cliff?" ask about a
pay part, but not for its amount. A band's figures do not answer them, so stating the band
would be a figure for the wrong thing. The answer is the guide's own sentence about that
part (a note under the table, a column heading such as "RSUs (4-year grant)"), or a plain
"the guide doesn't say".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coach.advice.component_words import components
from coach.negotiation import components as comp

# -- what the question asks --------------------------------------------------------------

# Words that say over what time a figure is counted.
_PERIOD = (r"per (?:year|yr|annum|month)|p\.?a\.?|a year|yearly|annual(?:ly|ised|ized)?|"
           r"in total|total|one[- ](?:off|time)|recurring|every year|each year|"
           r"(?:whole|entire|full) (?:thing|grant|amount|vest(?:ing)?|period)")
# Asked, not described: "per year?", "per year or in total", "is that annual".
_PERIOD_ASKED = re.compile(
    rf"\b(?:{_PERIOD})\s*\?|\b(?:per (?:year|yr|annum)|yearly|annual(?:ly)?|a year)\s+or\b|"
    rf"\bor (?:is it )?(?:in )?(?:total|the whole|for the whole|over (?:the|four|4))\b|"
    rf"^\s*(?:is|are) (?:it|that|this|those|these|the \w+(?: \w+)?) (?:{_PERIOD})\b",
    re.I,
)
_TIMING_ASKED = re.compile(
    r"\b(?:fortnightly|bi-?weekly|weekly|semi-?monthly|twice a month)\b|\bfirst (?:pay ?check|"
    r"pay ?slip|pay ?cheque|salary|paycheque|payroll)\b|\bpaid (?:out )?(?:up ?front|in one go|"
    r"in instal?ments)\b|\bhow often\b|\b(?:which|what) months?\b|\bwhen (?:is|are|do|does|will|would)\b[^?.!]*"
    r"\b(?:paid|pay(?:s|out)?|paying)\b|\bpaid (?:out )?(?:when|in which|quarterly|monthly|"
    r"annually|yearly|once|twice)\b|\b(?:quarterly|monthly|semi-?annual(?:ly)?|biannual(?:ly)?)"
    r"\s*\?|\bpay(?:out|ment)? (?:date|schedule|timing|month)\b",
    re.I,
)
_VESTING_ASKED = re.compile(r"\bcliff\b|\bvest(?:s|ed|ing)?\b", re.I)
# "Do I have to pay the sign-on back if I leave?": the terms that take a payment back.
_CLAWBACK = re.compile(r"\b(?:pay|paying|give|hand) (?:it |that |them |the [\w-]+(?: [\w-]+)? )?"
                       r"back\b|\brepa(?:y|id|yment)\b|\bclaw[\s-]?back\b|\bhave to stay\b|"
                       r"\bkeep the\b", re.I)
_REFRESH = re.compile(r"\brefresh(?:er)?s?\b|\btop[\s-]?ups?\b", re.I)
# The same question asks the amount too: "how much stock in Berlin? is that per year?"
_AMOUNT_ASKED = re.compile(
    r"\bhow (?:much|big|high|large)\b|\b(?:range|band|bands)\b|"
    r"\bwhat(?:'s|s| is| are| does| do)\b(?![^?]*\b(?:month|often|when|cliff|vest))",
    re.I,
)


@dataclass(frozen=True)
class BasisQuestion:
    """Which kind of "how is it counted" a message asks, and whether it asks the amount too."""

    kind: str  # "period", "timing", "vesting", "clawback" or "refresh"
    with_amount: bool


def basis_asked(text: str) -> BasisQuestion | None:
    """The basis question in ``text``, or None when it asks nothing of the kind."""
    # "Equity (options, 4-year vest) new york?" echoes a column's name; it asks no basis.
    text = re.sub(r"\b(?:\d|four)[- ]?(?:year|yr)s? (?:vest|grant)\b", " ", text, flags=re.I)
    # "per year or for the whole vest?" asks what the figure covers, not how it vests.
    text = re.sub(r"\b(?:whole|entire|full) vest(?:ing)?(?: period)?\b", "whole grant", text,
                  flags=re.I)
    kind = ("clawback" if _CLAWBACK.search(text)
            else "refresh" if _REFRESH.search(text)
            else "vesting" if _VESTING_ASKED.search(text)
            else "timing" if _TIMING_ASKED.search(text)
            else "period" if _PERIOD_ASKED.search(text) else "")
    if not kind:
        return None
    return BasisQuestion(kind, bool(_AMOUNT_ASKED.search(text)))


def parts_asked(text: str, carried: list[str]) -> list[str]:
    """The pay parts a basis question is about: "how often do they pay the bonus" is about
    the bonus, not base pay (the verb "pay" is not the component)."""
    named = components(re.sub(r"\bpa(?:y|id|ying)\b", " ", text.lower()))
    return [c for c in named if c != "all"] or carried


# -- what the guide says -----------------------------------------------------------------

_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|"
           "december")
# Words a guide's sentence uses when it says how a part is counted or when it is paid.
_ANSWERS = {
    "period": re.compile(rf"\b(?:{_PERIOD})\b|\bover (?:four|three|two|\d) years\b|"
                         r"\b(?:\d|four|three)[- ]?(?:year|yr)s?\b|\byearly\b", re.I),
    # (Not "quarter" alone: "one quarter of the grant" is a share, not a time.)
    "timing": re.compile(rf"\b(?:{_MONTHS})\b|\bpaid\b|\bpay(?:s|out|able)\b|\bquarterly\b|"
                         r"\beach quarter\b|\bmonthly\b|\bonce a year\b|\bfirst (?:month|pay)",
                         re.I),
    "vesting": _VESTING_ASKED,
    "clawback": re.compile(r"\brepa(?:y|id|yment)\b|\bclaw[\s-]?back\b|\bpay (?:it |them )?back\b|"
                           r"\bleave (?:within|before)\b", re.I),
    "refresh": _REFRESH,
}
_SAME = {comp.BONUS: comp.BONUS_PCT}  # a bonus in money and in percent are one part
# Topics a guide's sentence settles whichever part it names ("a 1-year cliff").
_ANY_PART = {"vesting"}


def mentions_part(text: str, parts: list[str]) -> bool:
    """Whether ``text`` names one of ``parts`` (a bonus in money or in percent alike)."""
    named = {_SAME.get(c, c) for c in components(text.lower())}
    return bool(named & {_SAME.get(p, p) for p in parts})


@dataclass(frozen=True)
class GuideSentence:
    """A sentence of a guide, or one of its table's column headings, with where it stands."""

    section: str
    line: int
    text: str
    heading: bool = False  # a column heading ("RSUs (4-year grant)"), not a sentence


def basis_sentence(guide_text: str, kind: str, parts: list[str]) -> GuideSentence | None:
    """The guide's sentence saying, of one of ``parts``, what a ``kind`` question asks."""
    section = ""
    lines = guide_text.splitlines()
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith("#"):
            section = stripped.lstrip("#").strip()
            continue
        heading = False
        if stripped.startswith("|"):
            following = lines[number].strip() if number < len(lines) else ""
            if not re.fullmatch(r"\|[\s|:-]+\|?", following):
                continue  # a row of figures; the heading row is the one above the rule
            # "RSUs (4-year grant)" says how the column is counted.
            pieces, heading = [c.strip() for c in stripped.strip("|").split("|")], True
        else:
            # "- Equity (options, 4-year vest): $180k to $300k": the label before the colon.
            item = re.match(r"^[-*]\s+([^:]{3,80}):", stripped)
            pieces = [item.group(1)] if item else re.split(r"(?<=[.!?])\s+", stripped)
        for piece in pieces:
            if len(piece) > 300 or not _ANSWERS[kind].search(piece):
                continue
            if kind in _ANY_PART or mentions_part(piece, parts):
                return GuideSentence(section, number, piece.strip(), heading)
    return None
