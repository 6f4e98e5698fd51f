"""Judging one answer against a case's expectations (see coach.evaluation.understanding)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from coach.evaluation.answer_figures import Figure, _among, parse_expected, parse_figures

# -- judging one answer --------------------------------------------------------------------

_NOT_COVERED = re.compile(
    r"\b(?:guides?|sources?|notes?|documents?)\b[^.?!]{0,40}?"
    r"\b(?:do(?:es)?n[’']?t|do(?:es)? not|never)\s+(?:\w+\s+)?"
    r"(?:cover|mention|say|include|address|contain|list|have|state|specify)"
    r"|\bnot (?:covered|mentioned|included|listed|stated|specified|in (?:the|your|any) guides?)\b"
    r"|\b(?:isn[’']?t|is not|aren[’']?t|are not) (?:covered|mentioned|in (?:the|your) guides?)"
    r"|\bno (?:information|info|data|details?) (?:on|about|for|in)\b"
    r"|\bwon[’']?t guess\b"
    r"|\b(?:can(?:not|[’']?t)|unable to) (?:find|answer)\b",
    re.IGNORECASE,
)
_PLACEHOLDER = re.compile(
    r"\[\s*(?:insert|your\s|amount|company|name|number|role|x\b|xx)|\$\s*\[|\{\{|<\s*insert",
    re.IGNORECASE,
)
_DASHES = re.compile(r"[‐‑‒–—−]")


def _norm(text: str) -> str:
    return _DASHES.sub("-", text).replace("’", "'").lower()


def says_not_covered(text: str) -> bool:
    return bool(_NOT_COVERED.search(text))


def has_placeholder(text: str) -> bool:
    return bool(_PLACEHOLDER.search(text))


@dataclass
class Judgement:
    """Whether one answer is correct, and every reason it is not."""

    correct: bool
    reasons: list[str] = field(default_factory=list)
    misattributed: list[str] = field(default_factory=list)
    placeholder: bool = False
    not_covered_expected: bool = False


def _reason(reasons: list[str], text: str) -> None:
    if text not in reasons:
        reasons.append(text)


def _check_block(
    text: str,
    stated: list[Figure],
    expect: dict[str, Any],
    reasons: list[str],
    suffix: str = "",
) -> None:
    """Required figures and text tokens of one expect block."""
    for figure in parse_expected(expect.get("figures")):
        if not _among(figure, stated):
            _reason(reasons, f"missing figure {figure}{suffix}")
    lowered = _norm(text)
    for token in expect.get("text") or []:
        if _norm(str(token)) not in lowered:
            _reason(reasons, f"missing text '{token}'{suffix}")


def judge(
    text: str,
    expect: dict[str, Any],
    *,
    covered: bool = True,
    verdict: str = "",
    kind: str = "",
    context: Sequence[Figure] = (),
) -> Judgement:
    """Judge one answer against one expect block (see the module docstring for the rules)."""
    expect = expect or {}
    stated = parse_figures(text)
    reasons: list[str] = []
    own = [f for f in stated if not _among(f, context, loose=True)]
    known = parse_expected(expect.get("figures")) + parse_expected(expect.get("allow"))
    wrong = [f for f in own if not _among(f, known)]
    placeholder = has_placeholder(text)
    if placeholder:
        _reason(reasons, "placeholder")
    for figure in wrong:
        _reason(reasons, f"misattributed figure {figure}")
    _check_block(text, stated, expect, reasons)
    wanted_verdict = expect.get("verdict")
    if wanted_verdict and verdict != wanted_verdict:
        _reason(reasons, f"wrong verdict: {verdict or 'none'} (expected {wanted_verdict})")
    not_covered_expected = bool(expect.get("not_covered"))
    if kind == "small_talk":
        for figure in stated:
            if figure not in wrong:
                _reason(reasons, f"small talk states figure {figure}")
    elif not_covered_expected:
        if covered and not says_not_covered(text):
            _reason(reasons, "answered a question the guides do not cover")
        for figure in own:
            if figure not in wrong:
                _reason(reasons, f"not-covered answer states figure {figure}")
    elif not covered or (says_not_covered(text) and not stated):
        _reason(reasons, "said not covered (expected an answer)")
    return Judgement(
        correct=not reasons,
        reasons=reasons,
        misattributed=[str(f) for f in wrong],
        placeholder=placeholder,
        not_covered_expected=not_covered_expected,
    )


def _names(text: str, names: Iterable[str]) -> bool:
    lowered = _norm(text)
    return any(re.search(rf"\b{re.escape(_norm(n))}\b", lowered) for n in names)


def judge_ambiguous(
    text: str,
    per_guide: dict[str, dict[str, Any]],
    companies: dict[str, list[str]],
    *,
    covered: bool = True,
    context: Sequence[Figure] = (),
) -> Judgement:
    """An ambiguous multi-guide question: ask which company is meant, or answer for each."""
    stated = parse_figures(text)
    own = [f for f in stated if not _among(f, context, loose=True)]
    known = [
        f
        for expect in per_guide.values()
        for f in parse_expected(expect.get("figures")) + parse_expected(expect.get("allow"))
    ]
    wrong = [f for f in own if not _among(f, known)]
    placeholder = has_placeholder(text)
    named = [g for g in companies if _names(text, companies[g])]
    asks = "?" in text and not own and len(named) >= 2
    answer_reasons: list[str] = []
    if not covered:
        _reason(answer_reasons, "said not covered (expected an answer)")
    for guide, expect in per_guide.items():
        company = (companies.get(guide) or [guide])[0]
        if expect.get("not_covered"):
            continue  # nothing to state for it; its figures would count as misattributed
        _check_block(text, stated, expect, answer_reasons, suffix=f" ({company})")
        if guide in companies and guide not in named:
            _reason(answer_reasons, f"company not named: {company}")
    reasons: list[str] = []
    if placeholder:
        reasons.append("placeholder")
    reasons += [f"misattributed figure {f}" for f in wrong]
    if not asks and answer_reasons:
        reasons.append("ambiguous: neither asked which company nor answered for each")
        reasons += answer_reasons
    return Judgement(
        correct=not reasons,
        reasons=reasons,
        misattributed=[str(f) for f in wrong],
        placeholder=placeholder,
    )


def reason_category(reason: str) -> str:
    """The kind of a failure reason, without the figure or token it names."""
    reason = re.sub(r" \([^)]*\)$", "", reason)
    for prefix in (
        "missing figure",
        "missing text",
        "misattributed figure",
        "wrong verdict",
        "small talk states figure",
        "not-covered answer states figure",
        "company not named",
        "error",
    ):
        if reason.startswith(prefix):
            return prefix
    return reason


