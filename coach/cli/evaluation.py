"""``coach eval`` and ``coach bench``: the eval suites and the speed and memory figures."""

from __future__ import annotations

import argparse

from coach.cli.common import AddCommand, emit_json, settings_from


def register(add: AddCommand) -> None:
    p = add("eval", "run the eval suites and print recall, grounding and safety rates")
    p.add_argument("--suite", action="append", help="qa, counter, guard, fairness, roleplay")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_eval)

    p = add("bench", "measure speed and memory (figures for the README)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--quick", action="store_true", help="skip the raw llama.cpp comparison")
    p.set_defaults(handler=cmd_bench)


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
