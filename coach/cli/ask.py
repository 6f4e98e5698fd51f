"""``coach ask``: one question answered from the guides, streamed, with its citations."""

from __future__ import annotations

import argparse
import sys

from coach.cli.common import (
    AddCommand,
    emit_json,
    ensure_knowledge,
    print_citations,
    print_guard,
    settings_from,
)


def register(add: AddCommand) -> None:
    p = add("ask", "answer one question from your guides, with citations")
    p.add_argument("question", help='e.g. "What should I counter with?"')
    p.add_argument("--guide", help="only use this guide id (see `coach guides`)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of streaming")
    p.set_defaults(handler=cmd_ask)


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
        print_guard(stream, args.verbose)
        return 0
    for piece in stream:
        sys.stdout.write(piece)
        sys.stdout.flush()
    print()
    print_citations(stream.answer.citations)
    print_guard(stream, args.verbose)
    return 0
