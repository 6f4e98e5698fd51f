"""Tests for coach.models.prompts: templates are checked when parsed, filled safely when used."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from coach.errors import CoachError
from coach.models.prompts import load_prompt, parse_template, prompts_dir

GOOD = """---
name: demo
variables: [question, draft]
---
## system
You word answers. Keep {{braces}} literal.
## user
Question: {question}

Draft: {draft}
"""


@pytest.fixture
def fresh_prompt_cache() -> Iterator[None]:
    load_prompt.cache_clear()
    yield
    load_prompt.cache_clear()


def test_good_template_parses() -> None:
    template = parse_template("demo", GOOD)
    assert template.variables == ("question", "draft")
    assert template.system == "You word answers. Keep {{braces}} literal."
    assert template.user == "Question: {question}\n\nDraft: {draft}"


@pytest.mark.parametrize(
    ("source", "match"),
    [
        (
            GOOD.replace("Draft: {draft}", "Draft: {draft} Walk-away: {walk_away}"),
            "uses undeclared walk_away",
        ),
        (
            GOOD.replace("[question, draft]", "[question, draft, target]"),
            "never uses declared target",
        ),
        (
            GOOD.replace("Draft: {draft}", "Draft: {drafts}"),
            "uses undeclared drafts and never uses declared draft",
        ),
        (GOOD.replace("Question: {question}", "Question:"), "never uses declared question"),
    ],
)
def test_variable_mismatch_raises_at_parse_time(source: str, match: str) -> None:
    with pytest.raises(CoachError, match=match) as info:
        parse_template("demo", source)
    assert "prompts/demo.md" in info.value.hint
    assert "\n" not in info.value.one_line()


@pytest.mark.parametrize(
    ("source", "match"),
    [
        (GOOD.split("---\n", 2)[2], "no front-matter"),
        (GOOD.replace("## user", "## human"), "needs a '## system' and a '## user' part"),
        (GOOD.replace("## system\n", ""), "needs a '## system' and a '## user' part"),
    ],
)
def test_malformed_template_raises(source: str, match: str) -> None:
    with pytest.raises(CoachError, match=match):
        parse_template("demo", source)


def test_messages_fill_values_once_and_keep_user_braces_literal() -> None:
    template = parse_template("demo", GOOD)
    system, user = template.messages(
        question="What about {draft} and {x}?", draft="Ask for $268K [1]."
    )
    assert system == {"role": "system", "content": "You word answers. Keep {braces} literal."}
    assert user["role"] == "user"
    assert user["content"] == "Question: What about {draft} and {x}?\n\nDraft: Ask for $268K [1]."


def test_messages_and_chat_prompt_render_the_same_text() -> None:
    template = parse_template("demo", GOOD)
    system, _ = template.messages(question="q", draft="d")
    rendered = template.chat_prompt().format_messages(question="q", draft="d")
    assert system["content"] == rendered[0].content == "You word answers. Keep {braces} literal."


def test_messages_require_every_declared_value() -> None:
    template = parse_template("demo", GOOD)
    with pytest.raises(CoachError, match="needs values for: draft"):
        template.messages(question="q")


def test_chat_prompt_has_the_declared_variables() -> None:
    prompt = parse_template("demo", GOOD).chat_prompt()
    assert set(prompt.input_variables) == {"question", "draft"}
    rendered = prompt.format_messages(question="Q?", draft="D.")
    assert [m.type for m in rendered] == ["system", "human"]
    assert rendered[1].content == "Question: Q?\n\nDraft: D."


def test_the_shipped_answer_prompt_loads(fresh_prompt_cache: None) -> None:
    template = load_prompt("answer")
    assert set(template.variables) == {"question", "draft"}
    assert "Never add, round, or change a figure" in template.system
    assert (prompts_dir() / "answer.md").is_file()


def test_every_shipped_prompt_parses(fresh_prompt_cache: None) -> None:
    files = sorted(prompts_dir().glob("*.md"))
    assert files
    for path in files:
        assert load_prompt(path.stem).name == path.stem


def test_prompts_dir_override_and_bad_file_fail_at_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_prompt_cache: None
) -> None:
    (tmp_path / "answer.md").write_text(GOOD.replace("{draft}", "{walk_away}"), encoding="utf-8")
    monkeypatch.setenv("COACH_PROMPTS", str(tmp_path))
    assert prompts_dir() == tmp_path
    with pytest.raises(CoachError, match="undeclared walk_away"):
        load_prompt("answer")
    with pytest.raises(CoachError, match="is missing"):
        load_prompt("no-such-prompt")


def test_bad_prompt_stops_the_advisor_before_any_model_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_prompt_cache: None, settings, store
) -> None:
    from coach.advice.advisor import Advisor
    from coach.models.fake_llm import FakeLlama
    from coach.models.providers import chat_model

    (tmp_path / "answer.md").write_text(
        GOOD.replace("[question, draft]", "[question]"), encoding="utf-8"
    )
    monkeypatch.setenv("COACH_PROMPTS", str(tmp_path))
    engine = FakeLlama()
    with pytest.raises(CoachError, match="undeclared draft"):
        Advisor(settings, store=store, model=chat_model(settings, engine))
    assert engine.calls == []
