"""The guard's checks on a recruiter line in role-play, before the candidate sees it.

The recruiter engine (``coach.roleplay.recruiter``) decides every figure; the model only
rewords its line. A reworded line is shown only if ``check_reply`` finds nothing: every
figure was decided this turn or earlier, no hidden figure in any spelling, no talk of limits,
instructions or being a model, no sliding into the candidate's voice, and every decided
figure kept. ``mask_figures`` hides the candidate's own figures from the model.
"""

from __future__ import annotations

import re

from coach.guard.figures import allowed_values, check_figures
from coach.negotiation.components import MONEY
from coach.negotiation.money import find_figures
from coach.negotiation.typed_figures import candidate_figures

MAX_REPLY_CHARS = 600
MASK = "[amount]"

LEAK = re.compile(
    "|".join(
        [
            r"instruction|system prompt|\bprompt\b|\bas an ai\b|language model|\bllm\b",
            r"\bchatgpt\b|\bqwen\b|\bsimulat|\brole[- ]?play|\bpersona\b|\bdraft\b|\brules?\b",
            r"\bi(?:'m| am) (?:an? )?(?:ai|bot|language model|assistant|chatbot|llm|program)\b",
            r"\bmax(?:imum)?\b|\bbudget\b|\bceiling\b|\bcap\b|\bhidden\b|\bwalk[- ]?away\b",
            r"\bconcession (?:plan|schedule)|\b(?:authori[sz]ed|approved) (?:to|up|for)\b",
            r"\bgo (?:up )?to\b.{0,12}\$|\bas high as\b|\broom up to\b",
        ]
    ),
    re.IGNORECASE,
)
DRIFT = re.compile(
    "|".join(
        [
            r"\bi(?:'m| am) targeting\b|\bmy target\b|\bmy benchmarks?\b|\bas a candidate\b",
            r"\bi want (?:a|an|more|the|\$|\d|to be paid)|\bthank(?:s| you) for the offer\b",
            r"\bi(?:'m| am) asking for\b|\bi'd like to ask for\b|\bi (?:will |'ll )?accept\b",
            r"\bi(?:'m| am) leaving\b|\bmy walk[- ]?away\b",
            r"\bi(?:'d| would) need (?:at least|\$|\d|more)|\bmy expectations\b",
            r"\bmy current (?:offer|employer|comp)|\bmy (?:competing|other) offer\b",
            r"\bi have (?:an|another) offer\b|\bi(?:'m| am) looking for (?:a|an|\$|\d)",
            r"\bhire me\b|\bi bring\b|\bmy (?:ml|work|skills|experience)\b",
            r"(?:^|\n)\s*(?:candidate|user|me|you)\s*:",
        ]
    ),
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"(?<![\w.$])(?P<n>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s?(?P<s>k\b|thousand\b|grand\b|m\b|million\b)?",
    re.IGNORECASE,
)
_LABEL = re.compile(r"^\s*(?:\*\*)?(?:recruiter|assistant|reply|response)(?:\*\*)?\s*:\s*", re.I)
# Small models often preface the line ("Sure, here's the revised offer:"); the preface is
# not part of what the recruiter says.
_PREFACE = re.compile(
    r"^(?:(?:sure|certainly|of course|okay|ok)[,!.]?\s+)?here(?:'s| is) (?:the|a|my|your) "
    r"(?:\w+ ){0,3}(?:line|reply|response|version|message|offer|rewrite|rewording)\b"
    r"[^:\n]{0,60}:\s*",
    re.I,
)


def clean_reply(text: str) -> str:
    """The model's reply without labels, wrapping quotes or a second speaker's turn."""
    text = _PREFACE.sub("", _LABEL.sub("", (text or "").strip()))
    # A small model may carry on and write the candidate's next line; keep only our turn.
    text = re.split(r"\n\s*(?:candidate|user|me)\s*:", text, maxsplit=1, flags=re.I)[0]
    text = " ".join(text.split())
    if len(text) > 1 and text[0] in "\"'“" and text[-1] in "\"'”":
        text = text[1:-1].strip()
    return text


def mask_figures(text: str) -> str:
    """``text`` with every figure (any spelling) replaced by ``[amount]``."""
    for figure in reversed(candidate_figures(text)):
        text = text[: figure.start] + MASK + text[figure.end :]
    return text


def _numbers(text: str) -> list[tuple[float, float, bool]]:
    """Bare numbers outside $-figures and %-figures: (as written, scaled, is-a-year)."""
    taken = [(f.start, f.end) for f in find_figures(text)]
    found = []
    for m in _NUMBER.finditer(text):
        if any(start <= m.start() < end for start, end in taken):
            continue
        value = float(m.group("n").replace(",", ""))
        suffix = (m.group("s") or "").lower()
        scale = (
            1000 if suffix in ("k", "thousand", "grand") else 10**6 if suffix.startswith("m") else 1
        )
        year = not suffix and "," not in m.group("n") and 1900 <= value <= 2100
        found.append((value, value * scale, year))
    return found


def leak_problems(text: str, decided: list[str], hidden: dict[str, float]) -> list[str]:
    """Figures or phrases in a recruiter line that give away more than the engine decided.

    ``decided`` holds the texts of every offer made so far; ``hidden`` is the recruiter's
    maximum per component, which may appear (in any spelling) only once it was offered.
    """
    problems: list[str] = []
    allowed = allowed_values(decided)
    problems += [f"figure not decided: {raw}" for raw in check_figures(text, allowed).ungrounded]
    money_ok = {v for kind, v in allowed if kind == "money"}
    percent_ok = {v for kind, v in allowed if kind == "percent"}
    numbers = _numbers(text)
    for written, scaled, year in numbers:
        if scaled >= 1000 and not year and scaled not in money_ok:
            problems.append(f"number not decided: {written:g}")
    for component, value in hidden.items():
        offered = value in (money_ok if component in MONEY else percent_ok)
        forms = {value, value / 1000} if component in MONEY else {value}
        if not offered and any(w in forms or s in forms for w, s, _ in numbers):
            problems.append(f"hidden {component} figure")
    if found := LEAK.search(text):
        problems.append(f"leak phrase: {found.group(0)!r}")
    return problems


def role_problems(text: str) -> list[str]:
    """Signs that a line is not the recruiter speaking (empty, rambling, candidate's voice)."""
    if not text.strip():
        return ["empty reply"]
    problems = ["reply too long"] if len(text) > MAX_REPLY_CHARS else []
    if MASK in text:
        problems.append("repeats a masked figure")
    if found := DRIFT.search(text):
        problems.append(f"speaks as the candidate: {found.group(0)!r}")
    return problems


def check_reply(text: str, draft: str, decided: list[str], hidden: dict[str, float]) -> list[str]:
    """Why a recruiter reply cannot be shown (an empty list means it can).

    Besides leaks and role, the reply must carry every figure of the draft: the move the
    engine decided has to reach the candidate.
    """
    problems = role_problems(text)
    if problems[:1] == ["empty reply"]:
        return problems
    problems += leak_problems(text, decided, hidden)
    said = allowed_values([text])
    for figure in find_figures(draft):
        kept = all(
            any(kind == figure.kind and abs(value - x) <= 0.5 for kind, x in said)
            for value in (figure.low, figure.high)
        )
        if not kept:
            problems.append(f"dropped decided figure: {figure.raw}")
    return problems


def numbers_outside(text: str, draft: str) -> bool:
    """True when ``text`` has a bare number of 1000+ the draft does not."""
    known = {scaled for _, scaled, _ in _numbers(draft)} | {v for _, v in allowed_values([draft])}
    return any(s >= 1000 and not y and s not in known for _, s, y in _numbers(text))
