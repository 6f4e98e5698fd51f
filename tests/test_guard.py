"""Tests for coach.guard: figure grounding and the streaming guard."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from coach.guard import (
    GuardedStream,
    GuardRejected,
    allowed_values,
    check_figures,
    is_grounded,
)
from coach.money import find_figures

SOURCES = [
    "| Remote US | $208K–$262K | $258K–$455K | 15–20% | $302K–$428K |",
    "Accept at $248K+ base and 20%+ share premium.",
]


@pytest.fixture
def allowed() -> set[tuple[str, float]]:
    return allowed_values(SOURCES)


def run(pieces: Iterable[str], allowed: set[tuple[str, float]]) -> tuple[str, GuardedStream, bool]:
    """(everything released, the stream, whether it was rejected)."""
    stream = GuardedStream(pieces, allowed)
    out: list[str] = []
    try:
        for chunk in stream:
            out.append(chunk)
    except GuardRejected:
        return "".join(out), stream, True
    return "".join(out), stream, False


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
    released, stream, rejected = run(words("Ask for $250K base and then relax."), allowed)
    assert rejected
    assert "$250K" not in released and "250" not in released
    assert "relax" not in released
    assert released == "Ask for"
    assert stream.report.ungrounded == ["$250K"]


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
    assert stream.report.ungrounded == ["$249K"]


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
    released, stream, rejected = run(
        words("Base $208K–$262K, bonus 15–20%, equity $500K."), allowed
    )
    assert rejected
    assert released.startswith("Base $208K–$262K, bonus 15–20%,")
    assert "$500K" not in released
    assert stream.report.ungrounded == ["$500K"]


@pytest.mark.xfail(
    strict=True,
    reason="BUG coach/guard.py GuardedStream._split_point: only a *trailing* bare number is "
    "held back, so in '10 – 20%' / '10 to 20 percent' the '10 –' is released before the "
    "unit arrives; the final whole-text pass rejects the range only after it reached the screen",
)
@pytest.mark.parametrize(
    "pieces",
    [
        ["Your bonus is", " 10", " –", " 20%", " of base."],
        ["Your bonus is", " 10", " to", " 20", " percent", " of base."],
    ],
)
def test_percent_range_with_spaces_is_blocked_before_release(
    pieces: list[str], allowed: set[tuple[str, float]]
) -> None:
    released, _, rejected = run(pieces, allowed)
    assert rejected
    assert "10" not in released


@pytest.mark.xfail(
    strict=True,
    reason="GAP coach/money.py find_figures (used by coach/guard.py): money without a '$' "
    "('300K', '300,000 dollars', 'USD 300,000') is not seen as a figure, so an invented "
    "amount written that way passes the guard",
)
@pytest.mark.parametrize("invented", ["300K", "300,000 dollars", "USD 300,000"])
def test_money_without_dollar_sign_is_checked(
    invented: str, allowed: set[tuple[str, float]]
) -> None:
    assert not check_figures(f"Counter at {invented} base.", allowed).ok
