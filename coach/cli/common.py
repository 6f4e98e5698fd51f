"""What every ``coach`` command shares: the model flags, settings, JSON output, first-run setup.

Command modules import this, never ``coach.cli`` itself, so the package has no cycle. The
library is imported inside the functions, once a command has been chosen, which keeps
``coach --help`` instant.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, ProgressColumn

    from coach.advice.advisor import AnswerStream
    from coach.config import Settings
    from coach.negotiation.citations import Citation


class AddCommand(Protocol):
    """Adds one sub-command to ``coach`` and returns its parser (see ``coach.cli.build_parser``)."""

    def __call__(self, name: str, help_text: str) -> argparse.ArgumentParser: ...


Handler = Callable[[argparse.Namespace], int]


def add_model_flags(parser: argparse.ArgumentParser, on_subcommand: bool) -> None:
    """Flags accepted both before and after the command name.

    On sub-commands the defaults are suppressed, so `coach --provider fake ask ...` is not
    overwritten by the sub-command's unset `--provider`.
    """
    extra = {"default": argparse.SUPPRESS} if on_subcommand else {}
    group = parser.add_argument_group("model and output")
    group.add_argument("--provider", help="local | openai | openai-compatible | fake", **extra)
    group.add_argument("--model", help="model name for openai / openai-compatible", **extra)
    group.add_argument("--base-url", help="base URL of an OpenAI-compatible server", **extra)
    group.add_argument("--verbose", action="store_true", help="show the guard's decisions", **extra)
    group.add_argument("--debug", action="store_true", help="show tracebacks on errors", **extra)


def settings_from(args: argparse.Namespace) -> Settings:
    from coach.config import load_settings

    return load_settings(
        provider=args.provider,
        model=args.model,
        base_url=args.base_url,
        verbose=bool(getattr(args, "verbose", False)),
        debug=bool(getattr(args, "debug", False)),
    )


def failure_settings(args: argparse.Namespace) -> Settings:
    """The run's settings for an error message, even if the flags themselves were bad."""
    from coach.config import load_settings
    from coach.errors import CoachError

    try:
        return settings_from(args)
    except CoachError:
        return load_settings()


def emit_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def ensure_knowledge(settings: Settings) -> None:
    """On first use, store the bundled guides so a new user can ask straight away."""
    from coach.knowledge.library import default_knowledge_dir, ingest_paths, open_store

    if open_store(settings).guides():
        return
    folder = default_knowledge_dir()
    if folder.is_dir():
        print(f"First run: storing the guides in {folder} ...", file=sys.stderr)
        ingest_paths(settings, [folder])


def console() -> Console:
    from rich.console import Console

    return Console(highlight=False)


def progress_bar(args: argparse.Namespace, counter: ProgressColumn) -> Progress:
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


def print_guard(stream: AnswerStream, verbose: bool) -> None:
    if verbose and stream.answer:
        for event in stream.answer.guard_events or ["guard: every figure grounded"]:
            print(f"[guard] {event}", file=sys.stderr)


def print_citations(citations: list[Citation]) -> None:
    for number, citation in enumerate(citations, start=1):
        snippet = " ".join(citation.text.split())[:110]
        print(f"  [{number}] {citation.guide} › {citation.section.split(' › ')[-1]}: {snippet}")
