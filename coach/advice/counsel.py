"""``coach counter``: the engine decides the verdict and counter, the model words it, guarded.

The engine's message is the draft; the worded answer goes through the same guard as every
other answer, so the figures a person reads are always the engine's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coach.advice.advisor import Advisor, AnswerStream, Prepared
from coach.advice.drafting import counter_draft
from coach.config import Settings
from coach.knowledge.library import load_playbook
from coach.negotiation.components import terms_text
from coach.negotiation.counter import CounterAdvice, evaluate_offer
from coach.negotiation.profile import load_profile


@dataclass
class CounselResult:
    """The engine's advice and the guarded stream that words it."""

    advice: CounterAdvice
    stream: AnswerStream

    def to_json(self) -> dict[str, Any]:
        if self.stream.answer is None:
            for _ in self.stream:
                pass
        data = self.advice.to_json()
        answer = self.stream.answer
        data["message"] = answer.answer if answer else self.advice.message
        data["grounded"] = bool(answer and answer.grounded)
        data["figures"] = answer.figures if answer else []
        return data


def counsel_offer(
    settings: Settings,
    region: str,
    offer: dict[str, float],
    guide: str | None = None,
    advisor: Advisor | None = None,
) -> CounselResult:
    """Judge ``offer`` in ``region`` and prepare the worded, guarded answer."""
    advisor = advisor or Advisor(settings)
    playbook = load_playbook(advisor.store, guide)
    advice = evaluate_offer(playbook, region, offer, load_profile(settings.home))
    question = f"My offer in {advice.region} is {terms_text(offer)}. What should I do?"
    prepared = Prepared(question=question, passages=[], draft=counter_draft(advice))
    return CounselResult(advice, AnswerStream(advisor, prepared, advisor.messages(prepared)))
