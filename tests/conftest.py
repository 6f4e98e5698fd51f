"""Shared fixtures: an isolated COACH_HOME per test, the fake provider, real local embeddings.

Every test gets its own empty data folder and the deterministic ``fake`` chat model, and the
process-wide caches (Chroma clients, chat models) are emptied around it, so no test can see
another's store or model. Tests that need a store use the real offline MiniLM embeddings
(there is no embedding mock); the session-wide ``knowledge_home`` holds the bundled guides
ingested once, for tests that only read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE_DIR = ROOT / "knowledge"
FIXTURE_GUIDES = Path(__file__).resolve().parent / "fixtures" / "guides"
CEREBRAS = "cerebras-ml-ai-engineer"
FUNDAMENTALS = "negotiation-fundamentals"

# Variables that would leak the developer's own setup into a test.
_ISOLATED_ENV = (
    "COACH_MODEL_PATH",
    "COACH_MODEL",
    "COACH_BASE_URL",
    "COACH_EMBEDDINGS",
    "COACH_DEBUG",
    "COACH_PROMPTS",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "CHROMA_HOST",
    "CHROMA_PORT",
)


def clear_coach_caches() -> None:
    """Forget cached Chroma clients and chat models (they are keyed by settings)."""
    from coach.knowledge import store as vectorstore
    from coach.models import providers

    vectorstore._CLIENTS.clear()
    providers._CHAT_MODELS.clear()


@pytest.fixture(autouse=True)
def coach_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty COACH_HOME and the fake provider for every test."""
    home = tmp_path / "coach-home"
    monkeypatch.setenv("COACH_HOME", str(home))
    monkeypatch.setenv("COACH_PROVIDER", "fake")
    for name in _ISOLATED_ENV:
        monkeypatch.delenv(name, raising=False)
    clear_coach_caches()
    yield home
    clear_coach_caches()


@pytest.fixture(scope="session")
def minilm() -> Any:
    """The real offline embedding model, loaded once per test session."""
    from coach.models.embeddings import MiniLMEmbeddings

    return MiniLMEmbeddings(threads=2)


@pytest.fixture
def settings(coach_home: Path) -> Any:
    """Settings for this test's COACH_HOME on the fake provider."""
    from coach.config import load_settings

    return load_settings()


@pytest.fixture
def make_store(settings: Any, minilm: Any) -> Callable[..., Any]:
    """Build a KnowledgeStore on this test's home (call again to get a fresh handle)."""
    from coach.knowledge.store import KnowledgeStore

    def make(for_settings: Any = None) -> Any:
        return KnowledgeStore(for_settings or settings, minilm)

    return make


@pytest.fixture
def store(make_store: Callable[..., Any]) -> Any:
    """An empty KnowledgeStore in this test's home."""
    return make_store()


@pytest.fixture
def guides_store(settings: Any, store: Any) -> Any:
    """This test's own store, holding the bundled knowledge/ guides (writable, unlike
    ``knowledge_store``)."""
    from coach.knowledge.ingest import guide_files, ingest_file

    for path in guide_files([KNOWLEDGE_DIR]):
        ingest_file(store, path)
    return store


@pytest.fixture(scope="session")
def knowledge_home(tmp_path_factory: pytest.TempPathFactory, minilm: Any) -> Path:
    """A data folder with the bundled knowledge/ guides ingested once. Read-only for tests."""
    from coach.config import Settings
    from coach.knowledge.ingest import guide_files, ingest_file
    from coach.knowledge.store import KnowledgeStore

    home = tmp_path_factory.mktemp("knowledge-home")
    store = KnowledgeStore(Settings(home=home, provider="fake", embeddings="local"), minilm)
    for path in guide_files([KNOWLEDGE_DIR]):
        ingest_file(store, path)
    return home


@pytest.fixture
def knowledge_settings(knowledge_home: Path) -> Any:
    from coach.config import Settings

    return Settings(home=knowledge_home, provider="fake", embeddings="local", threads=2)


@pytest.fixture
def knowledge_store(knowledge_settings: Any, minilm: Any) -> Any:
    """A handle on the shared, pre-ingested store (do not write to it)."""
    from coach.knowledge.store import KnowledgeStore

    return KnowledgeStore(knowledge_settings, minilm)


@pytest.fixture
def fake_advisor(knowledge_settings: Any, knowledge_store: Any) -> Callable[..., Any]:
    """An Advisor over the shared store whose model replies with ``responses`` (or the draft)."""
    from coach.advice.advisor import Advisor
    from coach.models.fake_llm import FakeLlama
    from coach.models.providers import chat_model

    def make(responses: list[str] | None = None, store: Any = None, settings: Any = None) -> Any:
        engine = FakeLlama(responses)
        used = settings or knowledge_settings
        advisor = Advisor(used, store=store or knowledge_store, model=chat_model(used, engine))
        advisor.engine = engine  # handy for asserting on the prompts the model saw
        return advisor

    return make
