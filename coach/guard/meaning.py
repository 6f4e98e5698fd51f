"""The guard's second check: a figure must keep the meaning the code gave it.

A figure can be grounded and still be wrong: a 1.5B model rewording "your offer of $255K is
short of your target of $268K" wrote "accept the $268K offer, it meets your target of $255K".
Every figure of the draft is tagged with its *role* (offer, walk-away, target) and its
*component* (base, equity, bonus, total comp, premium) from the words around it; the
model's wording must not give a figure a role or component the draft never gave it, must
keep the figures the decision rests on, and must not turn "do not accept" into "accept".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coach.negotiation.components import CUES, PREMIUM_PCT, SHARE_PREMIUM_PCT
from coach.negotiation.money import figure_values, find_figures, find_spoken_figures

ROLE_WORDS = {
    "offer": r"\boffer(?:ed|s)?\b",
    "walk_away": r"\bwalk[- ]?away\b|\bminimum\b|\bfloor\b",
    "target": (
        r"\btarget\b|\bcounter(?:ing)?\b|\banchor\b|\bask(?:ing)? for\b|\bstart(?:ing)? at\b"
        r"|\bopen(?:ing)? (?:at|with)\b|\bpropose\b|\baim (?:for|at)\b"
    ),
}
# The guard has always treated any "premium" alike: a model calling the share premium "the
# premium" keeps its meaning.
COMPONENT_WORDS = {c: pattern for c, pattern in CUES.items() if c != PREMIUM_PCT}
COMPONENT_WORDS[SHARE_PREMIUM_PCT] += "|" + CUES[PREMIUM_PCT]
# "You should accept", "go ahead and take it", "Yes, accept": advice to accept the offer.
ACCEPT_ADVICE = re.compile(
    r"\b(?:you (?:can|should|could) (?:accept|take)|go ahead and (?:accept|take)"
    r"|(?<!not )(?<!never )(?<!n't )accept (?:it|the offer|this offer))\b|^\W*yes\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[.;!?]\s|\n")
_AFTER_STOP = re.compile(r"[,;:.!?()\[\n$]|\d|\b(?:and|with|or|but|while|plus)\b", re.IGNORECASE)
Tag = tuple[str, float]


@dataclass(frozen=True)
class Tagged:
    """A figure's values with the role and component its wording gives it (None if unsaid)."""

    raw: str
    start: int
    end: int
    values: frozenset[Tag]
    role: str | None
    component: str | None


def _last_match(patterns: dict[str, str], text: str) -> str | None:
    best: tuple[int, str] | None = None
    for name, pattern in patterns.items():
        for match in re.finditer(pattern, text, re.IGNORECASE):
            # Later words win; at one place, the more specific cue (listed first) wins.
            if best is None or match.start() > best[0]:
                best = (match.start(), name)
    return best[1] if best else None


def _first_match(patterns: dict[str, str], text: str) -> str | None:
    best: tuple[int, str] | None = None
    for name, pattern in patterns.items():
        match = re.search(pattern, text, re.IGNORECASE)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), name)
    return best[1] if best else None


def tag_figures(text: str) -> list[Tagged]:
    """Each figure of ``text`` with the role word before it and the component word by it."""
    tagged = []
    for figure in find_spoken_figures(text):
        clause_start = 0
        for brk in _CLAUSE_BREAK.finditer(text, 0, figure.start):
            clause_start = brk.end()
        before = text[max(clause_start, figure.start - 80) : figure.start]
        # Only the words right after the figure can name its component: "$248K base", not
        # "$248K and 20% share premium" or "$208K, with equity".
        after = _AFTER_STOP.split(text[figure.end : figure.end + 24], maxsplit=1)[0]
        # Components follow the figure ("$248K base"); when none does, the nearest before it
        # names it ("base salary of $248K").
        component = _first_match(COMPONENT_WORDS, after) or _last_match(
            COMPONENT_WORDS, before[-32:]
        )
        tagged.append(
            Tagged(
                raw=figure.raw,
                start=figure.start,
                end=figure.end,
                values=frozenset((figure.kind, v) for v in figure_values(figure)),
                # "your $248K walk-away" names the role after the figure; otherwise the
                # nearest role word before it in the clause does ("walk-away of $248K").
                role=_first_match(ROLE_WORDS, after) or _last_match(ROLE_WORDS, before),
                component=component,
            )
        )
    return tagged


def _meanings(tagged: list[Tagged]) -> tuple[dict[Tag, set[str]], dict[Tag, set[str]]]:
    roles: dict[Tag, set[str]] = {}
    components: dict[Tag, set[str]] = {}
    for tag in tagged:
        for value in tag.values:
            if tag.role:
                roles.setdefault(value, set()).add(tag.role)
            if tag.component:
                components.setdefault(value, set()).add(tag.component)
    return roles, components


class MeaningCheck:
    """The draft's figure meanings, ready to judge the model's wording figure by figure."""

    def __init__(self, draft: str, required: list[str] | None = None, forbid_accept: bool = False):
        self.roles, self.components = _meanings(tag_figures(draft))
        self.required = [
            frozenset((f.kind, v) for v in figure_values(f))
            for text in required or []
            for f in find_figures(text)
        ]
        self.required_raw = [f.raw for text in required or [] for f in find_figures(text)]
        self.forbid_accept = forbid_accept

    def figure_problem(self, tag: Tagged) -> str | None:
        """Why this figure's role or component differs from the draft's, if it does."""
        for value in tag.values:
            roles = self.roles.get(value, set())
            # A role the draft never gave this figure ("start at $272K" for a band edge) is
            # as wrong as a swapped one.
            if tag.role and tag.role not in roles:
                was = "/".join(sorted(roles)) or "not a role the coach gave it"
                return f"{tag.raw} called {tag.role}, but it is {was}"
            known = self.components.get(value)
            if tag.component and known and tag.component not in known:
                return f"{tag.raw} called {tag.component}, but it is {'/'.join(sorted(known))}"
        return None

    def text_problem(self, text: str) -> str | None:
        if self.forbid_accept and ACCEPT_ADVICE.search(text):
            return "advises accepting an offer the engine says not to accept yet"
        return None

    def final_problems(self, text: str) -> list[str]:
        """Everything wrong with a finished answer, including figures it left out."""
        tags = tag_figures(text)
        problems = [p for p in (self.figure_problem(t) for t in tags) if p]
        said = {value for tag in tags for value in tag.values}
        problems += [
            f"left out {raw}"
            for raw, needed in zip(self.required_raw, self.required, strict=True)
            if not needed <= said
        ]
        if accept := self.text_problem(text):
            problems.append(accept)
        return problems
