"""Tests for coach.negotiation.counter: verdicts, counters, regions and profile overrides."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coach.errors import InputError
from coach.guard.figures import allowed_values, check_figures
from coach.knowledge.extraction import extract_playbook
from coach.negotiation.counter import (
    ACCEPTABLE,
    BELOW,
    MEETS,
    counter_for,
    evaluate_offer,
    require_band,
    thresholds,
    verdict_for,
)
from coach.negotiation.money import MAX_AMOUNT
from coach.negotiation.playbook import Playbook
from coach.negotiation.profile import Profile

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_GUIDES = ROOT / "tests" / "fixtures" / "guides"
CEREBRAS_PATH = ROOT / "knowledge" / "cerebras-ml-ai-engineer.md"


def playbook_of(path: Path) -> Playbook:
    return extract_playbook(path.stem, path.read_text(encoding="utf-8"))


CEREBRAS = playbook_of(CEREBRAS_PATH)
STRIPE = playbook_of(FIXTURE_GUIDES / "stripe-senior-data-scientist.md")
ACME = playbook_of(FIXTURE_GUIDES / "acme-staff-backend.md")
NO_TABLE = playbook_of(FIXTURE_GUIDES / "no-table.md")
BARE_TABLE = extract_playbook(
    "bare",
    "# Bare Co: Engineer\n\n| Region | Base Salary | Equity |\n|---|---|---|\n"
    "| Oslo | $100K–$140K | $20K–$40K |\n",
)


# --- the seed example -----------------------------------------------------------------------


def test_sunnyvale_240k_is_below_walk_away() -> None:
    advice = evaluate_offer(CEREBRAS, "Sunnyvale", {"base": 240_000})
    assert advice.verdict == BELOW
    assert advice.counter["base"] == 268_000
    assert advice.walk_away["base"] == 248_000
    assert advice.target["base"] == 268_000
    assert advice.band["base"] == (218_000, 272_000)
    assert advice.script is not None and advice.script.name == "share-premium"
    assert "Do not accept" in advice.message
    data = advice.to_json()
    assert data["verdict"] == "below_walk_away"
    assert data["counter"]["base"] == 268000 and isinstance(data["counter"]["base"], int)
    assert data["walk_away"]["base"] == 248000
    assert data["band"]["base"] == [218000, 272000]
    assert data["script"] == "share-premium"


def test_message_figures_are_all_backed_by_its_citations_and_the_offer() -> None:
    advice = evaluate_offer(CEREBRAS, "Sunnyvale", {"base": 240_000})
    trusted = [c.text for c in advice.citations] + ["$240K"]
    report = check_figures(advice.message, allowed_values(trusted))
    assert report.ok, report.ungrounded
    assert [c.guide for c in advice.citations] == ["cerebras-ml-ai-engineer"] * 3
    assert "Accept at $248K+" in advice.citations[0].text
    assert "$268K" in advice.citations[1].text
    assert "| Sunnyvale |" in advice.citations[2].text
    for marker in ("[1]", "[2]", "[3]"):
        assert marker in advice.message


@pytest.mark.parametrize(
    ("region", "base", "verdict"),
    [
        ("Sunnyvale", 240_000, BELOW),
        ("Sunnyvale", 247_999, BELOW),
        ("Sunnyvale", 248_000, ACCEPTABLE),
        ("Sunnyvale", 260_000, ACCEPTABLE),
        ("Sunnyvale", 268_000, MEETS),
        ("Remote US", 300_000, MEETS),
        ("San Diego", 100_000, BELOW),
    ],
)
def test_verdicts(region: str, base: int, verdict: str) -> None:
    advice = evaluate_offer(CEREBRAS, region, {"base": base})
    assert advice.verdict == verdict
    assert advice.counter["base"] == max(268_000, base)
    wording = {
        BELOW: "below your walk-away",
        ACCEPTABLE: "short of your target",
        MEETS: "meets your target",
    }
    assert wording[verdict] in advice.message


def test_verdict_for_rules() -> None:
    walk, target = {"base": 100.0, "sign_on": 10.0}, {"base": 120.0, "sign_on": 20.0}
    assert verdict_for({"base": 130.0, "sign_on": 5.0}, walk, target) == BELOW
    assert verdict_for({"base": 110.0}, walk, target) == ACCEPTABLE
    assert verdict_for({"base": 120.0}, walk, target) == MEETS
    assert verdict_for({"base": 125.0, "sign_on": 15.0}, walk, target) == ACCEPTABLE
    assert verdict_for({"equity": 1.0}, walk, target) == ACCEPTABLE  # nothing comparable


def test_counter_for_components_outside_the_target_ask_up_to_the_band_top() -> None:
    band = CEREBRAS.band_for("Remote US")
    assert band is not None
    counter = counter_for({"base": 200_000, "equity": 300_000}, {"base": 268_000}, band)
    assert counter == {"base": 268_000, "equity": 455_000}
    counter = counter_for({"equity": 600_000, "relocation": 5}, {"base": 268_000}, band)
    assert counter == {"base": 268_000, "equity": 600_000, "relocation": 5}


def test_multi_component_guide() -> None:
    low_sign_on = evaluate_offer(STRIPE, "New York", {"base": 255_000, "sign_on": 20_000})
    assert low_sign_on.verdict == BELOW, "a sign-on under the walk-away sinks the offer"
    assert low_sign_on.counter == {"base": 255_000, "sign_on": 45_000, "equity": 450_000}
    good = evaluate_offer(
        STRIPE, "New York", {"base": 250_000, "sign_on": 45_000, "equity": 450_000}
    )
    assert good.verdict == MEETS


def test_bonus_offer_without_bonus_column_is_noted() -> None:
    advice = evaluate_offer(ACME, "Austin", {"base": 240_000, "bonus_pct": 10.0})
    assert any("no bonus column" in note for note in advice.notes)


# --- regions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written", ["sunnyvale", "SUNNYVALE", "  Sunnyvale ", "san   diego", "remote us"]
)
def test_region_names_are_case_and_space_insensitive(written: str) -> None:
    assert evaluate_offer(CEREBRAS, written, {"base": 250_000}).region in CEREBRAS.regions()


@pytest.mark.parametrize("region", ["Mars", "Remote", "Sunnyvale, CA", ""])
def test_unknown_region_lists_the_known_ones(region: str) -> None:
    with pytest.raises(InputError) as info:
        evaluate_offer(CEREBRAS, region, {"base": 240_000})
    line = info.value.one_line()
    assert f"Unknown region {region!r}" in line
    assert "Sunnyvale, San Diego, Remote US" in line
    assert "\n" not in line


def test_region_with_parentheses() -> None:
    assert require_band(STRIPE, "remote (us)").region == "Remote (US)"


def test_guide_without_a_table_has_no_regions() -> None:
    with pytest.raises(InputError, match="no pay table"):
        evaluate_offer(NO_TABLE, "Anywhere", {"base": 200_000})


def test_band_stands_in_for_missing_walk_away_and_target() -> None:
    advice = evaluate_offer(BARE_TABLE, "Oslo", {"base": 90_000})
    assert advice.walk_away == {"base": 100_000}
    assert advice.target == {"base": 140_000}
    assert advice.verdict == BELOW
    assert len(advice.notes) == 2 and all("stands in" in n for n in advice.notes)


# --- profile overrides ----------------------------------------------------------------------


def test_profile_walk_away_overrides_the_guide() -> None:
    profile = Profile(walk_away={"base": 255_000})
    advice = evaluate_offer(CEREBRAS, "Sunnyvale", {"base": 250_000}, profile)
    assert advice.verdict == BELOW
    assert advice.walk_away["base"] == 255_000
    assert advice.walk_away["share_premium_pct"] == 20.0  # components it does not name stay
    assert "Your profile's walk-away overrides the guide's." in advice.notes
    assert "$255K" in advice.message


def test_profile_target_overrides_the_guide() -> None:
    profile = Profile(target={"base": 280_000})
    advice = evaluate_offer(CEREBRAS, "Sunnyvale", {"base": 250_000}, profile)
    assert advice.counter["base"] == 280_000
    assert "Your profile's target overrides the guide's." in advice.notes


def test_target_below_walk_away_is_raised_to_it() -> None:
    band = CEREBRAS.band_for("Sunnyvale")
    assert band is not None
    walk, target, _ = thresholds(CEREBRAS, band, Profile(target={"base": 230_000}))
    assert target["base"] == walk["base"] == 248_000
    advice = evaluate_offer(
        CEREBRAS, "Sunnyvale", {"base": 240_000}, Profile(target={"base": 230_000})
    )
    assert advice.counter["base"] == 248_000


def test_empty_profile_changes_nothing() -> None:
    plain = evaluate_offer(CEREBRAS, "Sunnyvale", {"base": 240_000})
    with_profile = evaluate_offer(CEREBRAS, "Sunnyvale", {"base": 240_000}, Profile())
    assert plain.to_json() == with_profile.to_json()


# --- properties -----------------------------------------------------------------------------


PLAYBOOKS = [CEREBRAS, STRIPE, ACME, BARE_TABLE]


@settings(max_examples=150, deadline=None)
@given(
    playbook=st.sampled_from(PLAYBOOKS),
    data=st.data(),
    base=st.integers(min_value=1, max_value=MAX_AMOUNT),
    sign_on=st.none() | st.integers(min_value=1, max_value=MAX_AMOUNT),
    walk=st.none() | st.integers(min_value=1, max_value=MAX_AMOUNT),
    target=st.none() | st.integers(min_value=1, max_value=MAX_AMOUNT),
)
def test_counter_is_never_below_target_walk_away_or_offer(
    playbook: Playbook,
    data: st.DataObject,
    base: int,
    sign_on: int | None,
    walk: int | None,
    target: int | None,
) -> None:
    region = data.draw(st.sampled_from(playbook.regions()))
    offer: dict[str, float] = {"base": base}
    if sign_on is not None:
        offer["sign_on"] = sign_on
    profile = Profile(
        walk_away={"base": walk} if walk else {},
        target={"base": target} if target else {},
    )
    advice = evaluate_offer(playbook, region, offer, profile)
    for component, value in advice.target.items():
        assert advice.counter[component] >= value
        if component in advice.walk_away:
            assert value >= advice.walk_away[component]
    for component, floor in advice.walk_away.items():
        if component in advice.counter:
            assert advice.counter[component] >= floor
    for component, value in offer.items():
        assert advice.counter[component] >= value
    if any(offer.get(c, float("inf")) < f for c, f in advice.walk_away.items()):
        assert advice.verdict == BELOW
    else:
        assert advice.verdict in (ACCEPTABLE, MEETS)


def test_profile_figures_merge_into_a_playbook_copy() -> None:
    from coach.negotiation.playbook import Playbook
    from coach.negotiation.profile import Profile, with_profile

    base = Playbook(guide="g", title="G")
    merged = with_profile(base, Profile(walk_away={"base": 255_000.0}, target={"base": 280_000.0}))
    assert merged.walk_away is not None and merged.walk_away.components == {"base": 255_000.0}
    assert merged.target is not None and merged.target.components == {"base": 280_000.0}
    assert merged.walk_away.source.guide == "profile"
    assert base.walk_away is None and base.target is None  # the stored playbook is untouched


def test_profile_figures_override_the_guides_in_the_copy_only() -> None:
    from coach.negotiation.playbook import Playbook, Source, Threshold
    from coach.negotiation.profile import Profile, with_profile

    src = Source("g", "G › Levers", 3, "Accept at $248K+ base and 20%+ share premium.")
    base = Playbook(
        guide="g",
        title="G",
        walk_away=Threshold({"base": 248_000.0, "share_premium_pct": 20.0}, src),
    )
    merged = with_profile(base, Profile(walk_away={"base": 255_000.0}))
    assert merged.walk_away.components == {"base": 255_000.0, "share_premium_pct": 20.0}
    assert base.walk_away.components["base"] == 248_000.0
