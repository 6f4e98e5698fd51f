"""Build and install llama-cpp-python so that it runs on any x86-64 CPU of the last decade.

Why this exists: PyPI ships llama-cpp-python only as source, and its default build compiles
llama.cpp with ``-march=native``. On a CPU with AMX (recent Intel Xeons) that build takes the
AMX matrix path, which segfaults on the embedded Q4_K_M model (llama.cpp issue #20824). This
module builds the wheel with the native tuning off and an explicit AVX2 baseline instead.

pip caches a wheel built from source by the source's address, not by ``CMAKE_ARGS``, so a
machine that once built natively would silently reuse that wheel. Here the wheel is built
with pip's cache off, and kept in a cache of our own whose key holds both the source archive's
hash and the flags, so a wheel is reused only when it was built with the same flags.

It uses only the standard library: the Makefile runs it with the venv's Python from the
checkout, before ``coach`` and its dependencies are installed.

    python -m coach.runtime_build              # build (or reuse) and install the portable wheel
    python -m coach.runtime_build --check      # exit 1 unless the installed build is ours
    python -m coach.runtime_build --variant avx512   # faster on AVX-512 CPUs, not portable
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
VARIANTS: dict[str, list[str]] = {
    "portable": [*_X86_COMMON, "-DGGML_AVX512=OFF"],
    # For the benchmark and for people who know their CPU has AVX-512: still no AMX.
    "avx512": [
        *_X86_COMMON,
        "-DGGML_AVX512=ON",
        "-DGGML_AVX512_VBMI=ON",
        "-DGGML_AVX512_VNNI=ON",
        "-DGGML_AVX512_BF16=ON",
    ],
}
# The vision helper library is never used by the coach; skipping it saves build time.
_COMMON_ARGS = ["-DLLAVA_BUILD=OFF"]


def is_x86() -> bool:
    """True on x86-64, the only architecture where the AMX crash and the flags apply."""
    return platform.machine().lower() in {"x86_64", "amd64", "x64", "i686", "i386"}


def cmake_args(variant: str = "portable") -> str:
    """The CMAKE_ARGS for a build variant on this machine's architecture.

    On ARM and macOS the upstream defaults are kept: they are safe there, and the x86 flags
    would be meaningless.
    """
    flags = list(_COMMON_ARGS)
    if is_x86():
        flags += VARIANTS[variant]
    return " ".join(flags)


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
    if record is None or record.get("cmake_args") not in {cmake_args(v) for v in VARIANTS}:
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
        prog="python -m coach.runtime_build",
        description="Build llama-cpp-python without -march=native and without AMX.",
    )
    parser.add_argument("--python", default=sys.executable, help="the environment's Python")
    parser.add_argument("--variant", choices=sorted(VARIANTS), default="portable")
    parser.add_argument("--cache", type=Path, default=default_cache(),
                        help="where built wheels are kept (default: %(default)s)")
    parser.add_argument("--check", action="store_true",
                        help="only check that the installed build is one of ours")
    parser.add_argument("--print-args", action="store_true",
                        help="print the CMAKE_ARGS of the variant and exit")
    args = parser.parse_args(argv)
    if args.print_args:
        print(cmake_args(args.variant))
        return 0
    if args.check:
        return check(args.python)
    install(args.python, args.variant, args.cache)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
