"""BM25 keyword index over jieba tokens, built from the stored chunks at load
(with the tokens a build cached, so jieba runs only on chunks it has not seen).

Each chunk is indexed with its document title and section, and with the city
that "我市/本市" means in that document (another city in a think-tank report written from there),
so a question about that city finds the sentences that say 我市 there.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from rag.build_cache import BuildCache, text_key
from rag.profile import SELF_REFERENCES
from rag.schema import Chunk, DocMeta
from rag.tokenize import tokenizer_fingerprint, tokens
from rag.version_files import remove_other_versions, version_dir, written_whole

logging.getLogger("bm25s").setLevel(logging.WARNING)
log = logging.getLogger(__name__)


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


KEYWORD_FILE = "keyword.json"


def keyword_dir(index_dir: Path, tag: str) -> Path:
    """Where the keyword index of build version ``tag`` (name@version) is saved."""
    return version_dir(index_dir, "keyword", tag)


def save_keyword_index(index_dir: Path, tag: str, index: KeywordIndex) -> None:
    """Save ``index`` for ``tag`` and remove the ones saved for other versions (readers
    hold theirs in memory). A failure is logged: readers then build their own."""
    target = keyword_dir(index_dir, tag)
    try:
        index.save(target)
    except OSError as exc:
        log.warning("Could not save the keyword index to %s (%s); readers will build it", target, exc)
        return
    remove_other_versions(target)


def keyword_is_current(folder: Path) -> bool:
    """Whether a keyword index is saved in ``folder`` with this tokenizer's tokens (a
    changed word list, e.g. rag/data/synonyms.txt, makes other tokens of the same text)."""
    try:
        return bool(_saved(folder).get("tokenizer") == tokenizer_fingerprint())
    except (OSError, ValueError):
        return False


def _saved(folder: Path) -> dict[str, Any]:
    """The chunk ids, document frequencies and tokenizer ``KeywordIndex.save`` wrote."""
    data: dict[str, Any] = json.loads((folder / KEYWORD_FILE).read_text(encoding="utf-8"))
    return data


def _lowered_texts(chunks: Sequence[Chunk], docs: Mapping[str, DocMeta]) -> list[str]:
    return [f"{docs[c.doc_id].title if c.doc_id in docs else ''} {c.section} {c.text}".lower() for c in chunks]


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
        self._texts = _lowered_texts(self.chunks, docs)
        self._word_idf: dict[str, float | None] = {}
        self.doc_freq: dict[str, int] = dict(Counter(t for toks in corpus for t in set(toks)))

    def save(self, folder: Path) -> None:
        """Write the index (bm25s's own files plus chunk ids and document frequencies)
        to ``folder``, replacing it whole (written beside it, then renamed)."""
        with written_whole(folder) as part:
            self._bm25.save(str(part), show_progress=False)
            data = {"ids": [c.chunk_id for c in self.chunks], "doc_freq": self.doc_freq,
                    "tokenizer": tokenizer_fingerprint()}
            (part / KEYWORD_FILE).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, chunks: Sequence[Chunk], docs: Mapping[str, DocMeta]) -> KeywordIndex | None:
        """The index ``save`` wrote for exactly these chunks (same ids, same order), or
        None when there is none or it does not match (the caller builds one instead)."""
        try:
            data = _saved(folder)
            if data.get("ids") != [c.chunk_id for c in chunks] or data.get("tokenizer") != tokenizer_fingerprint():
                return None  # other chunks, or tokens another tokenizer made (its word lists changed)
            bm25 = bm25s.BM25.load(str(folder), show_progress=False)
        except Exception as exc:  # noqa: BLE001 - missing, half-removed or damaged: rebuild
            log.info("No saved keyword index in %s (%s); building one", folder, type(exc).__name__)
            return None
        self = cls.__new__(cls)
        self.chunks, self._bm25 = list(chunks), bm25
        self._texts = _lowered_texts(self.chunks, docs)
        self._word_idf, self.doc_freq = {}, {str(k): int(v) for k, v in data["doc_freq"].items()}
        return self

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
