"""Reading a guide's Markdown as text: lines with their sections, tables, sentences, quotes.

``coach.knowledge.extraction`` decides what a guide says (bands, target, walk-away, offers, scripts);
this module only knows how Markdown is laid out, so those rules read plain lines and cells
rather than markup. ``key_points`` lives here too: it cuts a script into the short phrases
rehearsal checks for, by the same sentence and clause rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coach.knowledge.chunking import heading_of
from coach.negotiation.money import find_figures
from coach.negotiation.playbook import Source

SECTION_SEP = " › "  # the same separator coach.knowledge.chunking uses, so citations line up

_LABELLED_QUOTE = re.compile(
    r"\bscript[^:\"“]{0,30}:\s*['‘\"“](?P<q>.+?[.!?…])['’\"”](?=[\s\"”'’]|$)", re.I
)
_QUOTE = re.compile(r"\"(?P<a>[^\"]{12,})\"|“(?P<b>[^”]{12,})”")


@dataclass
class GuideLine:
    """One guide line: 1-based number, raw text, text without Markdown markers, section."""

    number: int
    raw: str
    plain: str
    section: str
    heading: str


def slug(text: str) -> str:
    """A lowercase hyphenated name for a header or label: ``Sign-On Bonus`` -> ``sign-on-bonus``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def strip_markup(text: str) -> str:
    """Text without bold markers or blockquote prefixes (offsets then match what is read)."""
    text = re.sub(r"^\s*(?:>\s*)+", "", text)
    return text.replace("**", "").replace("__", "").strip()


def scan_lines(text: str, title: str) -> list[GuideLine]:
    """Every line of the guide with its section path (title-rooted, like coach.knowledge.chunking)."""
    stack: list[tuple[int, str]] = []
    lines: list[GuideLine] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if found := heading_of(raw):
            while stack and stack[-1][0] >= found[0]:
                stack.pop()
            stack.append(found)
        names = [name for _, name in stack]
        path = names if names and names[0] == title else [title, *names]
        heading = names[-1] if names else title
        lines.append(GuideLine(number, raw, strip_markup(raw), SECTION_SEP.join(path), heading))
    return lines


def cite(guide: str, line: GuideLine, quote: str) -> Source:
    """The ``Source`` for a value read from ``line``, quoting the words it came from."""
    return Source(guide=guide, section=line.section, line=line.number, quote=quote.strip())


def row_cells(row: str) -> list[str]:
    """The stripped cells of one Markdown table row."""
    return [c.strip() for c in row.strip().strip("|").split("|")]


def markdown_tables(lines: list[GuideLine]) -> list[tuple[list[str], list[GuideLine]]]:
    """Each Markdown table as (header cells, body lines), separator rows dropped."""
    tables: list[tuple[list[str], list[GuideLine]]] = []
    group: list[GuideLine] = []
    for line in [*lines, None]:
        if line is not None and line.raw.strip().startswith("|"):
            group.append(line)
            continue
        if len(group) >= 2:
            body = [r for r in group[1:] if not re.fullmatch(r"[\s|:-]+", r.raw)]
            tables.append((row_cells(group[0].raw), body))
        group = []
    return tables


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of sentences: a . ! or ? (plus closing quotes) then a space."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in re.finditer(r"[.!?][\"'”’)\]]*(?=\s|$)", text):
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(text)))
    trimmed = []
    for s, e in spans:
        lead = len(text[s:e]) - len(text[s:e].lstrip())
        if text[s:e].strip():
            trimmed.append((s + lead, s + lead + len(text[s:e].strip())))
    return trimmed


def quote_in(text: str) -> str | None:
    """The script quoted in ``text``: a labelled "script: '...'" quote, else the longest."""
    if labelled := _LABELLED_QUOTE.search(text):
        return labelled.group("q").strip()
    quotes = [m.group("a") or m.group("b") for m in _QUOTE.finditer(text)]
    return max(quotes, key=len).strip() if quotes else None


def _clauses(text: str, comma_split_above: int) -> list[str]:
    """Distinct clauses of ``text`` of 3+ words; clauses longer than the limit split at commas."""
    found: list[str] = []
    for s, e in sentence_spans(text):
        for clause in re.split(r"\s+[—–]\s+|;\s+|:\s+", text[s:e]):
            pieces = (
                re.split(r",\s+", clause) if len(clause.split()) > comma_split_above else [clause]
            )
            for piece in pieces:
                piece = re.sub(
                    r"^(?:and|but|so|or)\s+", "", piece.strip(" .,!?\"'“”‘’"), flags=re.I
                )
                if len(piece.split()) >= 3 and piece.lower() not in {f.lower() for f in found}:
                    found.append(piece)
    return found


def key_points(text: str, limit: int = 6) -> list[str]:
    """3–6 short phrases (sentences or clauses) of a script, for rehearsal coverage checks.

    Fewer than 3 only when the script is too short to have 3 clauses of 3+ words.
    """
    points = _clauses(text, comma_split_above=20)
    if len(points) < 3:
        points = max(points, _clauses(text, comma_split_above=0), key=len)
    if len(points) <= limit:
        return points
    # Keep clauses that carry a figure first: those are what a rehearsal must not drop.
    ranked = sorted(range(len(points)), key=lambda i: (not find_figures(points[i]), i))
    return [points[i] for i in sorted(ranked[:limit])]
