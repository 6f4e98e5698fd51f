"""Compare llama.cpp builds (e.g. the portable AVX2 one against an AVX-512 one) in one run.

Each build lives in its own Python environment, so each measurement is a child process of
that environment's Python. Builds are measured in turns (A, B, A, B, ...) rather than one
after the other, so a slow minute on a noisy machine hurts both alike, and the figure that
matters is the ratio between them.

    coach bench --compare-python /path/to/other/venv/bin/python
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from coach.models.runtime_build import installed_marker

_PROMPT = (
    "You are a negotiation coach. The candidate was offered $240K base in Sunnyvale; the "
    "band is $218K to $272K, the target is $268K and the walk-away is $248K. "
) * 6
_GENERATED = 48


def measure(python: str, model: Path, threads: int) -> dict[str, float]:
    """Prompt and generation speed of the build installed for ``python`` (one child run)."""
    command = [python, "-m", "coach.evaluation.bench_runtime", str(model), str(threads)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"{python}: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare(pythons: list[str], model: Path, threads: int, rounds: int = 3) -> dict[str, Any]:
    """Median speeds of each build over ``rounds`` interleaved runs, and ratios to the first."""
    runs: dict[str, list[dict[str, float]]] = {p: [] for p in pythons}
    for _ in range(rounds):
        for python in pythons:
            runs[python].append(measure(python, model, threads))
    result: dict[str, Any] = {"rounds": rounds, "builds": []}
    base: dict[str, float] = {}
    for python in pythons:
        first = runs[python][0]
        numeric = [k for k, v in first.items() if isinstance(v, float)]
        median = {k: statistics.median(r[k] for r in runs[python]) for k in numeric}
        entry = {"python": python, "variant": first["variant"], "avx512": first["avx512"],
                 "prompt_tokens": first["prompt_tokens"], **median}
        if not base:
            base = median
        else:
            entry["prompt_speed_ratio"] = median["prompt_tokens_per_s"] / base["prompt_tokens_per_s"]
            entry["generation_speed_ratio"] = (
                median["generated_tokens_per_s"] / base["generated_tokens_per_s"]
            )
        result["builds"].append(entry)
    return result


def format_comparison(result: dict[str, Any], threads: int) -> str:
    """The comparison as a few lines for people: speeds and ratios to the first build."""
    lines = [f"llama.cpp builds, median of {result['rounds']} interleaved runs, {threads} threads"]
    for build in result["builds"]:
        ratios = (
            f"  (x{build['prompt_speed_ratio']:.2f} prompt, x{build['generation_speed_ratio']:.2f}"
            " generation)"
            if "prompt_speed_ratio" in build
            else "  (baseline)"
        )
        lines.append(
            f"{build['variant']:>9}: prompt {build['prompt_tokens_per_s']:6.1f} tok/s, "
            f"generation {build['generated_tokens_per_s']:5.1f} tok/s{ratios}"
        )
    return "\n".join(lines)


def _child(model: str, threads: int) -> None:
    """Load the model with the coach's settings and time a prompt and a fixed-length reply."""
    import llama_cpp

    llm = llama_cpp.Llama(model_path=model, n_ctx=1024, n_threads=threads,
                          n_threads_batch=threads, n_batch=256, use_mmap=False, verbose=False)
    tokens = llm.tokenize(_PROMPT.encode(), add_bos=False)
    start = time.perf_counter()
    llm.eval(tokens)
    prompt_s = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(_GENERATED):
        # Greedy and blind to end-of-text, so every build generates the same number of tokens.
        token = llm.sample(temp=0.0)
        llm.eval([token])
    generated_s = time.perf_counter() - start
    marker = installed_marker(Path(llama_cpp.__file__).parent) or {}
    info = llama_cpp.llama_print_system_info().decode(errors="replace")
    print(json.dumps({
        "variant": marker.get("variant", "unknown"),
        "avx512": "AVX512 = 1" in info,
        "prompt_tokens": len(tokens),
        "prompt_tokens_per_s": len(tokens) / prompt_s,
        "generated_tokens_per_s": _GENERATED / generated_s,
    }))


if __name__ == "__main__":
    _child(sys.argv[1], int(sys.argv[2]))
