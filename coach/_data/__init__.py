"""The folders the coach ships with: ``prompts/``, ``knowledge/`` (the bundled guides), ``evals/``.

They stay at the repository's top level, where people edit them; pyproject.toml maps each
into the installed package as ``coach._data.<folder>`` (``package-dir`` plus package data),
so a wheel carries them. ``bundled`` finds them through ``importlib.resources`` in an
installed or editable ``coach``, and beside the package in a source tree run uninstalled.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

FOLDERS = ("prompts", "knowledge", "evals")


def bundled(folder: str) -> Path:
    """The bundled ``folder`` (one of ``FOLDERS``) as a directory on disk."""
    if folder not in FOLDERS:
        raise ValueError(f"no bundled folder {folder!r}; there are {', '.join(FOLDERS)}")
    try:
        root = files(f"{__name__}.{folder}")
    except ModuleNotFoundError:
        # A source tree run without installing it: the folders sit beside the package.
        return Path(__file__).resolve().parents[2] / folder
    if isinstance(root, Path):
        return root
    # The folders have no __init__.py, so importlib answers with a namespace view; the files
    # it lists are plain files of one directory (wheels install unzipped), which the guide
    # ingester and the prompt loader read with pathlib.
    return next(iter(root.iterdir())).parent  # type: ignore[attr-defined]
