"""``coach eval`` and ``coach bench``: the eval suites and the speed and memory figures."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

from coach.cli.common import AddCommand, emit_json, settings_from

if TYPE_CHECKING:
    from coach.config import Settings


def register(add: AddCommand) -> None:
    p = add("eval", "run the eval suites and print recall, grounding and safety rates")
    p.add_argument(
        "--suite",
        action="append",
        help="qa, counter, guard, fairness, roleplay, mistakes, rehearsal (the default set), "
        "or understanding (the held-out set of everyday questions, dialogues and multi-guide "
        "cases); repeat to run several",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_eval)

    p = add("bench", "measure speed and memory (figures for the README)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--quick", action="store_true", help="skip the raw llama.cpp comparison")
    p.add_argument(
        "--compare-python",
        action="append",
        metavar="PYTHON",
        help="also time the llama.cpp build installed for this Python, in turns with this one "
        "(make one with `python -m coach.models.runtime_build --variant portable --python PY`)",
    )
    p.set_defaults(handler=cmd_bench)

    p = add("doctor", "check the model runtime, model file, embeddings, store and disk")
    p.add_argument("--json", action="store_true", help="print the checks as JSON")
    p.add_argument(
        "--recheck", action="store_true", help="run the runtime self-test again even if recorded"
    )
    p.set_defaults(handler=cmd_doctor)


def cmd_eval(args: argparse.Namespace) -> int:
    from coach.evaluation.runner import format_report, run_evals

    settings = settings_from(args)
    started = time.monotonic()

    def announce(suite: str, number: int, total: int) -> None:
        # One line per suite on stderr (a CI log keeps it; --json on stdout stays clean).
        elapsed = time.monotonic() - started
        print(f"[{number}/{total}] {suite} ... ({elapsed:.0f}s so far)", file=sys.stderr,
              flush=True)

    report = run_evals(settings, suites=args.suite, progress=announce)
    if args.json:
        emit_json(report)
    else:
        print(format_report(report))
    return 0 if report.get("passed", False) else 1


def cmd_bench(args: argparse.Namespace) -> int:
    from coach.evaluation.bench import format_bench, run_bench

    settings = settings_from(args)
    if args.compare_python:
        return _compare_runtimes(args, settings)
    figures = run_bench(settings, quick=args.quick)
    emit_json(figures) if args.json else print(format_bench(figures))
    return 0


def _compare_runtimes(args: argparse.Namespace, settings: Settings) -> int:
    """`coach bench --compare-python PY`: this build against the ones in other environments."""
    from coach.evaluation.bench_runtime import compare, format_comparison
    from coach.models.model_files import assemble_model, check_gguf

    model = check_gguf(settings.model_path) if settings.model_path else assemble_model(
        settings.models_dir
    )
    result = compare([sys.executable, *args.compare_python], model, settings.threads)
    emit_json(result) if args.json else print(format_comparison(result, settings.threads))
    return 0


_MARK = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL"}


def cmd_doctor(args: argparse.Namespace) -> int:
    """Run every check, print one line each (with the fix), and exit 1 on any failure."""
    from coach.evaluation.doctor import as_dicts, healthy, run_checks

    checks = run_checks(settings_from(args), recheck=args.recheck)
    if args.json:
        emit_json({"healthy": healthy(checks), "checks": as_dicts(checks)})
    else:
        width = max(len(c.name) for c in checks)
        for check in checks:
            print(f"{_MARK[check.status]}  {check.name:<{width}}  {check.detail}")
            if check.fix:
                print(f"      {'':<{width}}  fix: {check.fix}")
        print("all good" if healthy(checks) else "some checks failed: see the fixes above")
    return 0 if healthy(checks) else 1
