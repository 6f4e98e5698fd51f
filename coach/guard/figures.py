"""The guard: every figure a model writes must come from the sources or the engine.

A small model rewords what the code decided; the guard makes sure it did not invent,
round or mangle a number on the way. Figures are compared as normalised values, so
``$248K``, ``$248,000`` and ``248k`` are one figure, money is never confused with a
percentage, and money in one currency never grounds another (``$95K`` is not ``€95K``).
Money written with no currency at all (a bare ``95K``) is grounded by that amount in any
currency: the model dropped the symbol, it did not change it. ``GuardedStream`` applies the same check while text streams, holding back only
the word being written, so nothing unchecked ever reaches the screen.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from coach.guard.claims import ClaimCheck
from coach.guard.meaning import MeaningCheck, Tagged, tag_figures
from coach.negotiation.money import (
    Figure,
    figure_values,
    find_guide_figures,
    find_spoken_figures,
)

# (kind, value): ("money", 248000.0) for dollars, ("money:EUR", 95000.0) for other
# currencies, ("percent", 20.0). Dollars keep the plain "money" kind they always had.
Value = tuple[str, float]
_ANY_MONEY = "money:"  # the kind of money written with no currency: matches every currency


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= max(0.5, abs(b) * 1e-9)


def value_kind(kind: str, currency: str = "USD") -> str:
    """The kind a value is compared under: ``percent``, ``money`` (USD) or ``money:EUR``."""
    if kind != "money" or currency == "USD":
        return kind
    return f"money:{currency}"


def _same_kind(kind: str, allowed_kind: str) -> bool:
    if allowed_kind == _ANY_MONEY:  # a guide's "168 to 194 thousand" is in its own currency
        return kind.startswith("money")
    if kind == _ANY_MONEY:
        return allowed_kind == "money" or allowed_kind.startswith(_ANY_MONEY)
    return kind == allowed_kind


def values_of(figure: Figure) -> set[Value]:
    return {(value_kind(figure.kind, figure.currency), v) for v in figure_values(figure)}


def _grounded(values: Iterable[Value], allowed: set[Value]) -> bool:
    return all(
        any(_same_kind(kind, ok_kind) and _close(value, ok) for ok_kind, ok in allowed)
        for kind, value in values
    )


def allowed_values(texts: Iterable[str]) -> set[Value]:
    """Every figure value stated anywhere in ``texts`` (sources, playbook lines, engine facts)."""
    allowed: set[Value] = set()
    for text in texts:
        # A guide's "168 to 194 thousand" grounds "$168K–$194K" (see find_guide_figures).
        for figure in find_guide_figures(text):
            allowed |= values_of(figure)
    return allowed


def is_grounded(figure: Figure, allowed: set[Value]) -> bool:
    """True when every value the figure asserts is among ``allowed`` values of its kind."""
    return _grounded(values_of(figure), allowed)


@dataclass
class GuardReport:
    """The guard's findings about one piece of model output."""

    figures: list[str] = field(default_factory=list)
    ungrounded: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.ungrounded


def check_figures(text: str, allowed: set[Value]) -> GuardReport:
    """Which figures in ``text`` are grounded in ``allowed`` and which are not."""
    report = GuardReport()
    for figure in find_spoken_figures(text):
        report.figures.append(figure.raw)
        if not is_grounded(figure, allowed):
            report.ungrounded.append(figure.raw)
    return report


class GuardRejected(Exception):
    """Raised inside a stream when the model wrote something the guard cannot let through."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AnswerChecker:
    """Everything the guard holds one answer to: grounded figures that keep their meaning."""

    def __init__(
        self,
        allowed: set[Value],
        meaning: MeaningCheck | None = None,
        claims: ClaimCheck | None = None,
    ) -> None:
        self.allowed = allowed
        self.meaning = meaning
        self.claims = claims  # what the wording may claim beyond its figures (guard.claims)

    def figure_problem(self, tag: Tagged) -> str | None:
        # A tag carries kind and values only; its currency is read again from its words.
        currency = next((f.currency for f in find_spoken_figures(tag.raw)), "USD")
        values = {(value_kind(kind, currency), value) for kind, value in tag.values}
        if not _grounded(values, self.allowed):
            return f"ungrounded figure {tag.raw!r}"
        return self.meaning.figure_problem(tag) if self.meaning else None

    def text_problem(self, text: str) -> str | None:
        """A placeholder ("[insert amount]", "$[...]") or a claim the draft never made."""
        if match := PLACEHOLDER.search(text):
            return f"placeholder {match.group(0)!r}"
        return self.claims.problem(text) if self.claims else None

    def problems(self, text: str) -> list[str]:
        """All problems of a finished answer (used for non-streamed wording)."""
        found = [p for p in (self.figure_problem(t) for t in tag_figures(text)) if p]
        if placeholder := self.text_problem(text):
            found.append(placeholder)
        if self.meaning:
            found += self.meaning.final_problems(text)
        if self.claims:
            found += self.claims.missing(text)
        return list(dict.fromkeys(found))


# A template slot a small model sometimes writes instead of a figure; never shown to anyone.
PLACEHOLDER = re.compile(
    r"\[\s*(?:insert|your|enter|add|amount|company|name|figure|number|x+)\b[^\]]*\]?"
    r"|[$€£]\s?\[|<\s*(?:insert|your)\b[^>]*>?",
    re.I,
)

# Text after a figure that can still change its meaning ("$248K base"); held back until seen.
LOOKAHEAD = 24


class GuardedStream:
    """Passes model text through only after its figures are checked.

    Text is released a word at a time. A trailing, possibly unfinished word (``$24`` may
    become ``$248K``), a trailing bare number (``15`` may become ``15 percent``) and a figure
    whose next few words are not in yet (they say whether it is base or equity) are held
    back. The first problem stops the stream with ``GuardRejected``; nothing after it, and
    not the offending figure, is released.
    """

    def __init__(self, pieces: Iterable[str], checker: AnswerChecker | set[Value]) -> None:
        self._pieces = pieces
        # A bare set of allowed values checks grounding only (no draft to compare meaning with).
        self._checker = checker if isinstance(checker, AnswerChecker) else AnswerChecker(checker)
        self._full = ""
        self.text = ""  # everything released so far
        self.report = GuardReport()

    def _reject(self, reason: str) -> GuardRejected:
        self.report.ungrounded.append(reason)
        # Stop the model now: an unfinished generator would keep the model busy (and locked).
        close = getattr(self._pieces, "close", None)
        if close is not None:
            close()
        return GuardRejected(reason)

    def _safe_end(self, finished: bool) -> int:
        if finished:
            return len(self._full)
        cut = max(self._full.rfind(" "), self._full.rfind("\n"))
        if cut <= len(self.text):
            return len(self.text)
        head = self._full[:cut].rstrip()
        # A number among the last few words may still grow into a figure ("10 to 20
        # percent", "300 thousand"): keep it, and what follows, until the words are in.
        words = list(re.finditer(r"\S+", head))[-3:]
        for word in words:
            if re.search(r"\d", word.group()):
                cut = min(cut, word.start())
                break
        done = len(self.text)
        # Released text ends before any held number, so only the unreleased tail can hold
        # a figure that is still waiting for its following words.
        for figure in find_spoken_figures(self._full[done:cut]):
            if done + figure.end + LOOKAHEAD > len(self._full):
                return max(done, min(cut, done + figure.start))
        return cut

    def _release(self, end: int) -> str:
        chunk = self._full[len(self.text) : end]
        has_figure = any(ch.isdigit() for ch in chunk)
        for tag in tag_figures(self._full) if has_figure else []:
            if len(self.text) <= tag.start < end:
                self.report.figures.append(tag.raw)
                if problem := self._checker.figure_problem(tag):
                    raise self._reject(problem)
        if problem := self._checker.text_problem(self._full[:end]):
            raise self._reject(problem)
        meaning = self._checker.meaning
        if meaning and (problem := meaning.text_problem(self._full[:end])):
            raise self._reject(problem)
        self.text += chunk
        return chunk

    def __iter__(self) -> Iterator[str]:
        for piece in self._pieces:
            self._full += piece
            end = self._safe_end(finished=False)
            if end > len(self.text):
                yield self._release(end)
        if len(self._full) > len(self.text):
            yield self._release(len(self._full))
        # Figures left out, or read differently once the whole text is in, end it too.
        if problems := self._checker.problems(self.text):
            raise self._reject(problems[0])
