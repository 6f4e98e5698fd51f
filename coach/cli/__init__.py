"""The ``coach`` command: parse arguments, call the library, print, map errors to one line.

Nothing here decides anything; every command is a few lines over a library function, so
tests and evals exercise the same code. Heavy libraries are imported inside the command
functions, which keeps ``coach --help`` fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from coach import __version__
from coach.errors import CoachError

EPILOG = """\
first steps:
  coach ingest                      store the guides in knowledge/ (done for you on first use)
  coach ask "What is the base salary range for Remote US?"
  coach counter --region Sunnyvale --base 240k
  coach chat                        talk it through; /roleplay to rehearse with a recruiter

models (--provider or COACH_PROVIDER):
  local              embedded Qwen2.5-Coder-1.5B on llama.cpp, offline (default)
  openai             the OpenAI API (needs OPENAI_API_KEY; --model to choose)
  openai-compatible  any OpenAI-style server: --base-url http://127.0.0.1:11434/v1
  fake               a deterministic stand-in for demos and tests

environment: COACH_HOME (data folder), COACH_MODEL_PATH (your own GGUF),
CHROMA_HOST/CHROMA_PORT (a `chroma run` server instead of the embedded store).
"""


def _common(parser: argparse.ArgumentParser, on_subcommand: bool) -> None:
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


def build_parser() -> argparse.ArgumentParser:
    top_level = argparse.ArgumentParser(add_help=False)
    _common(top_level, on_subcommand=False)
    common = argparse.ArgumentParser(add_help=False)
    _common(common, on_subcommand=True)
    parser = argparse.ArgumentParser(
        prog="coach",
        description="An offline negotiation coach grounded in your own negotiation guides.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[top_level],
    )
    parser.add_argument("--version", action="version", version=f"coach {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text, parents=[common])

    p = add("setup", "prepare the embedded model and store the bundled guides (run once)")
    p.add_argument("--json", action="store_true")

    p = add("ingest", "store guide files (Markdown or text) in the knowledge base")
    p.add_argument("paths", nargs="*", type=Path, help="files or folders (default: knowledge/)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")

    p = add("guides", "list the stored guides")
    p.add_argument("--json", action="store_true")

    p = add("ask", "answer one question from your guides, with citations")
    p.add_argument("question", help='e.g. "What should I counter with?"')
    p.add_argument("--guide", help="only use this guide id (see `coach guides`)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of streaming")

    p = add("chat", "an interactive session: questions, /roleplay, /hint, /quit")
    p.add_argument("--guide", help="only use this guide id")

    p = add("playbook", "show a guide's structured terms: bands, target, walk-away, scripts")
    p.add_argument("--guide", help="guide id (default: the guide with a pay table)")
    p.add_argument("--json", action="store_true")

    p = add("counter", "judge an offer against the band, target and walk-away; get a counter")
    p.add_argument("--region", help="region from the guide's table (default: your profile's)")
    p.add_argument("--base", help="offered base, e.g. 240k, $240,000")
    p.add_argument("--equity", help="offered equity value, e.g. 300k")
    p.add_argument("--bonus", help="offered bonus percent, e.g. 15%%")
    p.add_argument("--sign-on", help="offered sign-on bonus, e.g. 25k")
    p.add_argument("--guide", help="guide id (default: the guide with a pay table)")
    p.add_argument("--json", action="store_true")

    p = add("profile", "show or set your own region, offer, walk-away and target")
    p.add_argument("action", nargs="?", choices=["show", "set", "clear"], default="show")
    p.add_argument("--region")
    p.add_argument("--guide")
    p.add_argument("--offer-base")
    p.add_argument("--walk-away-base")
    p.add_argument("--target-base")
    p.add_argument("--json", action="store_true")

    p = add("eval", "run the eval suites and print recall, grounding and safety rates")
    p.add_argument("--suite", action="append", help="qa, counter, guard, fairness, roleplay")
    p.add_argument("--json", action="store_true")

    p = add("bench", "measure speed and memory (figures for the README)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--quick", action="store_true", help="skip the raw llama.cpp comparison")

    from coach.cli.roleplay import add_roleplay_commands

    add_roleplay_commands(add)
    return parser


def settings_from(args: argparse.Namespace) -> Any:
    from coach.config import load_settings

    return load_settings(
        provider=args.provider,
        model=args.model,
        base_url=args.base_url,
        verbose=bool(getattr(args, "verbose", False)),
        debug=bool(getattr(args, "debug", False)),
    )


def emit_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 0
    debug = args.debug or bool(os.environ.get("COACH_DEBUG"))
    from coach.cli import commands as cli_commands
    from coach.cli import roleplay as cli_roleplay

    name = f"cmd_{args.command}"
    handler: Callable[[argparse.Namespace], int] = getattr(cli_commands, name, None) or getattr(
        cli_roleplay, name
    )
    try:
        return handler(args)
    except CoachError as exc:
        if debug:
            raise
        print(f"error: {exc.one_line()}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`coach ... | head`): stop quietly, as other tools do.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silences the flush at exit
        return 0
    except Exception as exc:
        if debug:
            raise
        from coach.models.providers import connection_error_types

        if isinstance(exc, connection_error_types()):
            print(
                f"error: the model server did not answer ({exc.__class__.__name__}: {exc}). "
                "Check --base-url / OPENAI_API_KEY, or use --provider local.",
                file=sys.stderr,
            )
            return 2
        print(
            f"error: unexpected {exc.__class__.__name__}: {exc} (run with --debug for details)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
