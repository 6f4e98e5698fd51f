"""Factories for the chat model and the embeddings, chosen by a mode string in settings.

Chat models are LangChain ``BaseChatModel`` objects so the Q&A chain is plain LCEL:
``local`` and ``fake`` wrap the coach's own streaming engines; ``openai`` and
``openai-compatible`` use ``langchain-openai``. Heavy imports happen here, lazily, so that
``coach --help`` stays fast.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

from coach.config import DEFAULT_OPENAI_EMBEDDING_MODEL, DEFAULT_OPENAI_MODEL, Settings
from coach.errors import ProviderError
from coach.models.embeddings import MiniLMEmbeddings
from coach.models.fake_llm import FakeLlama
from coach.models.local_llm import get_local_llama
from coach.models.model_files import assemble_model, check_gguf
from coach.models.selftest import check_runtime

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
    # A build that crashes on this CPU would kill this process silently; the self-test
    # finds out in a child first (once per build and model, then it is recorded).
    check_runtime(settings.models_dir, path, settings.threads)
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
        model, base_url, retries = DEFAULT_OPENAI_MODEL, settings.base_url or None, 1
        if settings.model and settings.base_url:
            _check_served(settings, settings.model)
    else:
        if not settings.base_url:
            raise ProviderError(
                "The openai-compatible provider needs the server's base URL.",
                "Pass --base-url http://127.0.0.1:11434/v1 (or set COACH_BASE_URL).",
            )
        # Local servers ignore the key, but the client library insists on one; they are
        # slower than the API and retrying a refused connection only delays the error.
        key, base_url, retries = settings.api_key or "not-needed", settings.base_url, 0
        # Asking the server what it serves turns a wrong --model (which some servers
        # silently replace with their default) or a server that is down into one clear line
        # before any question is sent.
        served = served_models(settings)
        if settings.model:
            _check_served(settings, settings.model, served)
        model = served[0] if served else "default"
    return ChatOpenAI(
        model=settings.model or model,
        api_key=key,
        base_url=base_url,
        max_tokens=settings.max_answer_tokens,
        temperature=0.2,
        timeout=settings.request_timeout,
        max_retries=retries,
    )


def served_models(settings: Settings) -> list[str]:
    """The model names the server at ``settings.base_url`` lists under ``/models``."""
    url = settings.base_url.rstrip("/") + "/models"
    request = urllib.request.Request(url)
    key = settings.api_key or os.environ.get("OPENAI_API_KEY", "")
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(request, timeout=min(settings.request_timeout, 30)) as reply:
            body = json.loads(reply.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise _auth_error(settings, exc.code) from None
        raise ProviderError(
            f"The model server at {settings.base_url} answered {url} with HTTP {exc.code}.",
            "Check --base-url: it should end in /v1 for most OpenAI-compatible servers.",
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError) or isinstance(exc, TimeoutError):
            raise _timeout_error(settings) from None
        raise _unreachable_error(settings, reason) from None
    except ValueError:
        raise ProviderError(
            f"{url} did not answer with JSON; it is not an OpenAI-compatible server.",
            "Check --base-url (e.g. http://127.0.0.1:8080/v1).",
        ) from None
    return [str(item.get("id", "")) for item in body.get("data", []) if item.get("id")]


def _check_served(settings: Settings, name: str, served: list[str] | None = None) -> None:
    served = served_models(settings) if served is None else served
    if served and name not in served:
        raise ProviderError(
            f"The model server at {settings.base_url} has no model {name!r}; "
            f"it serves: {', '.join(served)}.",
            "Pass one of those names with --model (or COACH_MODEL).",
        )


def _unreachable_error(settings: Settings, reason: object) -> ProviderError:
    return ProviderError(
        f"Cannot reach the model server at {settings.base_url} ({reason}).",
        "Start the server, or check --base-url / COACH_BASE_URL; --provider local needs none.",
    )


def _timeout_error(settings: Settings) -> ProviderError:
    return ProviderError(
        f"The model server at {settings.base_url or 'the OpenAI API'} did not answer within "
        f"{settings.request_timeout:g} s.",
        "Check that it is not overloaded, or wait longer with COACH_TIMEOUT=SECONDS.",
    )


def _auth_error(settings: Settings, code: int) -> ProviderError:
    return ProviderError(
        f"The model server at {settings.base_url or 'the OpenAI API'} refused the API key "
        f"(HTTP {code}).",
        "Set OPENAI_API_KEY to a key the server accepts.",
    )


def _exception_chain(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def provider_failure(exc: BaseException, settings: Settings) -> ProviderError | None:
    """One clear line for an error raised while talking to a model server, or None.

    The OpenAI client and httpx raise many types for the same few situations (refused,
    timed out, cut off mid-answer, unauthorised, unknown model); the person needs to know
    which one, and what to do.
    """
    try:
        import openai
    except ImportError:
        return None
    # The client wraps transport errors (from httpx, or the httpx2 that openai 3 ships), so
    # what happened is read from the names along the exception chain.
    chain = _exception_chain(exc)
    names = {type(e).__name__ for e in chain}
    if isinstance(exc, openai.APITimeoutError) or any("Timeout" in n for n in names):
        return _timeout_error(settings)
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return _auth_error(settings, getattr(exc, "status_code", 401))
    if isinstance(exc, openai.NotFoundError):
        return ProviderError(
            f"The model server at {settings.base_url or 'the OpenAI API'} has no model "
            f"{settings.model or DEFAULT_OPENAI_MODEL!r} (HTTP 404).",
            "Pass a model it serves with --model (see `coach doctor`).",
        )
    if isinstance(exc, openai.RateLimitError):
        return ProviderError(
            "The model server is rate-limiting requests (HTTP 429).",
            "Wait a minute and ask again, or use --provider local.",
        )
    if names & {"RemoteProtocolError", "ReadError", "IncompleteRead"}:
        return ProviderError(
            f"The model server at {settings.base_url or 'the OpenAI API'} closed the "
            "connection in the middle of an answer.",
            "Check the server is still running (its log says why), then ask again.",
        )
    if isinstance(exc, openai.APIConnectionError | ConnectionError) or "ConnectError" in names:
        return _unreachable_error(settings, chain[-1])
    if isinstance(exc, openai.APIStatusError):
        return ProviderError(
            f"The model server answered HTTP {exc.status_code}: {exc.message}.",
            "Check the server's log, or use --provider local.",
        )
    return None


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
