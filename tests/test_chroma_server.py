"""The knowledge base on a real ``chroma run`` server (CHROMA_HOST/CHROMA_PORT).

Starts the server from the venv as a subprocess on a free loopback port, ingests the bundled
guides through the CLI, and answers on the fake provider. The server is always stopped.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from coach.cli import main
from coach.evaluation.bench_web import stop_process

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE_DIR = ROOT / "knowledge"
STARTUP_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def chroma_executable() -> str | None:
    beside = Path(sys.executable).parent / "chroma"
    if beside.is_file():
        return str(beside)
    return shutil.which("chroma")


def heartbeat(port: int) -> bool:
    for path in ("/api/v2/heartbeat", "/api/v1/heartbeat"):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as reply:
                if reply.status == 200:
                    return True
        except OSError:
            continue
    return False


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A running `chroma run` on 127.0.0.1; yields its port."""
    exe = chroma_executable()
    if exe is None:
        pytest.skip("the `chroma` executable is not installed next to Python or on PATH")
    data = tmp_path_factory.mktemp("chroma-server-data")
    log = (data.parent / "chroma-server.log").open("wb")
    port = free_port()
    process = subprocess.Popen(
        [exe, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not heartbeat(port):
            if process.poll() is not None:
                pytest.fail(f"chroma run exited with {process.returncode}; see {log.name}")
            if time.monotonic() > deadline:
                pytest.fail(
                    f"chroma run did not answer within {STARTUP_TIMEOUT:.0f}s; see {log.name}"
                )
            time.sleep(0.25)
        yield port
    finally:
        stop_process(process, timeout=15)
        log.close()


@pytest.fixture
def server_env(chroma_server: int, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("CHROMA_PORT", str(chroma_server))
    return chroma_server


def run(capfd: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capfd.readouterr()
    return code, out, err


def test_ingest_and_ask_through_the_server(
    server_env: int, capfd: pytest.CaptureFixture[str], coach_home: Path
) -> None:
    code, out, err = run(capfd, "ingest", str(KNOWLEDGE_DIR), "--json")
    assert code == 0, err
    statuses = {r["guide_id"]: r["status"] for r in json.loads(out)["ingested"]}
    assert set(statuses) == {"cerebras-ml-ai-engineer", "negotiation-fundamentals"}
    # Nothing was written to the embedded store: the server holds the data.
    assert not (coach_home / "chroma").exists()

    code, out, err = run(capfd, "ingest", str(KNOWLEDGE_DIR), "--json")
    assert code == 0, err
    assert {r["status"] for r in json.loads(out)["ingested"]} == {"unchanged"}

    code, out, err = run(capfd, "ask", "What is the base salary range for Remote US?", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["grounded"] is True and data["provider"] == "fake"
    assert "$208K–$262K" in data["answer"]
    assert data["citations"][0]["guide"] == "cerebras-ml-ai-engineer"
    assert "| Remote US | $208K–$262K" in data["citations"][0]["text"]

    code, out, err = run(capfd, "counter", "--region", "Sunnyvale", "--base", "240k", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["verdict"], data["counter"]["base"]) == ("below_walk_away", 268000)


def test_server_store_survives_a_new_client(server_env: int) -> None:
    from coach.config import load_settings
    from coach.knowledge import store as vectorstore
    from coach.knowledge.library import ingest_paths, open_store
    from coach.knowledge.retrieval import HybridRetriever

    settings = load_settings()
    assert not ingest_paths(settings, [KNOWLEDGE_DIR]).failures  # "unchanged" if already there
    vectorstore._CLIENTS.clear()
    store = open_store(settings)
    assert [g.guide_id for g in store.guides()] == [
        "cerebras-ml-ai-engineer",
        "negotiation-fundamentals",
    ]
    top = HybridRetriever(store).retrieve("How should I use silence after an offer?")[0]
    assert top.guide_id == "negotiation-fundamentals"


def test_closed_port_is_one_store_error_line(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("CHROMA_PORT", str(port))
    code, out, err = run(capfd, "ask", "What is the base salary range for Remote US?", "--json")
    assert code == 2 and out == ""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: Cannot reach the Chroma server at 127.0.0.1:{port}.")
    assert "chroma run" in lines[0]


def test_closed_port_error_type() -> None:
    from coach.config import Settings
    from coach.errors import StoreError
    from coach.knowledge.store import open_client

    with pytest.raises(StoreError, match="Cannot reach the Chroma server"):
        open_client(Settings(home=Path("/unused"), chroma_host="127.0.0.1", chroma_port=free_port()))
