"""Two-sided questions about two things ("甲和乙分别是多少"): split into one
question per side, answered apart, and joined into one answer.

Two places ("甲市和乙市各有多少家") are the figures table's own comparison; this
module handles the other pairs: two measures (出口和进口货值), two years
(2021年和2022年), two categories (单项冠军和小巨人).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from rag.profile import Profile
from rag.schema import Answer, Citation
from rag.tokenize import names_in

RESPECTIVE = re.compile(r"分别|各(?=是|为|有|排|占|增长|达|多少)")
CONJUNCTION = re.compile(r"和|与|跟|以及|及")
# Where one side of "甲和乙" ends: punctuation, 的/在/中 and the asking verbs.
_BOUNDARY = r"[，,。；;？?！!、《》（）()\s]|的|在|中|那边|这边|分别|各|排|占|从|到|对|给|向|把|被|将|以来|以后"
LEFT_END = re.compile(rf"(?:{_BOUNDARY})$")  # the left side starts after one of these
RIGHT_END = re.compile(rf"{_BOUNDARY}|是|有|怎么|如何|多少|几")  # the right side stops before one
YEAR_SIDE = re.compile(r"\d{4}\s*年(?:底|末|初)?")
MAX_SIDE = 14


def split_respective(text: str, profile: Profile, trend: bool = False) -> tuple[tuple[str, str], tuple[str, str]] | None:
    """((side, question), (side, question)) for "…甲和乙…分别/各…" (or, for a
    ``trend`` question, "甲和乙从…到…怎么变化"), else None.

    Each question keeps the words both sides share and drops 分别/各:
    "2021年和2022年该市的增加值分别是多少" → ("2021年", "2021年该市的增加值是多少"),
    ("2022年", "2022年该市的增加值是多少").
    """
    cue = RESPECTIVE.search(text)
    if not cue and not trend:
        return None
    limit = cue.start() if cue else len(text)
    places = _place_spans(text, profile)
    for m in reversed(list(CONJUNCTION.finditer(text, 0, limit))):
        left_start = _side_start(text, m.start(), places)
        right_end = _side_end(text, m.end(), limit, places)
        if YEAR_SIDE.fullmatch(text[m.end():right_end]):  # 进出口额2017年和2021年: two years
            year = YEAR_SIDE.search(text, left_start, m.start())
            left_start = year.start() if year and year.end() == m.start() else left_start
        else:  # 2021年利润总额和出口额: the year is both sides' time, no part of the left one
            years = [y for y in YEAR_SIDE.finditer(text, left_start, m.start()) if y.end() < m.start()]
            left_start = years[-1].end() if years else left_start
        left, right = text[left_start:m.start()], text[m.end():right_end]
        if not (0 < len(left) <= MAX_SIDE and 0 < len(right) <= MAX_SIDE):
            continue
        if _is_place(left, profile) and _is_place(right, profile):
            return None  # 甲市和乙市: the figures table compares places itself
        head, tail = text[:left_start], text[right_end:]
        return ((left, _plain(head + left + tail)), (right, _plain(head + right + tail)))
    return None


def _place_spans(text: str, profile: Profile) -> list[tuple[int, int]]:
    """Spans of places and organisation names: a side never reaches across one."""
    named = [*profile.places, *(n for n in names_in(text) if not CONJUNCTION.search(n))]
    return [(m.start(), m.end()) for p in named for m in re.finditer(re.escape(p), text)]


def _side_start(text: str, end: int, places: Sequence[tuple[int, int]]) -> int:
    """Where the left side begins: after the nearest boundary or place name before
    ``end`` (a quoted name, 专精特新“小巨人”, is one piece; a leading 有/是 is no part)."""
    place_ends = {b for _, b in places}
    i = end
    while i > 0 and not LEFT_END.search(text, 0, i) and i not in place_ends:
        opening = text.rfind("“", 0, i - 1) if text[i - 1] == "”" else -1
        i = opening if opening >= 0 else i - 1
    while i < end and text[i] in "有是":
        i += 1
    return i


def _side_end(text: str, start: int, limit: int, places: Sequence[tuple[int, int]]) -> int:
    """Where the right side ends: at the nearest boundary or place name after ``start``."""
    place_starts = {a for a, _ in places}
    i = start
    while i < limit and not RIGHT_END.match(text, i) and i not in place_starts:
        closing = text.find("”", i + 1, limit) if text[i] == "“" else -1
        i = closing + 1 if closing >= 0 else i + 1
    return i


def _is_place(side: str, profile: Profile) -> bool:
    return side in profile.places or side == profile.main_city


def _plain(question: str) -> str:
    """The side's question without 分别/各 (it asks one figure now)."""
    return RESPECTIVE.sub("", question)


def join_answers(question: str, sides: Sequence[tuple[str, Answer]], missing: str,
                 aside: str = "") -> Answer:
    """One answer from the sides' answers: each side's text under its label (one
    line for sides quoting the same text), the citations renumbered into one list,
    简答 "甲：x；乙：y". ``missing`` (with ``{side}``) stands for a side the documents
    do not answer; a line starting with ``aside`` ("other sources say…") is left
    out when it gives another side's figure as this side's."""
    citations: list[Citation] = []
    by_chunk: dict[str, Citation] = {}
    texts: dict[str, list[str]] = {}  # text → its labels, in order
    shorts, figures = [], []
    answered = [(label, ans) for label, ans in sides if not ans.refused]
    for label, ans in sides:
        if ans.refused:
            texts.setdefault(missing.format(side=label), [])
            continue
        numbers = _renumber(ans.citations, citations, by_chunk)
        others = [a.short for lb, a in answered if lb != label and a.short]
        lines = [ln for ln in ans.text.splitlines()
                 if not (aside and ln.startswith(aside) and any(o in ln for o in others))]
        text = _relabel("\n".join(lines), numbers)
        texts.setdefault(text, []).append(label)
        if ans.short:
            shorts.append(f"{label}：{ans.short}")
        figures += ans.figures
    # the label on a line of its own: the quote under it stays a verbatim, checkable claim
    lines = [f"{'、'.join(labels)}：\n{text}" if labels else text for text, labels in texts.items()]
    return Answer(question=question, text="\n".join(lines), citations=citations,
                  short="；".join(shorts) if len(shorts) == len(sides) else "",
                  figures=figures)


def _renumber(cited: Sequence[Citation], citations: list[Citation],
              by_chunk: dict[str, Citation]) -> dict[int, int]:
    """Add one side's citations to the joined list (a passage already there keeps
    its number, its quotes joined); the side's number → the joined number."""
    numbers = {}
    for c in cited:
        old = by_chunk.get(c.chunk_id)
        if old is None:
            new = replace(c, n=len(citations) + 1)
            citations.append(new)
            by_chunk[c.chunk_id] = new
        elif c.quote not in old.quote:
            merged = replace(old, quote=old.quote + "……" + c.quote)
            citations[old.n - 1] = by_chunk[c.chunk_id] = merged
        numbers[c.n] = by_chunk[c.chunk_id].n
    return numbers


def _relabel(text: str, numbers: dict[int, int]) -> str:
    """Citation markers [n] renumbered by ``numbers`` (others left as they are)."""
    return re.sub(r"\[(\d+)\]", lambda m: f"[{numbers.get(int(m.group(1)), m.group(1))}]", text)
