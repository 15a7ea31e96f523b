"""Hybrid retrieval: dense (Chroma) + keyword (BM25), fused, de-duplicated,
optionally reranked by a cross-encoder.

Fusion is a weighted sum of normalised scores (dense min-max over its
candidates, BM25 divided by its best score); ``dense_weight`` was chosen on the
eval set (docs/EVAL.md). Reciprocal-rank fusion is kept as an option because
it is the common default, and measured against.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Literal, Protocol

import numpy as np

from rag.embedders import Embedder
from rag.keyword import KeywordIndex
from rag.rerank import Reranker
from rag.schema import Chunk, Hit
from rag.store import Store

Fusion = Literal["weighted", "rrf"]


class Retriever(Protocol):
    """Finds the passages for a query."""

    def retrieve(self, query: str, top_k: int, doc_ids: Sequence[str] | None = None) -> list[Hit]:
        """Best ``top_k`` passages, best first; restricted to ``doc_ids`` when given."""
        ...


def _normalise_dense(pairs: list[tuple[str, float]]) -> dict[str, float]:
    if not pairs:
        return {}
    vals = [s for _, s in pairs]
    lo, hi = min(vals), max(vals)
    span = hi - lo or 1.0
    return {cid: (s - lo) / span for cid, s in pairs}


def _normalise_keyword(pairs: list[tuple[str, float]]) -> dict[str, float]:
    if not pairs:
        return {}
    top = max(s for _, s in pairs) or 1.0
    return {cid: s / top for cid, s in pairs}


def _rrf(*rankings: list[tuple[str, float]], k: int = 60) -> dict[str, float]:
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, (cid, _) in enumerate(ranking):
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (k + rank + 1)
    return fused


def _shingles(text: str) -> set[str]:
    return {text[i : i + 3] for i in range(max(1, len(text) - 2))}


def collapse_near_duplicates(hits: list[Hit], threshold: float = 0.6,
                             limit: int | None = None) -> list[Hit]:
    """Drop a hit whose text mostly repeats a better-ranked hit (overlapping chunks);
    stop once ``limit`` hits are kept."""
    kept: list[Hit] = []
    grams: list[set[str]] = []
    for h in hits:
        if limit is not None and len(kept) >= limit:
            break
        g = _shingles(h.chunk.text)
        if any(len(g & k) / max(1, min(len(g), len(k))) >= threshold for k in grams):
            continue
        kept.append(h)
        grams.append(g)
    return kept


class HybridRetriever:
    """Dense + BM25 retrieval over one loaded index."""

    def __init__(
        self,
        store: Store,
        keyword: KeywordIndex,
        embedder: Embedder,
        chunks: Mapping[str, Chunk],
        *,
        candidates: int = 30,
        dense_weight: float = 0.35,
        fusion: Fusion = "weighted",
        reranker: Reranker | None = None,
        query_cache: int = 0,
    ) -> None:
        self.store = store
        self.keyword = keyword
        self.embedder = embedder
        self.chunks = chunks
        self.candidates = candidates
        self.dense_weight = dense_weight
        self.fusion = fusion
        self.reranker = reranker
        # lru_cache is thread-safe; the cached arrays are only read
        self._embed_query = lru_cache(maxsize=query_cache)(embedder.embed_query) if query_cache \
            else embedder.embed_query

    def embed_query(self, text: str) -> np.ndarray:
        """The query embedding (cached when the cache is on)."""
        return np.asarray(self._embed_query(text))

    def retrieve(self, query: str, top_k: int, doc_ids: Sequence[str] | None = None) -> list[Hit]:
        """Fused, de-duplicated (and optionally reranked) hits, best first."""
        dense = self.store.dense_search(self._embed_query(query), self.candidates, doc_ids) \
            if self.dense_weight > 0 else []
        kw = self.keyword.search(query, self.candidates, doc_ids) if self.dense_weight < 1 else []
        d_norm, k_norm = _normalise_dense(dense), _normalise_keyword(kw)
        if self.fusion == "rrf":
            fused = _rrf(dense, kw)
        else:
            w = self.dense_weight
            fused = {cid: w * d_norm.get(cid, 0.0) + (1 - w) * k_norm.get(cid, 0.0)
                     for cid in set(d_norm) | set(k_norm)}
        ranked = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))  # ties by id: the same order in every process
        raw = dict(dense)
        hits = [
            Hit(self.chunks[cid], score, d_norm.get(cid, 0.0), k_norm.get(cid, 0.0),
                cosine=raw.get(cid, 0.0))
            for cid, score in ranked
            if cid in self.chunks
        ]
        pool = max(top_k * 3, 10) if self.reranker is not None else top_k
        hits = collapse_near_duplicates(hits, limit=pool)
        if self.reranker is not None:
            hits = self.reranker.rerank(query, hits)
        return [replace(h, rank=i + 1) for i, h in enumerate(hits[:top_k])]
