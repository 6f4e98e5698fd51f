"""Build and install llama-cpp-python so that it runs on the machine, whatever its x86-64 CPU.

Why this exists: PyPI ships llama-cpp-python only as source, and its default build compiles
llama.cpp with ``-march=native``. On a CPU with AMX (recent Intel Xeons) that build takes the
AMX matrix path, which segfaults on the embedded Q4_K_M model (llama.cpp issue #20824). This
module builds with the native tuning off and explicit instruction sets instead, never AMX:

* ``portable``: AVX2, FMA, F16C and BMI2, which every x86-64 CPU since 2013 (Intel Haswell,
  AMD Zen) has; the wheel runs on any of them;
* ``avx512``: the same plus exactly the AVX-512 sub-features this CPU reports. Measured on
  a 2-core AMD EPYC (Zen 4) with ``coach bench --compare-python``: prompts read 2.8x faster,
  tokens generated 1.07x faster than ``portable``.

``auto`` (the default) picks ``avx512`` when the CPU has AVX-512 and ``portable`` otherwise.

pip caches a wheel built from source by the source's address, not by ``CMAKE_ARGS``, so a
machine that once built natively would silently reuse that wheel. Here the wheel is built
with pip's cache off, and kept in a cache of our own whose key holds both the source archive's
hash and the flags, so a wheel is reused only when it was built with the same flags.

It uses only the standard library: the Makefile runs it with the venv's Python from the
checkout, before ``coach`` and its dependencies are installed.

    python -m coach.models.runtime_build              # build (or reuse) and install the auto variant
    python -m coach.models.runtime_build --check      # exit 1 unless the installed build is ours
    python -m coach.models.runtime_build --variant portable # AVX2 only: a wheel for any x86-64 CPU
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REQUIREMENT = "llama-cpp-python>=0.3.16,<0.4"
MARKER_NAME = "coach-build.json"

# The x86-64 baseline: AVX2, FMA, F16C and BMI2 are in every Intel CPU since Haswell (2013)
# and every AMD CPU since Zen (2017). AVX-512 and AMX are switched off explicitly, because
# GGML_NATIVE=OFF alone leaves the defaults of a future llama.cpp in charge.
_X86_COMMON = [
    "-DGGML_NATIVE=OFF",
    "-DGGML_AVX=ON",
    "-DGGML_AVX2=ON",
    "-DGGML_FMA=ON",
    "-DGGML_F16C=ON",
    "-DGGML_BMI2=ON",
    "-DGGML_AMX_TILE=OFF",
    "-DGGML_AMX_INT8=OFF",
    "-DGGML_AMX_BF16=OFF",
]
# AVX-512 sub-features ggml can use, by the /proc/cpuinfo flag that says the CPU has them.
_AVX512_EXTRAS = {
    "avx512_vbmi": "-DGGML_AVX512_VBMI=ON",
    "avx512_vnni": "-DGGML_AVX512_VNNI=ON",
    "avx512_bf16": "-DGGML_AVX512_BF16=ON",
}
# What -DGGML_AVX512=ON compiles for (-mavx512f -mavx512cd -mavx512vl -mavx512dq -mavx512bw).
_AVX512_CORE = {"avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw"}
VARIANTS = ("portable", "avx512")
# The vision helper library is never used by the coach; skipping it saves build time.
_COMMON_ARGS = ["-DLLAVA_BUILD=OFF"]


def cpu_flags() -> set[str]:
    """The feature flags of this machine's CPU (Linux; empty elsewhere)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def is_x86() -> bool:
    """True on x86-64, the only architecture where the AMX crash and the flags apply."""
    return platform.machine().lower() in {"x86_64", "amd64", "x64", "i686", "i386"}


def auto_variant(flags: set[str] | None = None) -> str:
    """``avx512`` when this CPU has AVX-512 (prompts read ~2.8x faster), else ``portable``."""
    flags = cpu_flags() if flags is None else flags
    return "avx512" if is_x86() and flags >= _AVX512_CORE else "portable"


def cmake_args(variant: str = "portable", flags: set[str] | None = None) -> str:
    """The CMAKE_ARGS for a build variant on this machine's architecture.

    ``avx512`` switches on exactly the AVX-512 sub-features this CPU reports, so the build
    runs here; no variant ever enables AMX. On ARM and macOS the upstream defaults are kept:
    they are safe there, and the x86 flags would be meaningless.
    """
    args = list(_COMMON_ARGS)
    if not is_x86():
        return " ".join(args)
    args += _X86_COMMON
    if variant == "avx512":
        flags = cpu_flags() if flags is None else flags
        args.append("-DGGML_AVX512=ON")
        args += [arg for flag, arg in _AVX512_EXTRAS.items() if flag in flags]
    else:
        args.append("-DGGML_AVX512=OFF")
    return " ".join(args)


def rebuild_command(variant: str = "portable") -> str:
    """One shell command that rebuilds the runtime with these flags, for error messages."""
    return (
        f'CMAKE_ARGS="{cmake_args(variant)}" pip install --force-reinstall --no-cache-dir '
        f'--no-deps --no-binary llama-cpp-python "{REQUIREMENT}"'
    )


def _pip(python: str, *args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run([python, "-m", "pip", *args], check=True, env=env)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def default_cache() -> Path:
    """Where built wheels are kept between clones: keyed by source hash and flags."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "coach" / "llama-wheels"


def _download_sdist(python: str, folder: Path) -> Path:
    # --no-binary makes sure we get the source even if some index offers a prebuilt wheel.
    _pip(python, "download", "--quiet", "--no-deps", "--no-binary", ":all:", REQUIREMENT,
         "-d", str(folder))
    archives = sorted(folder.glob("llama_cpp_python-*.tar.gz"))
    if not archives:
        raise SystemExit("pip did not download the llama-cpp-python source archive.")
    return archives[-1]


def _installed_package_dir(python: str) -> Path | None:
    # find_spec does not import llama_cpp, so this works even when its library would crash.
    code = (
        "import importlib.util as u; s = u.find_spec('llama_cpp'); "
        "print(list(s.submodule_search_locations)[0] if s else '')"
    )
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=False)
    text = out.stdout.strip()
    return Path(text) if text else None


def installed_marker(package_dir: Path) -> dict[str, str] | None:
    """The record this module leaves inside an installed llama_cpp, or None."""
    marker = package_dir / MARKER_NAME
    try:
        return json.loads(marker.read_text())
    except (OSError, ValueError):
        return None


def build(python: str, variant: str, cache: Path) -> Path:
    """Build (or reuse from our own cache) the wheel for ``variant`` and return its path."""
    flags = cmake_args(variant)
    with tempfile.TemporaryDirectory(prefix="coach-llama-src-") as tmp:
        sdist = _download_sdist(python, Path(tmp))
        key = hashlib.sha256(f"{_sha256(sdist)}\n{flags}".encode()).hexdigest()[:16]
        version = sdist.name.removeprefix("llama_cpp_python-").removesuffix(".tar.gz")
        folder = cache / f"{version}-{variant}-{key}"
        wheels = sorted(folder.glob("llama_cpp_python-*.whl"))
        if wheels:
            print(f"coach: reusing the {variant} llama.cpp build in {folder}", file=sys.stderr)
            return wheels[-1]
        print(
            f"coach: building llama-cpp-python {version} ({variant}: {flags or 'defaults'}); "
            "this takes a few minutes on 2 cores",
            file=sys.stderr,
        )
        env = dict(os.environ, CMAKE_ARGS=flags)
        env.setdefault("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 2))
        staging = Path(tmp) / "wheel"
        # --no-cache-dir: never take a wheel pip built earlier with other flags.
        _pip(python, "wheel", "--quiet", "--no-deps", "--no-cache-dir", str(sdist),
             "-w", str(staging), env=env)
        built = sorted(staging.glob("llama_cpp_python-*.whl"))
        if not built:
            raise SystemExit("pip wheel finished but left no llama-cpp-python wheel.")
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / built[-1].name
        shutil.move(built[-1], target)
        (folder / "flags.txt").write_text(flags + "\n")
        return target


def install(python: str, variant: str, cache: Path) -> None:
    """Install the ``variant`` wheel into ``python``'s environment and mark it as ours."""
    wheel = build(python, variant, cache)
    _pip(python, "install", "--quiet", "--no-deps", "--force-reinstall", str(wheel))
    package_dir = _installed_package_dir(python)
    if package_dir is None:
        raise SystemExit("llama_cpp is not importable after installing the wheel.")
    record = {"variant": variant, "cmake_args": cmake_args(variant), "wheel": wheel.name}
    (package_dir / MARKER_NAME).write_text(json.dumps(record, indent=2) + "\n")
    print(f"coach: installed {wheel.name} ({variant})", file=sys.stderr)


def check(python: str) -> int:
    """0 if the installed llama-cpp-python was built here with known flags, else 1."""
    package_dir = _installed_package_dir(python)
    if package_dir is None:
        print("coach: llama-cpp-python is not installed.", file=sys.stderr)
        return 1
    record = installed_marker(package_dir)
    if record is None or record.get("cmake_args") != cmake_args(record.get("variant", "")):
        print(
            "coach: the installed llama-cpp-python was not built by `python -m "
            "coach.runtime_build` (it may be a native build that crashes on AMX CPUs). "
            f"Rebuild it: {rebuild_command()}",
            file=sys.stderr,
        )
        return 1
    print(f"coach: llama-cpp-python build ok ({record['variant']})", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command line: build and install, or check, the llama.cpp runtime."""
    parser = argparse.ArgumentParser(
        prog="python -m coach.models.runtime_build",
        description="Build llama-cpp-python without -march=native and without AMX.",
    )
    parser.add_argument("--python", default=sys.executable, help="the environment's Python")
    parser.add_argument(
        "--variant",
        choices=["auto", *VARIANTS],
        default=os.environ.get("LLAMA_VARIANT", "auto"),
        help="auto (default): avx512 if this CPU has AVX-512, else portable (AVX2); "
        "portable: a wheel that runs on any x86-64 CPU since 2013 (for sharing across machines)",
    )
    parser.add_argument("--cache", type=Path, default=default_cache(),
                        help="where built wheels are kept (default: %(default)s)")
    parser.add_argument("--check", action="store_true",
                        help="only check that the installed build is one of ours")
    parser.add_argument("--print-args", action="store_true",
                        help="print the CMAKE_ARGS of the variant and exit")
    args = parser.parse_args(argv)
    variant = auto_variant() if args.variant == "auto" else args.variant
    if args.print_args:
        print(cmake_args(variant))
        return 0
    if args.check:
        return check(args.python)
    install(args.python, variant, args.cache)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
