"""Question analysis: key terms, explicit numbers, and what kind of answer is wanted."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.errors import EmptyQuestionError, QuestionTooLongError
from rag.tokenize import tokens, words

# Answer kinds and the text patterns that satisfy them.
KIND_CUES: dict[str, tuple[str, ...]] = {
    "year": ("哪一年", "哪年", "何时", "什么时候", "几几年", "什么时间", "成立于", "创建于"),
    "rank": ("第几", "排名", "排第", "名列", "位居", "居全国"),
    "percent": ("占比", "比重", "份额", "百分之", "比例", "增速", "增长多少", "增幅", "增长率", "贡献率", "占有率"),
    "count": ("多少", "几家", "几个", "几项", "几名", "几人", "几种", "数量", "规模", "金额", "多大"),
    "list": ("哪些", "哪几", "有几种", "包括", "分别"),
}
KIND_PATTERNS: dict[str, re.Pattern[str]] = {
    "year": re.compile(r"\d{4}\s*年"),
    "rank": re.compile(r"第\s*[\d一二三四五六七八九十]+|前列|首位|榜首|全国第一|第一"),
    "percent": re.compile(r"\d+(?:\.\d+)?\s*%|百分之|[一二三四五六七八九十]成"),
    "count": re.compile(
        r"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百千]+)\s*(?:万|亿)?\s*[家项名人个台套亿万元%亩种类位批]"
    ),
    "list": re.compile(r"[、；]|和|及|以及"),
}
NUMBER = re.compile(r"\d+(?:\.\d+)?")
PLACES = ("宁波", "苏州", "杭州", "上海", "北京", "深圳", "南京", "合肥", "无锡", "镇海", "浙江")


@dataclass(frozen=True)
class Question:
    """A question broken down for matching."""

    text: str
    terms: tuple[str, ...]  # search-mode tokens, deduplicated
    words: tuple[str, ...]  # precise-mode words
    numbers: tuple[str, ...]  # explicit numbers (years etc.) the answer must match
    kinds: tuple[str, ...] = field(default_factory=tuple)
    places: tuple[str, ...] = field(default_factory=tuple)


def analyse(text: str) -> Question:
    """Break a question into terms, numbers, places and wanted answer kinds."""
    toks = tuple(dict.fromkeys(tokens(text)))
    wds = tuple(dict.fromkeys(words(text)))
    numbers = tuple(dict.fromkeys(NUMBER.findall(text)))
    kinds = tuple(k for k, cues in KIND_CUES.items() if any(c in text for c in cues))
    places = tuple(p for p in PLACES if p in text)
    return Question(text, toks, wds, numbers, kinds, places)


def check_question(question: str, limit: int) -> str:
    """The question stripped; raises EmptyQuestionError or QuestionTooLongError."""
    q = (question or "").strip()
    if not q:
        raise EmptyQuestionError()
    if len(q) > limit:
        raise QuestionTooLongError(len(q), limit)
    return q
