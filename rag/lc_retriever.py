"""LangChain adapter: our retriever as a ``BaseRetriever`` for users' own chains.

LangChain types stay in this module; the rest of the package uses ``Hit``.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict


class ChampionRetriever(BaseRetriever):
    """Hybrid retrieval over the index, returning LangChain Documents.

    Example::

        from rag.pipeline import Pipeline
        from rag.settings import load_settings
        retriever = ChampionRetriever(pipeline=Pipeline.load(load_settings()), k=5)
        docs = retriever.invoke("有多少家单项冠军企业？")
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    pipeline: Any
    k: int = 5
    doc_ids: list[str] | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        hits = self.pipeline.search(query, self.k, self.doc_ids)
        docs = self.pipeline.docs
        out = []
        for h in hits:
            meta = docs[h.chunk.doc_id].meta if h.chunk.doc_id in docs else None
            out.append(
                Document(
                    page_content=h.chunk.text,
                    id=h.chunk.chunk_id,
                    metadata={
                        "chunk_id": h.chunk.chunk_id,
                        "doc_id": h.chunk.doc_id,
                        "title": meta.title if meta else "",
                        "publisher": meta.publisher if meta else "",
                        "date": meta.date if meta else "",
                        "section": h.chunk.section,
                        "start": h.chunk.start,
                        "end": h.chunk.end,
                        "score": h.score,
                    },
                )
            )
        return out
