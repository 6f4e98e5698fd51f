"""The eval runner on the fake provider: every suite runs, scores and passes.

The real figures come from `coach eval --provider local` (in `make test`); this keeps the
runner itself from breaking unnoticed, and proves the guard suite fails when it should.
"""

from __future__ import annotations

from typing import Any

import pytest

from coach.config import load_settings
from coach.evaluation.runner import format_report, run_evals


@pytest.fixture
def fake_settings(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("COACH_HOME", str(tmp_path))
    return load_settings(provider="fake")


def test_every_suite_passes_on_the_fake_provider(fake_settings: Any) -> None:
    report = run_evals(fake_settings)
    assert report["passed"], report["failures"]
    for suite in ("qa", "counter", "guard", "fairness", "roleplay"):
        assert suite in report
    assert report["qa"]["not_covered_accuracy"] == 1.0
    assert report["guard"]["block_rate"] == 1.0
    assert report["roleplay"]["leak_rate"] == 0.0
    text = format_report(report)
    assert text.splitlines()[-1] == "passed"
    assert (fake_settings.home / "eval-latest.json").is_file()


def test_a_guard_that_lets_figures_through_fails_the_run(
    fake_settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coach.guard import figures as guard

    class Blind(guard.AnswerChecker):
        def figure_problem(self, tag: Any) -> str | None:
            return None

        def problems(self, text: str) -> list[str]:
            return []

    monkeypatch.setattr("coach.advice.advisor.AnswerChecker", Blind)
    report = run_evals(fake_settings, suites=["guard"])
    assert not report["passed"]
    assert report["guard"]["block_rate"] < 1.0
    assert any("guard.block_rate" in f for f in report["failures"])
