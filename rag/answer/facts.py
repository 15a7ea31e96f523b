"""The figures table: every quantity in the corpus as a row, built at index time.

A sentence such as "截至去年底，甲市有418家国家级专精特新“小巨人”企业" yields a
row: place 甲市, measure "国家级专精特新小巨人企业", value 418, unit 家, as of
2024-12 (the document is from 2025, so 去年底 is the end of 2024), kind actual,
and the chunk and span it came from. Count, amount, share and rank questions are
answered from these rows (rag/answer/figure_answers.py) instead of from whatever
sentence happens to score best, so a target is never shown as today's figure and
an older figure never as the current one.

Everything is derived from the text, the document's date and the corpus profile
(places); nothing here knows this corpus.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from rag.answer.boilerplate import BOILERPLATE, REPORTER_PREFIX
from rag.numbers import cn_to_int
from rag.profile import DISTRICT_REFERENCES, SELF_REFERENCES, Profile
from rag.schema import Chunk, CleanDoc

ORGANISATION = re.compile(r"[\u4e00-\u9fff]{2,}(?:有限公司|股份|集团)")
SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*[”’」』）)]*")
CLAUSE = re.compile(r"[^，；：,;:]+")
_CN = "一二两三四五六七八九十百千"
QTY = re.compile(
    rf"(?P<num>\d+(?:\.\d+)?(?:\s*[-—–~]\s*\d+(?:\.\d+)?(?=\s*%))?|(?<![唯之第])(?!一[个种项位家名人件])[{_CN}]+(?=[多余]?(?:万|亿)?[家项名人个位件种]))\s*(?P<more>[多余])?\s*"
    r"(?P<mult>万亿|亿|万|千)?\s*(?P<unit>美元|元|家|项|名|人|个|位|件|亩|台|套|种|%|平方米|倍|岁)"
)
RANK = re.compile(rf"第\s*(?P<num>\d+|[{_CN}]+)\s*(?P<unit>位|名)|(?P<first>全国第一|首位|榜首)")
MULT = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3}
TARGET = re.compile(r"力争|目标|计划|规划|要培育|将达到|预计|争取|确保")
FUTURE_VERB = re.compile(r"实现|达到|要|将|培育|突破")
GROWTH = re.compile(r"同比|增长|增速|提高|下降|增幅|回落|较上年|比上年")
SHARE = re.compile(r"占|比重|份额|占有率|贡献率|渗透率")
PART = re.compile(r"中不乏|其中|之中|(?:产业|行业|领域|板块|公司)(?:在|中|里|内|已|方面)")
CHANGE = re.compile(r"新增|净增|增加(?!值)|新引进|新入选|入选|增长(?!至|到)")
TIME = re.compile(
    r"(?P<upto>截至|截止|到)?\s*(?:(?P<year>\d{4})\s*年(?:\s*(?P<month>\d{1,2})\s*月)?(?:\s*\d{1,2}\s*日)?"
    r"(?P<part>底|末|前三季度|上半年|一季度|前两个月|\s*1\s*[—\-–~至]\s*\d{1,2}\s*月)?"
    r"|(?P<rel>去年|今年|前年|上年)(?P<relpart>底|末)?|(?P<now>目前|截至目前|当前|现在|至今|如今))"
)
RANGE = re.compile(r"(\d{4})\s*[—\-–~至]\s*(\d{4})\s*年")
LEAD = re.compile(r"^(?:共有|拥有|总共|累计|共|有|达到|达|实现|为|是|约|超过|超|近|逾|其中|分别|总数|数量)+")
_PART_MONTH = {"前三季度": 9, "上半年": 6, "一季度": 3, "前两个月": 2}
_REL = {"去年": -1, "上年": -1, "前年": -2, "今年": 0}


@dataclass(frozen=True)
class Fact:
    """One quantity stated in one sentence."""

    doc_id: str
    chunk_id: str
    start: int  # sentence span in the cleaned document
    end: int
    sentence: str
    clause: str  # the clause the number stands in
    measure: str  # what is counted or measured (the clause without number, time and place)
    value: float  # in base units (亿元 → 元)
    shown: str  # as written: "119家", "1.35万亿元"
    unit: str  # 家, 元, %, 人, 位 (rank), …
    as_of: int  # yyyymm the figure describes (target year for targets)
    as_of_text: str  # the time words of the sentence ("截至去年底"), or "" when dated by the document
    kind: str  # actual | target | change | growth | share | rank | part (a sub-group's count)
    place: str  # the place the figure describes ("" if none is known)
    district: bool = False
    context: str = ""  # the text just before the sentence (names the subject of "公司营收…")

    @property
    def year(self) -> int:
        """The year the figure describes."""
        return self.as_of // 100

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return asdict(self)


def doc_as_of(date: str) -> int:
    """yyyymm of a document date ("2023-05-05" → 202305, "2021" → 202106, "" → 0)."""
    m = re.match(r"(\d{4})(?:-(\d{1,2}))?", date or "")
    if not m:
        return 0
    return int(m.group(1)) * 100 + (int(m.group(2)) if m.group(2) else 6)


def _time_of(m: re.Match[str], doc_date: int) -> int:
    if m.group("now"):
        return doc_date
    if m.group("rel"):
        year = doc_date // 100 + _REL[m.group("rel")]
        return year * 100 + (12 if m.group("relpart") or m.group("rel") != "今年" else doc_date % 100 or 6)
    year = int(m.group("year"))
    if m.group("month"):
        return year * 100 + int(m.group("month"))
    part = (m.group("part") or "").strip()
    if part in _PART_MONTH:
        return year * 100 + _PART_MONTH[part]
    span = re.search(r"(\d{1,2})\s*月$", part)
    return year * 100 + (int(span.group(1)) if span else 12)


def _when(prefix: str, doc_date: int) -> tuple[int, str]:
    """The time the nearest time words before a number name (else the document's date)."""
    found = [m for m in TIME.finditer(prefix)
             if m.group(0).strip() and not re.match(r"\s*(?:起|以来|开始|至今)", prefix[m.end():])]
    if not found:
        return doc_date, ""
    m = found[-1]
    return _time_of(m, doc_date), m.group(0).strip()


def _value(num: str, mult: str | None) -> float:
    num = re.split(r"\s*[-—–~]\s*", num)[0]  # a range "5-6%" is kept as written, valued by its start
    base = float(num) if num[0].isdigit() else float(cn_to_int(num))
    return base * MULT.get(mult or "", 1.0)


def _kind(sentence_prefix: str, clause_prefix: str, unit: str, as_of: int, doc_date: int) -> str:
    future = as_of // 100 > doc_date // 100 > 0 and FUTURE_VERB.search(sentence_prefix)
    if TARGET.search(sentence_prefix) or future:
        return "target"
    if unit == "%":
        if GROWTH.search(clause_prefix):
            return "growth"
        return "share" if SHARE.search(clause_prefix) else "actual"
    if CHANGE.search(clause_prefix):
        return "change"
    if PART.search(sentence_prefix):
        return "part"  # a count within a sub-group ("上市公司中不乏46家…"), not the total
    return "actual"


def _strip(text: str, profile: Profile) -> str:
    """A text without time words, places, numbers, quotes and leading verbs."""
    text = TIME.sub("", text)
    for _, place in profile.places_in(text):
        text = text.replace(place + "市", "").replace(place, "")
    for ref in (*SELF_REFERENCES, *DISTRICT_REFERENCES):
        text = text.replace(ref, "")
    text = QTY.sub("", RANK.sub("", text))
    text = re.sub(r"[“”\"'（）()《》〈〉「」\s、。！？]", "", text)
    return LEAD.sub("", text)


DEMONSTRATIVE = re.compile(r"这一数字|该数字|这一数量|这个数字|此数|这一数据")


def _han(text: str) -> int:
    return len(re.findall(r"[\u4e00-\u9fffA-Za-z]", text))


def _measure(before: str, after: str, previous: str, profile: Profile) -> str:
    """What a number measures: the words since the previous number in its clause
    ("企业43家"), else the words after it ("418家国家级…企业"), prefixed by the
    previous clause when the clause alone says too little ("同比增长5.0%")."""
    text = _strip(before, profile)
    if _han(text) < 4:
        tail = _strip(after, profile)
        text = text + tail if _han(tail) >= 2 else text
    if DEMONSTRATIVE.search(text):  # "这一数字已增至96家": the measure of the sentence before
        return DEMONSTRATIVE.sub("", text) if not previous else f"{previous}{DEMONSTRATIVE.sub('', text)}"[:60]
    if _han(text) < 4 or re.match(r"^(同比|增长|占|较|比|居|位居|排名|分别|增至|达|总量|总数|数量|规模(?!以上)|其)", text):
        text = f"{previous}{text}"
    return text[:60]


class _Scoper:
    """Which place a figure describes: the first place named before it in its clause,
    else in its sentence; 我市 → the document's own city; 该区 → the last district named."""

    def __init__(self, doc: CleanDoc, profile: Profile) -> None:
        self.profile = profile
        self.city = profile.doc_cities.get(doc.meta.doc_id) or doc.meta.home_city
        title_places = [p for _, p in profile.places_in(doc.meta.title)]
        self.subject = title_places[0] if title_places else self.city
        self.last_district = ""
        self.last_time = 0  # yyyymm the previous sentence names, for "全年…" sentences
        self.last_measure = ""  # the last figure's measure, for "这一数字…"

    def note_district(self, text: str) -> None:
        for _, p in self.profile.places_in(text):
            if p in self.profile.districts:
                self.last_district = p

    def place(self, text: str) -> str:
        hits = [(i, p) for i, p in self.profile.places_in(text)]
        hits += [(text.find(r), self.city) for r in SELF_REFERENCES if r in text]
        hits += [(text.find(r), self.last_district) for r in DISTRICT_REFERENCES if r in text and self.last_district]
        return min(hits)[1] if hits else ""

    def of(self, clause_prefix: str, sentence_prefix: str) -> str:
        """The clause's place, else the subject's when the clause names an organisation
        ("…对日本高田公司…，使甲电子的全球市场份额占到第二位": 甲电子's rank, not 日本's),
        else the sentence's."""
        if own := self.place(clause_prefix):
            return own
        if self._names_organisation(clause_prefix):
            return self.subject
        return self.place(sentence_prefix) or self.subject

    def _names_organisation(self, text: str) -> bool:
        return any(t in text for t, pos in self.profile.terms if pos == "nt") or bool(ORGANISATION.search(text))


def _chunk_for(chunks: Sequence[Chunk], start: int, end: int) -> Chunk | None:
    inside = [c for c in chunks if c.start <= start and end <= c.end]
    if inside:
        return min(inside, key=lambda c: c.end - c.start)
    touching = [c for c in chunks if c.start <= start < c.end]
    return touching[0] if touching else None


def extract_facts(doc: CleanDoc, chunks: Sequence[Chunk], profile: Profile) -> list[Fact]:
    """Every quantity in a cleaned document as a Fact row. An undated document is
    taken to date from the latest time it states for an actual figure."""
    doc_date = doc_as_of(doc.meta.date)
    if not doc_date:
        dated = [f.as_of for f in _extract(doc, chunks, profile, 0) if f.as_of_text and f.kind != "target"]
        doc_date = max(dated, default=0)
    return _extract(doc, chunks, profile, doc_date)


def _extract(doc: CleanDoc, chunks: Sequence[Chunk], profile: Profile, doc_date: int) -> list[Fact]:
    scoper = _Scoper(doc, profile)
    mine = [c for c in chunks if c.doc_id == doc.meta.doc_id]
    out: list[Fact] = []
    continued = False  # the sentence before ended in "；": this one goes on with its time
    for sm in SENTENCE.finditer(doc.text):
        sentence = sm.group(0).strip()
        goes_on, continued = continued, sentence.endswith(("；", ";"))
        lead = REPORTER_PREFIX.match(sentence)
        if lead:  # "本报讯(记者孙肖)近日，…": the byline is not part of the statement
            sentence = sentence[lead.end():]
        if len(sentence) < 6 or BOILERPLATE.search(sentence):
            scoper.note_district(sentence)
            continue
        start = sm.start() + sm.group(0).find(sentence)
        chunk = _chunk_for(mine, start, start + len(sentence))
        if chunk is not None:
            carry = CARRY_TIME.match(sentence) or goes_on  # "据2021年的数据，…；实现出口额144亿元"
            date = scoper.last_time if carry and scoper.last_time else doc_date
            out += _sentence_facts(doc, chunk.chunk_id, sentence, start, date, scoper, profile)
        scoper.note_district(sentence)
        found = [m for m in TIME.finditer(sentence) if m.group("year")]
        if found or not goes_on:
            scoper.last_time = _time_of(found[-1], doc_date) if found else 0
    return out


CONTEXT_CHARS = 120
RESPECTIVE_TAIL = re.compile(r"[^，。；：,;:、]{0,12}")
RESPECTIVELY = re.compile(r"分别")
SUBJECT_SPLIT = re.compile(r"[、和与及]")
LIST_SPLIT = re.compile(r"、")
ETC = re.compile(r"等[^、]*$")
CARRY_TIME = re.compile(r"^(?:全年|当年|同年|其中|同期|此外)")


def _respective(sentence: str, clause_start: int, found: list[re.Match[str]], profile: Profile) -> list[str]:
    """"A、B分别居第1位和第3位" → the measures [A, B], paired with the numbers in order."""
    head = sentence[: clause_start + found[0].start()]
    # the nearest 分别 first; "甲、乙分别给予…，成功上市后再分别给予…" pairs the second
    # clause's amounts with the list the first one named
    for m in reversed(list(RESPECTIVELY.finditer(head))):
        before = head[: m.start()]
        clause = re.split(r"[，；：,;:]", before)[-1] or (re.split(r"[，；：,;:]", before)[-2:] or [""])[0]
        clause = ETC.sub("", clause)  # "甲、乙、丙等新兴领域投资分别增长…": the list ends at 等
        for splitter in (SUBJECT_SPLIT, LIST_SPLIT):  # "人工智能与机器人产业、…": 与 inside one item
            subjects = [_strip(x, profile) for x in splitter.split(clause) if _han(_strip(x, profile)) >= 2]
            if len(subjects) == len(found):
                return subjects
    return []


OWN_CONDITION = re.compile(r"^[，,\s]*(?P<cond>[\u4e00-\u9fff]{2,12}?)(?:再|又|还|也|则)?分别")


def _own_condition(clause: str, subjects: list[str]) -> str:
    """"…，成功上市后再分别给予200万元、…": a clause pairing its amounts with a list an
    earlier clause named keeps its own condition (成功上市后), so its amounts are not
    the first clause's."""
    m = OWN_CONDITION.match(clause)
    if m is None or any(s in clause for s in subjects):
        return ""
    return m.group("cond")


def _sentence_facts(doc: CleanDoc, chunk_id: str, sentence: str, start: int, doc_date: int,
                    scoper: _Scoper, profile: Profile) -> list[Fact]:
    out: list[Fact] = []
    previous = scoper.last_measure
    for cm in CLAUSE.finditer(sentence):
        clause = cm.group(0)
        found = [m for m in QTY.finditer(clause) if not _is_ordinal(clause, m)]
        found += list(RANK.finditer(clause))
        found.sort(key=lambda m: m.start())
        after_style = bool(found) and _noun_follows(clause, found, profile)
        respective = _respective(sentence, cm.start(), found, profile) if len(found) > 1 else []
        in_clause = ""  # the measure of the clause's previous number: "营收从5.5亿元增至36.05亿元"
        for i, m in enumerate(found):
            seg_start = found[i - 1].end() if i else 0
            seg_end = found[i + 1].start() if i + 1 < len(found) else len(clause)
            before = in_clause or previous
            if after_style:  # "有418家国家级…企业", "集聚22家单项冠军、97家…"
                measure = _measure(clause[m.end():seg_end], "", before, profile)
            else:  # "企业10家、…企业43家", "工业增加值6997.2亿元"
                measure = _measure(clause[seg_start:m.start()], clause[m.end():seg_end], before, profile)
                measure += _counted_noun(m, clause[m.end():seg_end])  # "已保障…等34个项目": 项目
            if respective:  # "分别给予300万元、100万元补贴奖励": the subject, then what the amounts are
                tail = RESPECTIVE_TAIL.match(clause, found[-1].end())
                measure = respective[i] + _own_condition(clause, respective) + \
                    (_strip(tail.group(0), profile) if tail else "")
            in_clause = re.sub(r"(?:增至|增加到|增长到|提高到|达到|升至|降至|到)$", "", measure)
            out.append(_fact(doc, chunk_id, sentence, start, cm.start(), clause, m, measure,
                             doc_date, scoper))
        previous = _strip(clause, profile) if _han(_strip(clause, profile)) >= 2 else previous
    if out:
        scoper.last_measure = out[-1].measure
    return out


CLASSIFIED = ("个", "项")  # units that stand before the noun they count (34个项目), not for it (43家)
LEADING_HAN = re.compile(r"(?!以上|以下|左右|之多|以内|上下)[\u4e00-\u9fff]{2,8}")  # not 100项以上


def _counted_noun(m: re.Match[str], after: str) -> str:
    """The noun right after a classifier's count (34个项目 → 项目): what is counted, when
    the words before the number say what was done ("已保障…等") rather than what of."""
    if "unit" not in m.re.groupindex or m.group("unit") not in CLASSIFIED:
        return ""
    noun = LEADING_HAN.match(after)
    return noun.group(0) if noun else ""


NOUN_AFTER_VERB = re.compile(r"(?:有|聚|乏|增|括|含|育|进|织|达|超|近|共|派|引|集聚|涌现)$")


def _noun_follows(clause: str, found: list[re.Match[str]], profile: Profile) -> bool:
    """Whether the clause puts numbers before what they count ("有418家…企业")."""
    first = found[0]
    end = found[1].start() if len(found) > 1 else len(clause)
    after = _strip(clause[first.end():end], profile)
    before = clause[: first.start()].strip()
    return _han(after) >= 2 and (_han(_strip(before, profile)) < 4 or bool(NOUN_AFTER_VERB.search(before)))


def _is_ordinal(clause: str, m: re.Match[str]) -> bool:
    return clause[max(0, m.start() - 1):m.start()] == "第"


def _fact(doc: CleanDoc, chunk_id: str, sentence: str, start: int, clause_start: int, clause: str,
          m: re.Match[str], measure: str, doc_date: int, scoper: _Scoper) -> Fact:
    cpre = clause[: m.start()]
    spre = sentence[: clause_start + m.start()]
    as_of, when = _when(spre, doc_date)
    rng = RANGE.search(spre)
    if rng and re.search(r"从\s*$", cpre):
        as_of, when = int(rng.group(1)) * 100 + 12, rng.group(0)
    if "unit" in m.re.groupindex and m.re is RANK:
        num = m.group("num") or "1"
        value = float(num) if num.isdigit() else float(cn_to_int(num))
        unit, kind = "位", "rank"
    else:
        value, unit = _value(m.group("num"), m.group("mult")), m.group("unit")
        kind = _kind(spre, cpre, unit, as_of, doc_date)
    place = scoper.of(cpre, spre)
    return Fact(
        doc_id=doc.meta.doc_id, chunk_id=chunk_id, start=start, end=start + len(sentence),
        sentence=sentence, clause=clause.strip(), measure=measure, value=value,
        shown=re.sub(r"\s+", "", m.group(0)), unit=unit, as_of=as_of, as_of_text=when,
        kind=kind, place=place, district=place in scoper.profile.districts,
        context=doc.text[max(0, start - CONTEXT_CHARS):start],
    )


def fact_from_dict(data: dict[str, object]) -> Fact:
    """The inverse of Fact.to_dict (for loading from the index)."""
    fields = Fact.__dataclass_fields__
    return Fact(**{k: data[k] for k in fields if k in data})  # type: ignore[arg-type]


def measure_text(row: dict[str, object]) -> str:
    """What is embedded for a figure: its measure, or its clause when the measure is thin."""
    measure = str(row.get("measure", ""))
    return measure if len(measure) >= 4 else str(row.get("clause", ""))
