"""``coach doctor``: check every part of the stack and say, for each, ok or how to fix it.

Each check is independent and never raises: a broken part becomes a ``Check`` whose
``fix`` names the command to run, so one report shows everything that is wrong at once.
"""

from __future__ import annotations

import platform
import shutil
import sys
import urllib.error
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from coach import __version__
from coach.config import Settings
from coach.errors import CoachError
from coach.knowledge.store import open_client
from coach.models.model_files import assemble_model, check_gguf
from coach.models.providers import embeddings, served_models
from coach.models.runtime_build import MARKER_NAME, installed_marker, rebuild_command
from coach.models.selftest import (
    check_runtime,
    cpu_flags,
    is_recorded_ok,
    llama_package_dir,
)

OK, WARN, FAIL = "ok", "warn", "fail"
_MIN_FREE_BYTES = 2 << 30  # the assembled model (1.1 GB) plus a store and caches


@dataclass(frozen=True)
class Check:
    """One line of the report: what was checked, how it went, and the fix if it did not."""

    name: str
    status: str
    detail: str
    fix: str = ""


def _runtime(settings: Settings) -> Check:
    folder = llama_package_dir()
    if folder is None:
        status = FAIL if settings.provider == "local" else WARN
        return Check("llama.cpp runtime", status, "llama-cpp-python is not installed",
                     "run `make setup` (or `python -m coach.runtime_build`)")
    record = installed_marker(folder)
    flags = ", ".join(cpu_flags()) or "unknown"
    if record is None:
        return Check(
            "llama.cpp runtime",
            WARN,
            f"built outside coach (no {MARKER_NAME}); it may be a native build; CPU: {flags}",
            f"rebuild portably: {rebuild_command()}",
        )
    return Check("llama.cpp runtime", OK, f"{record['variant']} build; CPU: {flags}")


def _model_path(settings: Settings) -> Path:
    return check_gguf(settings.model_path) if settings.model_path else assemble_model(
        settings.models_dir
    )


def _model(settings: Settings) -> Check:
    path = _model_path(settings)
    size_mb = path.stat().st_size / 1e6
    verified = "" if settings.model_path else ", hash verified"
    return Check("model file", OK, f"{path} ({size_mb:,.0f} MB{verified})")


def _selftest(settings: Settings, recheck: bool) -> Check:
    path = _model_path(settings)
    cached = not recheck and is_recorded_ok(settings.models_dir, path)
    check_runtime(settings.models_dir, path, settings.threads, force=recheck)
    how = "passed earlier with this build and model" if cached else "one token generated"
    return Check("runtime self-test", OK, how)


def _embeddings(settings: Settings) -> Check:
    vector = embeddings(settings).embed_query("base salary range")
    return Check("embeddings", OK, f"{settings.embeddings}: {len(vector)} dimensions")


def _store(settings: Settings) -> Check:
    client = open_client(settings)
    where = (
        f"server {settings.chroma_host}:{settings.chroma_port}"
        if settings.chroma_host
        else str(settings.chroma_dir)
    )
    return Check("chroma store", OK, f"{where} ({len(client.list_collections())} collections)")


def _provider(settings: Settings) -> Check:
    if settings.provider in ("local", "fake"):
        return Check("provider", OK, f"{settings.provider} ({settings.model_label})")
    if settings.provider == "openai" and not settings.api_key:
        return Check("provider", FAIL, "openai: OPENAI_API_KEY is not set",
                     "export OPENAI_API_KEY=sk-..., or use --provider local")
    if not settings.base_url:
        if settings.provider == "openai":
            return Check("provider", OK, f"openai ({settings.model_label}), key set")
        return Check("provider", FAIL, "openai-compatible: no base URL",
                     "pass --base-url http://127.0.0.1:8080/v1 (or set COACH_BASE_URL)")
    names = served_models(settings)
    return Check("provider", OK, f"{settings.provider} at {settings.base_url}: serves "
                 f"{', '.join(names) or 'no model names'}")


def _disk(settings: Settings) -> Check:
    folder = settings.home if settings.home.exists() else settings.home.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    free = shutil.disk_usage(folder).free
    text = f"{free / 2**30:,.1f} GiB free under {folder}"
    if free < _MIN_FREE_BYTES:
        return Check("disk", WARN, text, "free at least 2 GiB, or point COACH_HOME elsewhere")
    return Check("disk", OK, text)


def run_checks(settings: Settings, recheck: bool = False) -> list[Check]:
    """Every check of the stack, in the order a person would fix them."""
    checks: list[tuple[str, Callable[[], Check]]] = [
        ("python", lambda: Check(
            "python", OK, f"coach {__version__} on Python {platform.python_version()} "
            f"({platform.machine()}, {sys.platform})")),
        ("provider", lambda: _provider(settings)),
    ]
    if settings.provider == "local":
        checks += [
            ("llama.cpp runtime", lambda: _runtime(settings)),
            ("model file", lambda: _model(settings)),
            ("runtime self-test", lambda: _selftest(settings, recheck)),
        ]
    checks += [
        ("embeddings", lambda: _embeddings(settings)),
        ("chroma store", lambda: _store(settings)),
        ("disk", lambda: _disk(settings)),
    ]
    results = []
    for name, run in checks:
        try:
            results.append(run())
        except CoachError as exc:
            results.append(Check(name, FAIL, exc.message, exc.hint))
        except (OSError, urllib.error.URLError) as exc:
            results.append(Check(name, FAIL, f"{exc.__class__.__name__}: {exc}"))
        except Exception as exc:  # a doctor reports every failure rather than stopping
            results.append(Check(name, FAIL, f"unexpected {exc.__class__.__name__}: {exc}",
                                 "run with --debug and report it"))
    return results


def as_dicts(checks: list[Check]) -> list[dict[str, str]]:
    """The report in a JSON-ready form."""
    return [asdict(c) for c in checks]


def healthy(checks: list[Check]) -> bool:
    """True when nothing failed (warnings allowed)."""
    return all(c.status != FAIL for c in checks)

