"""Typing slips in the corpus's own jargon: "专精特心" (a pinyin input slip) is read as
"专精特新" before retrieval and answering.

Only domain terms (``corpus/domain.json``, jargon rather than names) are corrected,
only by one changed character, and only where the changed character sounds like the
term's (单相冠军: 相 and 项 are both xiang; pinyin input puts one for the other) or
belongs to no dictionary word of the window: "技术联合" stays (联合 is a word, 合 is not
盟's sound), "专精特心" does not. Names are never corrected: a company the documents do
not mention must stay unknown, not become one they do.
"""

from __future__ import annotations

from collections.abc import Iterable

from rag.tokenize import dictionary_words

MIN_TERM = 3  # shorter terms differ from everyday words by one character too often


def fix_term_typos(text: str, terms: Iterable[str]) -> str:
    """The text with each window one character away from a term replaced by the term."""
    for term in sorted({t for t in terms if len(t) >= MIN_TERM}, key=len, reverse=True):
        if term in text:
            continue
        for start in range(len(text) - len(term) + 1):
            window = text[start:start + len(term)]
            diff = [i for i, (a, b) in enumerate(zip(window, term, strict=True)) if a != b]
            if len(diff) == 1 and (_sounds_alike(window[diff[0]], term[diff[0]])
                                   or _slip(*_in_context(text, start, len(term), diff[0]))):
                text = text[:start] + term + text[start + len(term):]
                break
    return text


def _in_context(text: str, start: int, size: int, at: int, margin: int = 2) -> tuple[str, int]:
    """The window with ``margin`` characters either side, and where ``at`` now is: the
    changed character may make a word with its neighbour (技术联盟路子: 路子 is a word)."""
    left = max(0, start - margin)
    return text[left:start + size + margin], at + start - left


def _slip(window: str, at: int) -> bool:
    """Whether the character at ``at`` is outside every dictionary word of the window."""
    pos = 0
    for w in dictionary_words(window):
        if pos <= at < pos + len(w):
            return len(w) == 1 and window[at].strip() != "" and "\u4e00" <= window[at] <= "\u9fff"
        pos += len(w)
    return False


def _sounds_alike(a: str, b: str) -> bool:
    """Two Chinese characters sharing a reading, tones aside (相/项 xiang, 居/巨 ju)."""
    from pypinyin import Style, pinyin

    if not ("\u4e00" <= a <= "\u9fff" and "\u4e00" <= b <= "\u9fff"):
        return False
    readings = [set(pinyin(c, style=Style.NORMAL, heteronym=True)[0]) for c in (a, b)]
    return bool(readings[0] & readings[1])
