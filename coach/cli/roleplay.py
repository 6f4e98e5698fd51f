"""Role-play, rehearsal and history commands: argument wiring and terminal output only.

The negotiation itself lives in ``coach.roleplay.session`` (engine in ``coach.roleplay.recruiter``, debrief in
``coach.roleplay.scoring``); these functions read lines, print turns and the scorecard, and save.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coach.cli.common import AddCommand, emit_json, ensure_knowledge, settings_from
from coach.errors import InputError
from coach.roleplay.plan import PERSONAS

if TYPE_CHECKING:
    from coach.advice.state import DialogueState
    from coach.config import Settings
    from coach.negotiation.playbook import Playbook
BAR_WIDTH = 40
ROLEPLAY_HELP = (
    "during the role-play: /hint for a suggestion, /feedback on|off for a note on each "
    "mistake, /quit to stop and get the debrief"
)


def register(add: AddCommand) -> None:
    """The roleplay / rehearse / history / progress sub-commands."""
    p = add("roleplay", "rehearse the negotiation against a recruiter, then get a debrief")
    p.add_argument("--guide", help="guide id (default: the guide with a pay table)")
    p.add_argument("--region", help="region from the guide's table (default: your profile's)")
    p.add_argument("--persona", choices=PERSONAS, default="firm", help="the recruiter's manner")
    p.add_argument("--seed", type=int, help="replay a session exactly (shown at the start)")
    p.add_argument(
        "--retry",
        nargs="?",
        const=0,
        type=int,
        metavar="SESSION",
        help="play a past session's scenario again (same guide, region, recruiter and seed; "
        "default: the last one), then compare with `coach history compare A B`",
    )
    p.add_argument("--script", type=Path, help="read the candidate's lines from a file")
    p.add_argument("--json", action="store_true", help="print the session as one JSON object")
    p.add_argument(
        "--feedback",
        action="store_true",
        help="after a line with a mistake (a low anchor, a big concession, an early yes...), "
        "say what went wrong, why it matters and a better line; /feedback on|off switches it",
    )
    p.set_defaults(handler=cmd_roleplay)

    p = add("rehearse", "say a script in your own words and see which key points you covered")
    p.add_argument("script", nargs="?", help="script name, e.g. share-premium (default)")
    p.add_argument("--guide", help="guide id")
    p.add_argument("--attempt", help="score this text instead of asking interactively")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_rehearse)

    p = add(
        "history",
        "list past role-play sessions, show one (`history show ID`) or compare two attempts "
        "(`history compare A B`)",
    )
    p.add_argument("action", nargs="?", choices=["list", "show", "compare"], default="list")
    p.add_argument("session", nargs="*", type=int, help="session id(s) for `show` / `compare`")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_history)

    p = add("progress", "your role-play scores over time, as a terminal chart (--png for a plot)")
    p.add_argument("--png", type=Path, help="also write the chart to this PNG file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_progress)


def _playbook(settings: Settings, guide: str | None) -> Playbook:
    from coach.knowledge.library import load_playbook, open_store
    from coach.negotiation.profile import load_profile, with_profile

    ensure_knowledge(settings)
    profile = load_profile(settings.home)
    playbook = load_playbook(open_store(settings), guide or profile.guide or None)
    return with_profile(playbook, profile)


def _money(values: dict[str, Any] | None, currency: str) -> str:
    from coach.negotiation.components import terms_text

    return terms_text({k: float(v) for k, v in (values or {}).items() if v}, currency)


def _print_debrief(debrief: dict[str, Any], currency: str = "USD") -> None:
    card = debrief["scorecard"]
    print(f"\n== debrief: {debrief['outcome'].replace('_', ' ')}, score {card['score']}/100 ==")
    if debrief.get("final_offer"):
        print(f"the deal: {_money(debrief['final_offer'], currency)}")
    hidden = debrief["hidden"]
    print(f"the recruiter opened at {_money(hidden.get('opening'), currency)} and could have "
          f"gone to {_money(hidden.get('maximum'), currency)}")
    if card.get("zone_captured") is not None:
        share = card["zone_captured"]
        filled = round(share * BAR_WIDTH / 2)
        bar = "█" * filled + "·" * (BAR_WIDTH // 2 - filled)
        print(f"room captured: {bar} {share:.0%} of what was open between your walk-away and "
              "their maximum")
    for criterion in card["criteria"]:
        mark = "✓" if criterion["passed"] else "✗"
        evidence = f"  {criterion['evidence']}" if criterion["evidence"] else ""
        print(f" {mark} {criterion['name']}{evidence}")
    if debrief.get("mistakes"):
        print("mistakes:")
        for note in debrief["mistakes"]:
            print(f"  turn {note['turn']}: \"{note['line']}\" - {note['what']}")
    if debrief.get("fixes"):
        print("the fixes that matter most:")
        for note in debrief["fixes"]:
            print(f"  - {note['why']} Try: \"{note['better']}\"")
    if card.get("tips"):
        print("next time:")
        for tip in card["tips"]:
            print(f"  - {tip}")


def run_roleplay(
    settings: Settings,
    guide: str | None,
    region: str | None,
    persona: str,
    seed: int | None,
    offer: dict[str, float] | None = None,
    feedback: bool = False,
) -> int:
    """The interactive session: recruiter turns, candidate input, /hint, then the debrief."""
    from coach.negotiation.profile import load_profile
    from coach.roleplay.session import RoleplaySession

    playbook = _playbook(settings, guide)
    region = region or load_profile(settings.home).region or None
    session = RoleplaySession(
        settings, playbook, region=region, persona=persona, seed=seed, offer=offer,
        feedback=feedback,
    )
    print(
        f"role-play: {persona} recruiter, {session.plan.region}, seed {session.seed}. {ROLEPLAY_HELP}"
    )
    print(f"recruiter> {session.start().text}")
    while not session.done:
        try:
            line = input("you> ")
        except EOFError:
            break
        text = line.strip()
        if text in ("/quit", "/exit", "/q"):
            break
        if text == "/hint":
            print(f"coach> {session.hint()}")
            continue
        if text.startswith("/feedback"):
            feedback = session.feedback = text.split()[-1] != "off"
            print(f"coach> feedback {'on' if feedback else 'off'}")
            continue
        turn = session.respond(line)
        if feedback:
            for note in turn.notes:
                print(f"coach> {note.text()}")
        print(f"recruiter> {turn.text}")
        if settings.verbose:
            for event in turn.events:
                print(f"[guard] {event}", file=sys.stderr)
    _print_debrief(session.finish().to_json(), playbook.currency)
    if not feedback and session.notes:
        print("(run with --feedback, or type /feedback on, for a note after each mistake)")
    return 0


def cmd_roleplay(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if args.retry is not None:
        from coach.roleplay import compare, history

        db = settings.history_db
        past = compare.last_session(db) if args.retry == 0 else history.get_session(db, args.retry)
        args.guide, args.region = past.guide, past.region
        args.persona, args.seed = past.persona, past.seed
        print(f"retrying session {past.id} (score {past.score if past.score is not None else '-'})")
    if not args.script:
        return run_roleplay(
            settings, args.guide, args.region, args.persona, args.seed, feedback=args.feedback
        )
    from coach.roleplay.session import RoleplaySession

    try:
        lines = args.script.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"Cannot read the script {args.script} ({exc.__class__.__name__}).",
            "Pass a UTF-8 text file with one candidate line per line.",
        ) from None
    playbook = _playbook(settings, args.guide)
    session = RoleplaySession(
        settings, playbook, region=args.region, persona=args.persona, seed=args.seed
    )
    result = session.run_script(lines)
    if args.json:
        emit_json(result)
    else:
        said = 0
        for entry in result["transcript"]:
            print(f"{entry['role']}> {entry['text']}")
            if entry["role"] == "candidate":
                said += 1
                for note in result["mistakes"] if args.feedback else []:
                    if note["turn"] == said:
                        print(f"coach> {note['what']} {note['why']} Try: \"{note['better']}\"")
        _print_debrief(result, playbook.currency)
    return 0


def cmd_rehearse(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    return rehearse(settings, args.script, args.guide, args.attempt, args.json, emit_json)


def rehearse(
    settings: Settings,
    name: str | None,
    guide: str | None,
    attempt: str | None = None,
    as_json: bool = False,
    emit: Callable[[Any], None] = print,
) -> int:
    """Score one attempt (given, or typed in a loop until the person stops)."""
    from coach.models.embeddings import MiniLMEmbeddings
    from coach.roleplay.rehearsal import find_script, save_rehearsal, score_rehearsal

    embedder = MiniLMEmbeddings()  # key points are matched by meaning, not just shared words
    playbook = _playbook(settings, guide)
    script = find_script(playbook, name)
    if script is None:
        names = ", ".join(s.name for s in playbook.scripts) or "none"
        raise InputError(f"No script named {name!r} in {playbook.guide}.", f"Scripts: {names}.")
    if attempt is not None:
        result = score_rehearsal(script, attempt, embedder)
        save_rehearsal(settings.history_db, playbook.guide, attempt, result)
        emit(result.to_json()) if as_json else print(result.feedback)
        return 0
    print(f"rehearse the {script.name} script. Key points to cover:")
    for point in script.key_points:
        print(f"  - {point}")
    print("Say it in your own words (one line; empty line to stop).")
    while True:
        try:
            said = input("you> ").strip()
        except EOFError:
            return 0
        if not said or said in ("/quit", "/q"):
            return 0
        result = score_rehearsal(script, said, embedder)
        save_rehearsal(settings.history_db, playbook.guide, said, result)
        print(result.feedback)


def cmd_history(args: argparse.Namespace) -> int:
    from coach.roleplay import history

    db = settings_from(args).history_db
    if args.action == "compare":
        return _compare(db, args)
    if args.action == "show":
        if len(args.session) != 1:
            raise InputError("`coach history show` needs one session id.", "See `coach history`.")
        record = history.get_session(db, args.session[0])
        if args.json:
            emit_json(record.to_json())
            return 0
        print(
            f"session {record.id}: {record.kind}, {record.guide}, {record.region}, {record.persona}"
        )
        for turn in record.turns:
            print(f"{turn.role}> {turn.text}")
        if record.scorecard:
            _print_debrief(
                {
                    "outcome": record.outcome,
                    "final_offer": None,
                    "hidden": record.hidden or {},
                    "scorecard": record.scorecard,
                }
            )
        return 0
    sessions = history.list_sessions(db)
    if args.json:
        emit_json([s.to_json() for s in sessions])
        return 0
    if not sessions:
        print("No sessions yet. Start one with `coach roleplay`.")
    for s in sessions:
        score = "-" if s.score is None else str(s.score)
        print(
            f"{s.id:4}  {s.started_at}  {s.kind:9} {s.outcome or 'unfinished':11} "
            f"score {score:>3}  {s.region} ({s.persona})"
        )
    return 0


def _compare(db: Path, args: argparse.Namespace) -> int:
    from coach.roleplay.compare import compare

    if len(args.session) != 2:
        raise InputError(
            "`coach history compare` needs two session ids.",
            "For example `coach history compare 3 5`; `coach history` lists the ids.",
        )
    result = compare(db, args.session[0], args.session[1])
    if args.json:
        emit_json(result.to_json())
        return 0
    if not result.same_scenario:
        print("(these sessions played different scenarios; use --retry to replay one)")
    for what, first, second in result.rows():
        print(f"{what:14} {first:>12} {second:>12}")
    for label, kinds in (("fixed", result.fixed), ("repeated", result.repeated),
                         ("new", result.new)):
        if kinds:
            print(f"{label}: {', '.join(k.replace('_', ' ') for k in kinds)}")
    return 0


def cmd_progress(args: argparse.Namespace) -> int:
    from coach.roleplay import history
    from coach.roleplay.compare import retry_ids

    db = settings_from(args).history_db
    scored = [s for s in reversed(history.list_sessions(db))
              if s.kind == "roleplay" and s.score is not None]
    retries = retry_ids(db)
    points = [(s.started_at, int(s.score or 0)) for s in scored]
    if args.json:
        emit_json([{"session": s.id, "at": s.started_at, "score": s.score,
                    "retry": s.id in retries} for s in scored])
        return 0
    if not points:
        print("No scored sessions yet. Play one with `coach roleplay`.")
        return 0
    print("role-play score by session (0-100; ↻ marks a retry of an earlier scenario)")
    for number, record in enumerate(scored, start=1):
        score = int(record.score or 0)
        filled = round(score / 100 * BAR_WIDTH)
        mark = " ↻" if record.id in retries else ""
        print(f"{number:4}  {record.started_at[:10]}  {'█' * filled}{'·' * (BAR_WIDTH - filled)} "
              f"{score:3}{mark}")
    if args.png:
        _write_png(points, args.png)
        print(f"wrote {args.png}")
    return 0


def _write_png(points: list[tuple[str, int]], path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise InputError(
            "Writing a PNG needs matplotlib.", "Run `pip install -e '.[plot]'`."
        ) from None
    figure, axes = plt.subplots(figsize=(7, 3.5))
    axes.plot(range(1, len(points) + 1), [score for _, score in points], marker="o")
    axes.set_ylim(0, 100)
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.set_xlabel("session")
    axes.set_ylabel("score")
    axes.set_title("Role-play score over time")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def chat_command(
    settings: Settings, text: str, guide: str | None, state: DialogueState | None = None
) -> None:
    """``/roleplay [persona] [region...]`` and ``/rehearse [script]`` inside `coach chat`.

    The chat's state fills what the command leaves out: the guide and region talked about,
    and the offer the person said they got, which the recruiter then opens with.
    """
    words = shlex.split(text)
    guide = guide or (state.guide if state else None) or None
    if words[0] == "/rehearse":
        rehearse(settings, words[1] if len(words) > 1 else None, guide)
        return
    persona = words[1] if len(words) > 1 and words[1] in PERSONAS else "firm"
    region_words = words[2:] if len(words) > 1 and words[1] in PERSONAS else words[1:]
    region = " ".join(region_words) or (state.region if state else "") or None
    offer = dict(state.offer) if state and state.offer else None
    run_roleplay(settings, guide, region, persona, None, offer)
