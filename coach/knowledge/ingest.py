"""Reading guide files and storing them: validation, chunking, idempotent upserts.

A guide is identified by its file name (``cerebras-ml-ai-engineer.md`` → ``cerebras-ml-ai-engineer``)
and versioned by the SHA-256 of its text. Re-ingesting an unchanged guide embeds nothing; a
changed guide gets its new chunks written before the manifest switches to them, so a run
killed at any point leaves the previous version usable.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from coach.errors import InputError
from coach.knowledge.chunking import chunk_guide, guide_title
from coach.knowledge.extraction import extract_playbook
from coach.knowledge.store import GuideRecord, KnowledgeStore

SUFFIXES = {".md", ".markdown", ".txt"}
MAX_BYTES = 2_000_000  # far above any real guide; protects the embedder from a stray dump
EMBED_BATCH = 16


@dataclass(frozen=True)
class IngestResult:
    """What happened to one guide: ``added``, ``updated`` or ``unchanged``."""

    guide_id: str
    title: str
    status: str
    chunks: int


def guide_id_for(path: Path) -> str:
    """A stable id from the file name: lowercase, dashes for anything not a letter or digit."""
    return re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "guide"


def read_guide(path: Path) -> str:
    """The text of a guide file, or one ``InputError`` line saying why it cannot be used."""
    if not path.exists():
        raise InputError(f"{path} does not exist.", "Check the path, or run `coach ingest` alone.")
    if path.suffix.lower() not in SUFFIXES:
        raise InputError(
            f"{path.name} is not a guide file the coach reads.",
            "Save the guide as Markdown (.md) or plain text (.txt).",
        )
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"{path.name} is empty.", "Put the guide's text in it and ingest again.")
    if size > MAX_BYTES:
        raise InputError(
            f"{path.name} is {size / 1e6:.1f} MB; guides are limited to {MAX_BYTES / 1e6:.0f} MB.",
            "Split it into one file per role and company.",
        )
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise InputError(
            f"{path.name} looks like a binary file, not text.",
            "Export the guide as Markdown or plain text first.",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path.name} is not UTF-8 text (bad byte at position {exc.start}).",
            "Re-save it as UTF-8, e.g. `iconv -f latin1 -t utf-8 IN > OUT`.",
        ) from None
    if not any(ch.isalnum() for ch in text):
        raise InputError(f"{path.name} has no readable text.", "Check it is the right file.")
    return text


def guide_files(paths: Iterable[Path]) -> list[Path]:
    """The guide files named by ``paths``, expanding folders to the guides inside them."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES))
        else:
            files.append(path)
    return files


def ingest_text(
    store: KnowledgeStore,
    guide_id: str,
    text: str,
    source_path: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> IngestResult:
    """Store one guide's text (skipping the work if this exact text is already active)."""

    content_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
    title = guide_title(text, guide_id)
    current = store.guide(guide_id)
    unchanged = current is not None and current.content_hash == content_hash
    if unchanged and store.has_chunks(guide_id, content_hash, current.chunks):
        # The text is the same, but a newer coach may read more of it: the terms are
        # re-read (milliseconds, no embedding) and stored if they changed.
        playbook_json = json.dumps(extract_playbook(guide_id, text, title=title).to_dict())
        if playbook_json != current.playbook_json:
            store.activate(dataclasses.replace(current, playbook_json=playbook_json))
        return IngestResult(guide_id, title, "unchanged", current.chunks)
    chunks = chunk_guide(text, title)
    if not chunks:
        raise InputError(f"{guide_id} has no text to store.", "Check it is the right file.")
    ids = [f"{guide_id}:{content_hash[:16]}:{i}" for i in range(len(chunks))]
    metadatas = [
        {
            "guide_id": guide_id,
            "guide_title": title,
            "guide_hash": content_hash,
            "section": chunk.section,
            "line_start": chunk.line_start,
            "line_end": chunk.line_end,
            "kind": chunk.kind,
            "chunk_index": index,
        }
        for index, chunk in enumerate(chunks)
    ]
    for start in range(0, len(chunks), EMBED_BATCH):
        end = start + EMBED_BATCH
        store.add_chunks([c.text for c in chunks[start:end]], metadatas[start:end], ids[start:end])
        if progress:
            progress(min(end, len(chunks)), len(chunks))
    playbook = extract_playbook(guide_id, text, title=title)
    store.activate(
        GuideRecord(
            guide_id=guide_id,
            title=title,
            content_hash=content_hash,
            path=source_path,
            chunks=len(chunks),
            ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
            playbook_json=json.dumps(playbook.to_dict()),
        )
    )
    store.drop_stale_chunks(guide_id, content_hash)
    return IngestResult(guide_id, title, "updated" if current else "added", len(chunks))


def ingest_file(
    store: KnowledgeStore, path: Path, progress: Callable[[int, int], None] | None = None
) -> IngestResult:
    """Validate and store one guide file."""
    text = read_guide(path)
    return ingest_text(store, guide_id_for(path), text, str(path.resolve()), progress)
