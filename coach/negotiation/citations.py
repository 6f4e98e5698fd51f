"""Citations: the numbered guide passages an answer relies on, and the markers that point at them."""

from __future__ import annotations

from dataclasses import dataclass

from coach.negotiation.playbook import Source


@dataclass(frozen=True)
class Citation:
    """A numbered source of an answer: which guide, which section, and the text relied on."""

    guide: str
    section: str
    text: str


def cite(source: Source | None, citations: list[Citation]) -> str:
    """Add ``source`` to ``citations`` and return its marker (`` [2]``); nothing for no source."""
    if source is None:
        return ""
    citations.append(Citation(source.guide, source.section, source.quote))
    return f" [{len(citations)}]"
