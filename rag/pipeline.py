"""The pipeline every front end calls: load the index once, then search and ask."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from rag.embedders import embedder_id, make_embedder
from rag.errors import EmbedderMismatchError
from rag.extractive import ExtractiveAnswerer
from rag.followup import Turn, rewrite
from rag.indexing import store_for
from rag.keyword import KeywordIndex
from rag.question import check_question
from rag.rerank import CrossEncoderReranker
from rag.retrieve import HybridRetriever
from rag.schema import Answer, Hit
from rag.settings import Settings
from rag.store import BuildInfo, ChromaStore, StoredDoc

FIGURE_POOL = 5  # extra passages searched for differing figures beyond top_k


@dataclass
class Pipeline:
    """A loaded index with its retriever and answerer."""

    settings: Settings
    store: ChromaStore
    info: BuildInfo
    docs: dict[str, StoredDoc]
    retriever: HybridRetriever
    answerer: ExtractiveAnswerer

    @classmethod
    def load(cls, settings: Settings) -> Pipeline:
        """Open the index the settings point at. Raises IndexMissingError or
        EmbedderMismatchError (before loading any model)."""
        store = store_for(settings)
        info = store.info()
        wanted = embedder_id(settings.embedder, settings.embedder_model)
        if info.embedder != wanted:
            raise EmbedderMismatchError(info.embedder, wanted)
        docs = store.documents()
        chunks = store.chunks()
        metas = {k: d.meta for k, d in docs.items()}
        keyword = KeywordIndex(chunks, metas)
        reranker = CrossEncoderReranker(settings.rerank_model) if settings.rerank_model else None
        retriever = HybridRetriever(
            store,
            keyword,
            make_embedder(settings.embedder, settings.embedder_model),
            {c.chunk_id: c for c in chunks},
            candidates=settings.candidates,
            dense_weight=settings.dense_weight,
            fusion=settings.fusion,
            reranker=reranker,
        )
        answerer = ExtractiveAnswerer(
            keyword, metas, min_support=settings.min_support, max_sentences=settings.answer_sentences
        )
        return cls(settings, store, info, docs, retriever, answerer)

    def search(self, question: str, top_k: int | None = None,
               doc_ids: Sequence[str] | None = None) -> list[Hit]:
        """Ranked passages for a question."""
        q = check_question(question, self.settings.max_question_chars)
        return self.retriever.retrieve(q, top_k or self.settings.top_k, doc_ids)

    def ask(self, question: str, top_k: int | None = None,
            doc_ids: Sequence[str] | None = None, history: Sequence[Turn] = ()) -> Answer:
        """A cited answer (or a refusal with the closest passages).

        With ``history``, a follow-up ("那苏州呢？") is first rewritten into a
        standalone question.
        """
        q = rewrite(check_question(question, self.settings.max_question_chars), history)
        t0 = time.perf_counter()
        k = top_k or self.settings.top_k
        pool = self.retriever.retrieve(q, k + FIGURE_POOL, doc_ids)
        t1 = time.perf_counter()
        answer = self.answerer.answer(q, pool[:k], more=pool[k:])
        t2 = time.perf_counter()
        answer.standalone_question = q
        answer.timings_ms = {"retrieve": (t1 - t0) * 1000, "answer": (t2 - t1) * 1000}
        return answer
