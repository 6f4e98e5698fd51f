"""A multi-turn Q&A conversation over the guides, with history kept for the model.

Turns are appended after the stable system prompt, so each new prompt starts with the
previous one and llama.cpp only has to read the new question. When the history would
overflow the model's window, the oldest turns are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coach.advice.advisor import Advisor, AnswerStream
from coach.advice.state import DialogueState
from coach.knowledge.chunking import count_tokens

HISTORY_TOKEN_BUDGET = 1800


@dataclass
class Conversation:
    """One chat session: the advisor plus the turns said so far."""

    advisor: Advisor
    guide: str | None = None
    history: list[dict[str, str]] = field(default_factory=list)
    # What the person has told us (guide, region, offer, their numbers), carried across turns.
    state: DialogueState = field(default_factory=DialogueState)

    def ask(self, question: str) -> AnswerStream:
        """Stream the answer to ``question``; call ``remember`` with it once it is consumed."""
        self._trim()
        return self.advisor.stream(question, self.guide, history=self.history, state=self.state)

    def remember(self, stream: AnswerStream) -> None:
        """Add a finished turn to the history exactly as the model saw it (for cache reuse)."""
        if stream.answer is None:
            return
        self.history.append(stream.messages[-1])
        self.history.append({"role": "assistant", "content": stream.answer.answer})

    def reset(self) -> None:
        self.history.clear()
        self.state = DialogueState()

    def _trim(self) -> None:
        while self.history and sum(count_tokens(m["content"]) for m in self.history) > (
            HISTORY_TOKEN_BUDGET
        ):
            del self.history[:2]
