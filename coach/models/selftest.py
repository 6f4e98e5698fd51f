"""A one-token self-test of the local llama.cpp runtime, run in a child process.

Why a child: a llama.cpp build that does not suit the CPU (the AMX segfault of llama.cpp
issue #20824 is the known case) kills the whole process with a signal, before Python can
print anything. Run in a child, the same crash becomes an exit status we can explain in one
line, with the CPU flags that matter, the build's ``system_info`` and the command that
rebuilds the runtime portably.

The verdict is recorded next to the model, keyed by the runtime build and the model file,
so the test runs once per build and model rather than on every start.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from coach.errors import ProviderError
from coach.models.runtime_build import cpu_flags as all_cpu_flags
from coach.models.runtime_build import rebuild_command

# Set to a signal name (e.g. SIGSEGV) to make the child die that way before it loads the
# model: it lets a person (and the tests) see the crash report without a broken build.
FAULT_ENV = "COACH_SELFTEST_FAULT"
_TIMEOUT_S = 300
_CPU_FLAGS_OF_INTEREST = ("avx2", "avx512f", "avx512_vnni", "amx_tile", "amx_int8", "amx_bf16")


@dataclass(frozen=True)
class SelfTestResult:
    """What one self-test run found: ``ok``, or how the child failed."""

    ok: bool
    returncode: int
    system_info: str
    detail: str

    @property
    def signal_name(self) -> str:
        """The signal that killed the child, e.g. ``SIGSEGV``, or an empty string."""
        if self.returncode >= 0:
            return ""
        try:
            return signal.Signals(-self.returncode).name
        except ValueError:
            return f"signal {-self.returncode}"


def llama_package_dir() -> Path | None:
    """The installed ``llama_cpp`` folder, found without importing (and loading) it."""
    spec = importlib.util.find_spec("llama_cpp")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def runtime_libraries() -> list[Path]:
    """The native libraries of the installed llama.cpp build (empty if not installed)."""
    folder = llama_package_dir()
    if folder is None:
        return []
    return sorted(p for p in (folder / "lib").glob("*") if p.suffix in {".so", ".dylib", ".dll"})


def runtime_identity() -> str:
    """A string that changes whenever the llama.cpp build changes (reinstall, rebuild)."""
    parts = []
    for lib in runtime_libraries():
        stat = lib.stat()
        parts.append(f"{lib.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(parts)


def cpu_flags() -> list[str]:
    """The CPU features that decide whether a llama.cpp build can run here (Linux only)."""
    present = all_cpu_flags()
    return [flag for flag in _CPU_FLAGS_OF_INTEREST if flag in present]


def enabled_features(system_info: str) -> list[str]:
    """The ``NAME = 1`` entries of llama.cpp's system_info, e.g. ``['AVX2', 'FMA']``."""
    features = []
    for item in system_info.replace("\n", "|").split("|"):
        name, _, value = item.rpartition("=")
        name = name.split(":")[-1].strip()
        if name and value.strip() == "1":
            features.append(name)
    return features


def _marker(models_dir: Path, model_path: Path) -> Path:
    return models_dir / f"{model_path.name}.selftest.json"


def _record(model_path: Path) -> dict[str, str]:
    stat = model_path.stat()
    return {
        "runtime": runtime_identity(),
        "model": f"{model_path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}",
    }


def is_recorded_ok(models_dir: Path, model_path: Path) -> bool:
    """True if this build already passed the self-test with this model file."""
    try:
        recorded = json.loads(_marker(models_dir, model_path).read_text())
    except (OSError, ValueError):
        return False
    return recorded == {**_record(model_path), "ok": True}


def run_selftest(model_path: Path, threads: int, timeout_s: float = _TIMEOUT_S) -> SelfTestResult:
    """Load ``model_path`` in a child process and generate one token."""
    command = [sys.executable, "-m", "coach.models.selftest", str(model_path), str(threads)]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired:
        return SelfTestResult(False, 0, "", f"no answer within {timeout_s:.0f} s")
    lines = done.stdout.splitlines()
    info = next((ln.removeprefix("system_info: ") for ln in lines if ln.startswith("system_info:")),
                "")
    if done.returncode == 0 and "selftest: ok" in lines:
        return SelfTestResult(True, 0, info, "one token generated")
    errors = [ln for ln in done.stderr.splitlines() if ln.strip()]
    return SelfTestResult(False, done.returncode, info, errors[-1] if errors else "")


def check_runtime(models_dir: Path, model_path: Path, threads: int, force: bool = False) -> None:
    """Make sure the local runtime can run ``model_path``; raise one clear line if not.

    A passing result is recorded, so this costs one child process per build and model.
    """
    if not force and is_recorded_ok(models_dir, model_path):
        return
    result = run_selftest(model_path, threads)
    if not result.ok and result.returncode > 0:
        # The child exited cleanly with an error: the build ran, the file did not load.
        raise ProviderError(
            f"llama.cpp could not load {model_path}: {result.detail or 'unknown error'}.",
            "Check the file is a complete GGUF model, or unset COACH_MODEL_PATH.",
        )
    if not result.ok:
        raise crash_error(result)
    models_dir.mkdir(parents=True, exist_ok=True)
    _marker(models_dir, model_path).write_text(json.dumps({**_record(model_path), "ok": True}))


def crash_error(result: SelfTestResult) -> ProviderError:
    """The one-line report of a failed self-test: what happened, on what, and the fix."""
    flags = ", ".join(cpu_flags()) or "unknown"
    build = ", ".join(enabled_features(result.system_info)) or "unknown"
    if result.signal_name:
        what = f"The local model runtime (llama.cpp) crashed with {result.signal_name} in its self-test"
    else:
        what = f"The local model runtime (llama.cpp) failed its self-test ({result.detail or 'no output'})"
    amx_built = any(f.startswith("AMX") for f in enabled_features(result.system_info))
    cause = " The build uses AMX, which crashes on this model (llama.cpp #20824)." if amx_built else ""
    return ProviderError(
        f"{what}. CPU flags: {flags}; build features: {build}.{cause}",
        f"Rebuild it portably: {rebuild_command()} (or `make setup`), "
        "or use --provider openai-compatible.",
    )


def result_as_dict(result: SelfTestResult) -> dict[str, object]:
    """A JSON-ready form of ``result`` for ``coach doctor --json``."""
    return {**asdict(result), "signal": result.signal_name}


def _child(model_path: str, threads: int) -> int:
    """The child's side: report the build, then load the model and generate one token."""
    fault = os.environ.get(FAULT_ENV, "")
    import llama_cpp

    # Printed (and flushed) before any kernel runs, so the parent has it even after a crash.
    info = llama_cpp.llama_print_system_info().decode("utf-8", errors="replace").strip()
    print(f"system_info: {' '.join(info.split())}", flush=True)
    if fault:
        os.kill(os.getpid(), getattr(signal, fault))
    llm = llama_cpp.Llama(
        model_path=model_path,
        n_ctx=256,
        n_threads=threads,
        n_batch=64,
        use_mmap=False,
        verbose=False,
    )
    # A few prompt tokens, then one generated: the same matrix kernels every answer uses.
    llm.create_completion("The offer is", max_tokens=1, temperature=0.0)
    llm.close()
    print("selftest: ok", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(_child(sys.argv[1], int(sys.argv[2])))
