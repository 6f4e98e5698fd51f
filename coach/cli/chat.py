"""``coach chat``: the interactive loop of questions, slash commands and streamed answers."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from coach.cli.common import AddCommand, ensure_knowledge, settings_from
from coach.cli.roleplay import chat_command
from coach.errors import CoachError

if TYPE_CHECKING:
    from coach.config import Settings

HELP = """commands:
  /help       this list
  /roleplay   rehearse the negotiation with a recruiter (/hint inside it for a tip)
  /rehearse   practise a script, e.g. /rehearse share-premium
  /state      what I have understood (guide, region, offer, your numbers);
              correct it with /state region San Diego, /state offer 250k,
              /state guide GUIDE-ID, or /state clear
  /reset      forget this conversation's history
  /quit       leave (Ctrl-D works too)
anything else is a question about your guides."""


def register(add: AddCommand) -> None:
    p = add("chat", "an interactive session: questions, /roleplay, /hint, /quit")
    p.add_argument("--guide", help="only use this guide id")
    p.set_defaults(handler=cmd_chat)


def cmd_chat(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    ensure_knowledge(settings)
    return run_chat(settings, args.guide)


def _read(prompt: str) -> str | None:
    try:
        return input(prompt)
    except EOFError:
        return None


def run_chat(settings: Settings, guide: str | None) -> int:
    from coach.advice.advisor import Advisor
    from coach.advice.conversation import Conversation

    conversation = Conversation(Advisor(settings), guide)
    print(f"coach chat on {settings.provider} ({settings.model_label}). /help for commands.")
    while True:
        line = _read("you> ")
        if line is None or line.strip() in ("/quit", "/exit", "/q"):
            print()
            return 0
        text = line.strip()
        if not text:
            continue
        if text == "/help":
            print(HELP)
            continue
        if text == "/reset":
            conversation.reset()
            print("history cleared")
            continue
        if text.split()[0] == "/state":
            print(conversation.state.update(text.removeprefix("/state").strip()))
            continue
        if text.startswith("/roleplay") or text.startswith("/rehearse"):
            chat_command(settings, text, guide, conversation.state)
            continue
        if text.startswith("/"):
            print(f"unknown command {text.split()[0]}; /help lists them")
            continue
        try:
            stream = conversation.ask(text)
            sys.stdout.write("coach> ")
            for piece in stream:
                sys.stdout.write(piece)
                sys.stdout.flush()
            print()
            conversation.remember(stream)
            if settings.verbose and stream.answer:
                for event in stream.answer.guard_events:
                    print(f"[guard] {event}", file=sys.stderr)
        except CoachError as exc:
            print(f"error: {exc.one_line()}")
