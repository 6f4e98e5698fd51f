"""One typed settings object, read from environment variables and overridden by CLI flags.

Everything the coach stores lives under ``COACH_HOME`` (default: the per-user data folder),
so tests and users can move all state by setting one variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from coach.errors import InputError

PROVIDERS = ("local", "openai", "openai-compatible", "fake")
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
DEFAULT_OPENAI_EMBEDDING_MODEL = "text-embedding-3-small"


def default_home() -> Path:
    """The per-user data folder, unless ``COACH_HOME`` says otherwise."""
    if env := os.environ.get("COACH_HOME"):
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("coach", appauthor=False))


@dataclass(frozen=True)
class Settings:
    """Where the coach keeps its data and which models and store it talks to."""

    home: Path = field(default_factory=default_home)
    provider: str = "local"
    model: str = ""  # model name for openai / openai-compatible; empty means the default
    model_path: Path | None = None  # a user's own GGUF for the local provider
    base_url: str = ""  # for openai-compatible servers
    api_key: str = ""
    embeddings: str = "local"  # "local" (ONNX MiniLM) or "openai"
    chroma_host: str = ""
    chroma_port: int = 8000
    threads: int = field(default_factory=lambda: os.cpu_count() or 2)
    context_tokens: int = 3072
    max_answer_tokens: int = 160
    request_timeout: float = 120.0  # seconds to wait for a model server (COACH_TIMEOUT)
    verbose: bool = False
    debug: bool = False

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def history_db(self) -> Path:
        return self.home / "history.sqlite3"

    @property
    def model_label(self) -> str:
        """The model name shown to users and in ``--json`` output."""
        if self.provider == "local":
            return self.model_path.name if self.model_path else "qwen2.5-coder-1.5b-instruct-q4_k_m"
        if self.provider == "fake":
            return "fake"
        if self.provider == "openai-compatible":
            return self.model or "the server's default model"
        return self.model or DEFAULT_OPENAI_MODEL

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with the given non-empty values replaced (CLI flags win over env vars)."""
        return replace(self, **{k: v for k, v in changes.items() if v not in (None, "")})


def load_settings(**overrides: object) -> Settings:
    """Settings from ``COACH_*``, ``OPENAI_*`` and ``CHROMA_*`` variables, then ``overrides``."""
    env = os.environ
    provider = env.get("COACH_PROVIDER", "local").strip() or "local"
    model_path = env.get("COACH_MODEL_PATH")
    port_text = env.get("CHROMA_PORT", "8000")
    timeout_text = env.get("COACH_TIMEOUT", "120")
    try:
        timeout = float(timeout_text)
    except ValueError:
        raise InputError(
            f"COACH_TIMEOUT must be a number of seconds, got {timeout_text!r}.",
            "Set it to how long to wait for a model server, e.g. COACH_TIMEOUT=120.",
        ) from None
    try:
        port = int(port_text)
    except ValueError:
        raise InputError(
            f"CHROMA_PORT must be a port number, got {port_text!r}.",
            "Set it to the port `chroma run` listens on, e.g. CHROMA_PORT=8000.",
        ) from None
    settings = Settings(
        provider=provider,
        model=env.get("COACH_MODEL", ""),
        model_path=Path(model_path).expanduser() if model_path else None,
        base_url=env.get("COACH_BASE_URL", "") or env.get("OPENAI_BASE_URL", ""),
        api_key=env.get("OPENAI_API_KEY", ""),
        embeddings=env.get("COACH_EMBEDDINGS", ""),
        chroma_host=env.get("CHROMA_HOST", ""),
        chroma_port=port,
        request_timeout=timeout,
    )
    settings = settings.with_overrides(**overrides)
    if settings.provider not in PROVIDERS:
        raise InputError(
            f"Unknown provider {settings.provider!r}.",
            f"Use one of: {', '.join(PROVIDERS)} (--provider or COACH_PROVIDER).",
        )
    if not settings.embeddings:
        # OpenAI embeddings only when the OpenAI API itself is the chat provider; a local
        # or compatible server keeps the offline ONNX embeddings.
        chosen = "openai" if settings.provider == "openai" else "local"
        settings = replace(settings, embeddings=chosen)
    return settings
