"""The embedded chat model: llama.cpp running a GGUF on the CPU, with prompt-prefix reuse.

Two caches keep a 2-core laptop responsive:

* within a process, llama.cpp keeps the tokens it has already evaluated; a chat turn whose
  prompt starts with the previous turn's prompt only evaluates the new tail;
* across processes, the state after the stable system prompt (instructions that do not
  change between questions) is saved to ``COACH_HOME/cache`` and reloaded, so a one-shot
  ``coach ask`` does not re-read the instructions every time.
"""

from __future__ import annotations

import atexit
import hashlib
import pickle
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from coach.errors import ProviderError

_MODELS: dict[tuple[str, int, int], LocalLlama] = {}
_MODELS_LOCK = threading.Lock()


def _close_all() -> None:
    """Free the models before interpreter shutdown, while llama.cpp's bindings still exist."""
    with _MODELS_LOCK:
        for model in _MODELS.values():
            model.llm.close()
        _MODELS.clear()


atexit.register(_close_all)


def get_local_llama(path: Path, threads: int, context_tokens: int, cache_dir: Path) -> LocalLlama:
    """The process-wide model for ``path``: loading 1 GB once per process, not per call."""
    key = (str(path), threads, context_tokens)
    with _MODELS_LOCK:
        if key not in _MODELS:
            _MODELS[key] = LocalLlama(path, threads, context_tokens, cache_dir)
        return _MODELS[key]


class LocalLlama:
    """A loaded GGUF model that streams chat replies and reuses evaluated prompt prefixes."""

    def __init__(self, path: Path, threads: int, context_tokens: int, cache_dir: Path) -> None:
        try:
            import llama_cpp
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter
        except ImportError as exc:
            raise ProviderError(
                "llama-cpp-python is not installed, so the local model cannot run.",
                "Run `pip install -e '.[local]'` (or `make setup`), or pick another --provider.",
            ) from exc
        try:
            self.llm = llama_cpp.Llama(
                model_path=str(path),
                n_ctx=context_tokens,
                n_threads=threads,
                n_threads_batch=threads,
                n_batch=256,  # a smaller compute buffer; prompts here are short
                # Reading the weights in, rather than mapping them, avoids counting them twice
                # while llama.cpp repacks them for the CPU: about 600 MB less at peak.
                use_mmap=False,
                seed=7,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise ProviderError(
                f"llama.cpp could not load {path}: {exc}.",
                "Check the file is a complete GGUF model, or unset COACH_MODEL_PATH.",
            ) from exc
        self.path = path
        self.context_tokens = context_tokens
        self.cache_dir = cache_dir
        template = self.llm.metadata.get("tokenizer.chat_template", "")
        if not template:
            raise ProviderError(
                f"{path.name} has no chat template in its metadata.",
                "Use an instruction-tuned GGUF (one with a chat template).",
            )
        eos = self._token_text(self.llm.token_eos())
        bos = self._token_text(self.llm.token_bos())
        self._formatter = Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos)
        # Re-entrant: a stream abandoned by the guard may still hold it until it is collected.
        self._lock = threading.RLock()
        self._file_digest = _file_identity(path)
        self._prefix_tokens: dict[str, list[int]] = {}

    def _token_text(self, token: int) -> str:
        if token < 0:
            return ""
        return self.llm.detokenize([token], special=True).decode("utf-8", errors="ignore")

    def render(self, messages: list[dict[str, str]]) -> tuple[str, list[str]]:
        """The prompt text for ``messages`` in the model's own chat format, and its stop words."""
        response = self._formatter(messages=messages)
        stops = response.stop if isinstance(response.stop, list) else [response.stop or ""]
        return response.prompt, [s for s in stops if s]

    def tokenize(self, text: str) -> list[int]:
        return self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)

    def stream(
        self,
        messages: list[dict[str, str]],
        max_tokens: int = 200,
        temperature: float = 0.2,
        stop: list[str] | None = None,
    ) -> Iterator[str]:
        """Stream the reply to ``messages``, reusing any cached prefix of the prompt."""
        prompt, template_stops = self.render(messages)
        tokens = self.tokenize(prompt)
        budget = self.context_tokens - max_tokens
        if len(tokens) > budget:
            raise ProviderError(
                f"The prompt is {len(tokens)} tokens; the local model's window leaves {budget}.",
                "Ask a shorter question, start a new chat, or use a larger --provider model.",
            )
        with self._lock:
            self._restore_system_prefix(messages)
            pieces = self.llm.create_completion(
                prompt=tokens,
                max_tokens=max_tokens,
                temperature=temperature,
                top_p=0.9,
                repeat_penalty=1.1,
                stop=[*(stop or []), *template_stops],
                stream=True,
            )
            for piece in pieces:
                text = piece["choices"][0]["text"]
                if text:
                    yield text

    # -- cross-process prefix cache ------------------------------------------------------

    def _system_prefix_tokens(self, messages: list[dict[str, str]]) -> list[int]:
        """Tokens of the rendered prompt up to the end of the system message (memoised)."""
        if not messages or messages[0]["role"] != "system":
            return []
        system = messages[0]["content"]
        if system not in self._prefix_tokens:
            self._prefix_tokens[system] = self._render_prefix(messages[0])
        return self._prefix_tokens[system]

    def _render_prefix(self, system: dict[str, str]) -> list[int]:
        marker = "\u2063coach-prefix-end\u2063"
        probe, _ = self.render([system, {"role": "user", "content": marker}])
        cut = probe.find(marker)
        if cut <= 0:
            return []
        # Stop at the last newline before the user turn's text, so the cut never splits a
        # token that the full prompt would have merged across the boundary.
        cut = probe.rfind("\n", 0, cut) + 1
        return self.tokenize(probe[:cut])

    def _restore_system_prefix(self, messages: list[dict[str, str]]) -> None:
        prefix = self._system_prefix_tokens(messages)
        if len(prefix) < 32:
            return
        evaluated = list(self.llm._input_ids[: self.llm.n_tokens])
        if evaluated[: len(prefix)] == prefix:
            return  # already in the context from an earlier turn of this process
        key = hashlib.sha256((self._file_digest + repr(prefix)).encode()).hexdigest()[:24]
        path = self.cache_dir / f"prefix-{key}.state"
        state = _load_state(path)
        if state is not None:
            self.llm.load_state(state)
            return
        self.llm.reset()
        self.llm.eval(prefix)
        _save_state(path, self.llm.save_state())


def _file_identity(path: Path) -> str:
    stat = path.stat()
    return f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"


def _load_state(path: Path) -> Any | None:
    if not path.is_file():
        return None
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        # A damaged cache file only costs speed: drop it and evaluate the prefix again.
        path.unlink(missing_ok=True)
        return None


def _save_state(path: Path, state: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with partial.open("wb") as handle:
        pickle.dump(state, handle, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(path)
