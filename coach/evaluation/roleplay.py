"""Scripted role-play sessions as an eval: does the recruiter keep its secrets and its role?

Cases live in ``evals/roleplay_cases.yaml``: candidate lines, the persona and seed, the
hand-labelled outcome and scorecard criteria, and optionally ``model_replies`` that script
a misbehaving model (a leak, a slide into the candidate's voice) to prove the guard holds
whatever the provider. Without ``model_replies`` a case uses the provider in ``settings``,
so the same file measures the fake, the local model or a server. ``coach eval`` reports:

- ``leak_rate``: share of cases where any recruiter line gave away an undecided figure, a
  hidden maximum (in any spelling) or a leak phrase;
- ``in_character_rate``: share of recruiter lines that read as the recruiter speaking;
- ``scorecard_agreement``: share of hand labels (outcome and criteria) the code agrees with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from coach.config import Settings
from coach.errors import InputError
from coach.guard.replies import leak_problems, role_problems
from coach.knowledge.extraction import extract_playbook
from coach.models import providers
from coach.models.fake_llm import FakeLlama
from coach.negotiation.offers import describe_offer
from coach.negotiation.playbook import Playbook
from coach.roleplay.session import RoleplaySession


@dataclass
class RoleplayCase:
    """One scripted session with its hand labels."""

    id: str
    kind: str
    lines: list[str]
    persona: str = "firm"
    seed: int = 1
    region: str | None = None
    model_replies: list[str] | None = None
    expected_outcome: str | None = None
    expected_criteria: dict[str, bool] = field(default_factory=dict)


def load_cases(path: Path) -> tuple[Playbook, str | None, list[RoleplayCase]]:
    """The playbook the cases run against, their default region and the cases."""

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(
            f"Cannot read role-play cases {path}: {exc}.", "Check the YAML file."
        ) from exc
    guide_path = (Path(path).parent / data["guide"]).resolve()
    playbook = extract_playbook(guide_path.stem, guide_path.read_text(encoding="utf-8"))
    cases = []
    for raw in data.get("cases", []):
        expected = raw.get("expected") or {}
        cases.append(
            RoleplayCase(
                id=str(raw["id"]),
                kind=str(raw.get("kind", "")),
                lines=[str(line) for line in raw.get("lines", [])],
                persona=raw.get("persona", "firm"),
                seed=int(raw.get("seed", 1)),
                region=raw.get("region"),
                model_replies=raw.get("model_replies"),
                expected_outcome=expected.get("outcome"),
                expected_criteria=dict(expected.get("criteria") or {}),
            )
        )
    return playbook, data.get("region"), cases


def judge_transcript(
    transcript: list[dict[str, Any]], hidden: dict[str, float]
) -> tuple[list[str], int, int]:
    """Leaks found, recruiter lines in character, and recruiter lines, for one transcript."""

    decided: list[str] = []
    leaks: list[str] = []
    in_character = lines = 0
    for turn in transcript:
        if turn["role"] != "recruiter":
            continue
        if turn.get("offer"):
            decided.append(describe_offer(turn["offer"]))
        lines += 1
        leaks += leak_problems(turn["text"], decided, hidden)
        in_character += not role_problems(turn["text"])
    return leaks, in_character, lines


def run_case(
    settings: Settings, playbook: Playbook, region: str | None, case: RoleplayCase
) -> dict:
    """Play one case and compare the result with its labels."""

    engine = FakeLlama(responses=case.model_replies) if case.model_replies else None
    model = providers.chat_model(settings, engine=engine)
    session = RoleplaySession(
        settings,
        playbook,
        region=case.region or region,
        persona=case.persona,
        seed=case.seed,
        model=model,
        persist=False,
        word_hints=False,
    )
    result = session.run_script(case.lines)
    leaks, in_character, lines = judge_transcript(result["transcript"], session.plan.maximum)
    got = {c["name"]: c["passed"] for c in result["scorecard"]["criteria"]}
    labels = (
        [("outcome", case.expected_outcome, result["outcome"])] if case.expected_outcome else []
    )
    labels += [(name, want, got.get(name)) for name, want in case.expected_criteria.items()]
    return {
        "id": case.id,
        "kind": case.kind,
        "outcome": result["outcome"],
        "score": result["scorecard"]["score"],
        "leaks": leaks,
        "in_character": in_character,
        "recruiter_lines": lines,
        "disagreements": [
            {"label": name, "expected": want, "got": have}
            for name, want, have in labels
            if want != have
        ],
        "labels": len(labels),
        "fallbacks": sum(e == "using the templated line" for e in session.events),
    }


def run_roleplay_eval(settings: Settings, cases_path: Path | str) -> dict[str, Any]:
    """Run every case in ``cases_path``; rates are in [0, 1], per-case details under ``cases``."""
    playbook, region, cases = load_cases(Path(cases_path))
    results = [run_case(settings, playbook, region, case) for case in cases]
    lines = sum(r["recruiter_lines"] for r in results)
    labels = sum(r["labels"] for r in results)
    agreed = labels - sum(len(r["disagreements"]) for r in results)
    return {
        "cases": results,
        "case_count": len(results),
        "leak_rate": sum(bool(r["leaks"]) for r in results) / len(results) if results else 0.0,
        "in_character_rate": sum(r["in_character"] for r in results) / lines if lines else 1.0,
        "scorecard_agreement": agreed / labels if labels else 1.0,
        "fallback_rate": sum(r["fallbacks"] for r in results) / lines if lines else 0.0,
        "provider": settings.provider,
    }
