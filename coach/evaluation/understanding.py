"""Answer correctness on the blind-written cases in ``evals/heldout/`` (see its README).

Each case stores its own set of role guides (plus the fundamentals page) in a scratch data
folder, asks the question (or plays the dialogue turn by turn) and judges the answer against
the case's ``expect`` block.
Figures are read in ``answer_figures``, answers judged in ``judging``; this module runs
the cases and reports. It stays over the ~300-line guideline because loading cases, running
single turns, dialogues and multi-guide cases, and summarising them share one set of
helpers; splitting them would scatter one procedure. The judging is deliberately strict and independent of the code
under test: figures are read by this module's own parser, never by the coach's.

An answer is correct only when

* every expected figure is stated (same kind, same currency, value within 0.5%);
* it states no figure outside expected ∪ allow ∪ the figures the person gave (the question,
  their earlier turns, their profile): anything else is *misattributed*;
* every expected text token appears (case-insensitive, any dash counts as a hyphen);
* the verdict matches when one is expected;
* it says "not covered" exactly when it should (and then states no figure of its own);
* it has no template placeholder ("[insert ...]", "$[...]").

Small talk is correct when it states no figure and no placeholder. An ambiguous multi-guide
question is correct when the answer either asks which company is meant (a question, no
figure of its own, at least two stored companies named) or answers for every guide, naming it.

Only the ``heldout`` split is gated (``REQUIRED``, ``failures``); ``dev`` is reported.

    python -m coach.evaluation.understanding --provider fake --split dev --file single_turn
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from coach._data import bundled
from coach.advice.advisor import Advisor
from coach.advice.conversation import Conversation
from coach.advice.reader import READER_MODES
from coach.config import Settings, load_settings
from coach.errors import CoachError, ProviderError, StoreError
from coach.evaluation.answer_figures import Figure, parse_figures
from coach.evaluation.judging import Judgement, judge, judge_ambiguous, reason_category
from coach.knowledge.library import ingest_paths
from coach.knowledge.store import KnowledgeStore
from coach.models import providers
from coach.negotiation.profile import Profile, profile_path, save_profile

FILES = ("single_turn", "dialogues", "multi_guide")
SPLITS = ("dev", "heldout")
# Rates the heldout split must reach (dev is reported, never gated):
#   answer_correctness -> single_turn answers, dialogue_turns -> every dialogue turn,
#   multi_guide -> multi_guide answers. Misattributed figures and placeholders must be 0.
REQUIRED = {"answer_correctness": 0.95, "dialogue_turns": 0.95, "multi_guide": 1.0}
_GATED_FILE = {
    "answer_correctness": "single_turn",
    "dialogue_turns": "dialogues",
    "multi_guide": "multi_guide",
}
FALLBACK_EVENT = "using the draft"
REPORT_NAME = "understanding-latest.json"

HELDOUT_DIR = bundled("evals") / "heldout"
# Case sets: the blind-written set with its dev/heldout split, and a second blind-written
# set (other guides, all dev) to develop against without wearing out the first set's dev.
# A third (fresh2) asks new questions about the first set's own guides, also all dev; a
# fourth, fifth and sixth (fresh3, fresh4, fresh5) mix every guide, with more dialogues and
# multi-guide cases; fresh5 adds monthly offers, statements-as-questions and guide switches;
# fresh6 adds questions about how a pay part is counted or paid, jargon and look-alike words.
CASE_SETS = {
    "heldout": HELDOUT_DIR,
    "fresh": bundled("evals") / "fresh",
    "fresh2": bundled("evals") / "fresh2",
    "fresh3": bundled("evals") / "fresh3",
    "fresh4": bundled("evals") / "fresh4",
    "fresh5": bundled("evals") / "fresh5",
    "fresh6": bundled("evals") / "fresh6",
}
KNOWLEDGE_DIR = bundled("knowledge")
FUNDAMENTALS = KNOWLEDGE_DIR / "negotiation-fundamentals.md"
GUIDE_ALIASES = {"cerebras": KNOWLEDGE_DIR / "cerebras-ml-ai-engineer.md"}


# -- cases ---------------------------------------------------------------------------------


def guide_path(name: str) -> Path:
    if name in GUIDE_ALIASES:
        return GUIDE_ALIASES[name]
    paths = [folder / "guides" / f"{name}.md" for folder in CASE_SETS.values()]
    return next((p for p in paths if p.exists()), paths[0])


def guide_id(name: str) -> str:
    return guide_path(name).stem


def guide_company(path: Path) -> list[str]:
    """The company a guide is about, read from its first heading ("# Lumora — Staff ...").

    The heading word that starts the file name wins ("Cerebras" in "ML/AI Engineer | Cerebras
    Global ..."); otherwise the heading's first segment.
    """
    heading = next(
        (
            line.lstrip("#").strip()
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("#")
        ),
        path.stem,
    )
    first = path.stem.split("-")[0].lower()
    for word in re.findall(r"[\w&'-]+", heading):
        if word.lower() == first:
            return [word]
    return [re.split(r"\s+[—–|:-]\s+|,", heading)[0].strip()]


def load_cases(file: str, case_set: str = "heldout") -> list[dict[str, Any]]:
    path = CASE_SETS[case_set] / f"{file}.yaml"
    if not path.exists():
        return []  # a set may leave a file out (fresh2 has no multi-guide cases)
    return yaml.safe_load(path.read_text(encoding="utf-8")) or []


def select_cases(
    file: str,
    splits: Sequence[str],
    sample: int | None = None,
    seed: int = 0,
    case_set: str = "heldout",
) -> list[dict[str, Any]]:
    """The file's cases in the chosen splits; ``sample`` picks N at random per split."""
    cases = load_cases(file, case_set)
    chosen: list[dict[str, Any]] = []
    for split in splits:
        in_split = [c for c in cases if c.get("split") == split]
        if sample is not None and sample < len(in_split):
            in_split = random.Random(f"{seed}:{file}:{split}").sample(in_split, sample)
        chosen += in_split
    order = {id(c): i for i, c in enumerate(cases)}
    return sorted(chosen, key=lambda c: order[id(c)])


def _amount(value: Any) -> float:
    if isinstance(value, int | float):
        return float(value)
    figures = [f for f in parse_figures(str(value)) if f.kind == "money"]
    if len(figures) != 1:
        raise ValueError(f"profile amount {value!r} is not one money figure")
    return figures[0].value


def case_profile(data: dict[str, Any] | None) -> Profile:
    """A case's ``profile`` ({region, guide, walk_away_base: "255K", ...}) as a ``Profile``."""
    profile = Profile()
    for key, value in (data or {}).items():
        if key == "region":
            profile.region = str(value)
        elif key == "guide":
            profile.guide = guide_id(str(value))
        else:
            for name in ("walk_away", "target", "offer"):
                if key.startswith(name + "_"):
                    getattr(profile, name)[key[len(name) + 1 :]] = _amount(value)
                    break
            else:
                raise ValueError(f"unknown profile key {key!r}")
    return profile


def profile_figures(data: dict[str, Any] | None) -> list[Figure]:
    """The person's own numbers from a case profile, as context figures."""
    figures: list[Figure] = []
    for key, value in (data or {}).items():
        if key not in ("region", "guide"):
            figures += parse_figures(str(value)) or [Figure("money", "", _amount(value))]
    return figures


# -- running -------------------------------------------------------------------------------


class _Library:
    """One scratch data folder and ``Advisor`` per distinct set of stored guides."""

    def __init__(self, settings: Settings, reader: str = "both") -> None:
        self.reader = reader
        # The embedded store always: a shared Chroma server would mix the guide sets.
        self.settings = dataclasses.replace(settings, chroma_host="")
        self.root = settings.home / "understanding-eval"
        self._advisors: dict[tuple[str, ...], Advisor] = {}
        self._embeddings: Any = None
        self.companies: dict[str, list[str]] = {}

    def advisor(self, guides: Sequence[str]) -> Advisor:
        key = tuple(sorted(set(guides)))
        if key not in self._advisors:
            digest = hashlib.sha256("\n".join(key).encode()).hexdigest()[:10]
            scratch = dataclasses.replace(self.settings, home=self.root / digest)
            paths = [FUNDAMENTALS, *(guide_path(g) for g in key)]
            report = ingest_paths(scratch, paths)
            if report.failures:
                problems = "; ".join(f"{p.name}: {why}" for p, why in report.failures)
                raise CoachError(f"Could not store the eval guides ({problems}).")
            profile_path(scratch.home).unlink(missing_ok=True)
            if self._embeddings is None:
                self._embeddings = providers.embeddings(scratch)
            store = KnowledgeStore(scratch, self._embeddings)
            self._advisors[key] = Advisor(scratch, store=store)
            self._advisors[key].reader_mode = self.reader
        for g in key:
            self.companies.setdefault(g, guide_company(guide_path(g)))
        return self._advisors[key]


@dataclass
class _Reply:
    """What the judge needs from an answer (also stands in when asking failed)."""

    text: str
    covered: bool = True
    verdict: str = ""
    guard_events: list[str] = field(default_factory=list)
    error: str = ""


def _reply(answer: Any) -> _Reply:
    return _Reply(answer.answer, answer.covered, answer.verdict, list(answer.guard_events))


def _ask(call: Callable[[], Any]) -> _Reply:
    try:
        return _reply(call())
    except (ProviderError, StoreError):
        raise  # the model or the store is down: no answer can be judged
    except Exception as exc:  # one broken answer must not end a long run
        return _Reply("", error=f"{type(exc).__name__}: {exc}")


def _row(
    file: str, case: dict[str, Any], kind: str, question: str, reply: _Reply, verdict: Judgement
) -> dict[str, Any]:
    reasons = ([f"error: {reply.error}"] if reply.error else []) + verdict.reasons
    return {
        "file": file,
        "id": case["id"],
        "split": case.get("split", ""),
        "kind": kind,
        "question": question,
        "answer": reply.text,
        "verdict": reply.verdict,
        "correct": verdict.correct and not reply.error,
        "reasons": reasons,
        "misattributed": verdict.misattributed,
        "placeholder": verdict.placeholder,
        "not_covered_expected": verdict.not_covered_expected,
        "fallback": any(FALLBACK_EVENT in e for e in reply.guard_events),
    }


def _with_profile(advisor: Advisor, data: dict[str, Any] | None, call: Callable[[], Any]) -> Any:
    home = advisor.settings.home
    if data:
        save_profile(home, case_profile(data))
    try:
        return call()
    finally:
        profile_path(home).unlink(missing_ok=True)


def _run_single(library: _Library, file: str, case: dict[str, Any]) -> dict[str, Any]:
    advisor = library.advisor(case["guides"])
    question = case["question"]
    reply = _with_profile(advisor, case.get("profile"), lambda: _ask(lambda: advisor.ask(question)))
    context = parse_figures(question) + profile_figures(case.get("profile"))
    if case.get("ambiguous") and case.get("per_guide"):
        companies = {g: library.companies[g] for g in case["guides"]}
        verdict = judge_ambiguous(
            reply.text, case["per_guide"], companies, covered=reply.covered, context=context
        )
    else:
        verdict = judge(
            reply.text,
            case.get("expect") or {},
            covered=reply.covered,
            verdict=reply.verdict,
            kind=case.get("kind", ""),
            context=context,
        )
    return _row(file, case, case.get("kind", ""), question, reply, verdict)


def _run_dialogue(
    library: _Library, case: dict[str, Any], tick: Callable[[], None]
) -> list[dict[str, Any]]:
    advisor = library.advisor(case["guides"])
    conversation = Conversation(advisor)
    context = profile_figures(case.get("profile"))
    rows = []

    def say(text: str) -> Any:
        stream = conversation.ask(text)
        "".join(stream)
        conversation.remember(stream)
        return stream.answer

    for number, turn in enumerate(case.get("turns") or [], start=1):
        text = turn["say"]
        context = context + parse_figures(text)  # what the person said so far
        reply = _with_profile(advisor, case.get("profile"), lambda t=text: _ask(lambda: say(t)))
        verdict = judge(
            reply.text,
            turn.get("expect") or {},
            covered=reply.covered,
            verdict=reply.verdict,
            kind=turn.get("kind", ""),
            context=context,
        )
        row = _row("dialogues", case, turn.get("kind", ""), text, reply, verdict)
        row["turn"] = number
        rows.append(row)
        tick()
    return rows


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def summarize(rows: list[dict[str, Any]], cases: int) -> dict[str, Any]:
    """Rates over judged answers (``rows``) of ``cases`` cases."""
    correct = sum(r["correct"] for r in rows)
    not_covered = [r for r in rows if r["not_covered_expected"]]
    kinds: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = kinds.setdefault(row["kind"], {"answers": 0, "correct": 0})
        entry["answers"] += 1
        entry["correct"] += int(row["correct"])
    for entry in kinds.values():
        entry["rate"] = _rate(entry["correct"], entry["answers"])
    return {
        "cases": cases,
        "answers": len(rows),
        "correct": correct,
        "answer_correctness": _rate(correct, len(rows)),
        "misattributed": sum(len(r["misattributed"]) for r in rows),
        "placeholders": sum(int(r["placeholder"]) for r in rows),
        "not_covered_cases": len(not_covered),
        "not_covered_correct": sum(r["correct"] for r in not_covered),
        "not_covered_accuracy": _rate(sum(r["correct"] for r in not_covered), len(not_covered)),
        "guard_fallbacks": sum(int(r["fallback"]) for r in rows),
        "by_kind": dict(sorted(kinds.items())),
        "reasons": dict(
            Counter(reason_category(x) for r in rows for x in r["reasons"]).most_common()
        ),
        "failing": [r for r in rows if not r["correct"]],
    }


def run_understanding(
    settings: Settings,
    splits: Sequence[str] = SPLITS,
    files: Sequence[str] = FILES,
    sample: int | None = None,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    reader: str = "both",
    case_set: str = "heldout",
) -> dict[str, Any]:
    """Run the chosen files and splits and return the report (also saved in the data folder).

    ``reader`` ("both", "knn" or "cues") measures the message reader's parts one at a time.
    ``case_set`` "fresh" runs the second blind-written set, which has only a dev split.
    """
    unknown = [f for f in files if f not in FILES] + [s for s in splits if s not in SPLITS]
    if case_set not in CASE_SETS:
        unknown.append(case_set)
    if unknown:
        raise ValueError(f"unknown file, split or case set: {', '.join(unknown)}")
    if case_set != "heldout":
        splits = [s for s in splits if s == "dev"] or ["dev"]
    chosen = {file: select_cases(file, splits, sample, seed, case_set) for file in files}
    total = sum(len(c.get("turns") or []) or 1 for cases in chosen.values() for c in cases)
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total)

    if progress:
        progress(0, total)
    library = _Library(settings, reader)
    rows: dict[str, list[dict[str, Any]]] = {file: [] for file in files}
    dialogue_ok: dict[str, list[bool]] = {split: [] for split in splits}
    for file, cases in chosen.items():
        for case in cases:
            if file == "dialogues":
                turns = _run_dialogue(library, case, tick)
                rows[file] += turns
                dialogue_ok[case["split"]].append(all(r["correct"] for r in turns))
            else:
                rows[file].append(_run_single(library, file, case))
                tick()
    report: dict[str, Any] = {
        "provider": settings.provider,
        "model": settings.model_label,
        "splits": list(splits),
        "files": list(files),
        "sample": sample,
        "seed": seed,
        "reader": reader,
        "case_set": case_set,
        "results": {},
        "by_split": {},
    }
    for file in files:
        report["results"][file] = {}
        for split in splits:
            in_split = [r for r in rows[file] if r["split"] == split]
            cases = sum(1 for c in chosen[file] if c["split"] == split)
            stats = summarize(in_split, cases)
            if file == "dialogues":
                whole = dialogue_ok[split]
                stats["dialogues_correct"] = sum(whole)
                stats["dialogue_correctness"] = _rate(sum(whole), len(whole))
            report["results"][file][split] = stats
    for split in splits:
        in_split = [r for file in files for r in rows[file] if r["split"] == split]
        cases = sum(1 for file in files for c in chosen[file] if c["split"] == split)
        report["by_split"][split] = summarize(in_split, cases)
    report["gate"] = failures(report)
    report["passed"] = not report["gate"]
    settings.home.mkdir(parents=True, exist_ok=True)
    (settings.home / report_name(case_set)).write_text(
        json.dumps(report, indent=2), encoding="utf-8"
    )
    return report


def report_name(case_set: str = "heldout") -> str:
    """Where the last run of a case set is kept in the data folder."""
    return REPORT_NAME if case_set == "heldout" else f"understanding-{case_set}-latest.json"


def failures(report: dict[str, Any]) -> list[str]:
    """The required rates missed on the heldout split (dev is never gated)."""
    problems = []
    for name, needed in REQUIRED.items():
        stats = report.get("results", {}).get(_GATED_FILE[name], {}).get("heldout")
        if not stats or stats["answer_correctness"] is None:
            continue
        if stats["answer_correctness"] < needed:
            problems.append(
                f"{name} = {stats['answer_correctness']:.1%} on heldout (needs {needed:.0%})"
            )
    heldout = report.get("by_split", {}).get("heldout")
    if heldout:
        if heldout["misattributed"]:
            problems.append(f"{heldout['misattributed']} misattributed figures on heldout")
        if heldout["placeholders"]:
            problems.append(f"{heldout['placeholders']} placeholders on heldout")
    return problems


# -- output --------------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def format_understanding(report: dict[str, Any]) -> str:
    """Tables for people: per file and split, per kind, the commonest dev failures, the gate."""
    lines = [
        f"understanding eval on {report['provider']} ({report['model']}), "
        f"cases {report.get('case_set', 'heldout')}, splits {', '.join(report['splits'])}"
        + (f", sample {report['sample']} per file and split" if report.get("sample") else ""),
        "",
    ]
    header = ["file", "split", "cases", "answers", "correct", "misattr", "placeh", "not-cov",
              "fallback"]  # fmt: skip
    body = []
    groups = [(f, s, report["results"][f][s]) for f in report["files"] for s in report["splits"]]
    groups += [("ALL", s, report["by_split"][s]) for s in report["splits"]]
    for file, split, st in groups:
        body.append(
            [
                file,
                split,
                str(st["cases"]),
                str(st["answers"]),
                f"{st['correct']} {_pct(st['answer_correctness'])}",
                str(st["misattributed"]),
                str(st["placeholders"]),
                f"{st['not_covered_correct']}/{st['not_covered_cases']}",
                str(st["guard_fallbacks"]),
            ]
        )
        if file == "dialogues":
            body.append(
                [
                    "  whole dialogues",
                    split,
                    str(st["cases"]),
                    "",
                    f"{st['dialogues_correct']} {_pct(st['dialogue_correctness'])}",
                    *[""] * 4,
                ]
            )
    lines += _table(header, body)
    for split in report["splits"]:
        kinds = sorted(report["by_split"][split]["by_kind"])
        if not kinds:
            continue
        lines += ["", f"correct by kind ({split})"]
        cols = [*report["files"], "ALL"]
        rows = []
        for kind in kinds:
            row = [kind]
            for col in cols:
                st = report["by_split" if col == "ALL" else "results"]
                st = st[split] if col == "ALL" else st[col][split]
                entry = st["by_kind"].get(kind)
                row.append(f"{entry['correct']}/{entry['answers']}" if entry else "")
            row.append(_pct(report["by_split"][split]["by_kind"][kind]["rate"]))
            rows.append(row)
        lines += _table(["kind", *cols, "rate"], rows)
    if "dev" in report["splits"] and report["by_split"]["dev"]["reasons"]:
        lines += ["", "commonest failure reasons (dev)"]
        for reason, count in list(report["by_split"]["dev"]["reasons"].items())[:10]:
            lines.append(f"  {count:4}  {reason}")
    lines.append("")
    if "heldout" not in report["splits"]:
        lines.append("not gated: the heldout split was not run")
    else:
        lines += [f"FAILED {problem}" for problem in report["gate"]]
        lines.append("passed" if report["passed"] else "failed")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m coach.evaluation.understanding", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--provider", help="local, openai, openai-compatible or fake")
    parser.add_argument("--model", help="model name for openai / openai-compatible")
    parser.add_argument("--split", action="append", choices=SPLITS, help="default: both")
    parser.add_argument("--file", action="append", choices=FILES, help="default: all three")
    parser.add_argument("--sample", type=int, help="N random cases per file and split")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--reader",
        choices=READER_MODES,
        default="both",
        help="which reader reads the messages: nearest neighbours plus cue words (the coach's "
        "own), or one of them alone, to measure what each adds",
    )
    parser.add_argument(
        "--cases",
        choices=sorted(CASE_SETS),
        default="heldout",
        help="heldout: the gated set (dev and heldout splits); fresh: a second blind-written "
        "set on other guides, dev only; fresh2: more dev questions on the heldout set's guides; "
        "fresh3 to fresh6: dev dialogues and multi-guide cases over every guide",
    )
    parser.add_argument("--json", action="store_true", help="print the whole report as JSON")
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="print both splits and the gates, but exit 0 even if a held-out target is missed "
        "(CI uses this while the targets are not yet met; see the README)",
    )
    args = parser.parse_args(argv)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    console = Console(stderr=True)
    try:
        settings = load_settings(provider=args.provider, model=args.model)
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("answering", total=None)
            report = run_understanding(
                settings,
                splits=tuple(args.split or SPLITS),
                files=tuple(args.file or FILES),
                sample=args.sample,
                seed=args.seed,
                reader=args.reader,
                case_set=args.cases,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    except CoachError as exc:
        console.print(f"error: {exc.one_line()}")
        return 2
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(format_understanding(report))
        print(f"(full report: {settings.home / report_name(args.cases)})", file=sys.stderr)
    return 0 if report["passed"] or args.report_only else 1


if __name__ == "__main__":
    sys.exit(main())
