"""The guard: every figure a model writes must come from the sources or the engine.

A small model rewords what the code decided; the guard makes sure it did not invent,
round or mangle a number on the way. Figures are compared as normalised values, so
``$248K``, ``$248,000`` and ``248k`` are one figure, and money is never confused with a
percentage. ``GuardedStream`` applies the same check while text streams, holding back only
the word being written, so nothing unchecked ever reaches the screen.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from coach.money import Figure, figure_values, find_figures

Value = tuple[str, float]  # (kind, value): ("money", 248000.0) or ("percent", 20.0)


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= max(0.5, abs(b) * 1e-9)


def values_of(figure: Figure) -> set[Value]:
    return {(figure.kind, v) for v in figure_values(figure)}


def allowed_values(texts: Iterable[str]) -> set[Value]:
    """Every figure value stated anywhere in ``texts`` (sources, playbook lines, engine facts)."""
    allowed: set[Value] = set()
    for text in texts:
        for figure in find_figures(text):
            allowed |= values_of(figure)
    return allowed


def is_grounded(figure: Figure, allowed: set[Value]) -> bool:
    """True when every value the figure asserts is among ``allowed`` values of its kind."""
    return all(
        any(kind == figure.kind and _close(value, ok) for kind, ok in allowed)
        for value in figure_values(figure)
    )


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
    for figure in find_figures(text):
        report.figures.append(figure.raw)
        if not is_grounded(figure, allowed):
            report.ungrounded.append(figure.raw)
    return report


class GuardRejected(Exception):
    """Raised inside a stream when the model wrote something the guard cannot let through."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class GuardedStream:
    """Passes model text through only after its figures are checked.

    Text is released a word at a time; the trailing, possibly unfinished word (``$24`` may
    become ``$248K``) and a trailing bare number (``15`` may become ``15 percent``) are held
    back until the next piece shows how they end. The first ungrounded figure stops the
    stream with ``GuardRejected``; nothing after it, and not the figure itself, is released.
    """

    def __init__(self, pieces: Iterable[str], allowed: set[Value]) -> None:
        self._pieces = pieces
        self._allowed = allowed
        self.text = ""  # everything released so far
        self.report = GuardReport()

    def _reject(self, ungrounded: list[str]) -> GuardRejected:
        self.report.ungrounded.extend(ungrounded)
        # Stop the model now: an unfinished generator would keep the model busy (and locked).
        close = getattr(self._pieces, "close", None)
        if close is not None:
            close()
        return GuardRejected(f"ungrounded figure {ungrounded[0]!r}")

    def _release(self, chunk: str) -> str:
        found = check_figures(chunk, self._allowed)
        self.report.figures.extend(found.figures)
        if not found.ok:
            raise self._reject(found.ungrounded)
        self.text += chunk
        return chunk

    @staticmethod
    def _split_point(buffer: str) -> int:
        cut = max(buffer.rfind(" "), buffer.rfind("\n"))
        if cut <= 0:
            return 0
        head = buffer[:cut].rstrip()
        last_word = head.rsplit(None, 1)[-1] if head.split() else ""
        if last_word.replace(",", "").replace(".", "").isdigit():
            # A bare number may be followed by "percent"; keep it with what comes next.
            return len(head) - len(last_word)
        return cut

    def __iter__(self) -> Iterator[str]:
        buffer = ""
        for piece in self._pieces:
            buffer += piece
            cut = self._split_point(buffer)
            if cut > 0:
                chunk, buffer = buffer[:cut], buffer[cut:]
                yield self._release(chunk)
        if buffer:
            yield self._release(buffer)
        # Ranges split across releases were checked value by value; a last whole-text pass
        # catches any figure whose reading depended on text from two releases.
        final = check_figures(self.text, self._allowed)
        if not final.ok:
            raise self._reject(final.ungrounded)
