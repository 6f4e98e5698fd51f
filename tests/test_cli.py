"""Tests for coach.cli: exit codes, JSON shapes, and one clear error line for bad input."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

from coach.advice.drafting import NOT_COVERED
from coach.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_GUIDES = ROOT / "tests" / "fixtures" / "guides"
REMOTE_US = "What is the base salary range for Remote US?"
ASK_KEYS = {"answer", "citations", "figures", "grounded", "provider", "model"}


def run(capfd: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capfd.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    """stderr holds exactly one line, an ``error:`` line, and no traceback."""
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got: {err!r}"
    assert lines[0].startswith("error: ")
    return lines[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def shared_home(knowledge_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """COACH_HOME pointing at the session's pre-ingested store (only for read-only commands)."""
    monkeypatch.setenv("COACH_HOME", str(knowledge_home))
    return knowledge_home


# --- help and version -----------------------------------------------------------------------


def test_help_works(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out, err = capfd.readouterr()
    assert out.startswith("usage: coach")
    for command in ("ingest", "ask", "counter", "chat", "guides", "playbook"):
        assert command in out
    assert "COACH_HOME" in out and err == ""


def test_no_command_prints_help(capfd: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capfd)
    assert code == 0 and "usage: coach" in out


def test_version(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capfd.readouterr().out.startswith("coach ")


@pytest.mark.parametrize("command", ["ask", "counter", "ingest"])
def test_subcommand_help(capfd: pytest.CaptureFixture[str], command: str) -> None:
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    assert f"usage: coach {command}" in capfd.readouterr().out


# --- ingest and guides ----------------------------------------------------------------------


def test_ingest_json_then_unchanged(capfd: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capfd, "ingest", "--json")
    assert code == 0
    data = json.loads(out)
    assert {r["guide_id"] for r in data["ingested"]} == {
        "cerebras-ml-ai-engineer",
        "negotiation-fundamentals",
    }
    assert {r["status"] for r in data["ingested"]} == {"added"}
    assert data["failed"] == []
    assert set(data["ingested"][0]) == {"guide_id", "title", "status", "chunks"}
    code, out, _ = run(capfd, "ingest", "--json")
    assert code == 0
    assert {r["status"] for r in json.loads(out)["ingested"]} == {"unchanged"}


def test_ingest_plain_output(capfd: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capfd, "ingest", str(FIXTURE_GUIDES / "acme-staff-backend.md"))
    assert code == 0 and err == ""
    assert out.startswith("added     acme-staff-backend  (")


def test_bad_files_fail_one_line_each_and_good_ones_are_stored(
    capfd: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run(capfd, "ingest", str(FIXTURE_GUIDES / "no-table.md"))[0] == 0
    folder = tmp_path / "guides"
    folder.mkdir()
    (folder / "empty.md").write_bytes(b"")
    (folder / "binary.md").write_bytes(b"\x00\x01\x02 binary")
    (folder / "latin.md").write_bytes("Négociation à São Paulo".encode("latin-1"))
    (folder / "huge.txt").write_bytes(b"x" * 2_000_001)
    (folder / "good.md").write_text("# Good\n\nAnchor at your target.\n", encoding="utf-8")
    code, out, err = run(capfd, "ingest", str(folder), str(tmp_path / "missing.md"))
    assert code == 2
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 5
    assert all(line.startswith("error: ") for line in lines)
    for name in ("empty.md", "binary.md", "latin.md", "huge.txt", "missing.md"):
        assert sum(name in line for line in lines) == 1
    assert "added     good" in out
    code, out, _ = run(capfd, "guides", "--json")
    assert code == 0
    assert [g["id"] for g in json.loads(out)] == ["good", "no-table"]


def test_ingest_folder_without_guides(capfd: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capfd, "ingest", str(tmp_path))
    assert code == 2
    assert "No guide files" in one_error_line(err)


def test_guides_empty_and_listed(capfd: pytest.CaptureFixture[str], shared_home: Path) -> None:
    code, out, _ = run(capfd, "guides", "--json")
    assert code == 0
    data = json.loads(out)
    assert [g["id"] for g in data] == ["cerebras-ml-ai-engineer", "negotiation-fundamentals"]
    assert set(data[0]) == {"id", "title", "chunks", "ingested_at"}
    code, out, _ = run(capfd, "guides")
    assert code == 0 and "cerebras-ml-ai-engineer  (" in out


def test_guides_on_an_empty_home(capfd: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capfd, "guides")
    assert code == 0 and "No guides stored yet" in out


# --- ask ------------------------------------------------------------------------------------


def test_ask_json_shape(capfd: pytest.CaptureFixture[str], shared_home: Path) -> None:
    code, out, err = run(capfd, "ask", REMOTE_US, "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert set(data) == ASK_KEYS
    assert data["grounded"] is True
    assert data["provider"] == "fake" and data["model"] == "fake"
    assert "$208K–$262K" in data["answer"] and "$208K–$262K" in data["figures"]
    assert any("Remote US" in c["text"] for c in data["citations"])
    assert all(set(c) == {"guide", "section", "text"} for c in data["citations"])


def test_ask_first_run_ingests_the_bundled_guides(capfd: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capfd, "ask", REMOTE_US, "--json")
    assert code == 0
    assert err.startswith("First run: storing the guides")
    assert json.loads(out)["grounded"] is True


def test_ask_streams_with_citations(capfd: pytest.CaptureFixture[str], shared_home: Path) -> None:
    code, out, err = run(capfd, "ask", REMOTE_US, "--verbose")
    assert code == 0
    assert err.strip() == "[guard] guard: every figure grounded"
    answer, *citations = out.strip().splitlines()
    assert "$208K–$262K" in answer
    assert citations and citations[0].startswith("  [1] cerebras-ml-ai-engineer › ")


def test_ask_not_covered(capfd: pytest.CaptureFixture[str], shared_home: Path) -> None:
    code, out, _ = run(capfd, "ask", "What is the parental leave policy in Berlin?", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["answer"] == NOT_COVERED
    assert data["figures"] == [] and data["citations"] == []


def test_ask_unknown_guide(capfd: pytest.CaptureFixture[str], shared_home: Path) -> None:
    code, out, err = run(capfd, "ask", REMOTE_US, "--guide", "nope", "--json")
    assert code == 2 and out == ""
    line = one_error_line(err)
    assert "No guide with id 'nope'" in line and "cerebras-ml-ai-engineer" in line


def test_ask_with_guide_filter(capfd: pytest.CaptureFixture[str], shared_home: Path) -> None:
    code, out, _ = run(
        capfd, "ask", "How do I use silence?", "--guide", "negotiation-fundamentals", "--json"
    )
    assert code == 0
    assert {c["guide"] for c in json.loads(out)["citations"]} == {"negotiation-fundamentals"}


def test_debug_flag_shows_the_exception(shared_home: Path) -> None:
    from coach.errors import InputError

    with pytest.raises(InputError):
        main(["ask", REMOTE_US, "--guide", "nope", "--debug"])


# --- counter --------------------------------------------------------------------------------


def test_counter_json_seed_example(capfd: pytest.CaptureFixture[str], shared_home: Path) -> None:
    code, out, err = run(capfd, "counter", "--region", "Sunnyvale", "--base", "240k", "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["verdict"] == "below_walk_away"
    assert data["counter"]["base"] == 268000
    assert data["walk_away"]["base"] == 248000
    assert data["target"]["base"] == 268000
    assert data["offer"] == {"base": 240000}
    assert data["grounded"] is True
    assert data["region"] == "Sunnyvale"
    assert len(data["citations"]) == 3
    assert "$268K" in data["message"]


@pytest.mark.parametrize(
    ("base", "verdict"),
    [("$250,000", "acceptable"), ("268K", "meets_target"), ("1.2m", "meets_target")],
)
def test_counter_amount_forms(
    capfd: pytest.CaptureFixture[str], shared_home: Path, base: str, verdict: str
) -> None:
    code, out, _ = run(capfd, "counter", "--region", "remote us", "--base", base, "--json")
    assert code == 0
    assert json.loads(out)["verdict"] == verdict


def test_counter_plain_output(capfd: pytest.CaptureFixture[str], shared_home: Path) -> None:
    code, out, _ = run(capfd, "counter", "--region", "Sunnyvale", "--base", "240k")
    assert code == 0
    assert "below your walk-away" in out and "[3] cerebras-ml-ai-engineer" in out


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["--region", "Mars", "--base", "240k"], "Known regions: Sunnyvale, San Diego, Remote US"),
        (["--region", "Sunnyvale", "--base", "two hundred"], "'two hundred' is not an amount"),
        (["--region", "Sunnyvale", "--base=-5k"], "is negative"),
        (["--region", "Sunnyvale", "--base", "$-240,000"], "is negative"),
        (["--region", "Sunnyvale", "--base", "(240k)"], "is negative"),
        (["--region", "Sunnyvale", "--base", "0"], "is zero"),
        (["--region", "Sunnyvale", "--base", "200M"], "above $100M"),
        (["--region", "Sunnyvale", "--base", "$100,000,001"], "above $100M"),
        (["--region", "Sunnyvale", "--base", "240k", "--bonus", "lots"], "not a percentage"),
        (["--region", "Sunnyvale", "--base", "240k", "--equity", "1e6"], "not an amount"),
        (["--region", "Sunnyvale"], "No offer to judge"),
        (["--base", "240k"], "No region given"),
        (["--region", "Sunnyvale", "--base", "240k", "--guide", "nope"], "No guide with id 'nope'"),
    ],
)
def test_counter_bad_input_is_one_line(
    capfd: pytest.CaptureFixture[str], shared_home: Path, args: list[str], phrase: str
) -> None:
    code, out, err = run(capfd, "counter", *args, "--json")
    assert code == 2 and out == ""
    assert phrase in one_error_line(err)


def test_counter_uses_the_profile(capfd: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capfd,
        "profile",
        "set",
        "--region",
        "Remote US",
        "--offer-base",
        "250k",
        "--walk-away-base",
        "255k",
        "--json",
    )
    assert code == 0
    assert json.loads(out)["walk_away"] == {"base": 255000}
    code, out, err = run(capfd, "counter", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["region"] == "Remote US" and data["verdict"] == "below_walk_away"
    assert data["walk_away"]["base"] == 255000


def test_profile_bad_amount_and_corrupt_file(
    capfd: pytest.CaptureFixture[str], coach_home: Path
) -> None:
    code, _, err = run(capfd, "profile", "set", "--offer-base", "lots")
    assert code == 2 and "not an amount" in one_error_line(err)
    coach_home.mkdir(parents=True, exist_ok=True)
    (coach_home / "profile.yaml").write_text("offer: [1, 2\n", encoding="utf-8")
    code, _, err = run(capfd, "profile", "show")
    assert code == 2 and "is not a valid profile" in one_error_line(err)


def test_playbook_json(capfd: pytest.CaptureFixture[str], shared_home: Path) -> None:
    code, out, _ = run(capfd, "playbook", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["guide"] == "cerebras-ml-ai-engineer"
    assert [b["region"] for b in data["bands"]] == ["Sunnyvale", "San Diego", "Remote US"]


# --- providers, models and stores -----------------------------------------------------------


def test_openai_without_key_env_provider(
    capfd: pytest.CaptureFixture[str], shared_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACH_PROVIDER", "openai")
    code, out, err = run(capfd, "ask", REMOTE_US, "--json")
    assert code == 2 and out == ""
    assert "OPENAI_API_KEY" in one_error_line(err)


def test_openai_without_key_flag(capfd: pytest.CaptureFixture[str], shared_home: Path) -> None:
    code, out, err = run(capfd, "ask", REMOTE_US, "--provider", "openai", "--json")
    assert code == 2 and out == ""
    assert "OPENAI_API_KEY" in one_error_line(err)


def test_openai_compatible_unreachable_server(
    capfd: pytest.CaptureFixture[str], shared_home: Path
) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    code, out, err = run(
        capfd, "ask", REMOTE_US, "--provider", "openai-compatible", "--base-url", url, "--json"
    )
    assert code == 2 and out == ""
    line = one_error_line(err)
    assert "Cannot reach the model server" in line and url in line
    assert "--base-url" in line


def test_openai_compatible_without_base_url(
    capfd: pytest.CaptureFixture[str], shared_home: Path
) -> None:
    code, _, err = run(capfd, "ask", REMOTE_US, "--provider", "openai-compatible")
    assert code == 2
    assert "needs the server's base URL" in one_error_line(err)


def test_unknown_provider_env(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACH_PROVIDER", "gpt5")
    code, _, err = run(capfd, "guides")
    assert code == 2 and "Unknown provider 'gpt5'" in one_error_line(err)


def test_unknown_provider_flag(capfd: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capfd, "ask", "hi", "--provider", "gpt5")
    assert code == 2 and "Unknown provider 'gpt5'" in one_error_line(err)


def test_top_level_provider_flag_is_honoured(capfd: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capfd, "--provider", "gpt5", "guides")
    assert code == 2 and "Unknown provider 'gpt5'" in err


def test_garbage_chroma_port(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHROMA_PORT", "eighty")
    code, _, err = run(capfd, "ask", REMOTE_US)
    assert code == 2 and "CHROMA_PORT must be a port number" in one_error_line(err)


def test_closed_chroma_server(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("CHROMA_PORT", str(free_port()))
    code, _, err = run(capfd, "guides")
    assert code == 2
    assert "Cannot reach the Chroma server at 127.0.0.1:" in one_error_line(err)


def test_model_path_missing(
    capfd: pytest.CaptureFixture[str],
    shared_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    missing = tmp_path / "nowhere" / "model.gguf"
    monkeypatch.setenv("COACH_MODEL_PATH", str(missing))
    code, out, err = run(capfd, "ask", REMOTE_US, "--provider", "local", "--json")
    assert code == 2 and out == ""
    line = one_error_line(err)
    assert f"Model file {missing} does not exist" in line and "COACH_MODEL_PATH" in line


def test_model_path_garbage(
    capfd: pytest.CaptureFixture[str],
    shared_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    garbage = tmp_path / "model.gguf"
    garbage.write_bytes(b"<html>404 not found</html>" * 100)
    monkeypatch.setenv("COACH_MODEL_PATH", str(garbage))
    code, out, err = run(
        capfd, "counter", "--region", "Sunnyvale", "--base", "240k", "--provider", "local"
    )
    assert code == 2 and out == ""
    assert "is not a GGUF file" in one_error_line(err)


def test_model_path_truncated_gguf(
    capfd: pytest.CaptureFixture[str],
    shared_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python (the [local] extra) is not installed")
    truncated = tmp_path / "model.gguf"
    truncated.write_bytes(b"GGUF\x03\x00\x00\x00" + bytes(64))
    monkeypatch.setenv("COACH_MODEL_PATH", str(truncated))
    code, out, err = run(capfd, "ask", REMOTE_US, "--provider", "local", "--json")
    assert code == 2 and out == ""
    assert "llama.cpp could not load" in one_error_line(err)


class ClosedPipe:
    """A stdout whose reader went away, as in `coach counter --json | head -2`."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


def test_closed_stdout_pipe_is_not_blamed_on_the_model_server(
    capfd: pytest.CaptureFixture[str], shared_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdout", ClosedPipe())
    main(["counter", "--region", "Sunnyvale", "--base", "240k", "--json"])
    monkeypatch.undo()
    err = capfd.readouterr().err
    assert "model server" not in err


def test_unexpected_error_is_one_line_with_exit_1(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from coach.cli import guides as cli_commands

    def broken(args: Any) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli_commands, "cmd_guides", broken)
    code, _, err = run(capfd, "guides")
    assert code == 1
    line = one_error_line(err)
    assert "unexpected RuntimeError: boom" in line and "--debug" in line
