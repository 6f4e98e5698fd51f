"""Hybrid retrieval: vector search and BM25 keyword search, fused by reciprocal rank.

Embeddings catch paraphrases ("what should I ask for" ~ "target"), but they blur exact
tokens: region names like "Remote US" and figures like "$248K" are what people type, and a
keyword index finds them reliably. Reciprocal-rank fusion needs no score calibration
between the two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coach.knowledge.store import KnowledgeStore

RRF_K = 60
_TOKEN = re.compile(r"\$?\d[\d,.]*[kmb]?\+?%?|[a-z][a-z0-9/+-]*")
STOPWORDS = frozenset(
    (
        "a an and are as at be by can do for from how i in is it me my of on or our should so "
        "that the their them there this to up was we what whats what's when where which who "
        "why will with you your tell give about"
    ).split()
)


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with where it came from and how it ranked."""

    chunk_id: str
    text: str
    guide_id: str
    guide_title: str
    section: str
    line_start: int
    line_end: int
    score: float  # fused RRF score
    similarity: float  # cosine similarity from the vector search (0 when not found there)
    keyword_hits: int  # distinct query terms present in the passage

    @property
    def section_label(self) -> str:
        """The section path without the guide title, for compact citations."""
        parts = self.section.split(" › ")
        return " › ".join(parts[1:]) if len(parts) > 1 else parts[0]


def tokenize(text: str) -> list[str]:
    """Lowercase word and figure tokens; ``$248,000`` and ``$248K`` both also yield ``248000``."""
    tokens: list[str] = []
    for raw in _TOKEN.findall(text.lower()):
        token = raw.rstrip(".,")
        tokens.append(token)
        if token.startswith("$") or re.fullmatch(r"\d[\d,.]*[kmb]", token):
            tokens.append(_money_key(token))
    return tokens


def _money_key(token: str) -> str:
    digits = token.strip("$+%").replace(",", "")
    scale = {"k": 1e3, "m": 1e6, "b": 1e9}.get(digits[-1:], 1.0)
    try:
        value = float(digits.rstrip("kmb")) * scale
    except ValueError:
        return token
    return str(int(value))


def stem(token: str) -> str:
    """A crude stem, so "anchoring", "anchors" and "anchored" meet "anchor" in keyword search."""
    if token[0].isdigit() or token[0] == "$":
        return token
    for suffix in ("ing", "ed", "es", "s"):
        if token.endswith(suffix) and len(token) - len(suffix) >= 4:
            return token[: -len(suffix)]
    return token


def stems(text: str) -> list[str]:
    """The stemmed tokens of ``text`` (keyword search and topic overlap use these)."""
    return [stem(t) for t in tokenize(text)]


def content_terms(text: str) -> set[str]:
    """The query terms that carry meaning (no stopwords)."""
    return {t for t in tokenize(text) if t not in STOPWORDS and len(t) > 1}


class HybridRetriever:
    """Finds the passages of the active guides that best answer a question."""

    def __init__(self, store: KnowledgeStore) -> None:
        self.store = store

    def retrieve(self, query: str, k: int = 4, guide_ids: list[str] | None = None) -> list[Passage]:
        from rank_bm25 import BM25Okapi

        chunks = self.store.active_chunks(guide_ids)
        if not chunks:
            return []
        by_id = {cid: (text, meta) for cid, text, meta in chunks}
        ids = list(by_id)
        # The section path counts as text: "## Anchoring" says what the passage is about.
        corpus = [stems(f"{by_id[cid][1].get('section', '')}\n{by_id[cid][0]}") for cid in ids]
        bm25 = BM25Okapi(corpus)
        scores = bm25.get_scores(stems(query))
        keyword_rank = [ids[i] for i in sorted(range(len(ids)), key=lambda i: -scores[i])]
        keyword_rank = [
            cid for cid, s in zip(keyword_rank, sorted(scores, reverse=True), strict=True) if s > 0
        ]

        similarities: dict[str, float] = {}
        for cid, sim in self.store.vector_search(query, k=max(k * 4, 12)):
            if cid in by_id:  # ignore stale chunks of half-finished ingests
                similarities[cid] = sim
        vector_rank = sorted(similarities, key=lambda c: -similarities[c])

        fused: dict[str, float] = {}
        for ranking in (vector_rank, keyword_rank):
            for position, cid in enumerate(ranking):
                fused[cid] = fused.get(cid, 0.0) + 1.0 / (RRF_K + position + 1)
        terms = content_terms(query)
        passages = []
        # Equal fused scores (first in one ranking, second in the other) are common; the
        # closer meaning, then the chunk id, decides, so the order never depends on which
        # order the store happened to return.
        for cid in sorted(fused, key=lambda c: (-fused[c], -similarities.get(c, 0.0), c))[:k]:
            text, meta = by_id[cid]
            passages.append(
                Passage(
                    chunk_id=cid,
                    text=text,
                    guide_id=str(meta["guide_id"]),
                    guide_title=str(meta.get("guide_title", meta["guide_id"])),
                    section=str(meta.get("section", "")),
                    line_start=int(meta.get("line_start", 0)),
                    line_end=int(meta.get("line_end", 0)),
                    score=fused[cid],
                    similarity=similarities.get(cid, 0.0),
                    keyword_hits=len(terms & set(tokenize(text))),
                )
            )
        return passages
