"""Tests for coach.negotiation.money: parsing, finding and formatting money and percentages."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coach.errors import InputError
from coach.negotiation.money import (
    MAX_AMOUNT,
    figure_values,
    find_figures,
    format_money,
    format_percent,
    format_percent_range,
    format_range,
    parse_amount,
    parse_percent,
)

amounts = st.integers(min_value=1, max_value=MAX_AMOUNT)
DASHES = ["–", "—", "-", " – ", " — ", " - ", " to "]


def written_forms(thousands: int) -> list[str]:
    """Ways a guide may write an amount of ``thousands`` * $1,000."""
    dollars = thousands * 1000
    return [f"${thousands}K", f"${thousands}k", f"${dollars:,}", f"${dollars}", f"${dollars:,}.00"]


# --- parse_amount -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("235k", 235_000),
        ("235K", 235_000),
        ("$235K", 235_000),
        ("235000", 235_000),
        ("$235,000", 235_000),
        ("$2.5M", 2_500_000),
        ("1.2m", 1_200_000),
        (" $248K+ ", 248_000),
        ("$248,500", 248_500),
        ("$ 90k", 90_000),
        ("$185,000.00", 185_000),
        ("2.5 million", 2_500_000),
        ("$100M", 100_000_000),
    ],
)
def test_parse_amount_accepts_common_forms(text: str, expected: int) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "two hundred",
        "",
        "   ",
        "-5",
        "-$200K",
        "$-200K",
        "0",
        "$0K",
        "$0.4",
        "$1.4B",
        "$100,000,001",
        "abc",
        "$",
        "235kk",
        "1,23",
        "12 34",
        "$200K–$250K",
    ],
)
def test_parse_amount_rejects_bad_input(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_amount(text)
    assert "235k" in caught.value.hint  # the hint shows the accepted forms


@given(amounts)
def test_parse_amount_round_trips_format_money(amount: int) -> None:
    assert parse_amount(format_money(amount)) == amount


@given(st.integers(min_value=1, max_value=100_000), st.sampled_from(["k", "K", "", "$", "$K"]))
def test_parse_amount_thousands_in_any_style(thousands: int, style: str) -> None:
    dollars = thousands * 1000
    text = {
        "k": f"{thousands}k",
        "K": f"{thousands}K",
        "": f"{dollars:,}",
        "$": f"${dollars}",
        "$K": f"${thousands}K+",
    }[style]
    assert parse_amount(text) == dollars


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=1))
def test_parse_amount_rejects_words(text: str) -> None:
    with pytest.raises(InputError):
        parse_amount(text)


@given(st.integers(min_value=MAX_AMOUNT + 1, max_value=10**12))
def test_parse_amount_rejects_amounts_above_cap(amount: int) -> None:
    with pytest.raises(InputError):
        parse_amount(f"${amount:,}")


# --- parse_percent ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15%", 15.0),
        ("15", 15.0),
        ("20%+", 20.0),
        ("12.5 %", 12.5),
        ("0", 0.0),
        ("30 percent", 30.0),
    ],
)
def test_parse_percent_accepts_common_forms(text: str, expected: float) -> None:
    assert parse_percent(text) == expected


@pytest.mark.parametrize("text", ["-5%", "1001", "2000%", "lots", "", "15%%", "%"])
def test_parse_percent_rejects_bad_input(text: str) -> None:
    with pytest.raises(InputError):
        parse_percent(text)


@given(st.floats(min_value=0, max_value=1000, allow_nan=False).map(lambda v: round(v, 2)))
def test_parse_percent_round_trips_format_percent(value: float) -> None:
    assert parse_percent(format_percent(value)) == pytest.approx(value)


# --- find_figures -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "low", "high", "open_ended"),
    [
        ("$218K–$272K", "money", 218_000, 272_000, False),
        ("$218K-$272K", "money", 218_000, 272_000, False),
        ("$218K — $272K", "money", 218_000, 272_000, False),
        ("$218K to $272K", "money", 218_000, 272_000, False),
        ("$218–272K", "money", 218_000, 272_000, False),
        ("$218K–272K", "money", 218_000, 272_000, False),
        ("$248K+", "money", 248_000, 248_000, True),
        ("$1.4B", "money", 1_400_000_000, 1_400_000_000, False),
        ("$10B", "money", 10_000_000_000, 10_000_000_000, False),
        ("$2.5M", "money", 2_500_000, 2_500_000, False),
        ("$185,000", "money", 185_000, 185_000, False),
        ("$185,000.00", "money", 185_000, 185_000, False),
        ("$185,000 - $215,000", "money", 185_000, 215_000, False),
        ("$2.5 million", "money", 2_500_000, 2_500_000, False),
        ("15–20%", "percent", 15, 20, False),
        ("15-20%", "percent", 15, 20, False),
        ("+15–25%", "percent", 15, 25, False),
        ("25-30%", "percent", 25, 30, False),
        ("15%–20%", "percent", 15, 20, False),
        ("15 to 20 percent", "percent", 15, 20, False),
        ("20%+", "percent", 20, 20, True),
        ("15 percent", "percent", 15, 15, False),
        ("12.5 %", "percent", 12.5, 12.5, False),
    ],
)
def test_find_figures_reads_guide_forms(
    text: str, kind: str, low: float, high: float, open_ended: bool
) -> None:
    figures = find_figures(f"It is {text} here.")
    assert len(figures) == 1
    fig = figures[0]
    assert (fig.kind, fig.low, fig.high, fig.open_ended) == (kind, low, high, open_ended)
    assert fig.raw.lstrip("+") == text.lstrip("+")


@pytest.mark.parametrize(
    "text",
    [
        "Cerebras ML/AI Eng (IC3-IC4) = Google L5-L6 ML",
        "850,000-core wafer-scale compute",
        "Q2 2026 IPO Timeline",
        "1. **Wafer-Scale ML Performance:**",
        "185k base",
        "2025-2026",
        "$50Kish",
    ],
)
def test_find_figures_skips_stray_numbers(text: str) -> None:
    assert find_figures(text) == []


def test_find_figures_in_order_with_offsets() -> None:
    text = "Accept at $248K+ base and 20%+ share premium, not $10B - 2026 deals or 15-25% AI."
    figures = find_figures(text)
    assert [f.raw for f in figures] == ["$248K+", "20%+", "$10B", "15-25%"]
    for fig in figures:
        assert text[fig.start : fig.end] == fig.raw


@given(
    st.integers(min_value=1, max_value=999),
    st.integers(min_value=1, max_value=999),
    st.sampled_from(DASHES),
    st.integers(min_value=0, max_value=4),
    st.integers(min_value=0, max_value=4),
)
def test_find_figures_money_range_every_dash_and_form(
    a: int, b: int, dash: str, form_a: int, form_b: int
) -> None:
    low, high = sorted((a, b))
    text = f"Band: {written_forms(low)[form_a]}{dash}{written_forms(high)[form_b]} base."
    figures = find_figures(text)
    assert len(figures) == 1
    assert (figures[0].kind, figures[0].low, figures[0].high) == ("money", low * 1000, high * 1000)


@given(
    st.integers(min_value=0, max_value=200),
    st.integers(min_value=0, max_value=200),
    st.sampled_from(DASHES),
    st.booleans(),
    st.booleans(),
)
def test_find_figures_percent_range_every_dash(
    a: int, b: int, dash: str, lead_plus: bool, trail_plus: bool
) -> None:
    low, high = sorted((a, b))
    text = f"a {'+' if lead_plus else ''}{low}{dash}{high}%{'+' if trail_plus else ''} premium"
    figures = find_figures(text)
    assert len(figures) == 1
    fig = figures[0]
    assert (fig.kind, fig.low, fig.high, fig.open_ended) == ("percent", low, high, trail_plus)


@given(amounts, amounts)
def test_format_range_round_trips_through_find_figures(a: int, b: int) -> None:
    figures = find_figures(format_range(a, b))
    assert len(figures) == 1
    assert (figures[0].kind, figures[0].low, figures[0].high) == ("money", min(a, b), max(a, b))


@given(amounts)
def test_find_figures_reads_format_money(amount: int) -> None:
    figures = find_figures(f"offer of {format_money(amount)} base")
    assert [(f.kind, f.low) for f in figures] == [("money", amount)]


@given(st.text())
def test_find_figures_never_raises_and_never_overlaps(text: str) -> None:
    figures = find_figures(text)
    for first, second in pairwise(figures):
        assert first.end <= second.start
    for fig in figures:
        assert text[fig.start : fig.end] == fig.raw
        assert fig.low <= fig.high


@given(st.integers(min_value=1, max_value=9_999))
def test_figure_values_normalise_every_money_form(thousands: int) -> None:
    forms = [*written_forms(thousands), f"${thousands}k"]
    values = [figure_values(find_figures(form)[0]) for form in forms]
    assert all(v == {thousands * 1000.0} for v in values)


def test_figure_values_of_a_range_are_both_ends() -> None:
    assert figure_values(find_figures("$218K–$272K")[0]) == {218_000.0, 272_000.0}
    assert figure_values(find_figures("15-20%")[0]) == {15.0, 20.0}


# --- formatting -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (248_000, "$248K"),
        (248_500, "$248,500"),
        (999, "$999"),
        (1_000, "$1K"),
        (1_400_000, "$1.4M"),
        (1_000_000, "$1M"),
        (1_234_000, "$1,234,000"),
        (10_000_000_000, "$10B"),
        (1_400_000_000, "$1.4B"),
        (1_234_567_000, "$1,234,567,000"),
    ],
)
def test_format_money(amount: int, text: str) -> None:
    assert format_money(amount) == text


def test_format_range_and_percent() -> None:
    assert format_range(218_000, 272_000) == "$218K–$272K"
    assert format_range(272_000, 218_000) == "$218K–$272K"
    assert format_range(248_000, 248_000) == "$248K"
    assert format_percent(15.0) == "15%"
    assert format_percent(12.5) == "12.5%"
    assert format_percent_range(15, 20) == "15–20%"
    assert format_percent_range(20, 20) == "20%"


def test_typed_figures_read_bare_thousands_and_prices_said_aloud() -> None:
    from coach.negotiation.typed_figures import candidate_figures

    def values(text: str) -> list[float]:
        return [f.low for f in candidate_figures(text) if f.kind == "money"]

    assert values("ok, what about 262?") == [262_000]
    assert values("I'd be happy with two fifty, maybe two fifty-five") == [250_000, 255_000]
    # Counts, levels, plans and dates are not pay.
    for text in ("a team of 150 people", "L5 or IC3", "my 401k match", "Q2 2026", "24/7"):
        assert values(text) == [], text
