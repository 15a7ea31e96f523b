"""Chinese tokenisation for keyword search: jieba (search mode), the corpus's
own terms (added from the corpus profile, see rag/profile.py) and the stopword
list shipped in rag/data/.

Never use a regex word tokeniser on Chinese: it treats a whole clause as one token.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Any, BinaryIO

_KEEP = re.compile(r"[\w\u4e00-\u9fff%.]+")


class _WholeFileMarshal:
    """jieba's ``marshal``, reading its dictionary cache whole before decoding it:
    ``marshal.load`` on a file object reads it a few bytes per call, which made loading
    the 9 MB cache take 1.6 s instead of 0.5 s on the 2-core machine of
    docs/BENCHMARKS.md (the index load there)."""

    dump = staticmethod(marshal.dump)

    @staticmethod
    def load(file: BinaryIO) -> Any:
        """Decode the whole file at once."""
        return marshal.loads(file.read())


@lru_cache(maxsize=1)
def jieba_tokenizer():  # type: ignore[no-untyped-def]
    """The jieba module, initialised once (quiet logging)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.marshal = _WholeFileMarshal  # type: ignore[attr-defined]
    jieba.initialize()
    for group in _synonym_lines():  # 经济规模 is one word, so it can match 经济总量
        for w in group:
            if len(w) >= 2 and not jieba.dt.FREQ.get(w):
                jieba.add_word(w)
    return jieba


# The data files this module reads. Only they (not the answer step's word lists in
# rag/data/) decide the tokens, so editing another list keeps saved tokens valid.
STOPWORDS_FILE = "stopwords.txt"
SYNONYMS_FILE = "synonyms.txt"
TOKENIZER_DATA = (STOPWORDS_FILE, SYNONYMS_FILE)


@lru_cache(maxsize=1)
def tokenizer_fingerprint() -> str:
    """A short hash of what decides the tokens: this module, its data files and the
    jieba version (cached tokens made under another fingerprint are not reused)."""
    import jieba

    root = resources.files("rag")
    digest = hashlib.sha256(str(getattr(jieba, "__version__", "")).encode())
    digest.update((root / "tokenize.py").read_bytes())
    for name in TOKENIZER_DATA:
        digest.update(name.encode() + (root / "data" / name).read_bytes())
    return digest.hexdigest()[:8]


def add_terms(terms: Iterable[tuple[str, str]]) -> None:
    """Teach the tokenizer the corpus's own words (company names, jargon): (word, POS) pairs."""
    jb = jieba_tokenizer()
    for word, pos in terms:
        if word and word not in _added:
            jb.add_word(word, tag=pos or None)
            _added.add(word)


_added: set[str] = set()


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The stopword list (question words and function words)."""
    text = (resources.files("rag") / "data" / STOPWORDS_FILE).read_text(encoding="utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip())


def tokens(text: str) -> list[str]:
    """Search-mode jieba tokens, lower-cased, without punctuation and stopwords."""
    stop = stopwords()
    out = []
    for tok in jieba_tokenizer().cut_for_search(text):
        tok = tok.strip().lower()
        if tok and _KEEP.fullmatch(tok) and tok not in stop:
            out.append(tok)
    return out


def words(text: str) -> list[str]:
    """Precise-mode jieba words (no overlapping sub-words), for question analysis."""
    stop = stopwords()
    return [w for w in (t.strip().lower() for t in jieba_tokenizer().cut(text)) if w and _KEEP.fullmatch(w) and w not in stop]


@lru_cache(maxsize=1)
def _synonym_lines() -> tuple[tuple[str, ...], ...]:
    text = (resources.files("rag") / "data" / SYNONYMS_FILE).read_text(encoding="utf-8")
    return tuple(tuple(w.lower() for w in line.split()) for line in text.splitlines()
                 if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def synonyms() -> dict[str, tuple[str, ...]]:
    """word → all words on its line of rag/data/synonyms.txt (itself included)."""
    return {w: group for group in _synonym_lines() for w in group}


def pos_flags(word: str) -> list[str]:
    """jieba's part-of-speech tags of the pieces it cuts the word into (domain terms known)."""
    import jieba.posseg as pseg

    jieba_tokenizer()
    return [f for _, f in pseg.cut(word)]


def is_content_word(word: str) -> bool:
    """Nouns, names, numbers and foreign words carry a question; verbs and the rest less so."""
    flags = pos_flags(word)
    return bool(flags) and flags[-1][:1] in ("n", "m", "e", "x") or flags[-1] in ("vn", "nz", "eng")


def is_adverbial(word: str) -> bool:
    """Adverbs and numeral-like adverbials (一起, 共同 tagged d or m): how, not what is counted."""
    flags = pos_flags(word)
    return bool(flags) and flags[-1] in ("d", "m") and not any(c.isdigit() for c in word)


def is_person_tagged(word: str) -> bool:
    """jieba reads the word as one person's name (tag nr); it is often wrong (安全性)."""
    return pos_flags(word) == ["nr"]


def is_noun(word: str) -> bool:
    """Nouns, names and foreign words only (not verbal nouns such as 培育 or 发展)."""
    flags = pos_flags(word)
    return bool(flags) and (flags[-1].startswith("n") or flags[-1] == "eng")


def general_frequency(word: str) -> int:
    """How often the word occurs in general Chinese (jieba's dictionary count; 0 if unknown)."""
    return int(jieba_tokenizer().dt.FREQ.get(word) or 0)


EVERYDAY_FREQ = 1000  # jieba dictionary count from which a word is everyday vocabulary
EVERYDAY_PART = 5000  # ...and from which each character of an unknown word is


def is_everyday(word: str, freq: int = EVERYDAY_FREQ) -> bool:
    """Everyday vocabulary rather than a name or term: a dictionary word at least
    ``freq`` frequent (拿出, 条件), or an unknown one the tokenizer glued from very common
    characters (钱花 in 钱花在研发上; not 德鹰 or 极氪, whose rarer characters mark a name)."""
    if general_frequency(word) >= freq:
        return True
    if in_dictionary(word) or len(word) > 3:
        return False
    parts = dictionary_words(word)
    return len(parts) > 1 and all(general_frequency(p) >= EVERYDAY_PART for p in parts)


def dictionary_words(word: str) -> list[str]:
    """The word cut into dictionary words only (no guessed new words): 钱花 → 钱, 花."""
    return list(jieba_tokenizer().cut(word, HMM=False))


def in_dictionary(word: str) -> bool:
    """Whether the tokenizer knows the word (unknown ones are often names: 极氪)."""
    return bool(jieba_tokenizer().dt.FREQ.get(word))


def before_first_verb(text: str) -> str:
    """The text up to its first plain verb (jieba tag v) that follows a noun:
    "大学毕业生跑到甲市去工作" → "大学毕业生"."""
    import jieba.posseg as pseg

    jieba_tokenizer()
    out, seen_noun = "", False
    for w, flag in pseg.cut(text):
        if flag == "v" and seen_noun:
            break
        seen_noun = seen_noun or flag[:1] in ("n", "x") or flag == "eng"
        out += w
    return out


def is_verb(word: str) -> bool:
    """Verbs and verbal nouns (培育 vn, 认定 v): how a thing came about, not what it is."""
    flags = pos_flags(word)
    return bool(flags) and flags[-1].startswith("v")


def is_nounish(word: str) -> bool:
    """A noun or name, or a word the tokenizer does not know and cannot read as a
    verb phrase (极氪: a name; 派往: a verb)."""
    if is_noun(word):
        return True
    if in_dictionary(word):
        return False
    return not any(f[:1] in ("v", "p", "u", "c") for f in pos_flags(word))


NAME_FLAGS = ("nt", "nr", "nrt", "nrfg", "nz")  # organisations, people, other proper names
ORG_SUFFIX = re.compile(r"[\u4e00-\u9fffA-Za-z]{2,8}?(?:有限公司|公司|集团|研究院|研究所|材料所|实验室|大学|学院|院士|"
                        r"电子|微电子|汽车|科技|股份)")


@lru_cache(maxsize=4096)
def names_in(text: str) -> tuple[str, ...]:
    """Names of organisations and people in a text: jieba's proper-noun tags (the
    corpus's own organisations included once the profile taught them) and words
    ending like an organisation or a title (…公司, …研究所, …院士)."""
    import jieba.posseg as pseg

    jieba_tokenizer()
    tagged = [w for w, f in pseg.cut(text) if f in NAME_FLAGS and len(w) >= 2
              and general_frequency(w) < EVERYDAY_FREQ]  # 论文 (nz) is everyday, not a name
    return tuple(dict.fromkeys([*tagged, *ORG_SUFFIX.findall(text)]))

