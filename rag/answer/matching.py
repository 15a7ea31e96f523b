"""Loose word matching between questions and passages (synonyms, short gaps)."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from rag.tokenize import synonyms


def stem(word: str) -> str:
    """单项冠军企业 → 单项冠军: the counted thing without a generic head noun."""
    for suffix in ("企业", "公司", "人员", "数量"):
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            return word[: -len(suffix)]
    return word


def loosely_has(text: str, word: str) -> bool:
    """The word's characters in order with short gaps: 工业增加值 ~ 工业实现增加值."""
    return has_word(text, word) or bool(_gapped(word).search(_without_wholes(text, word)))


@lru_cache(maxsize=1)
def _wholes() -> dict[str, tuple[str, ...]]:
    """half → the words joining it with another (rag/data/wholes.txt): 出口 → (进出口,)."""
    text = (resources.files("rag") / "data" / "wholes.txt").read_text(encoding="utf-8")
    out: dict[str, tuple[str, ...]] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            whole, *halves = line.split()
            for h in halves:
                out[h] = (*out.get(h, ()), whole)
    return out


def _without_wholes(text: str, word: str) -> str:
    """The text less the words joining ``word`` with another measure (进出口 for 出口),
    unless the word names the whole itself."""
    for whole in _wholes().get(word, ()):
        if whole not in word:
            text = text.replace(whole, " ")
    return text


@lru_cache(maxsize=4096)
def _gapped(word: str) -> re.Pattern[str]:
    return re.compile(".{0,3}".join(map(re.escape, word)))


def spellings(word: str) -> set[str]:
    """The word and its synonyms: ``loosely_has(text, word)`` is only true when every
    character of one of them occurs in the text, which a fast filter may check first."""
    return {word, *synonyms().get(word, (word,))}


def has_word(text: str, word: str) -> bool:
    """The word or one of its synonyms (rag/data/synonyms.txt) occurs in the text, not only
    as part of a word joining it with another (出口 in 进出口额: rag/data/wholes.txt)."""
    return any(s in _without_wholes(text, s) for s in synonyms().get(word, (word,)))


def overlap(a: str, b: str) -> float:
    """Share of character trigrams the shorter text has in common with the other."""
    ga = {a[i : i + 3] for i in range(max(1, len(a) - 2))}
    gb = {b[i : i + 3] for i in range(max(1, len(b) - 2))}
    return len(ga & gb) / max(1, min(len(ga), len(gb)))


def longest_shared(a: str, b: str) -> str:
    """The longest substring of ``a`` that occurs in ``b``."""
    best = ""
    for i in range(len(a)):
        for j in range(len(a), i + len(best), -1):
            if a[i:j] in b:
                best = a[i:j]
                break
    return best
