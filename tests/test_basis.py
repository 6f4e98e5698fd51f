"""How a pay part is counted or paid ("is that per year?"), and faint readings that name nothing.

The guide below is written for these tests; none of its wording comes from an eval case.
"""

from __future__ import annotations

from typing import Any

import pytest

from coach.advice.answers import Composer
from coach.advice.basis import basis_asked, basis_sentence, parts_asked
from coach.advice.reader import Reading
from coach.knowledge.extraction import extract_playbook
from coach.negotiation import components as comp
from coach.negotiation.money import find_figures
from coach.negotiation.profile import Profile

GUIDE = """# Quarry Labs — Platform Engineer

## Pay bands

| Region | Base | Stock (4-year grant) | Bonus |
| --- | --- | --- | --- |
| Austin | $150K–$180K | $80K–$120K | 10% |
| Remote US | $140K–$170K | $60K–$100K | 8% |

The bonus is paid each March, once the year's results are in.

## Target and walk-away

- **Target:** $175K base.
- **Walk-away:** $155K base.
"""
# The same bands with nothing said about how they are counted or paid.
PLAIN = GUIDE.replace("Stock (4-year grant)", "Stock").replace(
    "The bonus is paid each March, once the year's results are in.\n", "")


@pytest.mark.parametrize(
    ("text", "kind", "with_amount"),
    [
        ("is that per year?", "period", False),
        ("are the stock figures per year or in total", "period", False),
        ("how much stock in austin? is that per year?", "period", True),
        ("which month does the bonus land", "timing", False),
        ("how often do they pay the bonus", "timing", False),
        ("is there a cliff on the grant?", "vesting", False),
    ],
)
def test_basis_questions_are_told_apart(text: str, kind: str, with_amount: bool) -> None:
    asked = basis_asked(text)
    assert asked is not None and (asked.kind, asked.with_amount) == (kind, with_amount)


@pytest.mark.parametrize(
    "text", ["what's the annual bonus in austin", "stock (4-year grant) in austin?", "base pay"]
)
def test_amount_questions_ask_no_basis(text: str) -> None:
    assert basis_asked(text) is None


def test_the_verb_pay_is_not_base_pay() -> None:
    assert parts_asked("how often do they pay the bonus", []) == [comp.BONUS_PCT]
    assert parts_asked("is that per year?", [comp.EQUITY]) == [comp.EQUITY]


def test_the_guide_answers_with_a_heading_or_a_sentence() -> None:
    heading = basis_sentence(GUIDE, "period", [comp.EQUITY])
    assert heading is not None and heading.heading and heading.text == "Stock (4-year grant)"
    sentence = basis_sentence(GUIDE, "timing", [comp.BONUS_PCT])
    assert sentence is not None and "March" in sentence.text and not sentence.heading
    assert basis_sentence(PLAIN, "period", [comp.EQUITY]) is None
    assert basis_sentence(GUIDE, "timing", [comp.EQUITY]) is None  # March is the bonus's


def _composer(text: str) -> tuple[Composer, Any]:
    book = extract_playbook("quarry-labs", text)
    return Composer([book], Profile(), {book.guide: text}), book


def _reading(text: str, **slots: Any) -> Reading:
    return Reading(text, slots.pop("intent", "band"), slots.pop("confidence", 0.8), **slots)


def test_a_basis_the_guide_gives_comes_with_the_band() -> None:
    composer, _ = _composer(GUIDE)
    draft = composer.compose(_reading("is that per year?", components=[comp.EQUITY],
                                      regions=["Austin"]))
    assert draft is not None and draft.covered
    assert "Stock (4-year grant)" in draft.text
    assert {f.high for f in find_figures(draft.text)} == {120_000}


def test_a_basis_the_guide_lacks_states_no_figure() -> None:
    composer, _ = _composer(PLAIN)
    draft = composer.compose(_reading("is that per year?", components=[comp.EQUITY]))
    assert draft is not None and not draft.covered and not find_figures(draft.text)
    asked_amount = composer.compose(_reading("how much stock in austin, per year or total?",
                                             components=[comp.EQUITY], regions=["Austin"]))
    assert asked_amount is not None and asked_amount.covered
    assert "doesn't say whether" in asked_amount.text


def test_a_faint_reading_that_names_nothing_states_no_figure() -> None:
    composer, _ = _composer(GUIDE)
    faint = composer.compose(_reading("do they chip in for a gym", confidence=0.2))
    assert faint is not None and not faint.covered and not find_figures(faint.text)
    # The same faint reading with a part named is still a band question.
    named = composer.compose(_reading("stock?", confidence=0.2, components=[comp.EQUITY]))
    assert named is not None and named.covered and find_figures(named.text)
    # A cue word that asked for the band outright is enough on its own.
    cued = composer.compose(_reading("the band", confidence=0.2, cued={"band"}))
    assert cued is not None and cued.covered
