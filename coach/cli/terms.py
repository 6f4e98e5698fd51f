"""``coach playbook``, ``coach counter`` and ``coach profile``: the guide's terms, an offer's
verdict and counter, and the person's own figures."""

from __future__ import annotations

import argparse
import sys

from coach.cli.common import (
    AddCommand,
    console,
    emit_json,
    ensure_knowledge,
    print_citations,
    print_guard,
    settings_from,
)
from coach.errors import InputError


def register(add: AddCommand) -> None:
    p = add("playbook", "show a guide's structured terms: bands, target, walk-away, scripts")
    p.add_argument("--guide", help="guide id (default: the guide with a pay table)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_playbook)

    p = add("counter", "judge an offer against the band, target and walk-away; get a counter")
    p.add_argument("--region", help="region from the guide's table (default: your profile's)")
    p.add_argument("--base", help="offered base, e.g. 240k, $240,000")
    p.add_argument("--equity", help="offered equity value, e.g. 300k")
    p.add_argument("--bonus", help="offered bonus percent, e.g. 15%%")
    p.add_argument("--sign-on", help="offered sign-on bonus, e.g. 25k")
    p.add_argument("--guide", help="guide id (default: the guide with a pay table)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_counter)

    p = add("profile", "show or set your own region, offer, walk-away and target")
    p.add_argument("action", nargs="?", choices=["show", "set", "clear"], default="show")
    p.add_argument("--region")
    p.add_argument("--guide")
    p.add_argument("--offer-base")
    p.add_argument("--walk-away-base")
    p.add_argument("--target-base")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_profile)


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
    console().print(table)
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
    print_citations(result.advice.citations)
    print_guard(result.stream, args.verbose)
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
