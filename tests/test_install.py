"""An installed ``coach`` (a built wheel, not this checkout) finds its prompts, guides and evals.

The data folders live at the repository's top level and reach the package only through
pyproject.toml's package-dir mapping and package data; this builds the wheel, installs it
into a fresh virtual environment that borrows the current one's dependencies, and runs the
console script from a directory where the checkout is not importable.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*cmd: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in cmd], capture_output=True, text=True, check=True, **kwargs
    )


def test_wheel_carries_the_data_folders(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", ROOT, "-w", wheels)
    (wheel,) = wheels.glob("coach-*.whl")

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(
        _run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").stdout.strip()
    )
    # The fresh environment sees this one's dependencies (not its editable coach: a path
    # added by a .pth line is searched, but its own .pth files are not run).
    (site / "borrowed.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    _run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", wheel)

    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COACH_", "PYTHON"))}
    env["COACH_HOME"] = str(home)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = {"env": env, "cwd": elsewhere}

    where = _run(
        python,
        "-c",
        "import coach, coach._data as d; print(coach.__file__); "
        "print(*(d.bundled(f) for f in d.FOLDERS), sep='\\n')",
        **run,
    ).stdout.split()
    assert all(Path(p).is_relative_to(site) for p in where), where
    assert {p.name for p in Path(where[1]).iterdir()} >= {"answer.md", "recruiter.md"}

    coach = env_dir / "bin" / "coach"
    assert "usage: coach" in _run(coach, "--help", **run).stdout
    answer = _run(
        coach, "--provider", "fake", "ask", "What is the base salary range for Remote US?", **run
    )
    assert "$208K–$262K" in answer.stdout, answer.stdout + answer.stderr
