"""Optional cross-encoder rerank (off by default; needs the torch extra)."""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from rag.embedders import TORCH_INSTALL
from rag.errors import BackendUnavailableError
from rag.schema import Hit


class Reranker(Protocol):
    """Reorders hits by a finer relevance model."""

    def rerank(self, query: str, hits: list[Hit]) -> list[Hit]:
        """The same hits, best first, with ``score`` replaced by the reranker's."""
        ...


class CrossEncoderReranker:
    """sentence-transformers CrossEncoder by Hub name or local path
    (e.g. BAAI/bge-reranker-base in production)."""

    def __init__(self, model: str) -> None:
        try:
            from sentence_transformers import CrossEncoder
        except ImportError:
            raise BackendUnavailableError("rerank", TORCH_INSTALL) from None
        self._model = CrossEncoder(model, device="cpu")
        self.id = f"cross-encoder:{model}"

    def rerank(self, query: str, hits: list[Hit]) -> list[Hit]:
        if not hits:
            return hits
        scores = self._model.predict([(query, h.chunk.text) for h in hits])
        order = sorted(range(len(hits)), key=lambda i: -float(scores[i]))
        return [replace(hits[i], score=float(scores[i])) for i in order]
