"""List answers: every item of the enumeration that best answers a 有哪些 question.

Enumerations are found in the cleaned text as written: 一是…二是…, （一）（二）,
一、二、 paragraphs, 首先/其次/最后, and sibling numbered sections (2.1, 2.2, 2.3).
The best one overlaps a retrieved passage and carries the question's words in
its lead-in or its items; each item is quoted (its first sentence) and cited.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from rag.answer.citations import CitationBook
from rag.answer.knowledge import Knowledge
from rag.answer.matching import has_word
from rag.answer.question import Question
from rag.schema import Answer, Hit
from rag.tokenize import names_in, synonyms

CN = "一二三四五六七八九十"
MARKERS = (
    re.compile(rf"([{CN}])是"),
    re.compile(rf"(?:^|\n)[（(]([{CN}])[）)]"),
    re.compile(rf"(?:^|\n)([{CN}])、"),
    re.compile(r"(?:^|\n)(\d{1,2})[.、．]\s*(?!\d)"),
    re.compile(r"(?:^|\n)\d{1,2}\.(\d{1,2})\s"),  # sibling sections 4.1, 4.2, 4.3
)
# What a list question asks for, when a heading names it ("3 …的启示", "（二）主要措施").
LIST_NOUNS = re.compile(r"启示|启发|措施|做法|举措|建议|经验|途径|路径|对策|短板|不足|特点|特色|模式")
SEQUENCE_WORDS = ("首先", "其次", "再次", "最后")
# A lead that says how many items follow: 五个方面, 以下三点, 三大举措, 几条建议.
ANNOUNCES = re.compile(rf"(?:[{CN}两几]|\d{{1,2}})(?:个|大|条|项|点)?(?:方面|点|条|项|举措|措施|建议|途径|路径|任务|类|种)"
                       # 形成了三大发展特色。 / 有以下四个特点： a counted noun that closes the sentence
                       rf"|(?:[{CN}两几]|\d{{1,2}})(?:大|个|种|类)[\u4e00-\u9fff]{{1,6}}(?:[：:。]|$)")
INLINE_LIST = re.compile(r"《[^》]+》[^《]{0,3}《[^》]+》|[^、，。]{2,12}、[^、，。]{2,12}、[^、，。]{2,12}")
ANNOUNCE_REACH = 60  # characters before the first item that sentence may end in
MAX_GAP = 1200  # characters between two items of one enumeration
MIN_COVERAGE = 0.4  # share of the question's weighted words the list must carry (dev split)
LEAD_IN = 160
LEAD_SHARE = 0.1  # between equally covering lists, the one whose lead-in carries the question
ANNOUNCED_BONUS = 1.0  # above any coverage: the list right after "形成了三大特色。" is its items
RIVAL_MARGIN = 1e-6  # a list must carry as much of the question as the best sentence (ties: the list)
FIRST_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")


@dataclass(frozen=True)
class Item:
    """One item of an enumeration: where it starts and its first sentence."""

    start: int
    end: int
    head: str


def _ordinal(label: str) -> int:
    return int(label) if label.isdigit() else CN.index(label) + 1


def enumerations(text: str) -> list[list[Item]]:
    """Runs of items numbered 1, 2, 3… (or 首先/其次…) in a document's cleaned text."""
    groups: list[list[Item]] = []
    for rx in MARKERS:
        marks = [(m.start() + m.group(0).startswith("\n"), _ordinal(m.group(1))) for m in rx.finditer(text)]
        groups += _runs(text, marks)
    seq = [(m.start(), SEQUENCE_WORDS.index(m.group(0)) + 1)
           for m in re.finditer("|".join(SEQUENCE_WORDS), text)]
    groups += _runs(text, seq, allow_last=True)
    return groups


def _runs(text: str, marks: list[tuple[int, int]], allow_last: bool = False) -> list[list[Item]]:
    runs: list[list[tuple[int, int]]] = []
    for pos, n in sorted(marks):
        last = runs[-1][-1] if runs else None
        follows = last is not None and pos - last[0] <= MAX_GAP and (n == last[1] + 1 or (allow_last and n == 4))
        if follows:
            runs[-1].append((pos, n))
        elif n == 1:
            runs.append([(pos, n)])
    out = []
    for run in runs:
        if len(run) < 2:
            continue
        items = []
        for k, (pos, _) in enumerate(run):
            end = run[k + 1][0] if k + 1 < len(run) else _paragraph_end(text, pos)
            m = FIRST_SENTENCE.match(text, pos)
            head = (m.group(0) if m else text[pos:end]).strip()
            items.append(Item(pos, end, head[: end - pos].strip()))
        out.append(items)
    return out


def _about(names: list[str], lead: str, items: list[Item]) -> bool:
    """An enumeration answers a question naming an organisation or person only if its
    lead-in names them or more than one item does (2.1 甲公司… 2.2 乙公司… 2.3 丙公司…
    lists examples; it is not what 丙公司 achieved)."""
    if not names:
        return True
    # items each about someone else (2.1 以甲公司为例, 2.3 以丙公司为例) list others, whatever the lead says
    others = sum(1 for i in items if not any(n in i.head for n in names) and names_in(i.head))
    return others < 2 and all(n in lead or sum(n in i.head for i in items) > 1 for n in names)


# What a question counts: 几大发展特色 → 发展特色, 从哪两个方面发力 → 方面发力.
COUNTED_ASK = re.compile(r"[哪几][几两三四五六七八九十]?(?:大|个|种|类|条|项|点)([\u4e00-\u9fff]{1,6})")
GENERIC_COUNTED = {"方面", "措施", "举措", "建议", "途径", "路径", "任务"}


def _announced(lead: str, best_sentence: str, question: str) -> bool:
    """Whether the sentence just before a list says how many items follow and is the one the
    question is about: the best sentence, or one counting what the question counts
    (几大发展特色 ↔ "形成了三大发展特色。")."""
    if best_sentence and best_sentence in lead[-ANNOUNCE_REACH:] and ANNOUNCES.search(best_sentence):
        return True
    last = [s for s in re.split(r"[。！？!?\n]", lead.rstrip()) if s.strip()][-1:]
    said = ANNOUNCES.search(last[0]) if last else None
    if said is None:
        return False
    told = last[0][said.start():]
    grams = {m[k:k + 2] for m in COUNTED_ASK.findall(question) for k in range(len(m) - 1)}
    return any(g in told for g in grams - GENERIC_COUNTED)  # 几个方面 alone counts anything


def _paragraph_end(text: str, pos: int) -> int:
    end = text.find("\n\n", pos)
    return len(text) if end < 0 else end


# What a list of ways asks for (有哪几招, 做法, 都有哪几个方面): the measures under a report's heading,
# not its outline.
WAYS = re.compile(r"[哪几][几些]?(?:个|大|条|项)?(?:方面)?(?:的)?(?:做法|措施|举措|招|办法|对策)"
                  r"|(?:做法|措施|举措|办法|对策)(?:主要)?(?:有|是)?(?:哪|几)"
                  r"|(?:从|在)?[哪几][几些]?(?:个|大)?方面(?:发力|入手|着手|下功夫|用力|推进)?[？?]?$")  # 从哪几个方面发力


def _innermost(q: Question, best: tuple[float, str, list[Item]],
               fitting: list[tuple[float, str, list[Item]]]) -> tuple[float, str, list[Item]]:
    """For a question asking ways (做法, 几招), a fitting enumeration inside one item of the
    best one (一是…二是… under "二、…培育体系") rather than the outline around it."""
    if not WAYS.search(q.text):
        return best
    _, doc_id, outer = best
    bounds = [(i.start, outer[k + 1].start if k + 1 < len(outer) else i.end) for k, i in enumerate(outer)]
    inner = [f for f in fitting if f[1] == doc_id and f[2] is not outer
             and any(a < f[2][0].start and f[2][-1].start < b for a, b in bounds)]
    return max(inner, key=lambda f: f[0]) if inner else best


def list_answer(kb: Knowledge, q: Question, hits: list[Hit], weights: Mapping[str, float],
                rival: float = 0.0, best_sentence: str = "") -> Answer | None:
    """All items of the best enumeration near the retrieved passages, each cited; None if
    none fits, or if the best single sentence (``best_sentence``, coverage ``rival``)
    carries more of the question, unless it is the one announcing the list."""
    publishers = [m.publisher for m in kb.metas.values() if m.publisher]
    names = [n for n in names_in(q.text) if n not in q.places  # 某公司有哪些成果: the list must be its,
             and not any(n in p or p in n for p in publishers)]  # but 某智库的专报说 names the source
    asked = {w for m in LIST_NOUNS.finditer(q.text) for w in synonyms().get(m.group(0), (m.group(0),))}
    top = max(weights, key=lambda w: weights[w]) if weights else ""
    fitting: list[tuple[float, str, list[Item]]] = []
    nested: list[tuple[float, str, list[Item]]] = []
    for doc_id in dict.fromkeys(h.chunk.doc_id for h in hits):
        text = kb.texts.get(doc_id, "")
        spans = [(h.chunk.start, h.chunk.end, h.score) for h in hits if h.chunk.doc_id == doc_id]
        for items in enumerations(text):
            near = [s for a, b, s in spans if a < items[-1].end and items[0].start < b]
            context = text[max(0, items[0].start - LEAD_IN): items[0].start] + " ".join(i.head for i in items)
            low = context.lower()
            # the asked list noun (建议 in 给了什么建议) says what shape the answer takes: a
            # list that does not repeat it loses nothing
            total = sum(w for t, w in weights.items() if t not in asked or has_word(low, t)) or 1.0
            cov = sum(w for t, w in weights.items() if has_word(low, t)) / total
            lead = text[max(0, items[0].start - LEAD_IN): items[0].start]
            lead_cov = sum(w for t, w in weights.items() if has_word(lead.lower(), t)) / total
            # how well retrieval ranked the list's start, not its whole span: a document's
            # outline (一、…二、…三、) overlaps every passage but starts far from the answer
            start = [s for a, b, s in spans if a < items[0].end and items[0].start < b]
            score = cov + 0.2 * max(start or [0.0]) + LEAD_SHARE * lead_cov
            # "3 …的启示" above the items a 哪些启示 question asks for, or a sentence just before them
            # that announces how many there are ("…在五个方面加大工作力度。") and is itself the
            # sentence that best answers the question
            if best_sentence and best_sentence in lead and INLINE_LIST.search(best_sentence):
                continue  # the best sentence lists the answer itself (《甲》《乙》《丙》): not the items after it
            announced = _announced(lead, best_sentence, q.text)
            above = lead.rstrip().rsplit("\n", 1)[-1]  # the heading or sentence just above the items,
            headed = any(w in above for w in asked) or announced  # not an introduction before that
            fits = cov >= MIN_COVERAGE and (cov >= rival - RIVAL_MARGIN or headed) \
                and (not top or has_word(low, top) or headed) and _about(names, lead, items)
            # the items the best sentence announces are the answer it promises, in the passage
            # that sentence came from or the next one
            if fits and (near or announced):
                fitting.append((score + ANNOUNCED_BONUS * announced, doc_id, items))
            elif cov >= MIN_COVERAGE and _about(names, lead, items):  # far from every passage, or short of
                nested.append((score, doc_id, items))  # the rarest word: only the measures under a heading (_innermost)
    if not fitting:
        return None
    _, doc_id, items = _innermost(q, max(fitting, key=lambda f: f[0]), [*fitting, *nested])
    book = CitationBook(kb.metas, kb.profile.main_city)
    lines = []
    for item in items:
        chunk = kb.chunk_at(doc_id, item.start, item.start + len(item.head))
        hit = kb.hit_for(chunk.chunk_id, hits) if chunk else None
        if hit is None:
            continue
        a = hit.chunk.text.find(item.head)
        if a < 0:
            continue
        n = book.cite(hit, item.head, a, a + len(item.head))
        lines.append(f"{item.head}[{n}]")
    if len(lines) < 2:
        return None
    return Answer(question=q.text, text="\n".join(lines), citations=book.citations(), hits=hits)
