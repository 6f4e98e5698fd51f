"""``coach setup``, ``coach ingest`` and ``coach guides``: the model file and the stored guides."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from coach.cli.common import AddCommand, emit_json, ensure_knowledge, progress_bar, settings_from


def register(add: AddCommand) -> None:
    p = add("setup", "prepare the embedded model and store the bundled guides (run once)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_setup)

    p = add("ingest", "store guide files (Markdown or text) in the knowledge base")
    p.add_argument("paths", nargs="*", type=Path, help="files or folders (default: knowledge/)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.set_defaults(handler=cmd_ingest)

    p = add("guides", "list the stored guides")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_guides)


def cmd_setup(args: argparse.Namespace) -> int:
    """Assemble and verify the embedded model, then store the bundled guides."""
    from rich.progress import DownloadColumn

    from coach.models.model_files import assemble_model
    from coach.models.selftest import check_runtime

    settings = settings_from(args)
    with progress_bar(args, DownloadColumn()) as progress:
        task = progress.add_task("assembling the embedded model", total=None)
        path = assemble_model(
            settings.models_dir,
            lambda done, total: progress.update(task, completed=done, total=total),
        )
    if not args.json:
        print("checking that llama.cpp runs on this CPU (one token, in a child process)",
              file=sys.stderr)
    check_runtime(settings.models_dir, path, settings.threads, force=True)
    ensure_knowledge(settings)
    if args.json:
        emit_json({"model": str(path), "home": str(settings.home), "selftest": "ok"})
    else:
        print(f"model ready: {path} (self-test passed)")
        print(f"data folder: {settings.home}")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from rich.progress import MofNCompleteColumn

    from coach.knowledge.library import default_knowledge_dir, ingest_paths

    settings = settings_from(args)
    paths = args.paths or [default_knowledge_dir()]
    with progress_bar(args, MofNCompleteColumn()) as progress:

        def on_file(path: Path) -> Callable[[int, int], None]:
            task = progress.add_task(f"embedding {path.name}", total=None)
            return lambda done, total: progress.update(task, completed=done, total=total)

        report = ingest_paths(settings, paths, on_file)
    if args.json:
        emit_json(
            {
                "ingested": [r.__dict__ for r in report.results],
                "failed": [{"path": str(p), "error": e} for p, e in report.failures],
            }
        )
    else:
        for result in report.results:
            print(f"{result.status:9} {result.guide_id}  ({result.chunks} chunks)  {result.title}")
        for _path, error in report.failures:
            print(f"error: {error}", file=sys.stderr)
    return 2 if report.failures else 0


def cmd_guides(args: argparse.Namespace) -> int:
    from coach.knowledge.library import open_store

    records = open_store(settings_from(args)).guides()
    if args.json:
        emit_json(
            [
                {
                    "id": r.guide_id,
                    "title": r.title,
                    "chunks": r.chunks,
                    "ingested_at": r.ingested_at,
                }
                for r in records
            ]
        )
        return 0
    if not records:
        print("No guides stored yet. Run `coach ingest` to store the bundled ones.")
    for r in records:
        print(f"{r.guide_id}  ({r.chunks} chunks, {r.ingested_at})  {r.title}")
    return 0
