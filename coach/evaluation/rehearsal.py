"""Key-point rehearsal against hand labels: which matcher says "covered" when a coach would.

``evals/rehearsal_cases.yaml`` holds attempts at the Cerebras guide's scripts, written and
labelled by meaning before the meaning matcher existed, and split dev/heldout at random.
Every (attempt, key point) pair is one decision. Three matchers are compared:

* ``words``: shared meaning-bearing terms (``rehearsal.point_coverage``), the old matcher;
* ``meaning``: MiniLM similarity to the closest unit of the attempt, plus the figure and
  name checks (``point_meaning``);
* ``both``: close in meaning, or shared words with some closeness, and the figure and
  name checks hold (the coach's).

Only dev may be used to choose the threshold (``--sweep``); heldout is reported.

    python -m coach.evaluation.rehearsal [--split dev] [--sweep]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any

import yaml

from coach._data import bundled
from coach.knowledge.extraction import extract_playbook
from coach.models.embeddings import MiniLMEmbeddings
from coach.negotiation.playbook import Playbook
from coach.roleplay import point_meaning
from coach.roleplay.rehearsal import find_script, judge_points

GUIDE = "cerebras-ml-ai-engineer.md"
MATCHERS = ("words", "meaning", "both")
SPLITS = ("dev", "heldout")
# What the coach's matcher must reach on heldout (gated in `coach eval --suite rehearsal`).
REQUIRED = {"precision": 0.8, "recall": 0.8}


def load_cases() -> list[dict[str, Any]]:
    path = bundled("evals") / "rehearsal_cases.yaml"
    return list(yaml.safe_load(path.read_text(encoding="utf-8")) or [])


def _playbook() -> Playbook:
    path = bundled("knowledge") / GUIDE
    return extract_playbook(path.stem, path.read_text(encoding="utf-8"))


def _rates(tp: int, fp: int, fn: int, tn: int) -> dict[str, Any]:
    total = tp + fp + fn + tn
    return {
        "decisions": total,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "accuracy": (tp + tn) / total if total else 1.0,
    }


def run_rehearsal_eval(
    embedder: point_meaning.Embedder | None = None,
    splits: Sequence[str] = SPLITS,
    matchers: Sequence[str] = MATCHERS,
    threshold: float | None = None,
) -> dict[str, Any]:
    """Precision, recall and accuracy of each matcher on each split, with the misses."""
    if embedder is None:
        embedder = MiniLMEmbeddings()
    book = _playbook()
    cases = [c for c in load_cases() if c["split"] in splits]
    report: dict[str, Any] = {"cases": len(cases), "threshold": threshold
                              or point_meaning.THRESHOLD, "results": {}, "wrong": []}
    for matcher in matchers:
        counts = {split: [0, 0, 0, 0] for split in splits}
        for case in cases:
            script = find_script(book, case["script"])
            if script is None:
                raise ValueError(f"{case['id']}: no script {case['script']!r} in {GUIDE}")
            covered = judge_points(script, case["attempt"], matcher, embedder, threshold)
            wanted = set(case.get("covered") or [])
            for index, said in enumerate(covered):
                truth = index in wanted
                slot = {(True, True): 0, (True, False): 1, (False, True): 2}.get(
                    (said, truth), 3
                )
                counts[case["split"]][slot] += 1
                if said != truth and matcher == "both" and case["split"] == "dev":
                    report["wrong"].append({"id": case["id"], "point": index, "said": said})
        report["results"][matcher] = {split: _rates(*counts[split]) for split in splits}
    return report


def failures(report: dict[str, Any]) -> list[str]:
    """The required rates the coach's matcher missed on heldout."""
    heldout = report["results"].get("both", {}).get("heldout")
    if heldout is None:
        return []
    return [f"rehearsal.{k} = {heldout[k]:.1%} on heldout (needs {v:.0%})"
            for k, v in REQUIRED.items() if heldout[k] < v]


def summary(report: dict[str, Any]) -> dict[str, Any]:
    """Flat rates for ``coach eval``: the coach's matcher on heldout (gated), dev, and words."""
    both, words = report["results"]["both"], report["results"]["words"]
    return {
        "cases": report["cases"],
        "precision": both["heldout"]["precision"],
        "recall": both["heldout"]["recall"],
        "accuracy": both["heldout"]["accuracy"],
        "words_accuracy": words["heldout"]["accuracy"],
        "dev_precision": both["dev"]["precision"],
        "dev_recall": both["dev"]["recall"],
    }


def format_rehearsal(report: dict[str, Any]) -> str:
    """One line per matcher and split."""
    lines = [f"key-point rehearsal: {report['cases']} attempts, threshold {report['threshold']}"]
    for matcher, by_split in report["results"].items():
        for split, r in by_split.items():
            lines.append(
                f"  {matcher:8} {split:8} {r['decisions']:4} decisions  precision "
                f"{r['precision']:.1%}  recall {r['recall']:.1%}  accuracy {r['accuracy']:.1%}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coach.evaluation.rehearsal")
    parser.add_argument("--split", action="append", choices=SPLITS, help="default: both")
    parser.add_argument("--sweep", action="store_true",
                        help="dev only: accuracy of the coach's matcher at each threshold")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    embedder = MiniLMEmbeddings()
    if args.sweep:
        for step in range(50, 86, 5):
            report = run_rehearsal_eval(embedder, ["dev"], ["both"], step / 100)
            r = report["results"]["both"]["dev"]
            print(f"{step / 100:.2f}  precision {r['precision']:.1%}  recall {r['recall']:.1%}"
                  f"  accuracy {r['accuracy']:.1%}")
        return 0
    report = run_rehearsal_eval(embedder, args.split or SPLITS)
    print(json.dumps(report, indent=2) if args.json else format_rehearsal(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
