"""Everyday phrasings of negotiation concepts, in the words general guides use for them.

"Can I make up another offer?" shares no word with "Never invent an offer", and "should I
tell them what I make now?" none with "avoid giving your current salary". Retrieval for a
concept question gets the guide's words added, so keyword search can find the section the
sentence vector alone ranks too low. The table is small on purpose: it maps ways of saying
a handful of ideas, not topics.
"""

from __future__ import annotations

import re

_PHRASES: list[tuple[str, str]] = [
    (r"\bmake up\b|\bfake\b|\bmade[- ]up\b|\blie about\b|\bbluff\w*", "invent offer"),
    (r"\bwhat i (?:make|earn)\b|\bcurrent (?:pay|comp\w*)\b|\bmy salary now\b",
     "current salary reference point"),
    (r"\blowest (?:i'?d|you'?d|i would|you would) (?:take|accept)\b|\bbottom line\b",
     "walk-away floor reveal"),
    (r"\bon the spot\b|\bright away\b|\bimmediately\b|\bsay yes\b",
     "accepting too early first call"),
    (r"\bkeep quiet\b|\bpause\b|\bsay nothing\b", "silence"),
    (r"\bgo first\b|\bfirst number\b|\bname a number\b", "anchoring first number"),
    (r"\bin writing\b|\bwritten\b|\bpaper\w*\b", "written offer letter"),
    (r"\b(?:easiest|hardest|easier|harder) (?:thing|part|bit|component|lever)\b|\bmove on\b|"
     r"\bbudge\b", "negotiating components hardest easiest lever one-time"),
    (r"\bbesides the (?:number|money|dollar)|\bwhat (?:else )?(?:should|do) i ask (?:about|them)\b",
     "negotiating components ask strike price valuation vesting paid out"),
    (r"\b(?:top of the|maxed out|capped)\b.*\bwhat else\b|\bwhat else can i\b",
     "negotiating components fixed move to another bridge"),
]


def concept_words(question: str) -> str:
    """The general guides' words for the ideas ``question`` names ("" when none)."""
    lowered = question.lower()
    return " ".join(words for pattern, words in _PHRASES if re.search(pattern, lowered))
