"""The `openai-compatible` and `openai` providers end to end, against a REAL server.

llama-cpp-python's own OpenAI-compatible server (``python -m llama_cpp.server``) serves the
embedded GGUF on 127.0.0.1; the coach CLI runs as a separate process, as a person would run
it, with ``--provider openai-compatible --base-url`` (and ``openai`` via OPENAI_BASE_URL).
The server requires an API key, so a wrong key is a real 401.

Two failures need a server that misbehaves on cue, which the real one cannot be asked to
do: answering half a stream and then dropping the connection, and never answering. For
those a few lines of socket code on loopback stand in.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_integration import KNOWLEDGE_DIR, _verified_copy, _why_unavailable, values

from coach.evaluation.bench_web import stop_process

pytestmark = pytest.mark.integration

KEY = "coach-test-key"
ALIAS = "coach-qwen"
REMOTE_US = "What is the base salary range for Remote US?"
COACH = [sys.executable, "-m", "coach.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _models_ready(port: int) -> bool:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/models", headers={"Authorization": f"Bearer {KEY}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=2) as reply:
            return reply.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def server_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A COACH_HOME with knowledge/ ingested (the server, not this home, holds the model)."""
    if reason := _why_unavailable():
        pytest.skip(reason)
    from coach.config import Settings
    from coach.knowledge.library import ingest_paths

    home = tmp_path_factory.mktemp("server-client-home")
    report = ingest_paths(Settings(home=home, provider="fake", embeddings="local"), [KNOWLEDGE_DIR])
    assert not report.failures
    return home


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory, server_home: Path) -> Iterator[str]:
    """`python -m llama_cpp.server` with the embedded GGUF on a free loopback port."""
    from coach.models.model_files import assemble_model

    model = _verified_copy() or assemble_model(tmp_path_factory.mktemp("server-model"))
    port = free_port()
    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", ALIAS,
         "--host", "127.0.0.1", "--port", str(port), "--api_key", KEY, "--n_ctx", "3072",
         "--n_threads", "2"],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not _models_ready(port):
            if process.poll() is not None:
                pytest.fail(f"llama_cpp.server exited with {process.returncode}: "
                            f"{log_path.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail("llama_cpp.server did not answer within 120 s")
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        stop_process(process, timeout=20)
        log.close()


def coach(home: Path, *argv: str, stdin: str = "", env: dict[str, str] | None = None,
          timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the coach CLI in its own process, with only this test's settings in force."""
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("COACH_", "OPENAI_", "CHROMA_"))}
    clean.update({"COACH_HOME": str(home), "COACH_EMBEDDINGS": "local", **(env or {})})
    return subprocess.run([*COACH, *argv], input=stdin, capture_output=True, text=True,
                          timeout=timeout, env=clean, cwd=Path(__file__).resolve().parents[1])


def compatible(url: str, key: str = KEY) -> tuple[list[str], dict[str, str]]:
    return ["--provider", "openai-compatible", "--base-url", url], {"OPENAI_API_KEY": key}


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode != 0, done.stdout
    assert "Traceback" not in done.stderr, done.stderr
    errors = [ln for ln in done.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1, done.stderr
    return errors[0]


# -- happy paths on the real server --------------------------------------------------------


def test_ask_json_through_the_compatible_server(server_home: Path, llama_server: str) -> None:
    flags, env = compatible(llama_server)
    done = coach(server_home, *flags, "ask", REMOTE_US, "--json", env=env)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert {("money", 208_000.0), ("money", 262_000.0)} <= values(data["answer"]), data["answer"]
    assert data["grounded"] is True
    assert data["provider"] == "openai-compatible"
    assert data["model"] == ALIAS  # the served model was found by asking /models


def test_streamed_ask_and_counter(server_home: Path, llama_server: str) -> None:
    flags, env = compatible(llama_server)
    done = coach(server_home, *flags, "ask", "What should I counter with?", env=env)
    assert done.returncode == 0, done.stderr
    assert ("money", 268_000.0) in values(done.stdout), done.stdout
    done = coach(server_home, *flags, "counter", "--region", "Sunnyvale", "--base", "240k",
                 "--json", env=env)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["verdict"] == "below_walk_away" and data["counter"]["base"] == 268000
    assert data["grounded"] is True, data["message"]


def test_chat_and_a_short_roleplay(server_home: Path, llama_server: str, tmp_path: Path) -> None:
    flags, env = compatible(llama_server)
    done = coach(server_home, *flags, "chat", stdin=f"{REMOTE_US}\n/quit\n", env=env)
    assert done.returncode == 0, done.stderr
    assert {("money", 208_000.0), ("money", 262_000.0)} <= values(done.stdout), done.stdout
    script = tmp_path / "lines.txt"
    script.write_text("I'm targeting $268K base and 30% more shares.\nI'll pass.\n")
    done = coach(server_home, *flags, "roleplay", "--region", "Sunnyvale", "--seed", "3",
                 "--script", str(script), "--json", env=env)
    assert done.returncode == 0, done.stderr
    session = json.loads(done.stdout)
    assert session["outcome"] == "walked_away"
    assert len([t for t in session["transcript"] if t["role"] == "recruiter"]) >= 2


def test_openai_provider_code_path_via_openai_base_url(
    server_home: Path, llama_server: str
) -> None:
    env = {"OPENAI_BASE_URL": llama_server, "OPENAI_API_KEY": KEY}
    done = coach(server_home, "--provider", "openai", "ask", REMOTE_US, "--json", env=env)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["provider"] == "openai"
    assert {("money", 208_000.0), ("money", 262_000.0)} <= values(data["answer"]), data["answer"]


# -- failures: one clear line and a non-zero exit ------------------------------------------


def test_wrong_key_is_a_401_line(server_home: Path, llama_server: str) -> None:
    flags, env = compatible(llama_server, key="wrong-key")
    line = one_error_line(coach(server_home, *flags, "ask", REMOTE_US, env=env))
    assert "refused the API key (HTTP 401)" in line and "OPENAI_API_KEY" in line


def test_unknown_model_name_is_named(server_home: Path, llama_server: str) -> None:
    flags, env = compatible(llama_server)
    line = one_error_line(coach(server_home, *flags, "--model", "no-such-model", "ask", REMOTE_US,
                                env=env))
    assert "no model 'no-such-model'" in line and ALIAS in line


def test_server_down_before_the_call(server_home: Path) -> None:
    flags, env = compatible(f"http://127.0.0.1:{free_port()}/v1")
    line = one_error_line(coach(server_home, *flags, "ask", REMOTE_US, env=env))
    assert "Cannot reach the model server" in line and "--base-url" in line


class MisbehavingServer:
    """Lists one model, then either cuts a streamed answer short or never answers."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.5)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/v1"
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        deadline = time.monotonic() + 120  # bounded: it stops by itself
        while not self.stop.is_set() and time.monotonic() < deadline:
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(30)
            request = conn.recv(65536).decode("latin-1")
            if request.startswith("GET") and "/models" in request:
                body = json.dumps({"object": "list", "data": [{"id": "stub", "object": "model"}]})
                conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}"
                             .encode())
                return
            if self.mode == "silent":
                self.stop.wait(60)
                return
            chunk = json.dumps({"id": "x", "object": "chat.completion.chunk", "created": 0,
                                "model": "stub", "choices": [{"index": 0, "delta":
                                {"role": "assistant", "content": "The base range "},
                                "finish_reason": None}]})
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n")
            data = f"data: {chunk}\n\n".encode()
            conn.sendall(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            # ...and the server dies: the connection closes without the final chunk.

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        self.sock.close()


@pytest.fixture
def misbehaving() -> Iterator[type[MisbehavingServer]]:
    servers: list[MisbehavingServer] = []

    def make(mode: str) -> MisbehavingServer:
        servers.append(MisbehavingServer(mode))
        return servers[-1]

    yield make  # type: ignore[misc]
    for server in servers:
        server.close()


def test_server_dying_mid_stream(server_home: Path, misbehaving: type) -> None:
    server = misbehaving("cut")
    flags, env = compatible(server.url)
    line = one_error_line(coach(server_home, *flags, "ask", REMOTE_US, env=env))
    assert "closed the connection in the middle of an answer" in line


def test_timeout(server_home: Path, misbehaving: type) -> None:
    server = misbehaving("silent")
    flags, env = compatible(server.url)
    line = one_error_line(coach(server_home, *flags, "ask", REMOTE_US,
                                env={**env, "COACH_TIMEOUT": "3"}))
    assert "did not answer within 3 s" in line and "COACH_TIMEOUT" in line
