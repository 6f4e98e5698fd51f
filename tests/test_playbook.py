"""Tests for coach.knowledge.extraction: structured terms from the seed guide and unseen guides."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coach.knowledge.extraction import (
    CHECKED_FIELDS,
    extract_playbook,
    render_playbook_rows,
)
from coach.knowledge.markdown import key_points
from coach.negotiation.components import (
    BASE,
    BONUS_PCT,
    EQUITY,
    SHARE_PREMIUM_PCT,
    SIGN_ON,
    TOTAL_COMP,
)
from coach.negotiation.playbook import Playbook, Range, Source

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "guides"
# The user's real guide sits in ../shared/seeds beside the project (absent elsewhere: skipped).
SEED = ROOT.parent / "shared" / "seeds" / "ml-ai-engineer-cerebras-guide.md"
KNOWLEDGE = ROOT / "knowledge" / "cerebras-ml-ai-engineer.md"


def load(path: Path) -> str:
    if not path.exists():
        pytest.skip(f"{path} is not present")
    return path.read_text(encoding="utf-8")


def fixture(name: str) -> Playbook:
    return extract_playbook(name, (FIXTURES / f"{name}.md").read_text(encoding="utf-8"))


def assert_sources_point_at_lines(pb: Playbook, text: str) -> None:
    """Every source's line number is 1-based and its line contains (part of) the quote."""
    lines = text.splitlines()
    sources: list[Source] = [b.source for b in pb.bands] + [p.source for p in pb.premiums]
    sources += [o.source for o in pb.competing_offers]
    sources += [s.source for s in pb.scripts + pb.levers]
    sources += [t.source for t in (pb.target, pb.walk_away) if t]
    for src in sources:
        assert src.guide == pb.guide
        assert src.section.startswith(pb.title)
        plain = lines[src.line - 1].replace("**", "")
        assert src.quote[:40].replace("**", "") in plain


# --- the seed guide (and the knowledge copy written in the same shape) ------------------


@pytest.fixture(params=[SEED, KNOWLEDGE], ids=["seed", "knowledge"])
def seed(request: pytest.FixtureRequest) -> tuple[Playbook, str]:
    text = load(request.param)
    return extract_playbook("cerebras-ml-ai-engineer", text), text


def test_seed_title_role_company_levels(seed: tuple[Playbook, str]) -> None:
    pb, _ = seed
    assert pb.title == "ML/AI Engineer | Cerebras Global Negotiation Guide"
    assert (pb.role, pb.company) == ("ML/AI Engineer", "Cerebras")
    assert pb.level_mapping.startswith("Cerebras ML/AI Eng (IC3-IC4) = Google L5-L6 ML")
    assert pb.missing == []


def test_seed_bands(seed: tuple[Playbook, str]) -> None:
    pb, _ = seed
    assert pb.regions() == ["Sunnyvale", "San Diego", "Remote US"]
    remote = pb.band_for("remote  us")
    assert remote is not None
    assert remote.components == {
        BASE: Range(208_000, 262_000),
        EQUITY: Range(258_000, 455_000),
        BONUS_PCT: Range(15, 20),
        TOTAL_COMP: Range(302_000, 428_000),
    }
    sunnyvale = pb.band_for("Sunnyvale")
    assert sunnyvale is not None and sunnyvale.components[BASE] == Range(218_000, 272_000)
    assert remote.source.line == 9


def test_seed_thresholds_premium_and_offers(seed: tuple[Playbook, str]) -> None:
    pb, _ = seed
    assert pb.target is not None and pb.walk_away is not None
    # The target anchors at the high end of a stated range (25-30% more shares -> 30).
    assert pb.target.components == {BASE: 268_000, SHARE_PREMIUM_PCT: 30.0}
    assert pb.walk_away.components == {BASE: 248_000, SHARE_PREMIUM_PCT: 20.0}
    assert pb.walk_away.source.quote == "Accept at $248K+ base and 20%+ share premium."
    assert [(p.name, p.percent) for p in pb.premiums] == [("AI premium", Range(15, 25))]
    assert [(o.company, o.amount, o.measure) for o in pb.competing_offers] == [
        ("Google", 455_000, TOTAL_COMP),
        ("NVIDIA", 462_000, TOTAL_COMP),
        ("Meta", 448_000, TOTAL_COMP),
    ]


def test_seed_scripts_and_levers(seed: tuple[Playbook, str]) -> None:
    pb, text = seed
    scripts = {s.name: s for s in pb.scripts}
    assert set(scripts) == {"share-premium", "negotiate-up"}
    share = scripts["share-premium"]
    assert 3 <= len(share.key_points) <= 6
    assert any("25-30% more shares" in point for point in share.key_points)
    assert "Share Negotiation" in share.source.section
    assert share.text in text
    assert "$268K base" in scripts["negotiate-up"].text
    assert len(pb.levers) == 4
    assert pb.levers[1].name == "wafer-scale-ml-performance"
    assert_sources_point_at_lines(pb, text)


def test_seed_playbook_survives_json_round_trip(seed: tuple[Playbook, str]) -> None:
    pb, _ = seed
    assert Playbook.from_dict(pb.to_dict()) == pb


def test_seed_render_rows(seed: tuple[Playbook, str]) -> None:
    pb, _ = seed
    rows = {field: (value, source) for field, value, source in render_playbook_rows(pb)}
    assert rows["Remote US · base"][0] == "$208K–$262K"
    assert rows["Remote US · bonus_pct"][0] == "15–20%"
    assert rows["target · share_premium_pct"][0] == "30%"
    assert rows["walk-away · base"][0] == "$248K"
    assert rows["competing · NVIDIA"][0] == "$462K total_comp"
    assert rows["AI premium"][0] == "15–25%"
    assert rows["Remote US · base"][1] == "line 9"  # the table sits under the title itself
    assert rows["walk-away · base"][1] == "Global Levers, line 28"
    assert rows["role"] == ("ML/AI Engineer", "")
    assert "missing" not in rows and "title" not in rows


# --- guides the extractor has never seen -------------------------------------------------


def test_stripe_guide() -> None:
    pb = fixture("stripe-senior-data-scientist")
    assert (pb.role, pb.company) == ("Senior Data Scientist", "Stripe")
    assert pb.level_mapping.startswith("Stripe L3 (Senior DS)")
    assert pb.regions() == ["Seattle", "New York", "Remote (US)"]
    remote = pb.band_for("Remote (US)")
    assert remote is not None
    assert remote.components == {
        BASE: Range(190_000, 230_000),
        EQUITY: Range(300_000, 440_000),
        SIGN_ON: Range(20_000, 40_000),
        BONUS_PCT: Range(10, 10),
        TOTAL_COMP: Range(285_000, 370_000),
    }
    assert [(p.name, p.percent) for p in pb.premiums] == [("location premium", Range(10, 15))]
    assert pb.target is not None and pb.walk_away is not None
    assert pb.target.components == {BASE: 250_000, SIGN_ON: 45_000, EQUITY: 450_000}
    assert pb.walk_away.components == {BASE: 225_000, SIGN_ON: 30_000}
    assert [(o.company, o.amount, o.measure) for o in pb.competing_offers] == [
        ("Airbnb", 395_000, TOTAL_COMP),
        ("Datadog", 372_000, TOTAL_COMP),
        ("Snowflake", 240_000, BASE),
    ]
    assert [s.name for s in pb.scripts] == ["share-premium", "negotiate-up"]
    assert [lever.name for lever in pb.levers] == [
        "sign-on-to-bridge-unvested-equity",
        "experimentation-impact",
        "competing-offer-leverage",
    ]
    assert pb.missing == []
    text = (FIXTURES / "stripe-senior-data-scientist.md").read_text(encoding="utf-8")
    assert_sources_point_at_lines(pb, text)


def test_acme_guide() -> None:
    pb = fixture("acme-staff-backend")
    assert (pb.role, pb.company) == ("Staff Backend Engineer", "Acme Corp")
    assert pb.regions() == ["Austin", "Denver", "Chicago"]
    austin = pb.band_for("austin")
    assert austin is not None
    # A bonus column in dollars stays money, under "bonus" rather than "bonus_pct".
    assert austin.components == {
        BASE: Range(200_000, 245_000),
        EQUITY: Range(60_000, 90_000),
        "bonus": Range(20_000, 30_000),
        TOTAL_COMP: Range(280_000, 365_000),
    }
    assert austin.source.section.endswith("Compensation › Pay by Office")
    assert [(p.name, p.percent) for p in pb.premiums] == [("location premium", Range(5, 8))]
    assert pb.target is not None and pb.walk_away is not None
    assert pb.target.components == {BASE: 245_000, SIGN_ON: 60_000}
    assert pb.walk_away.components == {BASE: 230_000, SIGN_ON: 40_000}
    assert [(o.company, o.amount, o.measure) for o in pb.competing_offers] == [
        ("Datadog", 352_000, TOTAL_COMP),
        ("Cloudflare", 340_000, TOTAL_COMP),
        ("Shopify", 228_000, BASE),
    ]
    assert [s.name for s in pb.scripts] == ["share-premium", "counter"]
    assert "20% more equity" in pb.scripts[0].text
    assert pb.levers == []
    assert pb.missing == []


def test_guide_without_table_or_walk_away() -> None:
    pb = fixture("no-table")
    assert (pb.role, pb.company) == ("Product Designer", "Figma")
    assert pb.bands == [] and pb.walk_away is None and pb.competing_offers == []
    assert pb.target is not None and pb.target.components == {BASE: 210_000, SIGN_ON: 30_000}
    assert [s.name for s in pb.scripts] == ["share-premium"]
    assert pb.missing == ["bands", "walk_away", "competing_offers"]
    rows = render_playbook_rows(pb)
    assert ("design premium", "10–12%", "line 3") in rows
    assert ("target · sign_on", "$30K", "Numbers, line 11") in rows


@pytest.mark.parametrize("text", ["", "\n\n", "just some words", "| a | b |\n|---|---|\n| x | y |"])
def test_empty_or_odd_guides_list_everything_missing(text: str) -> None:
    pb = extract_playbook("odd", text)
    assert pb.missing == CHECKED_FIELDS
    assert pb.title == "odd" and pb.role == "" and pb.company == ""


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "# T",
                "**Bold**",
                "| Region | Base |",
                "|---|---|",
                "| X | $1K–$2K |",
                "| | |",
                "1. **L:** x",
                '> **S:** "hello there friend"',
                "Accept at $5K+ base.",
                "[A at $1 TC / B at]",
                "targeting 5%",
                "premium",
            ]
        )
        | st.text(max_size=40),
        max_size=12,
    ).map("\n".join)
)
def test_extract_playbook_never_raises(text: str) -> None:
    pb = extract_playbook("fuzz", text)
    assert set(pb.missing) <= set(CHECKED_FIELDS)
    render_playbook_rows(pb)


@pytest.mark.parametrize(
    ("title", "role", "company"),
    [
        ("ML/AI Engineer | Cerebras Global Negotiation Guide", "ML/AI Engineer", "Cerebras"),
        ("Senior Data Scientist at Stripe — Negotiation Guide", "Senior Data Scientist", "Stripe"),
        ("Acme Corp: Staff Backend Engineer", "Staff Backend Engineer", "Acme Corp"),
        ("Staff Backend Engineer - Acme Corp Playbook", "Staff Backend Engineer", "Acme Corp"),
        ("Platform Engineer", "Platform Engineer", ""),
        ("Salary Negotiation Fundamentals", "", ""),
    ],
)
def test_role_and_company_from_title(title: str, role: str, company: str) -> None:
    pb = extract_playbook("g", f"# {title}\n")
    assert (pb.title, pb.role, pb.company) == (title, role, company)


def test_threshold_phrasings() -> None:
    text = (
        "# R at C\n\nMinimum acceptable: $210K base and a 12% bonus.\n\n"
        "Anchor at $300K base, $50K sign-on and $400K TC.\n"
    )
    pb = extract_playbook("g", text)
    assert pb.walk_away is not None and pb.walk_away.components == {BASE: 210_000, BONUS_PCT: 12}
    assert pb.target is not None
    assert pb.target.components == {BASE: 300_000, SIGN_ON: 50_000, TOTAL_COMP: 400_000}


def test_key_points_are_short_distinct_phrases() -> None:
    points = key_points(
        "I want 25-30% more shares. I want 25-30% more shares. My work is the proof — "
        "it drives the valuation; the benchmarks are public."
    )
    assert points == [
        "I want 25-30% more shares",
        "My work is the proof",
        "it drives the valuation",
        "the benchmarks are public",
    ]
