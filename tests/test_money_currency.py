"""Money in other currencies: reading €/£ and ISO codes, house style, and the guard's check."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coach.guard.figures import AnswerChecker, allowed_values, check_figures
from coach.negotiation.components import format_span, format_value, terms_text
from coach.negotiation.money import (
    currency_of,
    find_figures,
    find_spoken_figures,
    format_money,
    format_range,
)

amounts = st.integers(min_value=1, max_value=100_000_000)


@pytest.mark.parametrize(
    ("text", "low", "high", "currency"),
    [
        ("€95K–€120K", 95_000, 120_000, "EUR"),
        ("€95,000 - €120,000", 95_000, 120_000, "EUR"),
        ("95–120K €", 95_000, 120_000, "EUR"),
        ("95K–120K €", 95_000, 120_000, "EUR"),
        ("€95–120K", 95_000, 120_000, "EUR"),
        ("EUR 95,000", 95_000, 95_000, "EUR"),
        ("95,000 EUR", 95_000, 95_000, "EUR"),
        ("EUR 95K to 120K", 95_000, 120_000, "EUR"),
        ("£80k to £90k", 80_000, 90_000, "GBP"),
        ("GBP 1.2M", 1_200_000, 1_200_000, "GBP"),
        ("£30M", 30_000_000, 30_000_000, "GBP"),
        ("USD 300,000", 300_000, 300_000, "USD"),
        ("$218K–$272K", 218_000, 272_000, "USD"),
        ("€104K", 104_000, 104_000, "EUR"),
        ("80.000–95.000 €", 80_000, 95_000, "EUR"),
        ("€1.200.000", 1_200_000, 1_200_000, "EUR"),
    ],
)
def test_find_figures_reads_every_currency(text: str, low: int, high: int, currency: str) -> None:
    figures = find_figures(f"The band is {text} here.")
    assert len(figures) == 1
    fig = figures[0]
    assert (fig.kind, fig.low, fig.high, fig.currency) == ("money", low, high, currency)
    assert fig.raw == text


@pytest.mark.parametrize("text", ["Remote EU 8%", "Europe", "EURO 2026", "eurozone 95", "95 EU"])
def test_currency_words_are_not_money_on_their_own(text: str) -> None:
    assert [f for f in find_figures(text) if f.kind == "money"] == []


def test_two_currencies_are_two_amounts_not_a_range() -> None:
    figures = find_figures("€95K–$120K")
    assert [(f.low, f.currency) for f in figures] == [(95_000, "EUR"), (120_000, "USD")]


def test_spoken_money_keeps_its_currency_or_none() -> None:
    figures = find_spoken_figures("about 95K euros, 300,000 dollars, £5K and 300K")
    assert [(f.raw, f.currency) for f in figures] == [
        ("95K euros", "EUR"),
        ("300,000 dollars", "USD"),
        ("£5K", "GBP"),
        ("300K", ""),
    ]


def test_currency_of_marks() -> None:
    assert [currency_of(m) for m in ("€", "£", "$", "eur", "GBP", None)] == [
        "EUR",
        "GBP",
        "USD",
        "EUR",
        "GBP",
        "USD",
    ]


def test_format_money_in_each_currency() -> None:
    assert format_money(95_000, "EUR") == "€95K"
    assert format_money(1_400_000, "GBP") == "£1.4M"
    assert format_money(248_500, "EUR") == "€248,500"
    assert format_money(5_000, "CHF") == "CHF 5K"
    assert format_range(95_000, 120_000, "EUR") == "€95K–€120K"
    assert format_range(120_000, 95_000, "GBP") == "£95K–£120K"
    assert format_range(95_000, 95_000, "EUR") == "€95K"


@given(amounts)
def test_dollar_defaults_are_unchanged(amount: int) -> None:
    assert format_money(amount) == format_money(amount, "USD")
    assert format_money(amount).startswith("$")
    assert format_range(amount, amount + 1000) == format_range(amount, amount + 1000, "USD")


@given(amounts, amounts, st.sampled_from(["USD", "EUR", "GBP"]))
def test_format_range_round_trips_in_every_currency(a: int, b: int, currency: str) -> None:
    (fig,) = find_figures(format_range(a, b, currency))
    assert (fig.low, fig.high, fig.currency) == (min(a, b), max(a, b), currency)


def test_component_formatting_passes_the_currency_through() -> None:
    assert format_value("base", 118_000, "EUR") == "€118K"
    assert format_value("bonus_pct", 10, "EUR") == "10%"
    assert format_span("base", 95_000, 120_000, "EUR") == "€95K–€120K"
    assert format_span("base", 95_000, 120_000) == "$95K–$120K"
    assert terms_text({"base": 118_000, "sign_on": 15_000}, "EUR") == (
        "€118K base salary and €15K sign-on bonus"
    )
    assert terms_text({"base": 248_000}) == "$248K base salary"


def test_guard_compares_currency() -> None:
    allowed = allowed_values(["Berlin base €95K–€120K; a US offer of $200K; bonus 10%."])
    assert ("money", 200_000.0) in allowed and ("money:EUR", 95_000.0) in allowed
    assert check_figures("Base is €95K–€120K.", allowed).ok
    assert check_figures("Base is 95,000 euros.", allowed).ok
    assert not check_figures("Base is $95K.", allowed).ok
    assert not check_figures("Base is £95K.", allowed).ok
    assert not check_figures("The offer is €200K.", allowed).ok
    assert check_figures("The offer is $200K.", allowed).ok
    # Money with no currency at all: the model dropped the symbol, not changed it.
    assert check_figures("Base is 95K.", allowed).ok
    checker = AnswerChecker(allowed)
    assert checker.problems("Ask for €120K.") == []
    assert checker.problems("Ask for $120K.") == ["ungrounded figure '$120K'"]
