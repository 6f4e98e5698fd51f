"""``coach eval``: run the eval suites in ``evals/`` on a chosen provider and score them.

Suites and what they report:

* ``qa`` — expected-fact recall, figure-grounding rate, not-covered accuracy;
* ``counter`` — verdict accuracy and walk-away compliance of the engine plus the worded answer;
* ``guard`` — a model scripted to invent figures: the share of cases where none got through;
* ``fairness`` — the same offer asked by different people: the share with identical figures;
* ``roleplay`` — leak rate, in-character rate and scorecard agreement (see ``roleplay_eval``).

Cases are data files; nothing here knows the expected answers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from coach._data import bundled
from coach.advice.advisor import Advisor
from coach.advice.counsel import counsel_offer
from coach.config import Settings
from coach.evaluation.mistakes import run_mistakes_eval
from coach.evaluation.rehearsal import run_rehearsal_eval
from coach.evaluation.rehearsal import summary as rehearsal_summary
from coach.evaluation.roleplay import run_roleplay_eval
from coach.evaluation.understanding import failures as understanding_failures
from coach.evaluation.understanding import format_understanding, run_understanding
from coach.guard.figures import allowed_values
from coach.guard.meaning import ACCEPT_ADVICE
from coach.knowledge.library import default_knowledge_dir, ingest_paths, open_store
from coach.models import providers
from coach.models.fake_llm import FakeLlama

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel


ALL_SUITES = ("qa", "counter", "guard", "fairness", "roleplay", "mistakes", "rehearsal")
# Asked for by name (`--suite understanding`): the held-out understanding set, several hundred
# answers, gated on its held-out split (see coach.evaluation.understanding).
OPT_IN_SUITES = ("understanding",)
# Rates that must be perfect for the run to pass; recall is reported, with a floor.
REQUIRED = {
    "qa.grounding_rate": 1.0,
    "qa.not_covered_accuracy": 1.0,
    "qa.recall": 0.8,
    "counter.verdict_accuracy": 1.0,
    "counter.walk_away_compliance": 1.0,
    "counter.grounding_rate": 1.0,
    "guard.block_rate": 1.0,
    "fairness.invariance_rate": 1.0,
    "roleplay.leak_rate_max": 0.0,
    "mistakes.precision": 0.9,
    "mistakes.recall": 0.9,
    "mistakes.feedback_gain": 0.01,  # following the notes must raise the average score
    # Set before the held-out labels were first run; lower than dev's, which it was built on.
    "mistakes.heldout_precision": 0.8,
    "mistakes.heldout_recall": 0.8,
    # Key points matched by meaning, on the heldout attempts (see coach.evaluation.rehearsal).
    "rehearsal.precision": 0.8,
    "rehearsal.recall": 0.8,
}


def evals_dir() -> Path:
    return bundled("evals")


def _cases(name: str) -> Any:
    return yaml.safe_load((evals_dir() / name).read_text(encoding="utf-8"))


def _advisor(settings: Settings, model: BaseChatModel | None = None) -> Advisor:
    store = open_store(settings)
    ingest_paths(settings, [default_knowledge_dir()])  # idempotent: usually "unchanged"
    return Advisor(settings, store=store, model=model)


def run_qa(settings: Settings, advisor: Advisor) -> dict[str, Any]:
    rows, expected_total, expected_found = [], 0, 0
    grounded = not_covered_ok = not_covered_total = 0
    for case in _cases("qa_cases.yaml"):
        answer = advisor.ask(case["question"])
        got = allowed_values([answer.answer])
        expect = [v for fig in case.get("expect", []) for v in allowed_values([fig])]
        found = [v for v in expect if v in got]
        forbidden = [f for f in case.get("forbid", []) if allowed_values([f]) & got]
        expected_total += len(expect)
        expected_found += len(found)
        grounded += int(answer.grounded and not forbidden)
        if case.get("not_covered"):
            not_covered_total += 1
            not_covered_ok += int(not answer.covered and not answer.figures)
        rows.append(
            {
                "id": case["id"],
                "answer": answer.answer,
                "recall": f"{len(found)}/{len(expect)}",
                "grounded": answer.grounded,
                "forbidden": forbidden,
                "guard_events": answer.guard_events,
            }
        )
    count = len(rows)
    worded = [r for r in rows if not any("no model call" in e for e in r["guard_events"])]
    fell_back = [r for r in worded if any("using the draft" in e for e in r["guard_events"])]
    return {
        "cases": count,
        # How often the guard had to replace the model's wording with the coach's draft.
        "fallback_rate": len(fell_back) / len(worded) if worded else 0.0,
        "recall": expected_found / expected_total if expected_total else 1.0,
        "grounding_rate": grounded / count,
        "not_covered_accuracy": not_covered_ok / not_covered_total if not_covered_total else 1.0,
        "rows": rows,
    }


def run_counter(settings: Settings, advisor: Advisor) -> dict[str, Any]:
    rows, verdict_ok, compliant, grounded = [], 0, 0, 0
    for case in _cases("counter_cases.yaml"):
        offer = {k: float(v) for k, v in case["offer"].items()}
        result = counsel_offer(
            settings, case["region"], offer, case.get("guide", "cerebras-ml-ai-engineer"), advisor
        ).to_json()
        verdict_ok += int(result["verdict"] == case["verdict"])
        counter_base = result["counter"].get("base", 0)
        floor = max(result["walk_away"].get("base", 0), result["target"].get("base", 0))
        # Compliance: the counter never opens below the target or walk-away, and an offer
        # under the walk-away is never worded as one to accept.
        says_accept = bool(ACCEPT_ADVICE.search(result["message"]))
        ok = counter_base >= floor and counter_base == case["counter_base"]
        ok = ok and not (result["verdict"] == "below_walk_away" and says_accept)
        compliant += int(ok)
        grounded += int(result["grounded"])
        rows.append({"id": case["id"], "verdict": result["verdict"], "message": result["message"]})
    count = len(rows)
    return {
        "cases": count,
        "verdict_accuracy": verdict_ok / count,
        "walk_away_compliance": compliant / count,
        "grounding_rate": grounded / count,
        "rows": rows,
    }


def run_guard(settings: Settings) -> dict[str, Any]:
    rows, blocked = [], 0
    for case in _cases("guard_cases.yaml"):
        model = providers.chat_model(settings, engine=FakeLlama(case["replies"]))
        answer = _advisor(settings, model=model).ask(case["question"])
        invented = set().union(*(allowed_values([f]) for f in case["invented"]))
        leaked = sorted(str(v) for k, v in allowed_values([answer.answer]) & invented)
        blocked += int(not leaked and answer.grounded)
        rows.append({"id": case["id"], "answer": answer.answer, "leaked": leaked})
    return {"cases": len(rows), "block_rate": blocked / len(rows), "rows": rows}


def run_fairness(settings: Settings, advisor: Advisor) -> dict[str, Any]:
    spec = _cases("fairness_cases.yaml")
    answers = [advisor.ask(spec["template"].format(intro=intro)) for intro in spec["intros"]]
    figure_sets = [frozenset(allowed_values([a.answer])) for a in answers]
    reference = max(set(figure_sets), key=figure_sets.count)
    same = sum(1 for s in figure_sets if s == reference)
    return {
        "cases": len(answers),
        "invariance_rate": same / len(answers),
        "rows": [
            {"intro": i, "figures": a.figures} for i, a in zip(spec["intros"], answers, strict=True)
        ],
    }


def run_evals(
    settings: Settings,
    suites: list[str] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """Run the chosen suites (all by default) and say whether every required rate holds.

    ``progress(suite, number, total)`` is called as each suite starts, so a long run on the
    embedded model is never silent.
    """
    chosen = suites or list(ALL_SUITES)
    report: dict[str, Any] = {"provider": settings.provider, "model": settings.model_label}
    advisor = _advisor(settings) if {"qa", "counter", "fairness"} & set(chosen) else None
    steps: dict[str, Callable[[], Any]] = {
        "qa": lambda: run_qa(settings, advisor),  # type: ignore[arg-type]
        "counter": lambda: run_counter(settings, advisor),  # type: ignore[arg-type]
        "guard": lambda: run_guard(settings),
        "fairness": lambda: run_fairness(settings, advisor),  # type: ignore[arg-type]
        "roleplay": lambda: run_roleplay_eval(settings, evals_dir() / "roleplay_cases.yaml"),
        "mistakes": lambda: run_mistakes_eval(settings),
        "rehearsal": lambda: rehearsal_summary(run_rehearsal_eval()),
        "understanding": lambda: run_understanding(settings, progress=answered),
    }
    order = [name for name in steps if name in chosen]

    def answered(done: int, total: int) -> None:
        # The understanding suite is hundreds of answers: report every 25 of them too.
        if progress and done and (done % 25 == 0 or done == total):
            progress(f"understanding: {done}/{total} answers", len(order), len(order))

    for number, name in enumerate(order, 1):
        if progress:
            progress(name, number, len(order))
        report[name] = steps[name]()
    failures = []
    if "understanding" in chosen:
        failures += [f"understanding: {line}" for line in understanding_failures(
            report["understanding"])]
    for key, needed in REQUIRED.items():
        suite, metric = key.split(".")
        if suite not in report:
            continue
        if metric.endswith("_max"):
            value = report[suite].get(metric[: -len("_max")], 0.0)
            if value > needed:
                failures.append(f"{key[:-4]} = {value:.2f} (must be at most {needed})")
        elif report[suite].get(metric, 0.0) < needed:
            failures.append(f"{key} = {report[suite].get(metric, 0.0):.2f} (needs {needed})")
    report["failures"] = failures
    report["passed"] = not failures
    # Keep the full report (every answer) next to the data, so a long run is never lost.
    settings.home.mkdir(parents=True, exist_ok=True)
    (settings.home / "eval-latest.json").write_text(json.dumps(report, indent=2, default=str))
    return report


def format_report(report: dict[str, Any]) -> str:
    """A short human summary: one line per metric, then any failed requirement."""
    lines = [f"eval on {report['provider']} ({report['model']})"]
    if "understanding" in report:
        lines.append(format_understanding(report["understanding"]))
    for suite in ALL_SUITES:
        if suite not in report:
            continue
        metrics = {
            k: v
            for k, v in report[suite].items()
            if isinstance(v, (int, float)) and k not in ("cases", "case_count")
        }
        shown = ", ".join(
            f"{k} {v:.0%}" if isinstance(v, float) else f"{k} {v}" for k, v in metrics.items()
        )
        cases = report[suite].get("case_count", report[suite].get("cases", 0))
        count = len(cases) if isinstance(cases, list) else cases
        lines.append(f"  {suite:9} {count:3} cases  {shown}")
    lines.extend(f"  FAILED {f}" for f in report["failures"])
    lines.append("passed" if report["passed"] else "failed")
    return "\n".join(lines)
