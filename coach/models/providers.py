"""Factories for the chat model and the embeddings, chosen by a mode string in settings.

Chat models are LangChain ``BaseChatModel`` objects so the Q&A chain is plain LCEL:
``local`` and ``fake`` wrap the coach's own streaming engines; ``openai`` and
``openai-compatible`` use ``langchain-openai``. Heavy imports happen here, lazily, so that
``coach --help`` stays fast.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

from coach.config import DEFAULT_OPENAI_EMBEDDING_MODEL, DEFAULT_OPENAI_MODEL, Settings
from coach.errors import ProviderError
from coach.models.embeddings import MiniLMEmbeddings
from coach.models.fake_llm import FakeLlama
from coach.models.local_llm import get_local_llama
from coach.models.model_files import assemble_model, check_gguf

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from langchain_core.language_models import BaseChatModel



class StreamingEngine(Protocol):
    """What the local and fake models offer: stream a reply to chat messages."""

    def stream(
        self,
        messages: list[dict[str, str]],
        max_tokens: int = 200,
        temperature: float = 0.2,
        stop: list[str] | None = None,
    ) -> Iterator[str]: ...


_ROLES = {"system": "system", "human": "user", "ai": "assistant"}


def _engine_chat_model_class() -> type:
    """Build the LangChain adapter class on first use (keeps langchain out of start-up)."""
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
    from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
    from pydantic import ConfigDict

    class EngineChatModel(BaseChatModel):
        """A LangChain chat model backed by a ``StreamingEngine`` (llama.cpp or the fake)."""

        model_config = ConfigDict(arbitrary_types_allowed=True)
        engine: Any
        label: str = "engine"
        max_tokens: int = 200
        temperature: float = 0.2

        @property
        def _llm_type(self) -> str:
            return self.label

        def _messages(self, messages: list[BaseMessage]) -> list[dict[str, str]]:
            return [
                {"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages
            ]

        def _stream(
            self,
            messages: list[BaseMessage],
            stop: list[str] | None = None,
            run_manager: Any = None,
            **kwargs: Any,
        ) -> Iterator[ChatGenerationChunk]:
            for text in self.engine.stream(
                self._messages(messages),
                max_tokens=kwargs.get("max_tokens", self.max_tokens),
                temperature=kwargs.get("temperature", self.temperature),
                stop=stop,
            ):
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
                if run_manager:
                    run_manager.on_llm_new_token(text, chunk=chunk)
                yield chunk

        def _generate(
            self,
            messages: list[BaseMessage],
            stop: list[str] | None = None,
            run_manager: Any = None,
            **kwargs: Any,
        ) -> ChatResult:
            text = "".join(c.text for c in self._stream(messages, stop, run_manager, **kwargs))
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    return EngineChatModel


_CHAT_MODELS: dict[tuple[Any, ...], Any] = {}


def local_engine(settings: Settings) -> StreamingEngine:
    """The embedded llama.cpp engine (assembling the bundled GGUF on first use)."""

    path = (
        check_gguf(settings.model_path)
        if settings.model_path
        else assemble_model(settings.models_dir)
    )
    return get_local_llama(path, settings.threads, settings.context_tokens, settings.cache_dir)


def chat_model(settings: Settings, engine: StreamingEngine | None = None) -> BaseChatModel:
    """The LangChain chat model for ``settings.provider`` (one instance per process)."""
    key = (
        settings.provider,
        settings.model,
        str(settings.model_path),
        settings.base_url,
        id(engine),
    )
    if key in _CHAT_MODELS:
        return _CHAT_MODELS[key]
    if engine is not None or settings.provider in ("local", "fake"):
        if engine is None:
            engine = FakeLlama() if settings.provider == "fake" else local_engine(settings)
        model = _engine_chat_model_class()(
            engine=engine, label=settings.provider, max_tokens=settings.max_answer_tokens
        )
    else:
        model = _openai_chat_model(settings)
    _CHAT_MODELS[key] = model
    return model


def _openai_key(settings: Settings, needed_for: str, otherwise: str) -> str:
    """The OpenAI API key, or one line saying it is missing and what to do instead."""
    key = settings.api_key or os.environ.get("OPENAI_API_KEY", "")
    if not key:
        raise ProviderError(
            f"OPENAI_API_KEY is not set, so {needed_for}.",
            f"Export OPENAI_API_KEY=sk-..., or {otherwise}.",
        )
    return key


def _openai_chat_model(settings: Settings) -> BaseChatModel:
    from langchain_openai import ChatOpenAI

    if settings.provider == "openai":
        key = _openai_key(
            settings,
            "the openai provider cannot authenticate",
            "use --provider local (the offline default)",
        )
        model, base_url, timeout, retries = DEFAULT_OPENAI_MODEL, settings.base_url or None, 60, 1
    else:
        if not settings.base_url:
            raise ProviderError(
                "The openai-compatible provider needs the server's base URL.",
                "Pass --base-url http://127.0.0.1:11434/v1 (or set COACH_BASE_URL).",
            )
        # Local servers ignore the key, but the client library insists on one; they are
        # slower than the API and retrying a refused connection only delays the error.
        key, model, base_url, timeout, retries = (
            settings.api_key or "not-needed",
            "default",
            settings.base_url,
            120,
            0,
        )
    return ChatOpenAI(
        model=settings.model or model,
        api_key=key,
        base_url=base_url,
        max_tokens=settings.max_answer_tokens,
        temperature=0.2,
        timeout=timeout,
        max_retries=retries,
    )


def embeddings(settings: Settings) -> Embeddings:
    """The embedding function that matches ``settings.embeddings``."""
    if settings.embeddings == "openai":
        from langchain_openai import OpenAIEmbeddings

        key = _openai_key(
            settings,
            "OpenAI embeddings cannot be used",
            "set COACH_EMBEDDINGS=local for offline embeddings",
        )
        return OpenAIEmbeddings(model=DEFAULT_OPENAI_EMBEDDING_MODEL, api_key=key)

    return MiniLMEmbeddings(threads=settings.threads)


def connection_error_types() -> tuple[type[BaseException], ...]:
    """Exceptions that mean "the model server could not be reached or refused us"."""
    try:
        import openai
    except ImportError:
        return (ConnectionError,)
    return (
        ConnectionError,
        openai.APIConnectionError,
        openai.APITimeoutError,
        openai.AuthenticationError,
        openai.NotFoundError,
        openai.RateLimitError,
    )
