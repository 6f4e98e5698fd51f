"""The web server's delay before its first streamed text, against the library's own first token.

``coach serve`` should add next to nothing to an answer: the page's first words ought to
arrive as soon as the library has them. This measures both on the same question, from the
same data folder and model files: the library's ``Advisor.stream`` in this process (time
from the call to its first guarded piece, retrieval included), and ``POST /api/ask/stream``
on a ``coach serve`` subprocess on a free loopback port (time from sending the request to
the first ``chunk`` event, and, for reference, to the first byte of the stream, which is
its ``start`` event). The server runs in its own process because the evaluation layer sits
below the web layer; it loads its own copy of the model, so each side is warmed up once on
the question before the timed runs, which then take turns (library, server, ...) so that
a busy moment on the machine hits both. The overhead is the median of the paired
differences. Needs the web extra (FastAPI, uvicorn); without it the figures say why not.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from coach.advice.advisor import Advisor
from coach.config import Settings, load_settings
from coach.errors import CoachError
from coach.knowledge.library import default_knowledge_dir, ingest_paths

QUESTION = "What is the base salary range for Remote US?"  # the question ``coach bench`` asks
TARGET_MS = 50.0  # the server may add at most this much before the first text
STARTUP_SECONDS = 300.0
ANSWER_SECONDS = 600.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_env(settings: Settings) -> dict[str, str]:
    """The environment that makes ``coach serve`` use these settings."""
    env = {**os.environ, "COACH_HOME": str(settings.home), "COACH_PROVIDER": settings.provider}
    for name, value in (
        ("COACH_MODEL", settings.model),
        ("COACH_BASE_URL", settings.base_url),
        ("COACH_MODEL_PATH", str(settings.model_path) if settings.model_path else ""),
        ("COACH_EMBEDDINGS", settings.embeddings),
    ):
        if value:
            env[name] = value
    return env


def _request(port: int, method: str, path: str, body: Any = None) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=ANSWER_SECONDS)
    payload = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if payload is not None else {}
    conn.request(method, path, body=payload, headers=headers)
    return conn.getresponse()


def _wait_until_up(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            with _request(port, "GET", "/api/queue") as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-600:]
            raise CoachError(
                f"`coach serve` did not start for the bench: {tail.strip() or 'no output'}",
                "Run `coach serve` by hand to see why (is the web extra installed?).",
            )
        time.sleep(0.2)


def library_first_token(advisor: Advisor, question: str = QUESTION) -> tuple[float, float]:
    """(first guarded piece, whole answer) in seconds, from the ``stream`` call on."""
    start = time.perf_counter()
    first = None
    for _ in advisor.stream(question):
        if first is None:
            first = time.perf_counter() - start
    total = time.perf_counter() - start
    return (first if first is not None else total), total


def server_first_chunk(port: int, question: str = QUESTION) -> tuple[float, float, float]:
    """(first byte, first ``chunk`` event, whole stream) in seconds, from sending the request."""
    start = time.perf_counter()
    response = _request(port, "POST", "/api/ask/stream", {"question": question})
    first_byte = first_chunk = None
    seen = b""
    with response:
        if response.status != 200:
            raise CoachError(
                f"The server answered {response.status}: {response.read()[:200]!r}.",
                "Run `coach serve` by hand and ask the same question to see why.",
            )
        while data := response.read1(65536):
            now = time.perf_counter() - start
            if first_byte is None:
                first_byte = now
            if first_chunk is None:
                seen += data
                if b"event: chunk" in seen:
                    first_chunk = now
                elif b"event: error" in seen:
                    raise CoachError(
                        f"The server's answer failed: {seen[-300:]!r}.",
                        "Run `coach serve` by hand and ask the same question to see why.",
                    )
    total = time.perf_counter() - start
    return (first_byte or total), (first_chunk or total), total


def web_first_byte(
    settings: Settings, runs: int = 3, question: str = QUESTION, advisor: Advisor | None = None
) -> dict[str, Any]:
    """The server's first streamed text against the library's first token (medians of ``runs``).

    Figures, in seconds unless named ``_ms``: ``library_first_token_s``,
    ``server_first_byte_s``, ``server_first_chunk_s`` (the one compared), the totals,
    ``server_overhead_ms`` (median of paired differences) and ``server_within_target``.
    """
    missing = [m for m in ("fastapi", "uvicorn") if importlib.util.find_spec(m) is None]
    if missing:
        return {"web_skipped": f"the web extra is not installed ({', '.join(missing)})"}
    ingest_paths(settings, [default_knowledge_dir()])  # both sides read the same guides
    advisor = advisor or Advisor(settings)
    port = _free_port()
    with tempfile.TemporaryDirectory() as scratch:
        log = Path(scratch) / "serve.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "coach.cli", "serve", "--port", str(port)],
                env=_server_env(settings),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            _wait_until_up(process, port, log)
            library_first_token(advisor, question)  # warm: model loaded, prompt evaluated
            server_first_chunk(port, question)
            lib, web = [], []
            for _ in range(runs):
                lib.append(library_first_token(advisor, question))
                web.append(server_first_chunk(port, question))
        finally:
            stop_process(process, timeout=20)
    overhead = statistics.median((w[1] - lb[0]) * 1000 for w, lb in zip(web, lib, strict=True))
    return {
        "web_runs": runs,
        "library_first_token_s": statistics.median(x[0] for x in lib),
        "server_first_byte_s": statistics.median(x[0] for x in web),
        "server_first_chunk_s": statistics.median(x[1] for x in web),
        "library_answer_s": statistics.median(x[1] for x in lib),
        "server_answer_s": statistics.median(x[2] for x in web),
        "server_overhead_ms": overhead,
        "server_within_target": overhead <= TARGET_MS,
    }


def format_web(figures: dict[str, Any]) -> str:
    """One line for people: the overhead against the target."""
    if "web_skipped" in figures:
        return f"server first byte: not measured ({figures['web_skipped']})"
    verdict = "within" if figures["server_within_target"] else "over"
    return (
        f"server first text {figures['server_first_chunk_s'] * 1000:.0f} ms vs library first "
        f"token {figures['library_first_token_s'] * 1000:.0f} ms: "
        f"{figures['server_overhead_ms']:+.0f} ms ({verdict} the {TARGET_MS:.0f} ms target)"
    )


if __name__ == "__main__":  # python -m coach.evaluation.bench_web [local|fake] [runs]
    chosen = load_settings(**({"provider": sys.argv[1]} if len(sys.argv) > 1 else {}))
    result = web_first_byte(chosen, runs=int(sys.argv[2]) if len(sys.argv) > 2 else 3)
    print(json.dumps(result, indent=2))
    print(format_web(result))


def stop_process(process: subprocess.Popen[Any], timeout: float = 15) -> None:
    """Stop a server started for a measurement or a test: ask, then kill if it lingers."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)
