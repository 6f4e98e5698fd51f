"""Services over the knowledge base that the CLI, tests and evals share.

The CLI only parses arguments and prints; opening the store, ingesting many files while
reporting per-file problems, and resolving a guide id live here so that every caller gets
the same behaviour and the same error messages.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coach._data import bundled
from coach.config import Settings
from coach.errors import CoachError, InputError
from coach.knowledge.ingest import guide_files, ingest_file
from coach.knowledge.store import GuideRecord, KnowledgeStore
from coach.models import providers
from coach.negotiation.playbook import Playbook


def default_knowledge_dir() -> Path:
    """The project's bundled ``knowledge/`` folder (guides shipped with the coach)."""
    return bundled("knowledge")


def open_store(settings: Settings) -> KnowledgeStore:
    """The knowledge store for ``settings`` with its matching embedding function."""

    return KnowledgeStore(settings, providers.embeddings(settings))


def require_guide(store: KnowledgeStore, guide_id: str) -> GuideRecord:
    """The manifest record for ``guide_id``, or an error listing the stored guides."""
    record = store.guide(guide_id)
    if record is None:
        known = ", ".join(g.guide_id for g in store.guides()) or "none yet"
        raise InputError(
            f"No guide with id {guide_id!r} is stored (stored: {known}).",
            "Run `coach guides` to list ids, or `coach ingest FILE` to add one.",
        )
    return record


def load_playbook(store: KnowledgeStore, guide_id: str | None = None) -> Playbook:
    """The playbook of ``guide_id``, or of the only guide with a pay table when none is given."""
    if guide_id:
        return Playbook.from_dict(json.loads(require_guide(store, guide_id).playbook_json))
    books = [Playbook.from_dict(json.loads(r.playbook_json)) for r in store.guides()]
    with_bands = [b for b in books if b.bands]
    if len(with_bands) == 1:
        return with_bands[0]
    if not with_bands:
        raise InputError(
            "No stored guide has a pay table to work from.",
            "Ingest a role guide with a table of regions (`coach ingest FILE`).",
        )
    ids = ", ".join(b.guide for b in with_bands)
    raise InputError(f"Several guides have pay tables ({ids}).", "Pick one with --guide ID.")


@dataclass
class IngestReport:
    """Per-file outcomes of one ``coach ingest`` run."""

    results: list[Any] = field(default_factory=list)
    failures: list[tuple[Path, str]] = field(default_factory=list)


def ingest_paths(
    settings: Settings,
    paths: list[Path],
    on_file: Callable[[Path], Callable[[int, int], None] | None] | None = None,
) -> IngestReport:
    """Ingest every guide file under ``paths``; bad files are reported, good ones stored."""

    files = guide_files(paths)
    if not files:
        raise InputError(
            f"No guide files (.md, .txt) found in {', '.join(str(p) for p in paths)}.",
            "Pass a Markdown or text file, or a folder that holds some.",
        )
    store = open_store(settings)
    report = IngestReport()
    for path in files:
        try:
            progress = on_file(path) if on_file else None
            report.results.append(ingest_file(store, path, progress))
        except CoachError as exc:
            report.failures.append((path, exc.one_line()))
    return report
