"""Tests for coach.knowledge.chunking: sections, line spans, tables and the token limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.knowledge.chunking import (
    MAX_CHUNK_TOKENS,
    Chunk,
    chunk_guide,
    count_tokens,
    guide_title,
    heading_of,
)

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE_DIR = ROOT / "knowledge"
FIXTURE_GUIDES = ROOT / "tests" / "fixtures" / "guides"

SEP = " › "


def lines_of(text: str) -> list[str]:
    return text.splitlines()


def assert_spans_match(chunk: Chunk, lines: list[str]) -> None:
    """The chunk's first and last lines are really at its 1-based line span.

    (A piece of a long paragraph is a part of its line, so containment is what is checked.)
    """
    first = chunk.text.splitlines()[0].strip()
    last = chunk.text.splitlines()[-1].strip()
    assert 1 <= chunk.line_start <= chunk.line_end <= len(lines)
    assert first[:40] in lines[chunk.line_start - 1]
    assert last[-40:] in lines[chunk.line_end - 1]


def big_table(rows: int) -> str:
    header = "| Region | Base Salary | Equity | Bonus |\n|---|---|---|---|\n"
    body = "".join(
        f"| City {i} | ${200 + i}K–${250 + i}K | ${300 + i}K–${400 + i}K | {10 + i % 5}% |\n"
        for i in range(rows)
    )
    return header + body


# --- headings and titles ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("# Title", (1, "Title")),
        (
            "### ML/AI Engineer | Cerebras Global Negotiation Guide",
            (3, "ML/AI Engineer | Cerebras Global Negotiation Guide"),
        ),
        ("## Anchoring ##", (2, "Anchoring")),
        ("**Global Levers**", (7, "Global Levers")),
        ("**Negotiation DNA:** Pre-IPO Equity", None),
        ("plain text", None),
        ("#hashtag", None),
    ],
)
def test_heading_of(line: str, expected: tuple[int, str] | None) -> None:
    assert heading_of(line) == expected


def test_guide_title_is_first_heading_or_fallback() -> None:
    assert guide_title("intro\n## First\n# Second", "x") == "First"
    assert guide_title("no headings here", "fallback-id") == "fallback-id"


# --- sections and line spans ----------------------------------------------------------------


def test_sections_follow_heading_nesting() -> None:
    text = (
        "# Guide\n\nIntro line.\n\n## Pay\n\n### Bands\n\nBand text.\n\n## Scripts\n\nSay this.\n"
    )
    chunks = chunk_guide(text, "Guide")
    assert [c.section for c in chunks] == [
        "Guide",
        f"Guide{SEP}Pay{SEP}Bands",
        f"Guide{SEP}Scripts",
    ]
    assert [(c.line_start, c.line_end) for c in chunks] == [(3, 3), (9, 9), (13, 13)]
    assert [c.text for c in chunks] == ["Intro line.", "Band text.", "Say this."]


def test_sections_never_merge_across_headings() -> None:
    text = "# G\n\n## A\n\nalpha one.\n\n## B\n\nbeta one.\n"
    chunks = chunk_guide(text, "G")
    assert len(chunks) == 2
    assert "alpha" in chunks[0].text and "beta" not in chunks[0].text


def test_small_blocks_in_one_section_are_merged() -> None:
    text = "# G\n\nFirst paragraph.\n\nSecond paragraph.\n\n- a bullet\n"
    (chunk,) = chunk_guide(text, "G")
    assert chunk.text == "First paragraph.\n\nSecond paragraph.\n\n- a bullet"
    assert (chunk.line_start, chunk.line_end) == (3, 7)


def test_headingless_text_uses_the_title_as_section() -> None:
    (chunk,) = chunk_guide("Just a note about offers.\nSecond line.", "notes")
    assert chunk.section == "notes"
    assert (chunk.line_start, chunk.line_end) == (1, 2)


def test_empty_and_heading_only_text_gives_no_chunks() -> None:
    assert chunk_guide("", "t") == []
    assert chunk_guide("# Only\n\n## Headings\n", "Only") == []


def test_title_not_repeated_when_first_heading_is_the_title() -> None:
    text = (KNOWLEDGE_DIR / "cerebras-ml-ai-engineer.md").read_text(encoding="utf-8")
    title = guide_title(text, "x")
    chunks = chunk_guide(text, title)
    assert all(c.section.startswith(title) for c in chunks)
    assert not any(c.section.startswith(f"{title}{SEP}{title}") for c in chunks)
    sections = {c.section.split(SEP, 1)[-1] for c in chunks}
    assert {"Negotiation DNA", "Global Levers", "Evidence & Sources"} <= sections


@pytest.mark.parametrize(
    "path",
    [
        KNOWLEDGE_DIR / "cerebras-ml-ai-engineer.md",
        KNOWLEDGE_DIR / "negotiation-fundamentals.md",
        *sorted(FIXTURE_GUIDES.glob("*.md")),
    ],
    ids=lambda p: p.stem,
)
def test_real_guides_spans_kinds_and_limits(path) -> None:
    text = path.read_text(encoding="utf-8")
    lines = lines_of(text)
    chunks = chunk_guide(text, guide_title(text, path.stem))
    assert chunks
    for chunk in chunks:
        assert_spans_match(chunk, lines)
        assert count_tokens(chunk.text) <= MAX_CHUNK_TOKENS
        assert chunk.kind == ("table" if "\n|" in "\n" + chunk.text else "text")
    # Spans come in document order and every non-blank, non-heading line is in some chunk.
    starts = [c.line_start for c in chunks]
    assert starts == sorted(starts)
    covered = "\n".join(c.text for c in chunks)
    for number, line in enumerate(lines, start=1):
        if line.strip() and heading_of(line) is None:
            assert line.strip()[:30] in covered, f"line {number} lost: {line!r}"


def test_cerebras_table_is_one_chunk_with_its_lines() -> None:
    text = (KNOWLEDGE_DIR / "cerebras-ml-ai-engineer.md").read_text(encoding="utf-8")
    tables = [c for c in chunk_guide(text, guide_title(text, "x")) if c.kind == "table"]
    assert len(tables) == 1
    table = tables[0]
    assert (table.line_start, table.line_end) == (5, 9)
    assert table.text.splitlines()[0].startswith("| Region | Base Salary")
    for region in ("Sunnyvale", "San Diego", "Remote US"):
        assert f"| {region} |" in table.text


# --- tables ---------------------------------------------------------------------------------


def test_small_table_stays_whole() -> None:
    text = "# G\n\n" + big_table(3)
    (chunk,) = chunk_guide(text, "G")
    assert chunk.kind == "table"
    assert len(chunk.text.splitlines()) == 5
    assert (chunk.line_start, chunk.line_end) == (3, 7)


@pytest.mark.parametrize("limit", [60, 90, 180])
def test_split_table_repeats_header_and_keeps_every_row_once(limit: int) -> None:
    table = big_table(40)
    text = "# Pay\n\n" + table
    header, separator = table.splitlines()[:2]
    rows = table.splitlines()[2:]
    chunks = chunk_guide(text, "Pay", max_tokens=limit)
    assert len(chunks) > 1
    seen: list[str] = []
    for chunk in chunks:
        body = chunk.text.splitlines()
        assert chunk.kind == "table"
        assert body[:2] == [header, separator]
        assert len(body) > 2, "a piece with only the header is useless"
        assert count_tokens(chunk.text) <= limit
        assert chunk.line_start == 3  # the header line, which every piece repeats
        # The span ends at the line of the piece's last row.
        assert lines_of(text)[chunk.line_end - 1] == body[-1]
        seen.extend(body[2:])
    assert seen == rows


def test_text_after_a_split_table_keeps_its_line_and_the_limit() -> None:
    text = "# G\n\n" + big_table(30) + "\nA closing sentence about the table above.\n"
    chunks = chunk_guide(text, "G", max_tokens=80)
    last = chunks[-1]
    assert last.text.endswith("A closing sentence about the table above.")
    assert last.line_end == len(text.splitlines())
    assert all(count_tokens(c.text) <= 80 for c in chunks)


# --- long text ------------------------------------------------------------------------------


def test_long_paragraph_splits_at_sentences_within_limit() -> None:
    sentences = [
        f"Sentence number {i} explains one more negotiation idea in detail." for i in range(60)
    ]
    text = "# G\n\n" + " ".join(sentences) + "\n"
    chunks = chunk_guide(text, "G", max_tokens=50)
    assert len(chunks) > 5
    for chunk in chunks:
        assert count_tokens(chunk.text) <= 50
        assert chunk.line_start == chunk.line_end == 3
        assert chunk.text.endswith(".")
    # Nothing lost, nothing duplicated, order kept.
    assert " ".join(c.text.replace("\n\n", " ") for c in chunks) == " ".join(sentences)


def test_default_limit_is_respected_on_a_long_multi_paragraph_section() -> None:
    paragraph = "Anchor at your target with reasons. Never reveal your walk-away. " * 8
    text = "# G\n\n## Advice\n\n" + "\n\n".join([paragraph] * 12)
    chunks = chunk_guide(text, "G")
    assert len(chunks) > 1
    assert all(count_tokens(c.text) <= MAX_CHUNK_TOKENS for c in chunks)


def test_run_on_text_without_sentence_ends_still_respects_the_limit() -> None:
    text = "# G\n\n" + ", ".join(f"term {i}" for i in range(400)) + "\n"
    chunks = chunk_guide(text, "G", max_tokens=100)
    assert all(count_tokens(c.text) <= 100 for c in chunks)


def test_count_tokens_is_offline_cl100k() -> None:
    assert count_tokens("") == 0
    assert count_tokens("hello world") == 2
    assert count_tokens("<|endoftext|>") > 1  # special tokens are plain text here
