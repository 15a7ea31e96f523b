"""Question analysis: key terms, explicit numbers, and what kind of answer is wanted."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.errors import EmptyQuestionError, QuestionTooLongError
from rag.tokenize import words

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
        r"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百千]+)\s*[多余]?\s*(?:万|亿)?\s*[家项名人个台套亿万元%亩种类位批部岁年天]"
    ),
    "list": re.compile(r"[、；]|和|及|以及"),
}
NUMBER = re.compile(r"\d+(?:\.\d+)?")
PLACES = ("宁波", "苏州", "杭州", "上海", "北京", "深圳", "南京", "合肥", "无锡", "镇海", "浙江")


ASKED_UNIT = re.compile(r"(?:多少|几)\s*(万亿元|亿元|万元|美元|元|家|项|名|人|位|个|岁|年|天|亩|种|部|台)")
UNIT_CLASSES = {"人": "人名位", "名": "人名位", "位": "人名位"}
CN_NUM = "一二两三四五六七八九十百千"


ORDINAL = re.compile(r"第\s*([\d一二三四五六七八九十]+)\s*([批届次期轮])")
GENERIC_NOUNS = {"企业", "公司", "数量", "家", "个", "国家级", "国家", "全国", "城市", "宁波", "规模", "金额",
                 "比例", "总数"}


@dataclass(frozen=True)
class Part:
    """One sub-question ("…是什么？…占多大比例？" has two)."""

    text: str
    kinds: tuple[str, ...]
    unit: str | None
    counted: str | None = None  # what a "how many" part counts: 技术骨干 in 技术骨干有多少人


@dataclass(frozen=True)
class Question:
    """A question broken down for matching."""

    text: str
    words: tuple[str, ...]  # precise-mode words
    numbers: tuple[str, ...]  # explicit numbers (years etc.) the answer must match
    kinds: tuple[str, ...] = field(default_factory=tuple)
    places: tuple[str, ...] = field(default_factory=tuple)
    parts: tuple[Part, ...] = field(default_factory=tuple)

    @property
    def key_words(self) -> tuple[str, ...]:
        """Words that carry meaning: two or more characters, or numbers."""
        return tuple(w for w in self.words if len(w) >= 2 or w.isdigit())


def analyse(text: str) -> Question:
    """Break a question into words, numbers, places and wanted answer kinds."""
    wds = tuple(dict.fromkeys(words(text)))
    numbers = tuple(dict.fromkeys(NUMBER.findall(text)))
    places = tuple(p for p in PLACES if p in text)
    parts = tuple(_part(p) for p in re.split(r"[？?；;]+", text) if p.strip()) or (_part(text),)
    kinds = tuple(dict.fromkeys(k for p in parts for k in p.kinds))
    return Question(text, wds, numbers, kinds, places, parts)


def _kinds(text: str) -> tuple[str, ...]:
    return tuple(k for k, cues in KIND_CUES.items() if any(c in text for c in cues))


def _counted(text: str) -> str | None:
    """The noun a count question counts: after "多少家…", else before "有/是多少"."""
    m = re.search(r"(?:多少|几)\s*[家项名人位个种部台亿万元]*([^，,。？?]*)", text)
    if not m:
        return None
    from rag.tokenize import is_content_word

    def nouns(part: str) -> list[str]:
        return [w for w in words(part) if len(w) >= 2 and w not in GENERIC_NOUNS and not w.isdigit()
                and not any(p in w for p in PLACES) and is_content_word(w)]

    after = nouns(m.group(1))
    if after:
        return max(after, key=len)
    before = nouns(text[: m.start()])
    return before[-1] if before else None


def ordinals(text: str) -> set[str]:
    """Normalised ordinals such as 第4批 (from 第四批 or 第 4 批)."""
    from rag.numbers import cn_to_int

    out = set()
    for num, unit in ORDINAL.findall(text):
        value = num if num.isdigit() else str(cn_to_int(num))
        out.add(f"第{value}{unit}")
    return out


def _part(text: str) -> Part:
    m = ASKED_UNIT.search(text)
    kinds = _kinds(text)
    return Part(text.strip(), kinds, m.group(1) if m else None,
                _counted(text) if "count" in kinds else None)


def check_question(question: str, limit: int) -> str:
    """The question stripped; raises EmptyQuestionError or QuestionTooLongError."""
    q = (question or "").strip()
    if not q:
        raise EmptyQuestionError()
    if len(q) > limit:
        raise QuestionTooLongError(len(q), limit)
    return q
