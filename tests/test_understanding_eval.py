"""The understanding eval's own figure parser and judge, and one small run on the fake model."""

from __future__ import annotations

from typing import Any

import pytest

from coach.evaluation import answer_figures as af
from coach.evaluation import understanding as ue
from coach.evaluation.answer_figures import Figure, parse_figures
from coach.evaluation.judging import judge, judge_ambiguous


def shown(text: str) -> list[str]:
    return [str(f) for f in parse_figures(text)]


# -- the figure parser ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "figures"),
    [
        ("Sunnyvale base: $218K–$272K", ["$218K", "$272K"]),
        ("base $208K-$262K", ["$208K", "$262K"]),
        ("somewhere 208–262K", ["208K", "262K"]),
        ("$208–262K", ["$208K", "$262K"]),
        ("Berlin: €95K to €120K fixed", ["€95K", "€120K"]),
        ("95–120K EUR", ["€95K", "€120K"]),
        ("$185,000 - $220,000", ["$185K", "$220K"]),
        ("an offer of 106.000 EUR", ["€106K"]),
        ("USD 250,000", ["$250K"]),
        ("£80k", ["£80K"]),
        ("they said 230 grand, or 310k", ["230K", "310K"]),
        ("a $2.5M grant, a $10B deal", ["$2.5M", "$10B"]),
    ],
)
def test_money_ranges_suffixes_and_currencies(text: str, figures: list[str]) -> None:
    assert shown(text) == figures


def test_a_suffix_on_the_second_end_of_a_range_scales_the_first() -> None:
    low, high = parse_figures("208–262K")
    assert (low.value, high.value) == (208_000.0, 262_000.0)
    # A full first end keeps its own value.
    assert [f.value for f in parse_figures("$185,000 to $220K")] == [185_000.0, 220_000.0]


def test_percents_and_percent_ranges() -> None:
    assert shown("a 15% bonus") == ["15%"]
    assert shown("+15–20% premium") == ["15%", "20%"]
    assert shown("between 15 and 20%") == ["15%", "20%"]
    assert shown("7.5 percent of base") == ["7.5%"]
    assert all(f.kind == "percent" for f in parse_figures("15–20%"))


def test_commas_and_currency_are_part_of_the_figure() -> None:
    (dollars,) = parse_figures("$212,000")
    assert dollars == Figure("money", "$", 212_000.0)
    (euros,) = parse_figures("€118K")
    assert euros == Figure("money", "€", 118_000.0)
    assert af.matches(parse_figures("$212K")[0], dollars)
    assert not af.matches(parse_figures("€212K")[0], dollars)  # the currency must match


def test_numbers_that_are_not_figures() -> None:
    text = "a 4-year vest, 1-year cliff, Q4 2026, L5 or IC3, 3 teams, a 401k, a 12m cliff"
    assert parse_figures(text) == []


def test_expected_strings_read_as_one_figure_each() -> None:
    figures = af.parse_expected(["$268K", "$212,000", "€118K", "$228k", "15%", "850,000"])
    assert [f.value for f in figures] == [268e3, 212e3, 118e3, 228e3, 15.0, 850e3]
    with pytest.raises(ValueError):
        af.parse_expected(["$1K-$2K"])


def test_every_expect_block_and_profile_in_the_data_reads() -> None:
    for file in ue.FILES:
        for case in ue.load_cases(file):
            blocks = [t["expect"] for t in case.get("turns", [])] or [case["expect"]]
            blocks += list((case.get("per_guide") or {}).values())
            for block in blocks:
                af.parse_expected(block.get("figures"))
                af.parse_expected(block.get("allow"))
            ue.case_profile(case.get("profile"))


def test_a_case_profile_maps_onto_profile_fields() -> None:
    profile = ue.case_profile(
        {"region": "Berlin", "walk_away_base": "€112K", "target_base": "270K", "guide": "cerebras"}
    )
    assert profile.region == "Berlin"
    assert profile.walk_away == {"base": 112_000.0}
    assert profile.target == {"base": 270_000.0}
    assert profile.guide == "cerebras-ml-ai-engineer"


# -- judging --------------------------------------------------------------------------------

BAND = {
    "figures": ["$215K", "$268K"],
    "allow": ["$258K", "$455K", "15%", "20%"],
    "text": [],
    "verdict": None,
    "not_covered": False,
}
VERDICT = {
    "figures": ["$268K"],
    "allow": ["$235K", "$248K"],
    "text": [],
    "verdict": "below_walk_away",
    "not_covered": False,
}
NOT_COVERED = {"figures": [], "allow": [], "text": [], "verdict": None, "not_covered": True}


def test_a_correct_answer_passes() -> None:
    result = judge("San Diego base is $215K–$268K, plus a 15–20% bonus [1].", BAND, kind="band")
    assert result.correct, result.reasons
    assert result.misattributed == []


def test_a_missing_figure_fails() -> None:
    result = judge("San Diego base starts at $215K.", BAND)
    assert not result.correct
    assert result.reasons == ["missing figure $268K"]


def test_an_extra_figure_is_misattributed() -> None:
    result = judge("San Diego base is $215K–$268K; Cerebras has a $10B deal.", BAND)
    assert not result.correct
    assert result.misattributed == ["$10B"]


def test_figures_the_person_gave_may_be_repeated() -> None:
    context = parse_figures("they offered me $240K")
    assert judge(
        "At $240K, counter at $268K.", VERDICT | {"verdict": None}, context=context
    ).correct
    assert not judge("At $240K, counter at $268K.", VERDICT | {"verdict": None}).correct


def test_a_placeholder_fails() -> None:
    result = judge("Say: I'd like [insert amount], so $215K–$268K.", BAND)
    assert not result.correct
    assert result.placeholder
    assert not judge("Ask for $[amount] at $215K to $268K.", BAND).correct


def test_a_wrong_verdict_fails() -> None:
    text = "Counter at $268K."
    assert judge(text, VERDICT, verdict="below_walk_away").correct
    result = judge(text, VERDICT, verdict="acceptable")
    assert result.reasons == ["wrong verdict: acceptable (expected below_walk_away)"]


def test_a_not_covered_answer_to_a_covered_question_fails() -> None:
    text = "Your guides don't cover that, so I won't guess."
    assert not judge(text, BAND, covered=False).correct
    assert "said not covered (expected an answer)" in judge(text, BAND).reasons


def test_not_covered_questions() -> None:
    text = "Your guides don't cover that, so I won't guess."
    assert judge(text, NOT_COVERED, covered=False).correct
    assert judge(text, NOT_COVERED).correct  # it says so in words
    assert not judge("The dental plan is great.", NOT_COVERED).correct
    assert not judge("Not covered, but ask for $268K.", NOT_COVERED, covered=False).correct


def test_text_tokens_ignore_case_and_dash_style() -> None:
    expect = {"figures": [], "allow": [], "text": ["one-time", "Q4 2026"]}
    assert judge("A ONE–TIME payment; the readout is in q4 2026.", expect).correct
    assert not judge("A one-off payment in Q4 2026.", expect).correct


def test_small_talk_states_no_figure() -> None:
    empty = {"figures": [], "allow": [], "text": [], "verdict": None, "not_covered": False}
    assert judge("Glad it helped. Good luck!", empty, kind="small_talk").correct
    context = parse_figures("they offered $235K")
    assert not judge("Good luck at $235K!", empty, kind="small_talk", context=context).correct


COMPANIES = {"cerebras": ["Cerebras"], "lumora": ["Lumora"]}
PER_GUIDE = {
    "cerebras": {"figures": ["$208K", "$262K"], "allow": ["15%", "20%"]},
    "lumora": {"figures": ["$185k", "$215k"], "allow": ["7.5%"]},
}


def test_an_ambiguous_question_may_be_answered_for_every_guide() -> None:
    text = "Remote base: Cerebras $208K–$262K; Lumora $185k to $215k."
    assert judge_ambiguous(text, PER_GUIDE, COMPANIES).correct
    unnamed = judge_ambiguous("Remote base: $208K–$262K and $185k–$215k.", PER_GUIDE, COMPANIES)
    assert not unnamed.correct
    half = judge_ambiguous("Remote base at Cerebras: $208K–$262K.", PER_GUIDE, COMPANIES)
    assert "missing figure $185K (Lumora)" in half.reasons


def test_an_ambiguous_question_may_be_answered_with_a_question() -> None:
    assert judge_ambiguous("Do you mean Cerebras or Lumora?", PER_GUIDE, COMPANIES).correct
    assert not judge_ambiguous("Which company do you mean?", PER_GUIDE, COMPANIES).correct
    wrong = judge_ambiguous("Cerebras ($300K) or Lumora?", PER_GUIDE, COMPANIES)
    assert wrong.misattributed == ["$300K"]


def test_a_guides_company_comes_from_its_heading() -> None:
    assert ue.guide_company(ue.guide_path("cerebras")) == ["Cerebras"]
    assert ue.guide_company(ue.guide_path("lumora-staff-product-designer")) == ["Lumora"]


def test_only_the_heldout_split_is_gated() -> None:
    def stats(rate: float, misattributed: int = 0) -> dict[str, Any]:
        return {"answer_correctness": rate, "misattributed": misattributed, "placeholders": 0}

    report = {
        "results": {
            "single_turn": {"dev": stats(0.1), "heldout": stats(0.96)},
            "multi_guide": {"heldout": stats(0.9)},
        },
        "by_split": {"dev": stats(0.1, 7), "heldout": stats(0.95, 2)},
    }
    problems = ue.failures(report)
    assert len(problems) == 2
    assert problems[0].startswith("multi_guide = 90.0% on heldout")
    assert "2 misattributed figures on heldout" in problems[1]


# -- a small run ----------------------------------------------------------------------------


def test_a_sampled_run_on_the_fake_provider(settings: Any) -> None:
    seen: list[tuple[int, int]] = []
    report = ue.run_understanding(
        settings,
        splits=("dev",),
        files=("single_turn",),
        sample=3,
        progress=lambda done, total: seen.append((done, total)),
    )
    stats = report["results"]["single_turn"]["dev"]
    assert stats["cases"] == stats["answers"] == 3
    assert 0.0 <= stats["answer_correctness"] <= 1.0
    assert set(stats) >= {"misattributed", "placeholders", "not_covered_accuracy", "by_kind"}
    assert sum(k["answers"] for k in stats["by_kind"].values()) == 3
    for row in stats["failing"]:
        assert row["id"] and row["question"] and row["reasons"]
    assert report["by_split"]["dev"]["answers"] == 3
    assert seen[-1] == (3, 3)
    assert report["gate"] == []  # dev is not gated
    assert (settings.home / ue.REPORT_NAME).is_file()
    table = ue.format_understanding(report)
    assert "single_turn" in table
    assert "not gated" in table
