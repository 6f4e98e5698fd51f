"""The playbook holds every fact of a guide, whatever shape the guide is written in.

Each guide below writes its terms differently: regions as table rows (dollars, euros, full
dollar numbers), components as rows with regions as columns, bulleted lists under a heading
per region, bold lead-ins in pounds, and plain sentences. The extracted playbook must read
the same facts from all of them: bands per region and component (with the currency), target,
walk-away, competing offers, premiums, dated and company facts, and the level mapping.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from coach.knowledge.extraction import extract_playbook, render_playbook_rows
from coach.negotiation.components import (
    BASE,
    BONUS,
    BONUS_PCT,
    EQUITY,
    SHARE_PREMIUM_PCT,
    SIGN_ON,
    TOTAL_COMP,
)
from coach.negotiation.playbook import Playbook

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "guides"
HELDOUT = ROOT / "evals" / "heldout" / "guides"
SEED = ROOT.parent / "shared" / "seeds" / "ml-ai-engineer-cerebras-guide.md"


def read(path: Path) -> Playbook:
    if not path.exists():
        pytest.skip(f"{path} is not present")
    return extract_playbook(path.stem, path.read_text(encoding="utf-8"))


def summary(pb: Playbook) -> dict[str, Any]:
    """The playbook's facts as plain values, for exact comparison."""
    return {
        "currency": pb.currency,
        "bands": {
            b.region: {k: (v.low, v.high) for k, v in b.components.items()} for b in pb.bands
        },
        "target": pb.target.components if pb.target else None,
        "walk_away": pb.walk_away.components if pb.walk_away else None,
        "offers": [(o.company, o.amount, o.measure) for o in pb.competing_offers],
        "premiums": [(p.name, p.percent.low, p.percent.high) for p in pb.premiums],
        "facts": [(f.kind, f.label, f.text) for f in pb.facts],
        "levels": pb.level_mapping,
    }


CEREBRAS_BANDS = {
    "Sunnyvale": {
        BASE: (218_000, 272_000),
        EQUITY: (258_000, 455_000),
        BONUS_PCT: (15, 20),
        TOTAL_COMP: (312_000, 438_000),
    },
    "San Diego": {
        BASE: (215_000, 268_000),
        EQUITY: (258_000, 455_000),
        BONUS_PCT: (15, 20),
        TOTAL_COMP: (308_000, 435_000),
    },
    "Remote US": {
        BASE: (208_000, 262_000),
        EQUITY: (258_000, 455_000),
        BONUS_PCT: (15, 20),
        TOTAL_COMP: (302_000, 428_000),
    },
}
CEREBRAS = {
    "currency": "USD",
    "bands": CEREBRAS_BANDS,
    "target": {BASE: 268_000, SHARE_PREMIUM_PCT: 30},
    "walk_away": {BASE: 248_000, SHARE_PREMIUM_PCT: 20},
    "offers": [
        ("Google", 455_000, TOTAL_COMP),
        ("NVIDIA", 462_000, TOTAL_COMP),
        ("Meta", 448_000, TOTAL_COMP),
    ],
    "premiums": [("AI premium", 15, 25)],
    "facts": [
        ("date", "IPO", "Q2 2026"),
        ("company", "OpenAI deal", "$10B"),
        ("company", "core count", "850,000-core"),
    ],
    "levels": "Cerebras ML/AI Eng (IC3-IC4) = Google L5-L6 ML = NVIDIA ML Eng = Meta ML Eng"
    " = Groq ML Eng",
}

NORDLICHT = {
    "currency": "EUR",
    "bands": {
        "Berlin": {
            BASE: (95_000, 120_000),
            EQUITY: (40_000, 80_000),
            SIGN_ON: (10_000, 15_000),
            BONUS_PCT: (10, 10),
            TOTAL_COMP: (114_000, 152_000),
        },
        "Amsterdam": {
            BASE: (100_000, 128_000),
            EQUITY: (40_000, 80_000),
            SIGN_ON: (10_000, 15_000),
            BONUS_PCT: (10, 10),
            TOTAL_COMP: (120_000, 161_000),
        },
        "Remote EU": {
            BASE: (88_000, 110_000),
            EQUITY: (30_000, 60_000),
            SIGN_ON: (5_000, 10_000),
            BONUS_PCT: (8, 8),
            TOTAL_COMP: (102_000, 134_000),
        },
    },
    "target": {BASE: 118_000},
    "walk_away": {BASE: 104_000},
    "offers": [("Stromwerk Energy", 126_000, BASE), ("Fleetline", 140_000, TOTAL_COMP)],
    "premiums": [("rust/ocpp premium", 12, 15)],
    "facts": [
        ("date", "secondary sale", "Q3 2026"),
        ("date", "Series C", "March 2025"),
        ("company", "public charge points", "14,000 public charge points"),
        ("company", "revenue", "€42M"),
        ("company", "Series C", "€180M"),
        ("company", "headcount", "320"),
        ("date", "bonus payout", "April"),
        ("date", "office opening", "September 2024"),
    ],
    "levels": "Nordlicht Senior Backend Engineer (E4) ≈ Zalando Senior Software Engineer"
    " ≈ Delivery Hero Software Engineer III ≈ Spotify Senior Engineer",
}

ARDENT = {
    "currency": "USD",
    "bands": {
        "Pittsburgh": {
            BASE: (172_000, 205_000),
            EQUITY: (160_000, 240_000),
            BONUS: (15_000, 25_000),
            SIGN_ON: (20_000, 35_000),
            "relocation": (10_000, 10_000),
            TOTAL_COMP: (227_000, 290_000),
        },
        "Boston": {
            BASE: (185_000, 220_000),
            EQUITY: (180_000, 280_000),
            BONUS: (18_000, 30_000),
            SIGN_ON: (25_000, 40_000),
            "relocation": (15_000, 15_000),
            TOTAL_COMP: (248_000, 320_000),
        },
        "Austin": {
            BASE: (176_000, 210_000),
            EQUITY: (160_000, 240_000),
            BONUS: (15_000, 25_000),
            SIGN_ON: (20_000, 35_000),
            "relocation": (12_000, 12_000),
            TOTAL_COMP: (231_000, 295_000),
        },
    },
    # The sign-on ask sits on its own line of the same list; it joins the target.
    "target": {BASE: 212_000, SIGN_ON: 40_000},
    "walk_away": {BASE: 192_000},
    "offers": [("Halden Autonomy", 298_000, TOTAL_COMP), ("Corvid Drones", 305_000, TOTAL_COMP)],
    "premiums": [("safety premium", 8, 8)],
    "facts": [
        ("date", "Series D", "January 2025"),
        ("company", "revenue", "$85M"),
        ("company", "Series D", "$240M"),
        ("company", "headcount", "640 people"),
        ("company", "robots", "1,200 robots"),
        ("company", "customer sites", "38 customer sites"),
        ("date", "bonus payout", "March"),
        ("date", "tender offer", "Q1 2027"),
        ("date", "office opening", "March 2026"),
    ],
    "levels": "Ardent Perception Engineer II (P3) ≈ Google L4 ≈ Amazon SDE II"
    " ≈ Aurora Software Engineer II",
}

LUMORA = {
    "currency": "USD",
    "bands": {
        "New York": {
            BASE: (205_000, 240_000),
            EQUITY: (180_000, 300_000),
            BONUS_PCT: (10, 10),
            SIGN_ON: (25_000, 25_000),
            TOTAL_COMP: (270_000, 339_000),
        },
        "Seattle": {
            BASE: (198_000, 232_000),
            EQUITY: (180_000, 300_000),
            BONUS_PCT: (10, 10),
            SIGN_ON: (25_000, 25_000),
            TOTAL_COMP: (263_000, 330_000),
        },
        "Remote US": {
            BASE: (185_000, 215_000),
            EQUITY: (140_000, 240_000),
            BONUS_PCT: (7.5, 7.5),
            SIGN_ON: (15_000, 15_000),
            TOTAL_COMP: (234_000, 291_000),
        },
    },
    "target": {BASE: 228_000},
    "walk_away": {BASE: 210_000},
    "offers": [("Ledgerly", 298_000, TOTAL_COMP), ("Pennant Bank", 320_000, TOTAL_COMP)],
    "premiums": [("design-systems premium", 12, 12)],
    "facts": [
        ("company", "headcount", "410 employees"),
        ("company", "payment volume", "$3.1B"),
        ("company", "Series C", "$96M"),
        ("date", "IPO", "H1 2027"),
        ("date", "bonus payout", "February"),
    ],
    "levels": "Lumora Staff Product Designer (D5) ≈ Stripe Staff Designer"
    " ≈ Figma Senior Designer II ≈ Block L6 Designer",
}

BRIGHTWELL = {
    "currency": "USD",
    "bands": {
        "Cambridge, MA": {
            BASE: (158_000, 186_000),
            EQUITY: (90_000, 150_000),
            BONUS_PCT: (12, 12),
            SIGN_ON: (15_000, 15_000),
            TOTAL_COMP: (199_000, 246_000),
        },
        "South San Francisco": {
            BASE: (165_000, 196_000),
            EQUITY: (90_000, 150_000),
            BONUS_PCT: (12, 12),
            SIGN_ON: (20_000, 20_000),
            TOTAL_COMP: (207_000, 257_000),
        },
        "Remote (US)": {
            BASE: (150_000, 178_000),
            EQUITY: (72_000, 120_000),
            BONUS_PCT: (9, 9),
            SIGN_ON: (10_000, 10_000),
            TOTAL_COMP: (182_000, 224_000),
        },
    },
    # "Target bonus" is a band row, never the target.
    "target": {BASE: 185_000},
    "walk_away": {BASE: 172_000},
    "offers": [
        ("Verity Genomics", 241_000, TOTAL_COMP),
        ("Calder Therapeutics", 236_000, TOTAL_COMP),
    ],
    "premiums": [("single-cell premium", 10, 14)],
    "facts": [
        ("date", "Phase 2 readout", "Q4 2026"),
        ("date", "Series B", "June 2025"),
        ("company", "headcount", "85 people"),
        ("company", "Series B", "$140M"),
        ("company", "patient samples", "2,400 patient samples"),
    ],
    "levels": "Brightwell Senior Scientist (S2) ≈ Genentech Senior Scientist"
    " ≈ Recursion Scientist III ≈ Illumina Staff Bioinformatician",
}

HARBOURLINE = {
    "currency": "GBP",
    "bands": {
        "London": {
            BASE: (85_000, 105_000),
            EQUITY: (40_000, 70_000),
            BONUS_PCT: (10, 15),
            SIGN_ON: (10_000, 10_000),
        },
        "Manchester": {
            BASE: (70_000, 88_000),
            EQUITY: (30_000, 50_000),
            BONUS_PCT: (10, 10),
            SIGN_ON: (5_000, 5_000),
        },
        "Remote UK": {BASE: (65_000, 82_000), EQUITY: (25_000, 45_000), BONUS_PCT: (8, 8)},
    },
    "target": {BASE: 100_000, SIGN_ON: 15_000},
    "walk_away": {BASE: 90_000},
    "offers": [("Tidewater Bank", 112_000, TOTAL_COMP), ("Quayside", 95_000, BASE)],
    "premiums": [("payments-domain premium", 5, 10)],
    "facts": [
        ("date", "Series B", "October 2024"),
        ("date", "break-even", "H2 2026"),
        ("company", "Series B", "£30M"),
        ("company", "headcount", "260 staff"),
        ("date", "bonus payout", "June"),
    ],
    "levels": "Harbourline Data Engineer II (DE2) ≈ Monzo Data Engineer"
    " ≈ Wise Senior Data Engineer",
}

SENTENCES = {
    "currency": "USD",
    "bands": {
        "Seattle": {
            BASE: (180_000, 210_000),
            EQUITY: (120_000, 200_000),
            TOTAL_COMP: (230_000, 290_000),
        },
        "Austin": {
            BASE: (165_000, 195_000),
            EQUITY: (100_000, 170_000),
            TOTAL_COMP: (210_000, 265_000),
        },
        "Remote (US)": {BASE: (160_000, 185_000), BONUS_PCT: (10, 10)},
    },
    "target": {BASE: 205_000, SIGN_ON: 25_000},
    "walk_away": {BASE: 185_000},
    "offers": [("Northwind Labs", 295_000, TOTAL_COMP)],
    "premiums": [],
    "facts": [("date", "IPO", "late 2026"), ("company", "customers", "4,500 customers")],
    "levels": "Pinecrest SRE III = Google L5 SRE = Amazon SDE III",
}

STRIPE_FACTS = [
    ("date", "planning cycle", "Q4 2025"),
    ("company", "headcount", "500-person"),
    ("company", "revenue", "$1.4B"),
]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (ROOT / "knowledge" / "cerebras-ml-ai-engineer.md", CEREBRAS),
        (SEED, CEREBRAS),
        (HELDOUT / "nordlicht-mobility-backend-engineer.md", NORDLICHT),
        (HELDOUT / "ardent-robotics-perception-engineer.md", ARDENT),
        (HELDOUT / "lumora-staff-product-designer.md", LUMORA),
        (HELDOUT / "brightwell-bio-bioinformatics-scientist.md", BRIGHTWELL),
        (FIXTURES / "harbourline-data-engineer.md", HARBOURLINE),
        (FIXTURES / "sentence-bands.md", SENTENCES),
    ],
    ids=[
        "cerebras",
        "cerebras-seed",
        "nordlicht-euro-table",
        "ardent-full-dollars",
        "lumora-lists",
        "brightwell-transposed",
        "harbourline-pounds-bold",
        "sentences",
    ],
)
def test_every_fact_of_the_guide(path: Path, expected: dict[str, Any]) -> None:
    pb = read(path)
    assert summary(pb) == expected
    # Nothing the checked fields need is missing, and a JSON round trip keeps everything.
    assert pb.missing in ([], ["scripts"])
    assert Playbook.from_dict(pb.to_dict()) == pb


def test_earlier_fixtures_gain_facts_and_keep_their_terms() -> None:
    stripe = read(FIXTURES / "stripe-senior-data-scientist.md")
    assert [(f.kind, f.label, f.text) for f in stripe.facts] == STRIPE_FACTS
    acme = read(FIXTURES / "acme-staff-backend.md")
    assert [(f.kind, f.label, f.text) for f in acme.facts] == [("date", "roadmap", "2026")]
    assert read(FIXTURES / "no-table.md").facts == []
    assert {stripe.currency, acme.currency} == {"USD"}


def test_company_figures_are_recorded_as_not_pay() -> None:
    pb = read(HELDOUT / "nordlicht-mobility-backend-engineer.md")
    assert pb.non_pay_amounts() == [("EUR", 42_000_000), ("EUR", 180_000_000)]
    cerebras = read(ROOT / "knowledge" / "cerebras-ml-ai-engineer.md")
    assert cerebras.non_pay_amounts() == [("USD", 10_000_000_000)]
    deal = next(f for f in cerebras.facts if f.label == "OpenAI deal")
    assert (deal.value, deal.currency, deal.source.line) == (10_000_000_000, "USD", 3)
    headcount = next(f for f in pb.facts if f.label == "headcount")
    assert (headcount.value, headcount.currency) == (320, "")


def test_sources_of_the_new_shapes() -> None:
    brightwell = read(HELDOUT / "brightwell-bio-bioinformatics-scientist.md")
    remote = brightwell.band_for("remote (us)")
    assert remote is not None
    # A band read down a column cites the header row and quotes every cell it read.
    assert remote.source.line == 9
    assert remote.source.quote.startswith("Remote (US) — Base salary: $150K–$178K;")
    assert "Target bonus: 9%" in remote.source.quote
    lumora = read(HELDOUT / "lumora-staff-product-designer.md")
    seattle = lumora.band_for("Seattle")
    assert seattle is not None and seattle.source.line == 16
    assert "Base: $198k to $232k" in seattle.source.quote
    ardent = read(HELDOUT / "ardent-robotics-perception-engineer.md")
    assert ardent.target is not None
    assert ardent.target.source.line == 19
    assert ardent.target.source_for(SIGN_ON).line == 21
    assert ardent.target.source_for(BASE).line == 19
    offer = ardent.competing_offers[1]
    assert offer.source.line == 33 and "Corvid Drones at $305,000 TC" in offer.source.quote


def test_render_rows_write_the_guide_currency() -> None:
    rows = {
        f: v for f, v, _ in render_playbook_rows(read(FIXTURES / "harbourline-data-engineer.md"))
    }
    assert rows["currency"] == "GBP"
    assert rows["London · base"] == "£85K–£105K"
    assert rows["target · sign_on"] == "£15K"
    assert rows["competing · Tidewater Bank"] == "£112K total_comp"
    assert rows["date · break-even"] == "H2 2026"
    assert rows["company · Series B"] == "£30M"


def test_stored_playbooks_without_the_new_fields_still_load() -> None:
    pb = read(FIXTURES / "acme-staff-backend.md")
    data = pb.to_dict()
    for key in ("currency", "facts"):
        data.pop(key)
    for threshold in (data["target"], data["walk_away"]):
        threshold.pop("component_sources")
    old = Playbook.from_dict(data)
    assert old.currency == "USD" and old.facts == []
    assert old.bands == pb.bands and old.target == pb.target


def test_level_mapping_under_a_levels_heading_or_line() -> None:
    pb = extract_playbook("g", "# R at C\n\n## Levels\n\nC Senior (L5) = Google L5.\n")
    assert pb.level_mapping == "C Senior (L5) = Google L5"
    pb = extract_playbook("g", "# R at C\n\n- Levels: C Staff = Meta E6\n")
    assert pb.level_mapping == "C Staff = Meta E6"


def test_threshold_phrasings_in_any_currency() -> None:
    text = (
        "# R at C\n\nTarget €120K base. Never accept less than €100K base.\n\n"
        "The target bonus is 15%.\n"
    )
    pb = extract_playbook("g", text)
    assert pb.currency == "EUR"
    assert pb.target is not None and pb.target.components == {BASE: 120_000}
    assert pb.walk_away is not None and pb.walk_away.components == {BASE: 100_000}


def test_generic_premium_repeating_a_named_one_is_dropped() -> None:
    text = (
        "# R at C\n\n**+10–14% single-cell premium**\n\n"
        "- **Premium:** this work supports a 10–14% premium on base.\n"
        "- A 5% premium applies to night shifts.\n"
    )
    pb = extract_playbook("g", text)
    assert [(p.name, p.percent.low, p.percent.high) for p in pb.premiums] == [
        ("single-cell premium", 10, 14),
        ("premium", 5, 5),
    ]


def test_offers_table_is_not_a_band() -> None:
    text = (
        "# R at C\n\n| Company | Role | Offer |\n|---|---|---|\n"
        "| Acme Labs | Engineer | $200K TC |\n| Globex | Engineer | $180K base |\n"
    )
    pb = extract_playbook("g", text)
    assert pb.bands == []
    assert [(o.company, o.amount, o.measure) for o in pb.competing_offers] == [
        ("Acme Labs", 200_000, TOTAL_COMP),
        ("Globex", 180_000, BASE),
    ]


def test_other_shapes_of_band() -> None:
    corner = (
        "# R at C\n\n|  | Seattle | Denver |\n|---|---|---|\n"
        "| Base Pay | $150K | $140K |\n| Bonus | 10% | 8% |\n| Option grant value | $90K | $80K |\n"
    )
    pb = extract_playbook("g", corner)
    assert summary(pb)["bands"] == {
        "Seattle": {BASE: (150_000, 150_000), BONUS_PCT: (10, 10), EQUITY: (90_000, 90_000)},
        "Denver": {BASE: (140_000, 140_000), BONUS_PCT: (8, 8), EQUITY: (80_000, 80_000)},
    }
    bold = "# R at C\n\n- **Dublin:** base €90K–€110K; equity €30K–€50K\n"
    pb = extract_playbook("g", bold)
    assert pb.currency == "EUR"
    assert summary(pb)["bands"] == {"Dublin": {BASE: (90_000, 110_000), EQUITY: (30_000, 50_000)}}
    unbulleted = "# R at C\n\n### Austin\nBase: $170K–$200K\nSigning bonus: $20K\n"
    assert summary(extract_playbook("g", unbulleted))["bands"] == {
        "Austin": {BASE: (170_000, 200_000), SIGN_ON: (20_000, 20_000)}
    }


# A guide with no table: prose bands under one heading per city, "hiring bonus", an
# "opening number" and a "floor", rivals in a numbered list and in a lever, a premium with
# its least, and month-labelled timeline items. Written here; no eval guide is copied.
PROSE_GUIDE = """# Kestrel Freight · Staff Platform Engineer

## Pay, city by city

### Columbus

Cash comp in Columbus is a base of 150 to 172 thousand plus a bonus target of $16,000 a year.

- Stock grant: $30k–$48k per year
- Hiring bonus: up to $18,000

### Remote (US)

Remote engineers get a base of 140 to 160 thousand and a bonus target of $12,000.

- Stock grant: $25k–$40k per year
- Hiring bonus: up to $10,000

## Where to aim

- **Opening number:** $168,000 base. Say it first.
- **Floor:** $152,000 base. Below that, decline.
- **Logistics premium:** ask for a 10% premium on the stock grant. Don't settle for less than 6%.

## Offers people hold

1. Harbor Routes: $158,000 base, $40k a year in stock, $14,000 bonus target.
2. Tallgrass Systems: about $230k all-in (a $170,000 base plus $60k in stock).

## Timeline

- **Every March:** pay bands are refreshed.
- **October, every year:** the only salary review.

## Levers

- **The Quarry offer:** "Quarry Labs offered me $160,000 base, so I'd like the cash to match."
"""


def test_a_guide_in_prose_reads_like_a_table() -> None:
    pb = extract_playbook("kestrel", PROSE_GUIDE)
    assert (pb.company, pb.role) == ("Kestrel Freight", "Staff Platform Engineer")
    columbus = pb.band_for("Columbus")
    assert columbus is not None
    assert (columbus.components[BASE].low, columbus.components[BASE].high) == (150_000, 172_000)
    assert columbus.components[BONUS].low == 16_000  # a dollar "bonus target" is the bonus
    assert columbus.components[SIGN_ON].low == 18_000  # a hiring bonus is a sign-on
    assert pb.target is not None and pb.target.components == {BASE: 168_000}
    assert pb.walk_away is not None and pb.walk_away.components == {BASE: 152_000}
    offers = {o.company: (o.amount, o.measure) for o in pb.competing_offers}
    assert offers == {
        "Harbor Routes": (158_000, BASE),
        "Tallgrass Systems": (230_000, TOTAL_COMP),
        "Quarry Labs": (160_000, BASE),
    }
    premium = next(p for p in pb.premiums if "logistics" in p.name)
    assert premium.percent.low == 10 and premium.floor is not None and premium.floor.low == 6
    dates = {f.label: f.text for f in pb.facts if f.kind == "date"}
    assert dates.get("band refresh") == "March" and dates.get("pay review") == "October"
