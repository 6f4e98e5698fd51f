"""The model words a note's better line, and the guard keeps it to the engine's figures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_core.language_models.fake_chat_models import FakeListChatModel
from test_recruiter import cerebras_playbook

from coach.config import Settings
from coach.negotiation.money import find_figures
from coach.roleplay.better_line import word_note, wording_problems
from coach.roleplay.feedback import Note
from coach.roleplay.session import RoleplaySession

TEMPLATE = "Could you get to $263K base? I have NVIDIA at $462K total comp."


def note(better: str = TEMPLATE) -> Note:
    return Note("bare_ask", 2, "could you do better?", "You asked for more without a number.",
                "A vague ask invites a token move.", better)


class Scripted(FakeListChatModel):
    """Answers with the given lines in turn, whatever it is asked, and takes any kwargs."""

    def _call(self, *args: Any, **kwargs: Any) -> str:
        return super()._call(*args, **{k: v for k, v in kwargs.items() if k != "max_tokens"})


def test_a_rewording_with_the_same_figures_and_names_is_used() -> None:
    worded = "Is there a way to reach $263K base? NVIDIA has me at $462K total comp."
    assert wording_problems(worded, TEMPLATE, cerebras_playbook()) == []
    result, events = word_note(Scripted(responses=[worded]), note(), cerebras_playbook())
    assert result.better == worded and result.worded and events == []


def test_the_guard_rejects_what_the_engine_did_not_decide() -> None:
    book = cerebras_playbook()
    cases = {
        "Could you get to $270K base? I have NVIDIA at $462K total comp.": "not the engine's",
        "Could you get to a higher base? NVIDIA pays me $462K total comp.": "dropped $263K",
        "Could you get to $263K base? Another company has me at $462K.": "left out 'NVIDIA'",
        "Could you get to $263K base? I have NVIDIA and Google at $462K.": "new name 'Google'",
        "We can offer $263K base; NVIDIA is at $462K total comp.": "candidate's voice",
    }
    for text, why in cases.items():
        problems = wording_problems(text, TEMPLATE, book)
        assert any(why in p for p in problems), (text, problems)
    result, events = word_note(Scripted(responses=[next(iter(cases))]), note(), book)
    assert result.better == TEMPLATE and not result.worded
    assert "guard rejected" in events[0]


def test_a_failing_model_leaves_the_template(tmp_path: Path) -> None:
    class Broken(Scripted):
        def _call(self, *args: Any, **kwargs: Any) -> str:
            raise RuntimeError("boom")

    result, events = word_note(Broken(responses=["x"]), note(), cerebras_playbook())
    assert result.better == TEMPLATE and "model call failed" in events[0]


def test_feedback_on_words_each_note_before_the_reply_and_off_keeps_templates(
    tmp_path: Path,
) -> None:
    settings = Settings(home=tmp_path, provider="fake")

    def play(feedback: bool, replies: list[str]) -> list[Note]:
        # Replies the recruiter guard rejects ("x") leave its templated line, so the only
        # wording that can land is the note's.
        run = RoleplaySession(settings, cerebras_playbook(), region="Sunnyvale", persona="firm",
                              seed=4, model=Scripted(responses=replies), persist=False,
                              feedback=feedback)
        run.start()
        run.respond("ok, what can you offer?")  # the recruiter puts an offer on the table
        return run.respond("could you do better?").notes

    plain = play(False, ["x"] * 10)
    assert [n.kind for n in plain] == ["bare_ask"] and not plain[0].worded
    step = find_figures(plain[0].better)[0].raw
    worded = f"Could we get to {step} base? I have NVIDIA at $462K total comp."
    # Call order: opening, first reply, then the note (before the second reply).
    notes = play(True, ["x", "x", "x", "x", worded, "x", "x"])
    assert notes[0].worded and notes[0].better == worded
