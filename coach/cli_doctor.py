"""``coach doctor``: print the stack check as a table, or ``--json``; exit 1 if anything fails."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable

_MARK = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL"}


def add_doctor_command(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """Register ``coach doctor`` on the parser."""
    p = add("doctor", "check the model runtime, model file, embeddings, store and disk")
    p.add_argument("--json", action="store_true", help="print the checks as JSON")
    p.add_argument(
        "--recheck", action="store_true", help="run the runtime self-test again even if recorded"
    )


def cmd_doctor(args: argparse.Namespace) -> int:
    """Run every check, print one line each (with the fix), and exit 1 on any failure."""
    from coach.cli import settings_from
    from coach.doctor import as_dicts, healthy, run_checks

    checks = run_checks(settings_from(args), recheck=args.recheck)
    if args.json:
        print(json.dumps({"healthy": healthy(checks), "checks": as_dicts(checks)}, indent=2))
    else:
        width = max(len(c.name) for c in checks)
        for check in checks:
            print(f"{_MARK[check.status]}  {check.name:<{width}}  {check.detail}")
            if check.fix:
                print(f"      {'':<{width}}  fix: {check.fix}")
        print("all good" if healthy(checks) else "some checks failed: see the fixes above")
    return 0 if healthy(checks) else 1
