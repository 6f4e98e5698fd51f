"""A bounded load test of ``coach serve`` on loopback: many browsers at once, one model.

A real ``coach serve`` subprocess on a free port, driven by threads with their own HTTP
clients. On the fake provider, 20 chat sessions talk at once: every answer must come back,
to the session that asked, with that session's own state. On the embedded model, 4
sessions ask in a known order: every answer comes back, in the order they joined the
model's queue, and the server is still up afterwards. The latencies (p95 included) are
written to ``load.json`` in the test's folder and printed (``pytest -s`` shows them);
speed is reported, never asserted. Every wait has a deadline, so the test stops by itself.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from coach.advice import chat_store
from coach.evaluation.bench_web import format_web, stop_process, web_first_byte

STARTUP_SECONDS = 240  # the first start ingests the bundled guides
ANSWER_SECONDS = {"fake": 120, "local": 600}  # one answer, queue wait included
TOTAL_SECONDS = {"fake": 300, "local": 1500}  # the whole burst


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(home: Path, provider: str) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "COACH_HOME": str(home), "COACH_PROVIDER": provider}
    if provider == "local":
        from test_integration import _verified_copy, _why_unavailable

        if reason := _why_unavailable():
            pytest.skip(reason)
        if (copy := _verified_copy()) is not None:
            env["COACH_MODEL_PATH"] = str(copy)  # the assembled GGUF, not a second copy
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "coach.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        try:
            if httpx.get(f"{url}/api/queue", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop_process(process)
            output = process.stdout.read() if process.stdout else ""
            pytest.fail(f"coach serve did not start:\n{output}")
        time.sleep(0.3)


@pytest.fixture
def serve(coach_home: Path) -> Iterator[Any]:
    started: list[subprocess.Popen[str]] = []

    def run(provider: str) -> tuple[subprocess.Popen[str], str]:
        process, url = start_server(coach_home, provider)
        started.append(process)
        return process, url

    yield run
    for process in started:
        stop_process(process)


def sse(lines: Iterator[str]) -> Iterator[tuple[str, Any]]:
    """(event, data) pairs from a text/event-stream, as they arrive."""
    name, data = "message", ""
    for line in lines:
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            data += line[6:]
        elif not line and data:
            yield name, json.loads(data)
            name, data = "message", ""


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def report(path: Path, figures: dict[str, Any]) -> None:
    path.write_text(json.dumps(figures, indent=2))
    print(f"\nload test figures ({path}):\n{json.dumps(figures, indent=2)}")


def test_twenty_chats_at_once_on_the_fake_model(
    serve: Any, tmp_path: Path, coach_home: Path
) -> None:
    sessions = 20
    process, url = serve("fake")
    # One answer first, so the figures are the burst's and not the first load of the reader.
    assert httpx.post(f"{url}/api/ask", json={"question": "hi"}, timeout=120).status_code == 200
    gate = threading.Barrier(sessions, timeout=60)

    def chat(index: int) -> dict[str, Any]:
        offer = 240 + index  # every session has its own offer, to catch crossed answers
        timings: dict[str, float] = {}
        with httpx.Client(base_url=url, timeout=ANSWER_SECONDS["fake"]) as client:
            gate.wait()  # all 20 begin together
            began = time.perf_counter()
            started = client.post("/api/chat", json={})
            assert started.status_code == 201, started.text
            sid = started.json()["id"]
            timings["start"] = time.perf_counter() - began
            began = time.perf_counter()
            said = client.post(
                f"/api/chat/{sid}", json={"message": f"They offered me {offer}k in Sunnyvale"}
            )
            assert said.status_code == 200, said.text
            timings["answer"] = time.perf_counter() - began
            began = time.perf_counter()
            first_chunk = None
            got: list[tuple[str, Any]] = []
            with client.stream(
                "POST", f"/api/chat/{sid}", json={"message": "is that good?", "stream": True}
            ) as response:
                assert response.status_code == 200
                for name, data in sse(response.iter_lines()):
                    if name == "chunk" and first_chunk is None:
                        first_chunk = time.perf_counter() - began
                    got.append((name, data))
            timings["streamed"] = time.perf_counter() - began
            timings["streamed_first_chunk"] = first_chunk if first_chunk is not None else -1.0
            state = client.get(f"/api/chat/{sid}/state").json()["state"]
        return {
            "index": index,
            "offer": offer * 1000.0,
            "sid": sid,
            "first": said.json(),
            "events": got,
            "state": state,
            "timings": timings,
        }

    began = time.perf_counter()
    with ThreadPoolExecutor(sessions) as pool:
        futures = [pool.submit(chat, i) for i in range(sessions)]
        results = [f.result(timeout=TOTAL_SECONDS["fake"]) for f in futures]
    wall = time.perf_counter() - began

    # All answered, none lost, none crossed: each answer and state is its own session's.
    assert len({r["sid"] for r in results}) == sessions
    for r in results:
        offer = r["offer"]
        assert r["first"]["state"]["offer"] == {"base": offer}, r["first"]["state"]
        names = [name for name, _ in r["events"]]
        assert names[-1] == "answer", names
        assert "error" not in names and names.count("start") == 1
        final = r["events"][-1][1]
        streamed = "".join(d["text"] for n, d in r["events"] if n == "chunk")
        assert streamed.strip() == final["answer"]
        assert f"${offer / 1000:.0f}K" in final["answer"] and final["verdict"], final["answer"]
        assert final["state"]["offer"] == {"base": offer}
        assert r["state"]["offer"] == {"base": offer} and r["state"]["region"] == "Sunnyvale"
        # Both turns were kept in the store, in order, under this session's id.
        stored = chat_store.load_chat(coach_home / "history.sqlite3", r["sid"])
        assert stored.version == 2
        assert [m["role"] for m in stored.history] == ["user", "assistant"] * 2
        assert stored.history[-1]["content"] == final["answer"]
    assert process.poll() is None  # still serving
    assert httpx.get(f"{url}/api/queue", timeout=10).json() == {"busy": False, "waiting": 0}

    answers = [r["timings"][k] for r in results for k in ("answer", "streamed")]
    firsts = [r["timings"]["streamed_first_chunk"] for r in results]
    report(
        tmp_path / "load.json",
        {
            "provider": "fake",
            "sessions": sessions,
            "answers": len(answers),
            "wall_s": round(wall, 3),
            "answer_p50_s": round(statistics.median(answers), 3),
            "answer_p95_s": round(p95(answers), 3),
            "answer_max_s": round(max(answers), 3),
            "first_chunk_p95_s": round(p95(firsts), 3),
            "chat_start_p95_s": round(p95([r["timings"]["start"] for r in results]), 3),
        },
    )


@pytest.mark.integration
def test_four_sessions_share_the_embedded_model_in_queue_order(serve: Any, tmp_path: Path) -> None:
    sessions = 4
    process, url = serve("local")
    deadline = time.monotonic() + TOTAL_SECONDS["local"]
    with httpx.Client(base_url=url, timeout=ANSWER_SECONDS["local"]) as client:
        # Starting the chats loads the model (once), before the burst.
        sids = [client.post("/api/chat", json={}).json()["id"] for _ in range(sessions)]

    finished: list[int] = []
    joined = [threading.Event() for _ in range(sessions)]
    observed: list[dict[str, Any]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def ask(index: int) -> dict[str, Any]:
        began = time.perf_counter()
        got: list[tuple[str, Any]] = []
        first_chunk = None
        try:
            with (
                httpx.Client(base_url=url, timeout=ANSWER_SECONDS["local"]) as client,
                client.stream(
                    "POST",
                    f"/api/chat/{sids[index]}",
                    json={"message": "What should I counter with?", "stream": True},
                ) as response,
            ):
                assert response.status_code == 200
                for name, data in sse(response.iter_lines()):
                    got.append((name, data))
                    if name in ("queued", "start"):
                        joined[index].set()  # in line now: the next one may ask
                    if name == "chunk" and first_chunk is None:
                        first_chunk = time.perf_counter() - began
                    if name in ("answer", "error"):
                        with lock:
                            finished.append(index)
        finally:
            joined[index].set()
        return {
            "events": got,
            "seconds": time.perf_counter() - began,
            "first_chunk": first_chunk,
        }

    def watch() -> None:  # what /api/queue shows while the burst runs
        with httpx.Client(base_url=url, timeout=10) as client:
            while not stop.is_set():
                observed.append(client.get("/api/queue").json())
                stop.wait(0.5)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        with ThreadPoolExecutor(sessions) as pool:
            futures = []
            for index in range(sessions):
                futures.append(pool.submit(ask, index))
                assert joined[index].wait(timeout=ANSWER_SECONDS["local"]), index
            results = [f.result(timeout=max(1.0, deadline - time.monotonic())) for f in futures]
    finally:
        stop.set()
        watcher.join(timeout=15)

    for index, r in enumerate(results):
        names = [name for name, _ in r["events"]]
        assert names and names[-1] == "answer", (index, r["events"][-3:])
        assert "error" not in names
        answer = r["events"][-1][1]
        assert answer["answer"] and answer["citations"], answer
        positions = [d["position"] for n, d in r["events"] if n == "queued"]
        assert positions == sorted(positions, reverse=True)  # the place in line only improves
        assert all(p <= index for p in positions), (index, positions)
    assert finished == list(range(sessions))  # served first come, first served
    assert process.poll() is None
    assert httpx.get(f"{url}/api/queue", timeout=10).json() == {"busy": False, "waiting": 0}

    seconds = [r["seconds"] for r in results]
    report(
        tmp_path / "load.json",
        {
            "provider": "local",
            "sessions": sessions,
            "completion_order": finished,
            "queued_positions": [
                [d["position"] for n, d in r["events"] if n == "queued"] for r in results
            ],
            "most_waiting_seen": max((o["waiting"] for o in observed), default=0),
            "answer_s": [round(s, 2) for s in seconds],
            "answer_p95_s": round(p95(seconds), 2),
            "first_chunk_s": [
                round(r["first_chunk"], 2) if r["first_chunk"] is not None else None
                for r in results
            ],
        },
    )


def test_bench_measures_the_servers_first_text_on_the_fake_model(settings: Any) -> None:
    figures = web_first_byte(settings, runs=2)
    print(f"\n{format_web(figures)}")
    assert figures["web_runs"] == 2
    for name in ("library_first_token_s", "server_first_byte_s", "server_first_chunk_s"):
        assert 0 < figures[name] < ANSWER_SECONDS["fake"], (name, figures)
    assert figures["server_first_byte_s"] <= figures["server_first_chunk_s"]
    assert isinstance(figures["server_within_target"], bool)
