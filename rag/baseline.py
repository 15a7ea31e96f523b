"""The naive baseline: what a first LangChain tutorial would build.

Raw documents (no cleaning), RecursiveCharacterTextSplitter with its defaults,
Chroma dense-only similarity search through langchain-chroma with the same
embedder, and the top passage returned as the answer. Evaluated on the same set
so the value of cleaning, hybrid retrieval and extraction shows as numbers.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.embeddings import Embeddings

from rag.embedders import Embedder
from rag.errors import BackendUnavailableError
from rag.evaluate import QAItem, run
from rag.schema import Answer, Citation
from rag.settings import Settings


class LangChainEmbeddings(Embeddings):
    """Our Embedder as LangChain ``Embeddings``."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_passages(texts).tolist()  # type: ignore[no-any-return]

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_query(text).tolist()  # type: ignore[no-any-return]


def evaluate_baseline(settings: Settings, items: Sequence[QAItem], chunk_size: int | None = None,
                      progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Evaluate the naive pipeline. ``chunk_size`` None = the splitter's default (4000)."""
    try:
        from langchain_chroma import Chroma
    except ImportError:
        raise BackendUnavailableError("baseline", "pip install langchain-chroma") from None
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from rag.corpus import load_corpus
    from rag.embedders import make_embedder

    loaded = load_corpus(settings.corpus_dir)
    splitter = RecursiveCharacterTextSplitter() if chunk_size is None else \
        RecursiveCharacterTextSplitter(chunk_size=chunk_size)
    docs = splitter.create_documents([d.text for d in loaded.docs],
                                     metadatas=[{"doc_id": d.meta.doc_id, "title": d.meta.title}
                                                for d in loaded.docs])
    embeddings = LangChainEmbeddings(make_embedder(settings.embedder, settings.embedder_model))
    with tempfile.TemporaryDirectory(prefix="rag-baseline-") as folder:
        store = Chroma.from_documents(docs, embeddings, persist_directory=folder,
                                      collection_name="baseline")

        def ask(item: QAItem) -> Answer:
            top = store.similarity_search(item.question, k=1)[0]
            cit = Citation(1, top.metadata["doc_id"], top.metadata["title"], "", "", "",
                           top.page_content, "", passage=top.page_content)
            return Answer(item.question, f"{top.page_content}[1]", citations=[cit])

        def search(item: QAItem) -> list[str]:
            return [d.page_content for d in store.similarity_search(item.question, k=10)]

        report = run(items, ask, search, progress)
        store.delete_collection()
    name = f"naive-langchain(chunk={chunk_size or 4000})"
    report.update(label=name, config={"baseline": name}, settings={})
    return report
