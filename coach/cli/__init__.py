"""The ``coach`` command: parse arguments, call the library, print, map errors to one line.

Nothing here decides anything; every command is a few lines over a library function, so
tests and evals exercise the same code. Each module in ``COMMAND_GROUPS`` registers its
sub-commands and their handlers (``register(add)``); adding a command is one small module
plus one line here. The library is imported inside the handlers, which keeps ``coach --help``
fast.
"""

from __future__ import annotations

import argparse
import faulthandler
import os
import sys
from collections.abc import Sequence

from coach import __version__
from coach.cli import ask, chat, evaluation, guides, prep, roleplay, serve, terms
from coach.cli.common import Handler, add_model_flags, failure_settings
from coach.errors import CoachError

# The order here is the order of `coach --help`.
COMMAND_GROUPS = (guides, ask, chat, terms, prep, evaluation, roleplay, serve)

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


def build_parser() -> argparse.ArgumentParser:
    top_level = argparse.ArgumentParser(add_help=False)
    add_model_flags(top_level, on_subcommand=False)
    common = argparse.ArgumentParser(add_help=False)
    add_model_flags(common, on_subcommand=True)
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

    for group in COMMAND_GROUPS:
        group.register(add)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 0
    debug = args.debug or bool(os.environ.get("COACH_DEBUG"))
    # llama.cpp runs native code: if it dies by a signal, say where instead of nothing.
    faulthandler.enable(all_threads=debug)
    handler: Handler = args.handler
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
        from coach.models.providers import provider_failure

        failure = provider_failure(exc, failure_settings(args))
        if failure is not None:
            print(f"error: {failure.one_line()}", file=sys.stderr)
            return 2
        print(
            f"error: unexpected {exc.__class__.__name__}: {exc} (run with --debug for details)",
            file=sys.stderr,
        )
        return 1
