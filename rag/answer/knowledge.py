"""Everything the answerers read besides the retrieved passages, loaded once with the index."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from rag.answer.figure_answers import FactTable
from rag.keyword import KeywordIndex
from rag.profile import Profile
from rag.schema import Chunk, DocMeta, Hit


@dataclass
class Knowledge:
    """Documents, chunks, the corpus profile, the figures table and the keyword statistics."""

    metas: Mapping[str, DocMeta]
    texts: Mapping[str, str]  # doc id → cleaned text
    chunks: Mapping[str, Chunk]
    profile: Profile
    table: FactTable
    keyword: KeywordIndex
    embed_query: Callable[[str], np.ndarray] | None = None

    def hit_for(self, chunk_id: str, hits: list[Hit] | None = None) -> Hit | None:
        """The retrieved hit for a chunk, or a zero-score hit for a chunk found another way."""
        for h in hits or []:
            if h.chunk.chunk_id == chunk_id:
                return h
        chunk = self.chunks.get(chunk_id)
        return Hit(chunk, 0.0) if chunk else None

    def chunk_at(self, doc_id: str, start: int, end: int) -> Chunk | None:
        """The smallest chunk holding a span of a document's cleaned text."""
        inside = [c for c in self.chunks.values() if c.doc_id == doc_id and c.start <= start and end <= c.end]
        return min(inside, key=lambda c: c.end - c.start) if inside else None
