"""BM25 keyword index over jieba tokens, built from the stored chunks at load
(with the tokens a build cached, so jieba runs only on chunks it has not seen).

Each chunk is indexed with its document title and section, and with the city
that "我市/本市" means in that document (another city in a think-tank report written from there),
so a question about that city finds the sentences that say 我市 there.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence

import bm25s
import numpy as np

from rag.build_cache import BuildCache, text_key
from rag.profile import SELF_REFERENCES
from rag.schema import Chunk, DocMeta
from rag.tokenize import tokenizer_fingerprint, tokens

logging.getLogger("bm25s").setLevel(logging.WARNING)


def chunk_tokens(chunk: Chunk, meta: DocMeta | None) -> list[str]:
    """Tokens a chunk is indexed under (text, title, section, perspective city)."""
    head = f"{meta.title if meta else ''} {chunk.section}"
    toks = tokens(head) + tokens(chunk.text)
    if meta and meta.home_city and any(s in chunk.text for s in SELF_REFERENCES):
        toks += tokens(meta.home_city)
    return toks


def keyword_tokens(chunks: Sequence[Chunk], docs: Mapping[str, DocMeta], terms: Sequence[Sequence[str]],
                   cache: BuildCache | None) -> list[list[str]]:
    """``chunk_tokens`` of every chunk, taken from the build cache where a build already
    tokenised the same chunk (jieba is the slow part of loading a large index); the
    ones computed here are stored for the next load."""
    salt = text_key(json.dumps([list(t) for t in terms], ensure_ascii=False), tokenizer_fingerprint())
    keys = [_token_key(c, docs.get(c.doc_id), salt) for c in chunks]
    known = cache.get(keys) if cache else {}
    fresh = {k: chunk_tokens(c, docs.get(c.doc_id)) for c, k in zip(chunks, keys, strict=True) if k not in known}
    if cache and fresh:
        cache.put(fresh)
    return [list(known[k]) if k in known else fresh[k] for k in keys]


def _token_key(chunk: Chunk, meta: DocMeta | None, salt: str) -> str:
    city = meta.home_city if meta and any(s in chunk.text for s in SELF_REFERENCES) else ""
    return text_key("tok", salt, meta.title if meta else "", chunk.section, chunk.text, city)


class KeywordIndex:
    """BM25 (bm25s) over the chunk list; scores every chunk for a query."""

    def __init__(self, chunks: Sequence[Chunk], docs: Mapping[str, DocMeta],
                 corpus: Sequence[Sequence[str]] | None = None) -> None:
        """Index ``chunks``; ``corpus`` holds their tokens when already known (see
        ``keyword_tokens``), else they are tokenised here."""
        self.chunks = list(chunks)
        corpus = corpus if corpus is not None else [chunk_tokens(c, docs.get(c.doc_id)) for c in self.chunks]
        self._bm25 = bm25s.BM25()
        self._bm25.index(corpus, show_progress=False)
        self._texts = [
            f"{docs[c.doc_id].title if c.doc_id in docs else ''} {c.section} {c.text}".lower()
            for c in self.chunks
        ]
        self._word_idf: dict[str, float | None] = {}
        self.doc_freq: dict[str, int] = {}
        for toks in corpus:
            for t in set(toks):
                self.doc_freq[t] = self.doc_freq.get(t, 0) + 1

    def word_idf(self, word: str) -> float | None:
        """IDF of a word by substring match over chunk texts; None if no chunk contains it."""
        if word not in self._word_idf:
            df = sum(1 for text in self._texts if word in text)
            n = len(self.chunks)
            self._word_idf[word] = float(np.log(1 + (n - df + 0.5) / (df + 0.5))) if df else None
        return self._word_idf[word]

    def idf(self, token: str) -> float:
        """Smoothed inverse document frequency of a token over the chunks (0 if unseen)."""
        df = self.doc_freq.get(token, 0)
        if df == 0:
            return 0.0
        n = len(self.chunks)
        return float(np.log(1 + (n - df + 0.5) / (df + 0.5)))

    def search(self, query: str, n: int, doc_ids: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) of the best ``n`` chunks with a positive score."""
        q = tokens(query)
        if not q:
            return []
        scores = np.asarray(self._bm25.get_scores(q), dtype=np.float64)
        allowed = set(doc_ids) if doc_ids else None
        order = np.argsort(-scores)
        out: list[tuple[str, float]] = []
        for i in order:
            if scores[i] <= 0 or len(out) >= n:
                break
            c = self.chunks[i]
            if allowed is None or c.doc_id in allowed:
                out.append((c.chunk_id, float(scores[i])))
        return out
