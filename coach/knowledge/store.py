"""The Chroma side of the knowledge base: a chunk collection and a guide manifest.

Chunks live in a LangChain ``Chroma`` vector store (cosine space). Each guide also has one
manifest record naming its *active* content hash, its title and its playbook. Retrieval
only trusts chunks whose hash is the active one, which is what makes ingestion safe to
kill: new chunks are written first, then the manifest flips, then old chunks are removed.
Embedded mode keeps everything under ``COACH_HOME/chroma``; ``CHROMA_HOST`` switches to a
``chroma run`` server for scale-out.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from coach.config import Settings
from coach.errors import StoreError

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from langchain_core.embeddings import Embeddings


MANIFEST = "coach-manifest"

_CLIENTS: dict[tuple[str, ...], Any] = {}


@dataclass(frozen=True)
class GuideRecord:
    """What the manifest knows about one stored guide."""

    guide_id: str
    title: str
    content_hash: str
    path: str
    chunks: int
    ingested_at: str
    playbook_json: str


def open_client(settings: Settings) -> ClientAPI:
    # Chroma must not phone home: the coach promises to stay offline.
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        key: tuple[str, ...] = ("http", settings.chroma_host, str(settings.chroma_port))
    else:
        key = ("path", str(settings.chroma_dir))
    if key in _CLIENTS:
        return _CLIENTS[key]
    try:
        if settings.chroma_host:
            client = chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
            client.heartbeat()
        else:
            settings.chroma_dir.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(
                path=str(settings.chroma_dir), settings=chroma_settings
            )
    except Exception as exc:  # chromadb raises bare ValueError/ConnectionError/HTTP errors
        if settings.chroma_host:
            raise StoreError(
                f"Cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port}.",
                "Start it with `chroma run --path DIR --port PORT`, or unset CHROMA_HOST "
                "to use the embedded store.",
            ) from exc
        raise StoreError(
            f"Cannot open the Chroma store in {settings.chroma_dir} ({exc}).",
            "Check the folder is writable, or point COACH_HOME somewhere else.",
        ) from exc
    _CLIENTS[key] = client
    return client


class KnowledgeStore:
    """Chunks and guide manifest for one embedding model, in one Chroma database."""

    def __init__(self, settings: Settings, embedding: Embeddings) -> None:
        from langchain_chroma import Chroma

        self.settings = settings
        self.embedding = embedding
        self.client = open_client(settings)
        # One chunk collection and manifest per embedding model: vectors of different models
        # never mix, and switching models re-ingests rather than finding an empty index.
        family = "openai" if settings.embeddings == "openai" else "minilm"
        name = f"coach-chunks-{family}"
        self.vectors = Chroma(
            client=self.client,
            collection_name=name,
            embedding_function=embedding,
            collection_metadata={"hnsw:space": "cosine"},
        )
        self.manifest = self.client.get_or_create_collection(
            f"{MANIFEST}-{family}", metadata={"hnsw:space": "cosine"}, embedding_function=None
        )

    # -- manifest ----------------------------------------------------------------------

    def guides(self) -> list[GuideRecord]:
        """Every stored guide, sorted by id."""
        found = self.manifest.get(include=["metadatas", "documents"])
        records = [
            GuideRecord(
                guide_id=gid,
                title=str(meta.get("title", gid)),
                content_hash=str(meta.get("hash", "")),
                path=str(meta.get("path", "")),
                chunks=int(meta.get("chunks", 0)),
                ingested_at=str(meta.get("ingested_at", "")),
                playbook_json=doc or "{}",
            )
            for gid, meta, doc in zip(
                found["ids"], found["metadatas"] or [], found["documents"] or [], strict=False
            )
        ]
        return sorted(records, key=lambda r: r.guide_id)

    def guide(self, guide_id: str) -> GuideRecord | None:
        return next((g for g in self.guides() if g.guide_id == guide_id), None)

    def activate(self, record: GuideRecord) -> None:
        """Make ``record`` the guide's active version (the atomic step of an ingest)."""
        self.manifest.upsert(
            ids=[record.guide_id],
            embeddings=[[1.0]],
            documents=[record.playbook_json],
            metadatas=[
                {
                    "title": record.title,
                    "hash": record.content_hash,
                    "path": record.path,
                    "chunks": record.chunks,
                    "ingested_at": record.ingested_at,
                }
            ],
        )

    def forget(self, guide_id: str) -> None:
        """Remove a guide and all its chunks."""
        self.manifest.delete(ids=[guide_id])
        self.vectors._collection.delete(where={"guide_id": guide_id})

    # -- chunks ------------------------------------------------------------------------

    def has_chunks(self, guide_id: str, content_hash: str, expected: int) -> bool:
        found = self.vectors._collection.get(
            where={"$and": [{"guide_id": guide_id}, {"guide_hash": content_hash}]}, include=[]
        )
        return len(found["ids"]) == expected

    def add_chunks(self, texts: list[str], metadatas: list[dict[str, Any]], ids: list[str]) -> None:
        self.vectors.add_texts(texts=texts, metadatas=metadatas, ids=ids)

    def drop_stale_chunks(self, guide_id: str, keep_hash: str) -> None:
        """Delete chunks of older (or half-written) versions of a guide."""
        self.vectors._collection.delete(
            where={"$and": [{"guide_id": guide_id}, {"guide_hash": {"$ne": keep_hash}}]}
        )

    def active_chunks(self, guide_ids: list[str] | None = None) -> list[tuple[str, str, dict]]:
        """(id, text, metadata) of every chunk that belongs to an active guide version."""
        active = {g.guide_id: g.content_hash for g in self.guides()}
        if guide_ids is not None:
            active = {k: v for k, v in active.items() if k in guide_ids}
        if not active:
            return []
        found = self.vectors._collection.get(include=["documents", "metadatas"])
        return [
            (cid, doc, meta)
            for cid, doc, meta in zip(
                found["ids"], found["documents"], found["metadatas"], strict=False
            )
            if active.get(meta.get("guide_id")) == meta.get("guide_hash")
        ]

    def vector_search(self, query: str, k: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the ``k`` nearest chunks to ``query``."""
        count = self.vectors._collection.count()
        if count == 0:
            return []
        vector = self.embedding.embed_query(query)
        found = self.vectors._collection.query(
            query_embeddings=[vector], n_results=min(k, count), include=["distances"]
        )
        return [
            (cid, 1.0 - float(dist))
            for cid, dist in zip(found["ids"][0], found["distances"][0], strict=False)
        ]


def playbook_dict(record: GuideRecord) -> dict[str, Any]:
    """The stored playbook of a guide as a dict (empty if it could not be parsed)."""
    try:
        return json.loads(record.playbook_json)
    except ValueError:
        return {}
