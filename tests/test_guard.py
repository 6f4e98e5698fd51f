"""Tests for coach.guard.figures: figure grounding and the streaming guard."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pytest

from coach.guard.claims import ClaimCheck
from coach.guard.figures import (
    AnswerChecker,
    GuardedStream,
    GuardRejected,
    allowed_values,
    check_figures,
    is_grounded,
)
from coach.guard.meaning import MeaningCheck
from coach.negotiation.money import find_figures

SOURCES = [
    "| Remote US | $208K–$262K | $258K–$455K | 15–20% | $302K–$428K |",
    "Accept at $248K+ base and 20%+ share premium.",
]


@pytest.fixture
def allowed() -> set[tuple[str, float]]:
    return allowed_values(SOURCES)


def run(
    pieces: Iterable[str], allowed: set[tuple[str, float]] | AnswerChecker
) -> tuple[str, GuardedStream, bool]:
    """(everything released, the stream, whether it was rejected)."""
    stream = GuardedStream(pieces, allowed)
    out: list[str] = []
    try:
        for chunk in stream:
            out.append(chunk)
    except GuardRejected:
        return "".join(out), stream, True
    return "".join(out), stream, False


def blocked(stream: GuardedStream, raw: str) -> bool:
    """The stream's report names ``raw`` as a problem (reasons quote the figure)."""
    return any(raw in reason for reason in stream.report.ungrounded)


def assert_prefix(released: str, text: str) -> None:
    """Released text is always an unchanged beginning of what the model wrote."""
    assert text.startswith(released), (released, text)


def words(text: str) -> list[str]:
    """Pieces the way a model streams: a word at a time with its leading space."""
    parts = text.split(" ")
    return [parts[0]] + [" " + p for p in parts[1:]]


# --- grounding of single figures ------------------------------------------------------------


def test_allowed_values_are_normalised(allowed: set[tuple[str, float]]) -> None:
    assert ("money", 248_000.0) in allowed
    assert ("money", 208_000.0) in allowed and ("money", 262_000.0) in allowed
    assert ("percent", 15.0) in allowed and ("percent", 20.0) in allowed
    assert ("money", 20.0) not in allowed


@pytest.mark.parametrize(
    "written", ["$248K", "$248k", "$248,000", "$248000", "$248,000.00", "$248K+", "$ 248K"]
)
def test_same_amount_in_any_form_is_grounded(written: str, allowed: set[tuple[str, float]]) -> None:
    report = check_figures(f"Accept at {written} base.", allowed)
    assert report.ok, report
    assert report.figures == [written]


@pytest.mark.parametrize("written", ["$250K", "$249,000", "$248,500", "$2.48M", "$24.8K", "$248M"])
def test_near_misses_are_not_grounded(written: str, allowed: set[tuple[str, float]]) -> None:
    report = check_figures(f"Accept at {written} base.", allowed)
    assert not report.ok
    assert report.ungrounded == [written]


def test_percent_and_money_are_never_confused() -> None:
    percent_only = allowed_values(["a 20% premium"])
    assert check_figures("a 20% premium", percent_only).ok
    assert check_figures("20 percent more shares", percent_only).ok
    assert not check_figures("a $20 premium", percent_only).ok
    money_only = allowed_values(["a $15 fee"])
    assert check_figures("a $15 fee", money_only).ok
    assert not check_figures("a 15% fee", money_only).ok


def test_ranges_need_both_ends_grounded(allowed: set[tuple[str, float]]) -> None:
    assert check_figures("Base is $208K–$262K.", allowed).ok
    assert check_figures("Base is $208,000 to $262,000.", allowed).ok
    assert check_figures("Base is $208–262K.", allowed).ok
    assert check_figures("Bonus is 15-20%.", allowed).ok
    bad = check_figures("Base is $208K–$300K.", allowed)
    assert bad.ungrounded == ["$208K–$300K"]
    assert not check_figures("Bonus is 15–25%.", allowed).ok


def test_a_range_end_may_ground_a_single_figure(allowed: set[tuple[str, float]]) -> None:
    (figure,) = find_figures("up to $262K")
    assert is_grounded(figure, allowed)


def test_text_without_figures_is_grounded(allowed: set[tuple[str, float]]) -> None:
    report = check_figures(
        "Anchor high, stay quiet, get it in writing [1]. IC3 in Q2 2026.", allowed
    )
    assert report.ok and report.figures == []


def test_report_lists_every_figure_in_order(allowed: set[tuple[str, float]]) -> None:
    report = check_figures("Counter at $262K, not $300K, with 20% and 45% more.", allowed)
    assert report.figures == ["$262K", "$300K", "20%", "45%"]
    assert report.ungrounded == ["$300K", "45%"]


# --- the streaming guard --------------------------------------------------------------------


def test_grounded_stream_is_released_unchanged(allowed: set[tuple[str, float]]) -> None:
    text = (
        "For Remote US the base is $208K–$262K [1], bonus 15–20%.\nAccept at $248K+ and 20%+ more."
    )
    released, stream, rejected = run(words(text), allowed)
    assert not rejected
    assert released == text == stream.text
    assert stream.report.ok
    assert "$208K–$262K" in stream.report.figures


def test_stream_released_in_single_characters(allowed: set[tuple[str, float]]) -> None:
    text = "Your walk-away is $248,000 and the top is $262K."
    released, _, rejected = run(list(text), allowed)
    assert not rejected and released == text


def test_ungrounded_figure_is_blocked_and_never_released(allowed: set[tuple[str, float]]) -> None:
    text = "Ask for $250K base and then relax."
    released, stream, rejected = run(words(text), allowed)
    assert rejected
    assert_prefix(released, text)
    assert "$250K" not in released and "250" not in released
    assert "relax" not in released
    assert released.strip() in ("", "Ask", "Ask for")
    assert blocked(stream, "$250K")


def test_rejection_message_names_the_figure(allowed: set[tuple[str, float]]) -> None:
    with pytest.raises(GuardRejected, match=r"\$250K") as info:
        list(GuardedStream(["Ask for $250K."], allowed))
    assert "250K" in info.value.reason


def test_figure_split_across_pieces_is_judged_whole(allowed: set[tuple[str, float]]) -> None:
    released, _, rejected = run(["Accept at $24", "8K", " base."], allowed)
    assert not rejected and released == "Accept at $248K base."
    released, stream, rejected = run(["Accept at $24", "9K", " base."], allowed)
    assert rejected
    assert "$24" not in released
    assert blocked(stream, "$249K")


def test_figure_split_inside_thousands_group(allowed: set[tuple[str, float]]) -> None:
    released, _, rejected = run(["Walk away below $248", ",000", " base."], allowed)
    assert not rejected and released.endswith("$248,000 base.")
    released, _, rejected = run(["Walk away below $248", ",500", " base."], allowed)
    assert rejected and "$248" not in released


def test_bare_number_waits_for_its_unit(allowed: set[tuple[str, float]]) -> None:
    released, _, rejected = run(["Ask for", " 20", " percent", " more shares."], allowed)
    assert not rejected and released == "Ask for 20 percent more shares."
    released, _, rejected = run(["Ask for", " 35", " percent", " more shares."], allowed)
    assert rejected and "35" not in released
    released, _, rejected = run(["Ask for", " 35", "%", " more."], allowed)
    assert rejected and "35" not in released


def test_percent_written_where_money_was_allowed_is_blocked() -> None:
    allowed = allowed_values(["Counter at $30K sign-on."])
    released, _, rejected = run(words("Counter at 30% sign-on."), allowed)
    assert rejected and "30" not in released


def test_second_invented_figure_after_good_ones_is_caught(allowed: set[tuple[str, float]]) -> None:
    text = "Base $208K–$262K, bonus 15–20%, equity $500K, nothing else to add here at all."
    released, stream, rejected = run(words(text), allowed)
    assert rejected
    assert_prefix(released, text)
    assert released.startswith("Base")
    assert "$500K" not in released and "nothing" not in released
    assert blocked(stream, "$500K")
    assert not blocked(stream, "$208K–$262K")


def test_percent_range_with_a_spaced_dash_is_blocked_before_release(
    allowed: set[tuple[str, float]],
) -> None:
    released, stream, rejected = run(["Your bonus is", " 10", " –", " 20%", " of base."], allowed)
    assert rejected
    assert "10" not in released
    assert blocked(stream, "10 – 20%")


def test_percent_range_written_with_to_is_blocked_before_release(
    allowed: set[tuple[str, float]],
) -> None:
    pieces = ["Your bonus is", " 10", " to", " 20", " percent", " of base."]
    released, _, rejected = run(pieces, allowed)
    assert rejected
    assert "10" not in released


@pytest.mark.parametrize("invented", ["300K", "300,000 dollars", "USD 300,000"])
def test_money_without_dollar_sign_is_checked(
    invented: str, allowed: set[tuple[str, float]]
) -> None:
    assert not check_figures(f"Counter at {invented} base.", allowed).ok


# --- figures must keep their meaning ----------------------------------------------------------

COUNTER_DRAFT = (
    "Your offer of $255K base salary clears your walk-away of $248K base salary [1] but is "
    "short of your target. Counter at $268K base salary [2], your target."
)


@pytest.fixture
def checker() -> AnswerChecker:
    meaning = MeaningCheck(COUNTER_DRAFT, required=["$255K", "$248K", "$268K"], forbid_accept=True)
    return AnswerChecker(allowed_values([COUNTER_DRAFT]), meaning)


def test_the_draft_itself_passes(checker: AnswerChecker) -> None:
    assert checker.problems(COUNTER_DRAFT) == []


def test_swapped_roles_are_caught(checker: AnswerChecker) -> None:
    problems = checker.problems("Accept the $268K offer, it meets your target of $255K.")
    assert any("$255K" in p and "target" in p for p in problems)


def test_wrong_component_is_caught(checker: AnswerChecker) -> None:
    problems = checker.problems(
        "Your offer of $255K clears your walk-away of $248K. Counter at $268K equity."
    )
    assert any("$268K" in p and "equity" in p for p in problems)


def test_left_out_figure_is_caught(checker: AnswerChecker) -> None:
    problems = checker.problems("Counter at $268K base salary [2], your target.")
    assert any("left out $248K" in p for p in problems)
    assert any("left out $255K" in p for p in problems)


def test_advice_to_accept_is_caught_when_the_engine_says_no(checker: AnswerChecker) -> None:
    text = "You should accept it. Offer $255K, walk-away $248K, counter at $268K."
    assert any("accept" in p for p in checker.problems(text))


def test_stream_stops_before_a_figure_with_the_wrong_role(checker: AnswerChecker) -> None:
    text = "Your walk-away is $268K base salary, so hold firm on it in every call you have."
    released, stream, rejected = run(words(text), checker)
    assert rejected
    assert "$268K" not in released
    assert_prefix(released, text)
    assert any("$268K" in reason for reason in stream.report.ungrounded)


def test_role_word_after_the_figure_is_understood(checker: AnswerChecker) -> None:
    text = "Counter at $268K base [2]; your offer of $255K clears your $248K walk-away [1]."
    assert checker.problems(text) == []


@pytest.mark.parametrize(
    "wording",
    [
        "NVIDIA pays ML engineers a total of $[insert dollar amount].",
        "Counter at [your target] and hold.",
        "Ask for [insert figure] more shares.",
    ],
)
def test_placeholders_never_pass(wording: str) -> None:
    from coach.guard.figures import AnswerChecker, GuardedStream, GuardRejected

    checker = AnswerChecker(set())
    assert any("placeholder" in p for p in checker.problems(wording))
    with pytest.raises(GuardRejected):
        "".join(GuardedStream(iter(re.findall(r"\S+\s*", wording)), checker))


def test_a_bracketed_list_of_offers_is_not_a_placeholder() -> None:
    from coach.guard.figures import AnswerChecker

    assert AnswerChecker(set()).text_problem("I'm leaving [Google ML at $455K TC / Meta]") is None


# -- claims: no names, dates or numbers beyond a decided draft ------------------------------

IPO_DRAFT = "The Cerebras ML/AI Engineer guide puts the IPO at Q2 2026 [1]."


@pytest.mark.parametrize(
    "wording",
    [
        "The IPO occurs when Cerebras surpasses NVIDIA in performance benchmarks.",
        "Cerebras expects to go public in Q3 2026.",
        "The IPO is planned for 2027.",
        "The IPO is at Q2 2026, about 18 months from now.",
        "Per the guide the IPO is at Q2 2026, right after the Series G.",
    ],
)
def test_a_new_name_date_or_number_is_a_claim_the_draft_never_made(wording: str) -> None:
    assert ClaimCheck(IPO_DRAFT, "when is the ipo?").problem(wording)


@pytest.mark.parametrize(
    "wording",
    [
        "According to the guide, Cerebras plans its IPO for Q2 2026.",
        "Sure. The IPO is planned for Q2 2026, per the Cerebras ML/AI Engineer guide [1].",
        "Good question! Your guide says the IPO comes in Q2 2026.",
    ],
)
def test_a_faithful_rewording_makes_no_new_claim(wording: str) -> None:
    assert ClaimCheck(IPO_DRAFT, "when is the ipo?").problem(wording) is None


def test_a_streamed_new_claim_stops_the_stream_before_it_is_shown() -> None:
    checker = AnswerChecker(set(), None, ClaimCheck(IPO_DRAFT, "when is the ipo?"))
    pieces = ["The IPO ", "happens when ", "Cerebras beats ", "NVIDIA on ", "benchmarks."]
    stream = GuardedStream(iter(pieces), checker)
    with pytest.raises(GuardRejected, match="NVIDIA"):
        for _ in stream:
            pass
    assert "NVIDIA" not in stream.text


def test_a_closed_answer_must_keep_the_names_and_dates_it_was_given() -> None:
    check = ClaimCheck("Lumora names these competing offers: Ledgerly at $298K [1].",
                       keep=["Ledgerly"])
    assert check.missing("Lumora names a competing offer of $298K.") == ["left out 'Ledgerly'"]
    assert check.missing("Ledgerly offered $298K, the guide says.") == []


@pytest.mark.parametrize("closed", [True, False])
def test_wording_that_talks_about_its_instructions_is_stopped(closed: bool) -> None:
    check = ClaimCheck("Anchor at your target [1].", closed=closed)
    assert check.problem("Sure! Here's a clear, friendly answer of one to three sentences:")


def test_a_quoted_guide_answer_may_not_open_with_a_verdict_it_lacks() -> None:
    draft = "Enthusiasm for the role is fine; committing on the spot is not [1]."
    check = ClaimCheck(draft, "should i accept on the spot?", closed=False)
    assert check.problem("Yes, you should accept the offer on the spot.")
    assert check.problem("Absolutely, go for it.")
    assert check.problem("Be enthusiastic, but don't commit on the spot [1].") is None
