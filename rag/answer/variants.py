"""A category word in the asker's form read in the documents' form: 科技类企业 is what
the documents call 科技型企业. Chinese marks "of that kind" with either 类 or 型 after
the same stem; when the corpus uses only the other form, the question is read in it.
Nothing is changed when the corpus uses the asker's form, or neither."""

from __future__ import annotations

import re
from collections.abc import Callable

# a stem of two or more Han characters, then the suffix that makes it a kind
KIND_SUFFIXED = re.compile(r"([\u4e00-\u9fff]{2})([类型])")
OTHER = {"类": "型", "型": "类"}


def in_corpus_form(text: str, known: Callable[[str], bool]) -> str:
    """``text`` with each X类 / X型 the corpus never uses (``known`` is false) that it
    does use in the other form replaced by that form."""
    def swap(m: re.Match[str]) -> str:
        word, other = m.group(0), m.group(1) + OTHER[m.group(2)]
        return other if not known(word) and known(other) else word

    return KIND_SUFFIXED.sub(swap, text)
