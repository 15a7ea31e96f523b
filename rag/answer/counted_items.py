"""A count of kinds ("归纳了几种", "有几种？分别是啥"): the 简答 gives the items the sentence
counts ("三种：甲式、乙式、丙型"), not the bare number, which answers half of what an official
asks (and nothing of it when the items were asked).

The items are read from the cited sentence as written: the run just before the count
("包括甲式、乙式和丙型三种方式") or just after it ("分为三类：甲、乙、丙"), split at 、 and
和/及/与. They are used only when there are as many as the count says.
"""

from __future__ import annotations

import re
from dataclasses import replace

from rag.answer.question import Question
from rag.numbers import cn_to_int
from rag.schema import Answer

BARE_COUNT = re.compile(r"^([两二三四五六七八九十]|\d{1,2})\s*([种类个项条点大]|方面)$")
LEAD = re.compile(r"包括|包含|分为|分成|划分为|归纳为|概括为|主要有|共有|有|为|是|：|:")
JOINS = re.compile(r"、|以及|和|及|与")
CITE_MARK = re.compile(r"\[\d+\]")
ITEM = re.compile(r"^[\u4e00-\u9fff“”‘’A-Za-z0-9]{2,14}$")
ASKS_ITEMS = re.compile(r"分别|哪几|哪些|都是|各是|是哪|是什么|是啥|有啥")


def with_counted_items(q: Question, answer: Answer) -> Answer:
    """The answer with its bare-count 简答 ("三种") widened by the items its sentence counts,
    or emptied when the question asks the items and the sentence does not list them."""
    m = BARE_COUNT.match(answer.short.strip())
    if not m:
        return answer
    n = int(m.group(1)) if m.group(1).isdigit() else cn_to_int(m.group(1))
    items = items_counted(CITE_MARK.sub("", answer.text), answer.short.strip(), n)
    if items:  # 归纳了几种: the kinds too, which an official would ask next
        return replace(answer, short=f"{answer.short.strip()}：{'、'.join(items)}")
    return replace(answer, short="") if _asks_items(q) else answer


def _asks_items(q: Question) -> bool:
    return any("list" in p.kinds for p in q.parts) and bool(ASKS_ITEMS.search(q.text))


def items_counted(text: str, count: str, n: int) -> list[str]:
    """The ``n`` items a sentence of the text names with the count: before it after a lead
    word ("包括甲、乙和丙三种"), or after it ("分为三类：甲、乙、丙"); [] if none."""
    for m in re.finditer(re.escape(count), text):
        sentence_start = max(text.rfind(c, 0, m.start()) for c in "。！？\n") + 1
        before = text[sentence_start:m.start()]
        leads = list(LEAD.finditer(before))
        if leads and (items := _split(before[leads[-1].end():], n)):
            return items
        after = re.match(r"[^：:。]{0,8}[：:]([^。；;\n]+)", text[m.end():])
        if after and (items := _split(after.group(1), n)):
            return items
    return []


def _split(run: str, n: int) -> list[str]:
    items = [x.strip("，,。 ") for x in JOINS.split(run.rstrip("等 ")) if x.strip("，,。 ")]
    return items if len(items) == n and all(ITEM.match(x) for x in items) else []
