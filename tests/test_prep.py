"""Tests for the one-page prep sheet (``coach.advice.prep`` and ``coach prep``).

The measurement: every figure on the sheet is grounded in the guide's lines or the engine's
result, the counter is the engine's, and the printed sheet is one page (rendered to PDF by
headless Chromium and counted).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from coach.advice.prep import build_prep_sheet, shorten
from coach.advice.prep_sheet import PrepSheet
from coach.cli import main
from coach.cli.prep import find_chromium, html_to_pdf, parse_offer
from coach.errors import InputError
from coach.guard.figures import allowed_values, check_figures
from coach.knowledge.chunking import guide_title
from coach.knowledge.extraction import extract_playbook
from coach.knowledge.ingest import guide_id_for
from coach.negotiation.components import terms_text
from coach.negotiation.counter import evaluate_offer
from coach.negotiation.money import find_figures
from coach.negotiation.playbook import Playbook, Source
from coach.negotiation.profile import Profile, load_profile, save_profile

ROOT = Path(__file__).resolve().parents[1]
CEREBRAS = ROOT / "knowledge" / "cerebras-ml-ai-engineer.md"
FUNDAMENTALS = ROOT / "knowledge" / "negotiation-fundamentals.md"
HELDOUT = sorted((ROOT / "evals" / "heldout" / "guides").glob("*.md"))
GUIDES = [CEREBRAS, *HELDOUT]
NORDLICHT = ROOT / "evals" / "heldout" / "guides" / "nordlicht-mobility-backend-engineer.md"


def playbook_of(path: Path) -> Playbook:
    """The playbook ingestion stores for ``path`` (extracted the same way, without a store)."""
    text = path.read_text(encoding="utf-8")
    guide = guide_id_for(path)
    return extract_playbook(guide, text, title=guide_title(text, guide))


def playbook_lines(pb: Playbook) -> list[str]:
    """Every line of the guide the playbook quotes: what a figure may be grounded in."""
    sources: list[Source] = [b.source for b in pb.bands]
    sources += [p.source for p in pb.premiums] + [o.source for o in pb.competing_offers]
    sources += [s.source for s in pb.scripts + pb.levers] + [f.source for f in pb.facts]
    for threshold in (pb.target, pb.walk_away):
        if threshold:
            sources += [threshold.source, *threshold.component_sources.values()]
    return [s.quote for s in sources]


def visible_text(page: str) -> str:
    """What a reader sees on the HTML page: no style sheet, no tags."""
    page = re.sub(r"<style.*?</style>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def assert_grounded(sheet: PrepSheet, pb: Playbook, extra: list[str]) -> None:
    """No figure on the page (Markdown or HTML) is missing from the guide or the engine."""
    allowed = allowed_values([*playbook_lines(pb), sheet.engine_message, *extra])
    for text in (sheet.to_markdown(), visible_text(sheet.to_html())):
        report = check_figures(text, allowed)
        assert report.figures, "a sheet with terms shows figures"
        assert report.ungrounded == [], report.ungrounded
    assert sheet.grounding().ok
    assert "{" not in sheet.to_markdown(), "no Python dict on the page"


def page_count(pdf: Path) -> int:
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
        return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf.read_bytes()))


needs_chromium = pytest.mark.skipif(
    find_chromium() is None,
    reason="Chromium is not installed, so the PDF cannot be rendered (apt-get install chromium)",
)


def run(capfd: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capfd.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err and len(lines) == 1, err
    assert lines[0].startswith("error: ")
    return lines[0]


# -- grounding and the engine's counter -------------------------------------------------------


@pytest.mark.parametrize("path", GUIDES, ids=lambda p: p.stem)
def test_every_figure_is_grounded_and_the_counter_is_the_engines(path: Path) -> None:
    pb = playbook_of(path)
    band = pb.bands[-1]
    offer = {"base": band.components["base"].low, "sign_on": 5000.0}
    sheet = build_prep_sheet(pb, band.region, offer)
    advice = evaluate_offer(pb, band.region, offer)
    assert sheet.counter == advice.counter and sheet.verdict == advice.verdict
    assert f"**Counter:** {terms_text(advice.counter, pb.currency)}" in sheet.to_markdown()
    assert_grounded(sheet, pb, [f"offer: {terms_text(offer, pb.currency)}"])


@pytest.mark.parametrize("path", GUIDES, ids=lambda p: p.stem)
def test_without_an_offer_the_target_is_the_anchor_and_every_region_is_shown(path: Path) -> None:
    pb = playbook_of(path)
    sheet = build_prep_sheet(pb)
    assert sheet.counter == pb.target.components and sheet.verdict is None
    assert [row.region for row in sheet.bands] == pb.regions()
    assert_grounded(sheet, pb, [])


def test_json_is_machine_readable_with_numbered_sources() -> None:
    pb = playbook_of(CEREBRAS)
    data = build_prep_sheet(pb, "Sunnyvale", {"base": 240_000}).to_json()
    json.dumps(data)
    assert data["verdict"] == "below_walk_away" and data["grounded"] is True
    assert data["counter"] == {"base": 268_000, "share_premium_pct": 30.0}
    assert set(data["sections"]) == {"levers", "scripts", "pushbacks", "writing"}
    numbers = {n["lead"]: n for n in data["numbers"]}
    for cite in numbers["Counter"]["cites"]:
        assert data["sources"][cite - 1]["guide"] == pb.guide
    assert 2 <= len(data["sections"]["levers"]["items"]) <= 3
    assert data["sections"]["pushbacks"]["items"]


def test_pushback_answers_come_from_the_band_and_targets() -> None:
    sheet = build_prep_sheet(playbook_of(CEREBRAS), "Sunnyvale")
    answers = {i.lead: i.text for i in sheet.sections[2].items}
    assert "$272K" in answers["“That's the top of our band.”"]  # the Sunnyvale base top
    assert "30% share premium" in answers["“We can't move on base.”"]
    assert "$455K" in answers["“We can't move on base.”"]  # the top of the equity band
    assert "$268K" in answers["“What's your current salary?”"]
    assert "in writing" in answers["“We need an answer by Friday.”"]
    writing = " ".join(i.lead + i.text for i in sheet.sections[3].items)
    for term in ("Base salary", "vesting", "Bonus", "clawback", "Start date", "Title and level"):
        assert term in writing


# -- the person's numbers win -----------------------------------------------------------------


def test_the_profiles_numbers_win_over_the_guides(coach_home: Path) -> None:
    save_profile(
        coach_home,
        Profile(
            region="Remote US",
            offer={"base": 250_000},
            target={"base": 275_000},
            walk_away={"base": 255_000},
        ),
    )
    pb = playbook_of(CEREBRAS)
    profile = load_profile(coach_home)
    sheet = build_prep_sheet(pb, profile=profile)
    assert sheet.region == "Remote US"
    assert sheet.offer == {"base": 250_000}
    assert sheet.target["base"] == 275_000 and sheet.walk_away["base"] == 255_000
    assert sheet.counter == evaluate_offer(pb, "Remote US", {"base": 250_000}, profile).counter
    numbers = {i.lead: i for i in sheet.numbers}
    assert numbers["Target"].text.startswith("$275K base salary")
    assert sheet.source_text(numbers["Target"].cites[0]) == "your profile (profile.yaml)"
    assert "$268K base salary" not in numbers["Target"].text
    assert_grounded(sheet, pb, ["$250K $275K $255K"])
    # An offer passed in wins over the profile's.
    assert build_prep_sheet(pb, offer={"base": 260_000}, profile=profile).offer == {"base": 260_000}


# -- what the guide does not say --------------------------------------------------------------


def test_a_guide_without_terms_says_what_is_missing() -> None:
    pb = playbook_of(FUNDAMENTALS)
    sheet = build_prep_sheet(pb)
    assert sheet.counter == {} and sheet.bands == []
    assert {"pay bands", "a target", "a walk-away"} <= set(sheet.missing)
    page = sheet.to_markdown()
    assert find_figures(page) == [], "no figure is invented"
    assert "Not in this guide: pay bands, a target, a walk-away" in page
    assert "none in this guide" in page and "none in this guide" in sheet.to_html()


BANDS_ONLY = """# Widget Co — Engineer

| Region | Base Salary | Equity |
|--------|-------------|--------|
| Austin | $150K–$180K | $40K–$60K |
| Remote | $140K–$170K | $30K–$50K |
"""


def test_a_guide_with_bands_but_no_target() -> None:
    pb = extract_playbook("widget", BANDS_ONLY)
    assert pb.target is None and pb.walk_away is None
    everywhere = build_prep_sheet(pb)
    assert everywhere.counter == {} and "a target" in everywhere.missing
    assert find_figures(everywhere.numbers[-1].text) == []
    austin = build_prep_sheet(pb, "Austin")
    # The engine's stand-in, said as such: the top of the base band.
    assert austin.target == {"base": 180_000} and austin.counter == {"base": 180_000}
    assert any("top of the base band stands in" in n for n in austin.notes)
    assert_grounded(austin, pb, [])


def test_unknown_region_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"Unknown region 'Mars'"):
        build_prep_sheet(playbook_of(CEREBRAS), "Mars")


def test_shorten_keeps_the_ask_and_never_splits_a_figure() -> None:
    script = playbook_of(CEREBRAS).scripts[0].text
    short = shorten(script, 200)
    assert len(short) <= 240 and "25-30% more shares" in short
    cut = shorten("I would like " + "very " * 80 + "much $248,000 base.", 60)
    assert all(f.raw in ("$248,000",) for f in find_figures(cut))


def test_offer_words() -> None:
    assert parse_offer(["240k"]) == {"base": 240_000}
    assert parse_offer(["base=240k", "bonus=15%", "sign-on=20k"]) == {
        "base": 240_000,
        "bonus_pct": 15.0,
        "sign_on": 20_000,
    }
    with pytest.raises(InputError):
        parse_offer(["salary=240k"])


# -- one printed page -------------------------------------------------------------------------


@needs_chromium
@pytest.mark.parametrize("path", GUIDES, ids=lambda p: p.stem)
def test_the_sheet_prints_on_one_page(path: Path, tmp_path: Path) -> None:
    pb = playbook_of(path)
    # The longest sheet: every region, an offer judged, the profile's numbers.
    profile = Profile(
        offer={"base": pb.bands[0].components["base"].low, "sign_on": 5000},
        target={"base": 300_000},
    )
    sheet = build_prep_sheet(pb, profile=profile)
    for paper in ("Letter", "A4"):
        pdf = html_to_pdf(sheet.to_html(paper), tmp_path / f"{paper}.pdf")
        assert page_count(pdf) == 1, f"{path.stem} on {paper}"


def test_the_html_is_self_contained() -> None:
    page = build_prep_sheet(playbook_of(CEREBRAS), "Sunnyvale").to_html()
    assert "@page" in page and "@media screen" in page
    assert not re.search(r"\b(?:src|href)=|@import|url\(", page), "no external assets"


# -- the command ------------------------------------------------------------------------------


@pytest.fixture
def shared_home(knowledge_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COACH_HOME", str(knowledge_home))
    return knowledge_home


def test_cli_markdown_by_default(capfd: pytest.CaptureFixture[str], shared_home: Path) -> None:
    code, out, err = run(capfd, "prep")
    assert code == 0, err
    assert out.startswith("# Prep sheet: ML/AI Engineer | Cerebras")
    assert "**Counter:** $268K base salary and 30% share premium" in out
    assert "| Remote US [" in out and "## Sources" in out


def test_cli_json_with_an_offer(capfd: pytest.CaptureFixture[str], shared_home: Path) -> None:
    code, out, err = run(capfd, "prep", "--region", "Sunnyvale", "--offer", "240k", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["offer"] == {"base": 240_000} and data["verdict"] == "below_walk_away"
    assert data["counter"] == {"base": 268_000, "share_premium_pct": 30.0}
    assert data["grounded"] is True


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--guide", "nope"], "No guide with id 'nope'"),
        (["--region", "Mars"], "Unknown region 'Mars'"),
        (["--offer", "lots"], "not an amount"),
        (["--offer", "salary=240k"], "Unknown offer component"),
    ],
)
def test_cli_bad_input_is_one_line(
    capfd: pytest.CaptureFixture[str], shared_home: Path, argv: list[str], words: str
) -> None:
    code, _, err = run(capfd, "prep", *argv)
    assert code == 2
    assert words in one_error_line(err)


def test_cli_pdf_without_chromium_is_one_line(
    capfd: pytest.CaptureFixture[str],
    shared_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("coach.cli.prep.find_chromium", lambda: None)
    code, _, err = run(capfd, "prep", "--pdf", "--out", str(tmp_path / "x.pdf"))
    assert code == 2
    line = one_error_line(err)
    assert "chromium" in line and "--html" in line


def test_cli_html_to_a_file(
    capfd: pytest.CaptureFixture[str], shared_home: Path, tmp_path: Path
) -> None:
    out = tmp_path / "prep.html"
    code, printed, err = run(capfd, "prep", "--region", "San Diego", "--html", "--out", str(out))
    assert code == 0, err
    assert printed.strip() == f"wrote {out}"
    assert "<!DOCTYPE html>" in out.read_text(encoding="utf-8")


@needs_chromium
def test_cli_on_an_ingested_guide_with_a_profile(
    capfd: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capfd, "ingest", str(NORDLICHT))
    assert code == 0, err
    guide = "nordlicht-mobility-backend-engineer"
    code, _, err = run(
        capfd, "profile", "set", "--guide", guide, "--region", "Berlin", "--target-base", "121k"
    )
    assert code == 0, err
    code, out, err = run(capfd, "prep", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["guide"] == guide and data["region"] == "Berlin" and data["currency"] == "EUR"
    assert data["target"] == {"base": 121_000} and data["counter"] == {"base": 121_000}
    pdf = tmp_path / "sheet.pdf"
    code, printed, err = run(capfd, "prep", "--pdf", "--out", str(pdf))
    assert printed.strip() == f"wrote {pdf}"
    assert code == 0, err
    assert page_count(pdf) == 1
