"""Tests for coach.advice.advisor and coach.advice.conversation on the fake provider: grounding, retry, fallback."""

from __future__ import annotations

from typing import Any

import pytest

from coach.advice.advisor import Answer, AnswerStream
from coach.advice.conversation import HISTORY_TOKEN_BUDGET, Conversation
from coach.advice.drafting import NOT_COVERED
from coach.errors import InputError
from coach.negotiation.money import find_figures
from coach.negotiation.profile import Profile, save_profile

REMOTE_US = "What is the base salary range for Remote US?"
NOT_COVERED_QUESTIONS = [
    "What is the parental leave policy in Berlin?",
    "How much vacation do interns get in Tokyo?",
    "What is the 401k match?",
]
JSON_KEYS = {"answer", "citations", "figures", "grounded", "provider", "model"}


def values(text: str) -> set[tuple[str, float]]:
    return {(f.kind, v) for f in find_figures(text) for v in (f.low, f.high)}


def consume(stream: AnswerStream) -> str:
    return "".join(stream)


# --- grounded answers ---------------------------------------------------------------------


def test_remote_us_answer_is_grounded_and_cited(fake_advisor: Any) -> None:
    advisor = fake_advisor()
    answer = advisor.ask(REMOTE_US)
    assert isinstance(answer, Answer)
    assert {("money", 208_000.0), ("money", 262_000.0)} <= values(answer.answer)
    assert answer.grounded and answer.covered
    assert answer.citations and "| Remote US | $208K–$262K" in answer.citations[0].text
    assert answer.citations[0].guide == "cerebras-ml-ai-engineer"
    assert "[1]" in answer.answer
    assert answer.figures[0] == "$208K–$262K"
    assert (answer.provider, answer.model) == ("fake", "fake")
    assert answer.guard_events == []


def test_answer_json_shape(fake_advisor: Any) -> None:
    data = fake_advisor().ask(REMOTE_US).to_json()
    assert set(data) == JSON_KEYS
    assert all(set(c) == {"guide", "section", "text"} for c in data["citations"])
    assert isinstance(data["figures"], list) and isinstance(data["grounded"], bool)


def test_streamed_text_equals_final_answer(fake_advisor: Any) -> None:
    stream = fake_advisor().stream(REMOTE_US)
    pieces = list(stream)
    assert len(pieces) > 3, "the answer streams in pieces"
    assert "".join(pieces).strip() == stream.answer.answer


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What should I counter with?", {("money", 268_000.0)}),
        ("What is my walk-away?", {("money", 248_000.0), ("percent", 20.0)}),
        ("Should I accept $240K in Sunnyvale?", {("money", 248_000.0), ("money", 268_000.0)}),
    ],
)
def test_money_questions_are_answered_from_the_engine(
    fake_advisor: Any, question: str, expected: set[tuple[str, float]]
) -> None:
    answer = fake_advisor().ask(question)
    assert expected <= values(answer.answer)
    assert answer.grounded and answer.citations
    assert any(
        "$248K+" in c.text or "$268K" in c.text or "Sunnyvale" in c.text for c in answer.citations
    )


def test_accept_question_gets_the_verdict(fake_advisor: Any) -> None:
    answer = fake_advisor().ask("Should I accept $240K in Sunnyvale?")
    assert "below your walk-away" in answer.answer
    assert "Do not accept" in answer.answer


def test_prose_question_is_answered_from_the_fundamentals(fake_advisor: Any) -> None:
    answer = fake_advisor().ask("How should I use silence after an offer?")
    assert answer.covered and answer.grounded
    assert "silence" in answer.answer.lower()
    assert any(c.guide == "negotiation-fundamentals" for c in answer.citations)
    assert answer.figures == []


def test_profile_offer_and_region_are_used(fake_advisor: Any, settings: Any) -> None:
    save_profile(settings.home, Profile(region="Remote US", offer={"base": 250_000.0}))
    answer = fake_advisor(settings=settings).ask("Should I accept this offer?")
    assert "$250K" in answer.answer and "clears your walk-away" in answer.answer
    assert "in Remote US" in answer.answer


# --- not covered --------------------------------------------------------------------------


@pytest.mark.parametrize("question", NOT_COVERED_QUESTIONS)
def test_not_covered_says_so_without_figures_or_model(fake_advisor: Any, question: str) -> None:
    advisor = fake_advisor(["The policy is $5,000 and 12% extra."])
    answer = advisor.ask(question)
    assert answer.answer == NOT_COVERED
    assert answer.covered is False
    assert answer.figures == [] and find_figures(answer.answer) == []
    assert answer.citations == []
    assert advisor.engine.calls == [], "no model call when there is nothing to word"
    assert answer.guard_events == ["guides do not cover the question; no model call"]


@pytest.mark.parametrize(
    "question",
    [
        "Does Cerebras offer a 401k match?",
        "How many vacation days does Cerebras give?",
        "What is the dental plan at Cerebras?",
    ],
)
def test_off_topic_question_naming_the_company_is_not_covered(
    fake_advisor: Any, question: str
) -> None:
    answer = fake_advisor().ask(question)
    assert answer.answer == NOT_COVERED
    assert answer.figures == []


def test_empty_store_is_not_covered(fake_advisor: Any, store: Any) -> None:
    answer = fake_advisor(store=store).ask(REMOTE_US)
    assert not answer.covered and answer.answer == NOT_COVERED


def test_unknown_guide_is_one_input_error(fake_advisor: Any) -> None:
    with pytest.raises(InputError, match=r"No guide with id 'nope'") as info:
        fake_advisor().ask(REMOTE_US, guide="nope")
    assert "cerebras-ml-ai-engineer" in info.value.message


def test_guide_filter_keeps_other_guides_out(fake_advisor: Any) -> None:
    answer = fake_advisor().ask(REMOTE_US, guide="negotiation-fundamentals")
    assert all(c.guide == "negotiation-fundamentals" for c in answer.citations)
    assert "$208K" not in answer.answer


# --- the guard in the chain ---------------------------------------------------------------


INVENTED = ["$300K", "$250,000", "$1.2M", "35%", "$208K–$300K", "40 percent", "$262,500"]


@pytest.mark.parametrize("invented", INVENTED)
def test_invented_figure_never_reaches_the_answer(fake_advisor: Any, invented: str) -> None:
    advisor = fake_advisor([f"For Remote US, ask for {invented} base [1]."])
    stream = advisor.stream(REMOTE_US)
    shown = consume(stream)
    answer = stream.answer
    draft = stream.prepared.draft.text
    assert invented not in answer.answer and invented not in shown
    assert answer.answer == draft, "after the retry also fails, the draft is the answer"
    assert answer.grounded
    assert len(advisor.engine.calls) == 2, "one attempt and one retry, no more"
    first_event, retry_event = answer.guard_events
    assert first_event.startswith("guard rejected the model's wording")
    assert invented in first_event
    assert retry_event.startswith("guard rejected the retry too")
    assert invented in retry_event and retry_event.endswith("using the draft")
    assert "[the coach stopped that answer" in shown
    assert shown.rstrip().endswith(draft)


def test_retry_prompt_lists_the_allowed_figures(fake_advisor: Any) -> None:
    advisor = fake_advisor(["Ask for $300K."])
    advisor.ask(REMOTE_US)
    first, retry = advisor.engine.calls
    assert retry[:-1] == first[:-1]
    assert retry[-1]["content"].startswith(first[-1]["content"])
    suffix = retry[-1]["content"][len(first[-1]["content"]) :]
    assert "Use only these figures, exactly as written" in suffix
    # Every figure of the draft is listed; the question asks for the base salary only.
    draft = advisor.prepare(REMOTE_US).draft.text
    figures = [f.raw for f in find_figures(draft)]
    assert "$208K–$262K" in figures
    for figure in figures:
        assert figure in suffix


def reworded(draft: str) -> str:
    """The draft as a model might reword it, every figure and its context kept."""
    return "Here is what your guide says. " + draft


def test_grounded_retry_is_used(fake_advisor: Any) -> None:
    draft = fake_advisor().prepare(REMOTE_US).draft.text
    advisor = fake_advisor(["Ask for $300K.", reworded(draft)])
    stream = advisor.stream(REMOTE_US)
    shown = consume(stream)
    assert stream.answer.answer == reworded(draft)
    assert stream.answer.grounded
    assert stream.answer.guard_events[-1] == "guard accepted the regenerated wording"
    assert "$300K" not in shown


def test_empty_retry_falls_back_to_the_draft(fake_advisor: Any) -> None:
    advisor = fake_advisor(["Ask for $300K.", ""])
    stream = advisor.stream(REMOTE_US)
    consume(stream)
    assert stream.answer.answer == stream.prepared.draft.text


def test_model_wording_with_the_same_figures_in_other_forms_is_kept(fake_advisor: Any) -> None:
    reply = "You can expect a base of $208,000 to $262,000 in Remote US [1]."
    advisor = fake_advisor([reply])
    answer = advisor.ask(REMOTE_US)
    assert answer.answer == reply
    assert answer.grounded and answer.guard_events == []
    assert len(advisor.engine.calls) == 1


def test_engine_figures_are_trusted_but_others_are_not(fake_advisor: Any) -> None:
    question = "Should I accept $240K in Sunnyvale?"
    draft = fake_advisor().prepare(question).draft.text
    replies = [draft.replace("Do not accept it.", "Also ask for $999K."), reworded(draft)]
    advisor = fake_advisor(replies)
    answer = advisor.ask(question)
    assert answer.answer == reworded(draft)
    assert answer.grounded and "$999K" not in answer.answer
    assert {("money", 240_000.0), ("money", 248_000.0), ("money", 268_000.0)} <= values(
        answer.answer
    )


def test_prompt_carries_question_and_draft(fake_advisor: Any) -> None:
    advisor = fake_advisor()
    stream = advisor.stream(REMOTE_US)
    consume(stream)
    (messages,) = advisor.engine.calls
    assert [m["role"] for m in messages] == ["system", "user"]
    assert "salary negotiation coach" in messages[0]["content"]
    assert messages[1]["content"].startswith(f"Question: {REMOTE_US}")
    assert f"Draft: {stream.prepared.draft.text}" in messages[1]["content"]


def test_counter_wording_is_held_to_the_engine_figures(fake_advisor: Any) -> None:
    from coach.advice.counsel import counsel_offer

    advisor = fake_advisor(["Counter at $275K, you deserve it."])
    result = counsel_offer(advisor.settings, "Sunnyvale", {"base": 240_000}, advisor=advisor)
    data = result.to_json()
    assert data["verdict"] == "below_walk_away"
    assert data["counter"]["base"] == 268_000
    assert "$275K" not in data["message"]
    assert data["message"] == result.advice.message
    assert data["grounded"] is True
    assert "$268K" in data["figures"]
    assert len(advisor.engine.calls) == 2


def test_counter_wording_from_the_model_is_kept_when_grounded(fake_advisor: Any) -> None:
    from coach.advice.counsel import counsel_offer
    from coach.knowledge.library import load_playbook
    from coach.negotiation.counter import evaluate_offer

    advisor = fake_advisor()
    playbook = load_playbook(advisor.store)
    message = evaluate_offer(playbook, "Sunnyvale", {"base": 240_000}).message
    advisor = fake_advisor([reworded(message)])
    data = counsel_offer(
        advisor.settings, "Sunnyvale", {"base": 240_000}, advisor=advisor
    ).to_json()
    assert data["message"] == reworded(message) and data["grounded"] is True


@pytest.mark.parametrize(
    "bad",
    [
        "Good news: you should accept it. {message}",
        "Your walk-away is $268K and your target is $248K. Your offer is $240K.",
    ],
    ids=["accept-advice", "swapped-roles"],
)
def test_counter_wording_that_changes_the_decision_falls_back(fake_advisor: Any, bad: str) -> None:
    from coach.advice.counsel import counsel_offer
    from coach.knowledge.library import load_playbook
    from coach.negotiation.counter import evaluate_offer

    advisor = fake_advisor()
    message = evaluate_offer(load_playbook(advisor.store), "Sunnyvale", {"base": 240_000}).message
    advisor = fake_advisor([bad.format(message=message)])
    result = counsel_offer(advisor.settings, "Sunnyvale", {"base": 240_000}, advisor=advisor)
    data = result.to_json()
    assert data["message"] == message
    assert result.stream.answer.guard_events[-1].endswith("using the draft")


# --- conversations ------------------------------------------------------------------------


def test_conversation_keeps_history_as_a_stable_prefix(fake_advisor: Any) -> None:
    advisor = fake_advisor()
    chat = Conversation(advisor)
    first = chat.ask(REMOTE_US)
    consume(first)
    chat.remember(first)
    assert [m["role"] for m in chat.history] == ["user", "assistant"]
    second = chat.ask("What is my walk-away?")
    consume(second)
    chat.remember(second)
    call1, call2 = advisor.engine.calls
    assert call2[: len(call1)] == call1, "turn two's prompt starts with turn one's"
    assert call2[len(call1)] == {"role": "assistant", "content": first.answer.answer}
    assert second.answer.grounded and "$248K" in second.answer.answer
    assert len(chat.history) == 4


def test_conversation_remember_ignores_unfinished_turns_and_reset_clears(fake_advisor: Any) -> None:
    chat = Conversation(fake_advisor())
    unfinished = chat.ask(REMOTE_US)
    chat.remember(unfinished)  # never consumed: nothing to remember
    assert chat.history == []
    done = chat.ask(REMOTE_US)
    consume(done)
    chat.remember(done)
    chat.reset()
    assert chat.history == []


def test_conversation_drops_oldest_turns_over_budget(fake_advisor: Any) -> None:
    chat = Conversation(fake_advisor())
    filler = "negotiation " * (HISTORY_TOKEN_BUDGET // 2)
    chat.history = [
        {"role": "user", "content": "old " + filler},
        {"role": "assistant", "content": "old answer"},
        {"role": "user", "content": "new " + filler},
        {"role": "assistant", "content": "new answer"},
    ]
    stream = chat.ask(REMOTE_US)
    consume(stream)
    assert [m["content"][:4] for m in chat.history] == ["new ", "new "]
    assert stream.answer.grounded


def test_a_concept_said_in_everyday_words_finds_the_guides_principle(fake_advisor: Any) -> None:
    # "make up" is "invent" in the fundamentals page; the answer opens with its heading.
    advisor = fake_advisor()
    answer = advisor.ask("is it ok to make up a competing offer to get more?")
    assert answer.covered and not find_figures(answer.answer)
    assert answer.answer.startswith("Competing offers.")
    assert "invent" in answer.answer.lower()
    said = advisor.ask("should I tell them what I make now?")
    assert said.covered and "current salary" in said.answer.lower()
