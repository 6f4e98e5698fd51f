"""The knowledge and advice commands of ``coach``: each turns arguments into a library call.

Imported only after argument parsing, so ``coach --help`` never pays for these imports.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from coach.cli import emit_json, settings_from
from coach.errors import InputError


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False)


def ensure_knowledge(settings: Any) -> None:
    """On first use, store the bundled guides so a new user can ask straight away."""
    from coach.knowledge.library import default_knowledge_dir, ingest_paths, open_store

    if open_store(settings).guides():
        return
    folder = default_knowledge_dir()
    if folder.is_dir():
        print(f"First run: storing the guides in {folder} ...", file=sys.stderr)
        ingest_paths(settings, [folder])


def cmd_setup(args: argparse.Namespace) -> int:
    """Assemble and verify the embedded model, then store the bundled guides."""
    from rich.progress import DownloadColumn

    from coach.models.model_files import assemble_model

    settings = settings_from(args)
    with _progress(args, DownloadColumn()) as progress:
        task = progress.add_task("assembling the embedded model", total=None)
        path = assemble_model(
            settings.models_dir,
            lambda done, total: progress.update(task, completed=done, total=total),
        )
    ensure_knowledge(settings)
    if args.json:
        emit_json({"model": str(path), "home": str(settings.home)})
    else:
        print(f"model ready: {path}")
        print(f"data folder: {settings.home}")
    return 0


def _progress(args: argparse.Namespace, counter: Any) -> Any:
    """A progress bar on stderr, shown only to a person at a terminal (never with --json)."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        counter,
        transient=True,
        disable=args.json or not sys.stderr.isatty(),
        console=Console(stderr=True),
    )


def cmd_ingest(args: argparse.Namespace) -> int:
    from rich.progress import MofNCompleteColumn

    from coach.knowledge.library import default_knowledge_dir, ingest_paths

    settings = settings_from(args)
    paths = args.paths or [default_knowledge_dir()]
    with _progress(args, MofNCompleteColumn()) as progress:

        def on_file(path: Path) -> Any:
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


def _print_guard(stream: Any, verbose: bool) -> None:
    if verbose and stream.answer:
        for event in stream.answer.guard_events or ["guard: every figure grounded"]:
            print(f"[guard] {event}", file=sys.stderr)


def cmd_ask(args: argparse.Namespace) -> int:
    from coach.advice.advisor import Advisor

    settings = settings_from(args)
    ensure_knowledge(settings)
    advisor = Advisor(settings)
    stream = advisor.stream(args.question, args.guide)
    if args.json:
        for _ in stream:
            pass
        emit_json(stream.answer.to_json())
        _print_guard(stream, args.verbose)
        return 0
    for piece in stream:
        sys.stdout.write(piece)
        sys.stdout.flush()
    print()
    _print_citations(stream.answer.citations)
    _print_guard(stream, args.verbose)
    return 0


def _print_citations(citations: list[Any]) -> None:
    for number, citation in enumerate(citations, start=1):
        snippet = " ".join(citation.text.split())[:110]
        print(f"  [{number}] {citation.guide} › {citation.section.split(' › ')[-1]}: {snippet}")


def cmd_chat(args: argparse.Namespace) -> int:
    from coach.cli.chat import run_chat

    settings = settings_from(args)
    ensure_knowledge(settings)
    return run_chat(settings, args.guide)


def cmd_playbook(args: argparse.Namespace) -> int:
    from coach.knowledge.extraction import render_playbook_rows
    from coach.knowledge.library import load_playbook, open_store

    settings = settings_from(args)
    ensure_knowledge(settings)
    playbook = load_playbook(open_store(settings), args.guide)
    if args.json:
        emit_json(playbook.to_dict())
        return 0
    from rich.table import Table

    table = Table(title=f"{playbook.title} ({playbook.guide})")
    for column in ("field", "value", "source"):
        table.add_column(column)
    for row in render_playbook_rows(playbook):
        table.add_row(*row)
    _console().print(table)
    if playbook.missing:
        print(f"missing from this guide: {', '.join(playbook.missing)}")
    return 0


def _amounts(args: argparse.Namespace) -> dict[str, float]:
    from coach.negotiation.money import parse_amount, parse_percent

    offer: dict[str, float] = {}
    if args.base:
        offer["base"] = parse_amount(args.base)
    if args.equity:
        offer["equity"] = parse_amount(args.equity)
    if args.bonus:
        offer["bonus_pct"] = parse_percent(args.bonus)
    if args.sign_on:
        offer["sign_on"] = parse_amount(args.sign_on)
    return offer


def cmd_counter(args: argparse.Namespace) -> int:
    from coach.advice.counsel import counsel_offer
    from coach.negotiation.profile import load_profile

    settings = settings_from(args)
    ensure_knowledge(settings)
    profile = load_profile(settings.home)
    offer = _amounts(args) or dict(profile.offer)
    if not offer:
        raise InputError("No offer to judge.", "Pass --base AMOUNT (e.g. --base 240k).")
    region = args.region or profile.region
    if not region:
        raise InputError("No region given.", "Pass --region REGION (see `coach playbook`).")
    result = counsel_offer(settings, region, offer, args.guide or profile.guide or None)
    if args.json:
        emit_json(result.to_json())
        return 0
    for piece in result.stream:
        sys.stdout.write(piece)
        sys.stdout.flush()
    print()
    _print_citations(result.advice.citations)
    _print_guard(result.stream, args.verbose)
    return 0


def cmd_profile(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from coach.negotiation.money import parse_amount
    from coach.negotiation.profile import Profile, load_profile, save_profile

    settings = settings_from(args)
    profile = load_profile(settings.home)
    if args.action == "clear":
        profile = Profile()
        save_profile(settings.home, profile)
    elif args.action == "set":
        profile.region = args.region or profile.region
        profile.guide = args.guide or profile.guide
        if args.offer_base:
            profile.offer["base"] = parse_amount(args.offer_base)
        if args.walk_away_base:
            profile.walk_away["base"] = parse_amount(args.walk_away_base)
        if args.target_base:
            profile.target["base"] = parse_amount(args.target_base)
        save_profile(settings.home, profile)
    if args.json:
        emit_json(asdict(profile))
    else:
        for key, value in asdict(profile).items():
            print(f"{key:10} {value or '(from the guide)'}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from coach.evaluation.runner import format_report, run_evals

    settings = settings_from(args)
    report = run_evals(settings, suites=args.suite)
    if args.json:
        emit_json(report)
    else:
        print(format_report(report))
    return 0 if report.get("passed", False) else 1


def cmd_bench(args: argparse.Namespace) -> int:
    from coach.evaluation.bench import format_bench, run_bench

    settings = settings_from(args)
    figures = run_bench(settings, quick=args.quick)
    emit_json(figures) if args.json else print(format_bench(figures))
    return 0
