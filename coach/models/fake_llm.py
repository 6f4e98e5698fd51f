"""A deterministic chat model shipped with the coach, for fast tests and offline demos.

Every prompt the coach builds ends with a ``Draft:`` block: the answer the code already
decided, which a real model rewrites in natural words. The fake model returns that draft
unchanged, so the whole product runs end to end with no model at all. Tests can instead
script exact replies (``responses``) to prove the guard stops invented figures.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

DRAFT_MARKER = "Draft:"


def draft_of(prompt: str) -> str:
    """The text after the last ``Draft:`` marker of ``prompt`` (empty when there is none)."""
    at = prompt.rfind(DRAFT_MARKER)
    if at < 0:
        return ""
    return prompt[at + len(DRAFT_MARKER) :].strip()


class FakeLlama:
    """Streams the draft (or the next scripted reply) word by word, like a real model."""

    def __init__(self, responses: list[str] | None = None) -> None:
        self._responses = itertools.cycle(responses) if responses else None
        self.calls: list[list[dict[str, str]]] = []

    def stream(
        self,
        messages: list[dict[str, str]],
        max_tokens: int = 200,
        temperature: float = 0.0,
        stop: list[str] | None = None,
    ) -> Iterator[str]:
        self.calls.append(messages)
        if self._responses is not None:
            text = next(self._responses)
        else:
            text = draft_of(messages[-1]["content"]) or "I can only answer from your guides."
        words = text.split(" ")
        for index, word in enumerate(words[:max_tokens]):
            yield word if index == 0 else " " + word
