"""Which pay components a message names: "base", "the sign-on", "stonks", "everything but the bonus".

The shared cue table in ``coach.negotiation.components`` serves guides, which use formal
names; people in a chat use everyday, foreign and misspelt words, which live here.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from coach.negotiation import components as comp

ALL_COMPONENTS = "all"

_ALL_WORDS = re.compile(
    r"\b(?:whole|full)\b(?!\s+(?:grant|vest|4|four)\b)|\bbreak\s?down\b|\bbreakdown\b|\beverything\b|\ball (?:the )?"
    r"components\b|(?<!relocation )(?<!relo )\bpackage\b(?!.*\b(?:base|equity|bonus)\b)",
    re.I,
)
# Extra words per component that the shared cue table leaves out (everyday and foreign
# wordings people use in chats; the table serves guides, which use the formal names).
_EXTRA_CUES: dict[str, str] = {
    comp.BASE: r"\bfixed\b|\bgehalt\b|\bfixgehalt\b|\bsalaire\b|(?<!variable )\bpay\b(?! ?(?:\w+ )?(?:out|back))",
    comp.BONUS_PCT: r"\bvariable\b",
    comp.TOTAL_COMP: r"\b(?:yearly|annual|overall) total\b|\btotal (?:pay|cash|package)\b|"
    r"^(?:\w+ )?total\b",
    "relocation": r"\breloc\w*|\brelo\b|\bmoving\b",
}


# "total excl. sign-on", "everything but the bonus": the component after it is left out.
_EXCLUDED = re.compile(r"\b(?:excl(?:uding|\.|\b)|without|minus|not counting|except|but not)\s*"
                       r"(?:the )?([a-z-]+(?: [a-z-]+)?)")


def _component_cues() -> list[tuple[str, re.Pattern[str]]]:
    """The shared cue table with the chat words added, compiled once (it is read for every
    amount of every message). Premiums are left out: a premium is its own intent, not a pay
    component of the band."""
    cues = {**comp.CUES}
    for name, extra in _EXTRA_CUES.items():
        cues[name] = f"{cues[name]}|{extra}" if name in cues else extra
    return [(name, re.compile(pattern)) for name, pattern in cues.items()
            if name not in {comp.PREMIUM_PCT, comp.SHARE_PREMIUM_PCT}]


_COMPONENT_CUES = _component_cues()


def components(lowered: str) -> list[str]:
    """The pay components a message names, in the order it names them (or ``["all"]``)."""
    if _ALL_WORDS.search(lowered):
        return [ALL_COMPONENTS]
    if (left_out := _EXCLUDED.search(lowered)) is not None:
        named = components(left_out.group(1))
        kept = components(lowered[: left_out.start()] + lowered[left_out.end() :])
        return [c for c in kept if c not in named] or kept
    found: list[tuple[int, str]] = []
    for name, pattern in _COMPONENT_CUES:
        if (match := pattern.search(lowered)) is not None:
            found.append((match.start(), name))
    if any(n == comp.SIGN_ON for _, n in found) and re.search(
        r"(?:sign[\s-]?on|signing|hiring|joining|welcome)\s+bonus", lowered
    ) and len(re.findall(r"\bbonus", lowered)) == 1:
        found = [(p, n) for p, n in found if n != comp.BONUS_PCT]  # "signing bonus"
    if not found:
        found = _misspelt_components(lowered)
    return [name for _, name in sorted(found)]


# The words a typo is checked against ("bonnus", "optoins", "salery", "relocaton").
_SPELLINGS = {"bonus": comp.BONUS_PCT, "variable": comp.BONUS_PCT, "salary": comp.BASE, "equity": comp.EQUITY,
              "options": comp.EQUITY, "stock": comp.EQUITY, "relocation": "relocation",
              "signing": comp.SIGN_ON}


def _misspelt_components(lowered: str) -> list[tuple[int, str]]:
    found = []
    # Six letters or more: "stack" is a word of its own, not "stock" misspelt.
    for token in re.finditer(r"[a-z]{6,}", lowered):
        for word, name in _SPELLINGS.items():
            if abs(len(word) - len(token.group())) <= 2 and SequenceMatcher(
                None, token.group(), word
            ).ratio() >= 0.82:
                found.append((token.start(), name))
                break
    return found
