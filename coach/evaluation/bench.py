"""``coach bench``: speed and memory figures for the README, measured in one run.

Machines here are noisy, so every comparison is made inside one run, as a ratio: the chain
against the raw llama.cpp call on the same prompt, a follow-up turn with and without prompt
reuse. Nothing here is a test: it measures and prints.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from coach.advice.advisor import Advisor
from coach.advice.conversation import Conversation
from coach.config import Settings
from coach.evaluation.bench_web import web_first_byte
from coach.knowledge.library import default_knowledge_dir, ingest_paths
from coach.models.providers import local_engine

QUESTION = "What is the base salary range for Remote US?"
FOLLOW_UP = "And what should I counter with?"


def _first_and_total(pieces: Iterator[str]) -> tuple[float, float, str]:
    start = time.perf_counter()
    first = None
    text = ""
    for piece in pieces:
        if first is None:
            first = time.perf_counter() - start
        text += piece
    total = time.perf_counter() - start
    return (first if first is not None else total), total, text


def _asked(advisor: Advisor, question: str) -> Iterator[str]:
    """The answer stream, with retrieval inside the timed part (it runs on first ``next``)."""
    yield from advisor.stream(question)


def _followed_up(conversation: Conversation, question: str) -> Iterator[str]:
    yield from conversation.ask(question)


def help_startup(runs: int = 5) -> float:
    """Median wall time of ``coach --help`` in a fresh interpreter."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "coach.cli", "--help"], capture_output=True, check=True
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def ingest_speed(settings: Settings) -> dict[str, float]:
    """Chunks per second ingesting the bundled guides into a fresh, empty store."""

    with tempfile.TemporaryDirectory() as home:
        fresh = replace(settings, home=Path(home), chroma_host="")
        start = time.perf_counter()
        report = ingest_paths(fresh, [default_knowledge_dir()])
        elapsed = time.perf_counter() - start
    chunks = sum(r.chunks for r in report.results)
    return {"chunks": chunks, "seconds": elapsed, "chunks_per_second": chunks / elapsed}


def _drop_prefix_cache(settings: Settings) -> None:
    for path in settings.cache_dir.glob("prefix-*.state"):
        path.unlink()


def model_figures(settings: Settings) -> dict[str, Any]:
    """Ask and chat latencies on the local model, against raw llama.cpp on the same prompt."""

    figures: dict[str, Any] = {}
    start = time.perf_counter()
    engine = local_engine(settings)
    figures["model_load_s"] = time.perf_counter() - start
    ingest_paths(settings, [default_knowledge_dir()])
    advisor = Advisor(settings)
    llm = engine.llm

    # Cold one-shot ask: nothing evaluated, no saved prefix state.
    _drop_prefix_cache(settings)
    llm.reset()
    first, total, _ = _first_and_total(_asked(advisor, QUESTION))
    figures["ask_cold_first_token_s"], figures["ask_cold_total_s"] = first, total

    # One-shot ask as a new process sees it: nothing evaluated, prefix state on disk.
    llm.reset()
    first, total, _ = _first_and_total(_asked(advisor, QUESTION))
    figures["ask_first_token_s"], figures["ask_total_s"] = first, total

    # Chain against raw llama.cpp on the very same prompt from the same state (the system
    # prefix restored beforehand for both), so the difference is the chain and the guard.
    stream = advisor.stream(QUESTION)
    prompt, stops = engine.render(stream.messages)
    timings = {}
    for label in ("chain", "raw"):
        llm.reset()
        engine._restore_system_prefix(stream.messages)
        if label == "chain":
            pieces: Iterator[str] = _asked(advisor, QUESTION)
        else:
            raw = llm.create_completion(
                prompt=engine.tokenize(prompt),
                max_tokens=settings.max_answer_tokens,
                temperature=0.2,
                top_p=0.9,
                repeat_penalty=1.1,
                stop=stops,
                stream=True,
            )
            pieces = (p["choices"][0]["text"] for p in raw)
        first_s, total_s, out = _first_and_total(pieces)
        timings[label] = (first_s, total_s, len(engine.tokenize(out)))
    figures["chain_first_token_s"], figures["chain_total_s"], chain_tokens = timings["chain"]
    figures["raw_first_token_s"], figures["raw_total_s"], raw_tokens = timings["raw"]
    # Compare per generated token: the two runs may stop after different lengths.
    per_chain = figures["chain_total_s"] / max(chain_tokens, 1)
    per_raw = figures["raw_total_s"] / max(raw_tokens, 1)
    figures["chain_overhead_ratio"] = per_chain / per_raw - 1.0
    figures["tokens_chain_raw"] = [chain_tokens, raw_tokens]

    # A follow-up chat turn, reusing the evaluated prefix, then with the cache thrown away.
    conversation = Conversation(advisor)
    turn = conversation.ask(QUESTION)
    _first_and_total(iter(turn))
    conversation.remember(turn)
    reuse_first, _, _ = _first_and_total(_followed_up(conversation, FOLLOW_UP))
    conversation.history = conversation.history[:2]
    _drop_prefix_cache(settings)
    llm.reset()
    cold_first, _, _ = _first_and_total(_followed_up(conversation, FOLLOW_UP))
    figures["followup_first_token_reuse_s"] = reuse_first
    figures["followup_first_token_no_reuse_s"] = cold_first
    return figures


# Everyday messages for timing the reader: none of them comes from the eval cases.
_READ_SAMPLES = (
    "what do they pay for base in san diego?",
    "they offered 251 base, should I take it?",
    "and the other regions?",
    "what's my walk-away",
    "when is the IPO",
    "give me the share premium script",
)


def reading_speed(settings: Settings) -> dict[str, float]:
    """Milliseconds to read one message (intent + slots) once the reader is warm."""
    advisor = Advisor(replace(settings, provider="fake"))
    playbooks = advisor.playbooks()
    advisor.read("warm up", playbooks)  # the example vectors are computed once per process
    times = []
    for _ in range(5):
        for text in _READ_SAMPLES:
            start = time.perf_counter()
            advisor.read(text, playbooks)
            times.append((time.perf_counter() - start) * 1000)
    return {"read_message_median_ms": statistics.median(times), "read_message_max_ms": max(times)}


def run_bench(settings: Settings, quick: bool = False) -> dict[str, Any]:
    """All figures; ``quick`` skips the model (start-up and ingestion only)."""
    figures: dict[str, Any] = {"provider": settings.provider, "threads": settings.threads}
    figures["help_startup_s"] = help_startup()
    figures.update({f"ingest_{k}": v for k, v in ingest_speed(settings).items()})
    figures.update(reading_speed(settings))
    if not quick and settings.provider == "local":
        figures.update(model_figures(settings))
    if not quick:
        # The web page's cost: `coach serve`'s first streamed text vs the library's first token.
        figures.update(web_first_byte(settings))
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def format_bench(figures: dict[str, Any]) -> str:
    lines = []
    for key, value in figures.items():
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        lines.append(f"{key:34} {shown}")
    return "\n".join(lines)
