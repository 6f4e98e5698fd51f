"""Guide uploads: one file, bounded, checked by ``coach ingest``'s own rules, kept in COACH_HOME.

The body is streamed to a private folder inside the data folder (never a path the client
chose: only a cleaned base name survives), checked with ``coach.knowledge.ingest.read_guide``
so every refusal is the line ``coach ingest`` prints, then stored with ``ingest_text``. A
good file is kept as ``COACH_HOME/uploads/NAME`` (the guide record points at it); anything
else is deleted.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path, PurePosixPath, PureWindowsPath

from coach.errors import InputError
from coach.knowledge.ingest import (
    MAX_BYTES,
    IngestResult,
    guide_id_for,
    ingest_text,
    read_guide,
)
from coach.knowledge.store import KnowledgeStore
from coach.web.errors import TooLargeError

UPLOADS = "uploads"
MAX_NAME = 120


def clean_name(raw: str) -> str:
    """The file's base name with only safe characters; no folders, no leading dots."""
    # A browser sends a base name; a crafted request may send either kind of path.
    name = PureWindowsPath(PurePosixPath(raw.strip()).name).name
    name = re.sub(r"[^A-Za-z0-9._ -]+", "-", name).strip(" .-")
    if not name or len(name) > MAX_NAME:
        raise InputError(
            "The upload needs a file name such as my-offer.md.",
            f"Send it in the X-Filename header (letters, digits, dots, at most {MAX_NAME}).",
        )
    return name


def uploads_dir(home: Path) -> Path:
    folder = home / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def receive_guide(
    home: Path, raw_name: str, body: AsyncIterator[bytes], declared: int | None = None
) -> Path:
    """Stream ``body`` into a private staging file and return its path.

    Reading stops before it starts when the declared size is over ``MAX_BYTES``, and as
    soon as the bytes received pass it. The refusal is then the library's own line,
    produced by checking a sparse file of that size: nothing past the limit is stored.
    """
    name = clean_name(raw_name)
    staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=uploads_dir(home)))
    path = staging / name
    size = declared if declared is not None and declared > MAX_BYTES else 0
    try:
        with path.open("wb") as out:
            if size:
                out.truncate(size)
            else:
                async for chunk in body:
                    size += len(chunk)
                    if size > MAX_BYTES:
                        out.truncate(size)  # sparse: gives read_guide the size, holds no data
                        break
                    out.write(chunk)
        if size > MAX_BYTES:
            try:
                read_guide(path)
            except InputError as exc:
                raise TooLargeError(exc.message, exc.hint) from None
        return path
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def store_guide(store: KnowledgeStore, home: Path, staged: Path) -> IngestResult:
    """Check the staged file as ``coach ingest`` does, store it, and keep it in uploads/."""
    folder = uploads_dir(home).resolve()
    final = (folder / staged.name).resolve()
    try:
        if final.parent != folder:  # clean_name makes this impossible; checked all the same
            raise InputError(f"{staged.name} is not a plain file name.", "Rename the file.")
        text = read_guide(staged)  # every refusal here is coach ingest's own line
        result = ingest_text(store, guide_id_for(staged), text, str(final))
        os.replace(staged, final)
        return result
    finally:
        shutil.rmtree(staged.parent, ignore_errors=True)
