"""Answer count, amount, share and rank questions from the figures table.

The question says what is measured (matched to each row's measure by keyword
weight and by embedding), where (a place, else the corpus's main city), in which
unit, and when: 现在/目前/累计 → the latest actual figure; 目标/力争/到20XX年 →
targets only; a year → that year; 变化/这几年 → the series in date order. When
sources give different figures, all are listed with source and date, newest
first and targets apart, and the 简答 is the latest actual figure with its date.

Rows measure the same thing when their own measures carry the question words the
best row's does (and the unit is the same), whatever their scores: an older
source's figure is listed however its wording shifts the embedding. A figure whose
text names no level (国家级/省级/市级…) does not contradict a question asking for
one level; one that names only other levels does, and is not an answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

import numpy as np

from rag.answer.facts import PART, Fact
from rag.answer.matching import loosely_has
from rag.answer.question import COUNTING, LEVELS, PEOPLE_THEN_VERB, Question
from rag.profile import Profile
from rag.tokenize import (
    is_content_word,
    is_everyday,
    is_nounish,
    is_verb,
    names_in,
    pos_flags,
    words,
)

# a company's name (丙区的甲乙科技), not another organisation's (乙市某智库: a source, a think-tank)
COMPANY = re.compile(r"(?:有限公司|公司|集团|电子|微电子|汽车|科技|股份|材料|实业)$")
HAS_CACHE = 1 << 18  # remembered (text, word) lookups: a few tens of MB at most
MATCH_FLOOR = 0.55  # combined score a row needs (fitted on the dev split, docs/EVAL.md)
OWN_FLOOR = 0.34  # share of the question's words the row's own measure must carry
RARE_SHARE = 0.8  # a word this close to the rarest question word must be in the answer
COMMON_FREQ = 5000  # jieba count from which a word is too common to be what a figure must name
EMBED_WEIGHT = 0.4
CONTEXT_SHARE = 0.5  # a question word found in the figure's clause but not in its own measure
OTHER_CLAUSE_SHARE = 0.4  # ...found only in another clause of its sentence (全国第一的有262家 vs 全球第一的…110家)
OF_A_NAME = ("share", "rank")  # kinds of figure whose row's own words are the kind's, not the company's
SCORE_TIE = 0.01  # with the same question words found, closer scores do not tell two figures apart
UNSTATED_SHARE = 0.5  # an asked level word (国家级) where the figure's text names no level at all
# Administrative levels a count or amount can be of (general vocabulary, no corpus names).

WANTED_KINDS = {
    "growth": ("growth",),
    "share": ("share", "actual"),
    "rank": ("rank",),
    "change": ("change",),
}


@dataclass(frozen=True)
class Scored:
    """A figure row with how well it matches the question."""

    fact: Fact
    score: float
    keyword: float
    dense: float
    own: float = 0.0  # share of the question's word weight found in the row's own measure
    # the question words the row's own measure carries, levels (国家级) aside (FactTable.fits
    # keeps only rows whose text names an asked level or none) and verbs aside (培育, 认定: how
    # the figure came about, not what is counted; 新增 and the like are told apart by the kind)
    measured: frozenset[str] = frozenset()


@dataclass(frozen=True)
class FigureResult:
    """The rows that answer a figure question, grouped for composing."""

    main: list[Scored]  # the answer: latest actual, the target(s), the year's figure or the series
    older: list[Scored]  # other sources' figures for the same measure (older, or other dates)
    targets: list[Scored]  # targets for the same measure, shown apart
    place: str
    intent: str
    # another source's different figure for the same time as main[0]: neither is the one
    # answer, so the 简答 shows both (the measures may differ: 增加值 against 产值)
    rival: Scored | None = None


# A named company's product (甲乙科技的主打产品): whatever it makes, which its sentence names
# (光学反射膜产品), not a term the figure must carry.
ITS_PRODUCT = re.compile(r"^(?:主导|主打|主营|主要|核心|拳头|招牌)?产品$")


class FactTable:
    """The figures table with its measure vectors, queried per question."""

    def __init__(self, facts: Sequence[Fact], vectors: np.ndarray, profile: Profile,
                 weight: Callable[[str], float], has: Callable[[str, str], bool], *,
                 doc_dates: Mapping[str, int] | None = None,
                 chunk_texts: Mapping[str, str] | None = None,
                 spellings: Callable[[str], Iterable[str]] | None = None,
                 known: Callable[[str], bool] | None = None) -> None:
        """``spellings(word)``, when given, holds strings one of which has all its
        characters in every text ``has`` finds the word in: rows without them are not
        asked (the answer is the same; the work is no longer one ``has`` call per row
        and word, which took seconds per question at 10,000 passages)."""
        self.facts = dated_alike(facts)
        self._peer_cache: dict[str, list[tuple[str, str]]] = {}
        self.spellings = spellings
        self.vectors = vectors
        self.profile = profile
        self.weight = weight  # IDF-like weight of a question word
        # loose "text contains word" (synonyms, gaps), remembered: rows share their measures
        # and sentences, and questions share words (thread-safe, bounded)
        self.has = lru_cache(maxsize=HAS_CACHE)(has)
        self.fact_places = {f.place for f in self.facts}  # places some figure describes
        self.chunk_texts = chunk_texts or {}  # chunk id → text, for rare words near a figure
        self.doc_dates = doc_dates or {}  # doc id → yyyymm, to put newer sources first
        self.known = known or (lambda w: True)  # whether the corpus uses the word at all

    @cached_property
    def _char_masks(self) -> list[int]:
        """Per row, a 256-bit mask of the characters of its measure and sentence (lower-cased)."""
        return [_mask(f"{f.measure} {f.sentence}".lower()) for f in self.facts]

    @cached_property
    def _lowered(self) -> list[tuple[str, str, str]]:
        """Per row, its measure, sentence and clause lower-cased."""
        return [(f.measure.lower(), f.sentence.lower(), f.clause.lower()) for f in self.facts]

    def _candidates(self, word: str) -> set[int] | None:
        """Rows ``has`` may find ``word`` in (None: every row, when no ``spellings``)."""
        if self.spellings is None:
            return None
        needs = {_mask(s) for s in self.spellings(word)}
        return {i for i, m in enumerate(self._char_masks) if any(m & n == n for n in needs)}

    def score(self, q: Question, qvec: np.ndarray | None) -> list[Scored]:
        """Every row scored against the question's measure words (unit, place, kind not applied)."""
        # the list a count is taken in (名单) weighs nothing: every row of the list is in it
        words = [w for w in q.measure_words if w not in LIST_WORDS] or list(q.measure_words)
        candidates = {w: self._candidates(w) for w in words}
        weights = {w: self.weight(w) for w in words}
        total = sum(weights.values()) or 1.0
        dense = (self.vectors @ qvec) if qvec is not None and len(self.vectors) else np.zeros(len(self.facts))
        asked_levels = [w for w in words if w in LEVELS]
        verbs = {w for w in words if is_verb(w)}
        frame = set(q.frame_words)  # the scope's words back any row of it, never one more than another
        # 长阳科技的产品全球份额多少: a share or rank of the named company is a row of that kind in its sentence
        named = {w for w in words for n in names_in(q.text) if w in n}
        whose = named if q.measure_kind in OF_A_NAME else set()
        out = []
        for i, f in enumerate(self.facts):
            measure, sentence, clause = self._lowered[i]  # question words are lower-cased
            asked = [w for w in words if (c := candidates[w]) is None or i in c]
            if not asked:  # nothing to look for: only the levels it leaves unstated and the embedding count
                unstated = set() if not asked_levels or levels_named(f) else set(asked_levels)
                kw = UNSTATED_SHARE * sum(weights[w] for w in words if w in unstated) / total if words else 0.0
                d = float(dense[i]) if len(dense) else 0.0
                out.append(Scored(f, (1 - EMBED_WEIGHT) * kw + EMBED_WEIGHT * d, kw, d, kw, frozenset()))
                continue
            in_measure = {w for w in asked if w not in frame and self.has(measure, w)}
            whole = _whole_of(f) if in_measure else ""  # 上市公司中不乏46家单项冠军: the 46 are both,
            in_measure |= {w for w in asked if whole and self.has(whole, w)}  # the scope (上市公司里) included
            if whose and f.kind == q.measure_kind and all(self.has(sentence, w) for w in whose):
                in_measure |= {w for w in whose if w in asked}
            elif named and in_measure and _named_before(f, named, self.has):  # "…江丰电子便是典型。
                in_measure |= named  # 2017—2024年，公司营收从…增至36.05亿元": the company's own figure
            in_context = {w for w in asked if w not in in_measure and self.has(sentence, w)}
            elsewhere = {w for w in in_context if w not in frame and not self.has(clause, w)}
            unstated = set() if not asked_levels or levels_named(f) else \
                {w for w in asked_levels if w not in in_measure and w not in in_context}
            # summed in question order (not set order) so ties break the same way in every process
            carried = (sum(weights[w] for w in words if w in in_measure)
                       + UNSTATED_SHARE * sum(weights[w] for w in words if w in unstated))
            kw = (carried + sum(weights[w] * (OTHER_CLAUSE_SHARE if w in elsewhere else CONTEXT_SHARE)
                                for w in words if w in in_context)) / total \
                if words else 0.0
            own = carried / total if words else 0.0
            d = float(dense[i]) if len(dense) else 0.0
            out.append(Scored(f, (1 - EMBED_WEIGHT) * kw + EMBED_WEIGHT * d, kw, d, own,
                              frozenset(w for w in in_measure if w not in LEVELS and w not in verbs)))
        return out

    def names_what_is_asked(self, f: Fact, rare: Sequence[str]) -> bool:
        """The question's rarest word is in the figure's sentence or just before it, and
        its other rare words are in the same passage (极氪汽车的估值 is not 独角兽的估值);
        ``rare`` is ``rare_words(q)``, computed once per question."""
        if any(w in LEVELS for w in rare) and not levels_named(f):
            rare = [w for w in rare if w not in LEVELS]  # a figure naming no level may answer 国家级…
        if not rare:
            return True
        near = f"{f.measure} {f.context}{f.sentence}".lower()
        passage = self.chunk_texts.get(f.chunk_id, near).lower()
        return self.has(near, rare[0]) and all(self.has(passage, w) or self.has(near, w) for w in rare[1:])

    def measured_words(self, q: Question) -> list[str]:
        """The question's words for what is measured (研发 in 江丰电子研发花了多少钱):
        neither the name of whose figure it is, nor the asker's own wording."""
        names = [*names_in(q.text), *(t for t, pos in self.profile.terms if pos in ("nt", "nr", "nz"))]
        return [w for w in q.measure_words if (self.known(w) or not is_everyday(w))
                and not any(w in n for n in names) and w not in LEVELS and not _purpose(q.text, w)]

    @cached_property
    def _rows_by_sentence(self) -> dict[str, list[Fact]]:
        out: dict[str, list[Fact]] = {}
        for f in self.facts:
            out.setdefault(f.sentence.strip(), []).append(f)
        return out

    def whose(self, q: Question, place: str) -> str:
        """The place whose figure is asked: the main city unless one is named, and a
        named organisation's home rather than a place no figure is of (旭升集团派往墨西哥)
        or a place that only says where the company is (丙区的甲乙科技)."""
        if not place or (place not in self.fact_places and _names_organisation(q)) or self._locates_a_company(q, place):
            return self.profile.main_city
        return place

    def _locates_a_company(self, q: Question, place: str) -> bool:
        """Whether the place only says where a company of the corpus is (丙区的甲乙科技, 丙区那家甲乙科技)."""
        return any(re.search(re.escape(place) + r"(?:的|那家|这家)?" + re.escape(t), q.text)
                   for t, pos in self.profile.terms if pos == "nt" and t in q.text and COMPANY.search(t))

    def may_be_of(self, sentence: str, places: Sequence[str]) -> bool:
        """False when every figure the table took from the sentence is of a place not
        asked about (乙市's question is not answered by "甲市…83家，远超乙市")."""
        rows = self._rows_by_sentence.get(sentence.strip(), [])
        return not rows or any(f.place in ("", *places) for f in rows)

    def of_another_kind(self, sentence: str, q: Question, measured: Sequence[str]) -> bool:
        """Whether every figure the sentence gives of what is asked (``measured``, from
        ``measured_words``) carries a qualifier the question does not ("市级以上研发机构212个"
        for 研发机构有多少个): the sentence counts another category, as the table's own rows do."""
        rows = [f for f in self._rows_by_sentence.get(sentence.strip(), [])
                if any(self.has(f.measure.lower(), w) for w in measured)]
        return bool(rows) and all(any(x in f.measure and x not in q.text for x in QUALIFIERS) for f in rows)

    def askers_wording(self, word: str) -> bool:
        """How the asker words it, not a name or term the figure must carry: a very
        common word (政府), or an everyday one the corpus never uses (拿出, 钱花)."""
        return is_everyday(word, COMMON_FREQ) or (not self.known(word) and is_everyday(word))

    def rare_words(self, q: Question) -> list[str]:
        """The question's measure words nearly as rare as its rarest: names and specific
        terms an answer must contain (极氪汽车, 重点小巨人)."""
        if not q.measure_words:
            return []
        company = bool(names_in(q.text))
        named = [w for w in q.measure_words if is_nounish(w) and not self.askers_wording(w)
                 and not _purpose(q.text, w) and w not in LIST_WORDS  # 名单: the list counted in
                 and not (company and ITS_PRODUCT.match(w))]  # 甲乙科技的主导产品: whatever it makes
        if not named:
            return []
        top = max(self.weight(w) for w in named)
        subjects = {w for w in named for n in names_in(q.text) if w in n}  # 江丰电子: whose figure it is
        rare = [w for w in named if self.weight(w) >= RARE_SHARE * top or w in subjects]
        return sorted(rare, key=self.weight, reverse=True)  # rarest first

    def answer(self, q: Question, qvec: np.ndarray | None, place: str = "",
               doc_ids: Sequence[str] | None = None) -> FigureResult | None:
        """The rows answering the question for one place (from the given documents
        only, when a filter is set), or None when no row fits."""
        place = self.whose(q, place or (q.places[0] if q.places else ""))
        rows = _dedupe(s for s in self.score(q, qvec)  # the cheap tests first: most rows fail them
                       if s.score >= MATCH_FLOOR and s.keyword >= 0.5 and s.own >= OWN_FLOOR
                       and (not doc_ids or s.fact.doc_id in doc_ids) and self.fits(q, s.fact, place))
        rare = self.rare_words(q)
        measure = self.what_is_measured(q)
        stats = statistics_asked(q.text)
        things = counted_things(q, self.profile)  # 单项冠军产品有多少个: a count of companies (家) is no count of 产品
        rows = [s for s in rows if self.names_what_is_asked(s.fact, rare)
                and (not measure or any(self.has(f"{s.fact.measure} {s.fact.clause}".lower(), w) for w in measure))
                and all(x in f"{s.fact.measure}{s.fact.clause}" for x in stats)
                and not counts_firms_not(things, s.fact.unit, s.fact.measure)]
        if q.time == "target":
            rows = [s for s in rows if s.fact.kind == "target"]
        if not SCOPED.search(q.text) and q.time != "year":  # 工业增加值: the whole, not the 规模以上 part,
            # when both are given (a year's figure may still be the part: its sentence says so)
            rows = [s for s in rows if not SCOPED.search(f"{s.fact.measure}{s.fact.clause}")] or rows
        if not rows:
            return None
        best = max(rows, key=lambda s: s.score)
        # the same measure: every question word the best row's own measure carries, whatever the score
        # (an older source's wording moves the embedding; a level said elsewhere in the sentence or
        # not at all is no other measure); a best row whose measure carries no such word groups only
        # with rows like it
        subject = self._subject(q, best.fact)
        noun = self._amount_noun(best.fact)
        same = [s for s in rows if s.fact.unit == best.fact.unit
                and (best.measured <= s.measured if best.measured else not s.measured)
                and self._paragraph_names(s.fact, subject) and self._names(s.fact.measure, noun)]
        targets = sorted((s for s in same if s.fact.kind == "target"), key=lambda s: -s.score)
        # at the same time, a value the sentence says was grown from ("从3家增至8家") is the older one
        actual = sorted((s for s in same if s.fact.kind != "target"),
                        key=lambda s: (-s.fact.as_of, starting_value(s.fact), -s.score))
        intent = q.time
        if intent == "target":
            main = [s for s in targets if not q.years or s.fact.year in q.years]
            main.sort(key=lambda s: -self.doc_dates.get(s.fact.doc_id, 0))
            if not main:
                return None
            # another source's different target for the same year: neither is the one target
            rival = next((s for s in main[1:] if s.fact.year == main[0].fact.year
                          and s.fact.doc_id != main[0].fact.doc_id and s.fact.value != main[0].fact.value), None)
            return FigureResult(main[:1], main[1:3], [], place, intent, rival)
        if intent == "year":  # the best figure for each year asked ("2017年到2024年…从多少到多少")
            main = [next(s for s in actual if s.fact.year == y) for y in sorted(set(q.years))
                    if any(s.fact.year == y for s in actual)]
            if not main:
                return None
            intent = "trend" if len(main) > 1 else intent
            return FigureResult(main, [s for s in actual if s not in main], targets, place, intent)
        if intent == "trend":
            series = sorted(actual, key=lambda s: (s.fact.as_of, not starting_value(s.fact)))
            return FigureResult(series, [], targets, place, intent) if series else None
        if not actual:
            return None
        if intent == "earliest":  # 最早那会儿有几家: the oldest dated figure, the later ones after it
            series = sorted(actual, key=lambda s: (not s.fact.as_of, s.fact.as_of, not starting_value(s.fact)))
            return FigureResult(series[:1], series[1:], targets, place, intent)
        actual = _whole_year_first(q, self._settle_tie(q, actual))
        first = actual[0].fact
        older = [s for s in actual[1:] if s.fact.sentence != first.sentence]  # the quote shows its own
        rival = next((s for s in actual[1:] if first.as_of and s.fact.as_of == first.as_of
                      and s.fact.value != first.value and _rivals(q, actual[0], s)), None)
        return FigureResult(actual[:1], older, targets, place, intent, rival)

    def _settle_tie(self, q: Question, actual: list[Scored]) -> list[Scored]:
        """Of two figures of one sentence that match the question alike (对甲、乙分别给予300万元
        补贴…，上市后再分别给予200万元奖励), the one whose own clause says more of the question
        first; a tie that stays is a rival (``_rivals``)."""
        if len(actual) > 1 and _alike(actual[0], actual[1]) and _said(q, actual[1]) > _said(q, actual[0]):
            return [actual[1], actual[0], *actual[2:]]
        return actual

    def what_is_measured(self, q: Question) -> list[str]:
        """The question's nouns for what is measured, less whose figure it is (domain terms
        and names: 小巨人 in 小巨人企业研发投入占比多少 leaves 研发投入); a figure must carry
        one of them in its clause (92% of 小巨人 深耕超过10年 is no 研发投入 share)."""
        terms = {w for w, _ in self.profile.terms}
        # the scope (规上工业中，…), a category's qualifier (后备), the list counted in (名单里)
        skip = {*q.frame_words, *QUALIFIERS, *LIST_WORDS}
        if names_in(q.text):
            skip |= {w for w in q.measure_words if ITS_PRODUCT.match(w)}
        base = SHARE_BASE.search(q.text)  # 研发投入占营收比重: 营收 is what it is a share of
        if base:
            skip |= {w for w in self.measured_words(q) if w in base.group(1) and w not in q.text[:base.start()]}
        said = SHARE_SAID.search(q.text)
        if said and q.measure_kind != "share":
            whole = f"{said.group(1) or ''} {said.group(2)}".lower()
            skip |= {w for w in self.measured_words(q) if w in whole}
        return [w for w in self.measured_words(q) if is_content_word(w) and w not in skip
                and pos_flags(w)[-1:] != ["m"]  # 一批, 第九: which batch, not what is measured
                and (is_amount_verb(w, self.known) or (not is_verb(w) and not self.askers_wording(w)))
                and not any(w in t or t in w for t in terms)]

    def _subject(self, q: Question, f: Fact) -> list[str]:
        """The question's nouns the best figure's sentence names besides its measure
        (小巨人 in "小巨人企业实现出口额144亿元"): whose figure it is."""
        frame = set(q.frame_words)
        text = f"{_paragraph_before(f)}{f.sentence}".lower()
        return [w for w in q.measure_words if w not in frame and w not in LEVELS and is_nounish(w)
                and not self.askers_wording(w) and self.has(text, w) and not self.has(f.measure.lower(), w)]

    def _amount_noun(self, best: Fact) -> str:
        """The noun an amount of money's measure ends in (奖励, 营收): older figures of it must
        name it too (a 小巨人 补贴奖励 and their 营业收入 are both 元 of 小巨人, not one measure);
        "" for counts, which their unit names."""
        if best.unit != "元":
            return ""
        terms = {t for t, _ in self.profile.terms}
        return next((w.lower() for w in reversed(words(best.measure)) if len(w) >= 2 and w not in terms
                     and (is_nounish(w) or pos_flags(w)[-1:] == ["vn"])), "")

    def _names(self, measure: str, noun: str) -> bool:
        """Whether a measure names the noun (or a synonym); any measure does when there is none."""
        measure = measure.lower()
        return not noun or self.has(measure, noun) or loosely_has(measure, noun)

    def _paragraph_names(self, f: Fact, words: Sequence[str]) -> bool:
        """Whether the figure's sentence or the text before it in its paragraph names every one of the
        words (the city's 进出口额 is no figure of its 小巨人' 出口额, nor one company's
        净利润 of them all, though its passage mentions 小巨人 elsewhere)."""
        text = f"{f.measure} {_paragraph_before(f)}{f.sentence}".lower()
        return all(self.has(text, w) for w in words)

    def _of_a_peer(self, question: str, measure: str) -> bool:
        """Whether the figure's measure is of another term of the kind the question asks
        about (单项冠军's 补贴 when 小巨人's is asked; another company's 营收)."""
        return any(peer in measure and asked not in measure for asked, peer in self._peers(question))

    def _peers(self, question: str) -> list[tuple[str, str]]:
        """(term the question names, another term of its kind), worked out once per question
        (``fits`` asks for every row)."""
        if question not in self._peer_cache:
            kinds = dict(self.profile.terms)
            asked = [w for w in kinds if w in question]
            self._peer_cache = {question: [(w, t) for w in asked for t in kinds if t not in question
                                           and kinds[t] == kinds[w] and t not in w and w not in t]}
        return self._peer_cache[question]

    def matching(self, q: Question, qvec: np.ndarray | None, place: str = "") -> list[Scored]:
        """Rows of the asked unit, kind and place, best match first (for listing)."""
        place = place or (q.places[0] if q.places else self.profile.main_city)
        rows = [s for s in self.score(q, qvec) if self.fits(q, s.fact, place)]
        return sorted(rows, key=lambda s: -s.score)

    def fits(self, q: Question, f: Fact, place: str) -> bool:
        """Whether a row has the asked unit, kind and place."""
        if q.unit and not _unit_ok(q.unit, f.unit):
            return False
        if FULL_YEAR.search(q.text) and f.as_of % 100 not in (0, 12):
            return False  # 2025年全年GDP: a figure of 前三季度 is no answer
        if MONEY_ASK.search(q.text) and "元" not in f.unit:
            return False  # 给多少奖励 asks money: "市级以上研发机构212个" is no answer
        if f.unit == "%" and COUNTING.search(q.text) and "percent" not in q.kinds \
                and q.measure_kind not in ("share", "growth"):
            return False  # 一共有多少小巨人 counts them: "92%的小巨人企业…" is a share, not their number
        if any(x in f.measure and x not in q.text for x in QUALIFIERS):
            return False
        if _of_another_scope(q.text, f):
            return False  # 国内份额第一的有多少家: "占有率全球第一的有110家" counts other firms
        asked = {w for w in LEVELS if w in q.text}
        if asked and (named := levels_named(f)) and not named & asked:
            return False  # 省级 / 市级及以上 when 国家级 is asked; a figure naming no level may answer
        if f.kind not in _kinds_for(q) and not (f.kind == "part" and "actual" in _kinds_for(q) and self._within(q, f)):
            return False
        if self._of_a_peer(q.text, f.measure):
            return False
        if f.district and f.place not in q.places:
            return False
        return f.place == place or (not f.place and place == self.profile.main_city)

    def _within(self, q: Question, f: Fact) -> bool:
        """Whether the question asks a sub-group's count as such: it names both the group
        and the part ("单项冠军里上市公司有几家" of "125家上市公司中不乏46家单项冠军")."""
        whole = _whole_of(f)
        words = [w for w in q.measure_words if w not in LEVELS]
        return bool(whole) and any(self.has(whole, w) for w in words) \
            and any(self.has(f.measure.lower(), w) for w in words)


def is_amount_verb(word: str, known: Callable[[str], bool]) -> bool:
    """Whether a verbal noun is a measured quantity in a corpus (``known``: the words it
    uses): it is written with 额, 值 or 量 after it (出口 of 出口额), unlike 培育 or 奖励."""
    return is_verb(word) and pos_flags(word)[-1:] == ["vn"] and any(known(word + x) for x in "额值量")


def _rivals(q: Question, first: Scored, other: Scored) -> bool:
    """Whether another figure of the same time is as much the answer as the first: from
    another source, or from the same sentence, matching the question as well and its own
    clause saying as much of it (the question does not say which)."""
    if other.fact.doc_id != first.fact.doc_id:
        return True
    return _alike(first, other) and _said(q, first) == _said(q, other)


def _alike(a: Scored, b: Scored) -> bool:
    """Two figures of one sentence the score does not tell apart ("从3家增至8家" tells them)."""
    return a.fact.sentence == b.fact.sentence and a.keyword == b.keyword and abs(a.score - b.score) < SCORE_TIE \
        and not starting_value(a.fact) and not starting_value(b.fact)


def _said(q: Question, s: Scored) -> int:
    """How many of the question's words the figure's own clause says as written."""
    clause = s.fact.clause.lower()
    return sum(w in clause for w in q.measure_words)


def counted_things(q: Question, profile: Profile) -> str:
    """What a one-part "多少个" question counts when it is not companies (产品 in 单项冠军产品有
    多少个), else "": companies, or a kind of company (多少个单项冠军), are counted in 家 too."""
    part = q.parts[0] if len(q.parts) == 1 else None
    counted = part.counted if part and part.unit == "个" else None
    if not counted or counted in ("企业", "公司") or any(counted in t for t, pos in profile.terms if pos == "n"):
        return ""
    return counted.lower()


def counts_firms_not(things: str, unit: str, measure: str) -> bool:
    """Whether a figure in ``unit`` after ``measure`` counts companies, not the ``things``
    asked (``counted_things``; "" asks no such check): "…的企业有110家" is no count of 产品."""
    return bool(things) and "家" in unit and not ends_in_noun(measure, things)


def ends_in_noun(measure: str, noun: str) -> bool:
    """Whether the noun ends what the measure counts (研发平台 in 市级以上研发平台), company words
    aside: in "主导产品市场占有率全球第一的企业" companies are counted, not 产品."""
    return bool(re.search(re.escape(noun) + r"[”\"’]?(?:企业|公司)?(?:有|达|共|为)?$", measure.lower()))


def _paragraph_before(f: Fact) -> str:
    """The text before the figure's sentence in its own paragraph."""
    return f.context.rsplit("\n", 1)[-1]


def dated_alike(facts: Sequence[Fact]) -> list[Fact]:
    """Facts whose time is only their document's date take the stated time of the same
    figure elsewhere in the document ("共有…119家" after "2025年12月11日…总数攀升至119家"
    holds as of that day, not as of the document's estimated date)."""
    stated: dict[tuple[str, float, str], set[tuple[int, str]]] = {}
    for f in facts:
        if f.as_of_text and _distinctive(f):
            stated.setdefault((f.doc_id, f.value, f.unit), set()).add((f.as_of, f.as_of_text))
    out = []
    for f in facts:
        times = stated.get((f.doc_id, f.value, f.unit), set()) if not f.as_of_text and _distinctive(f) else set()
        if len(times) == 1:  # one stated time for the figure: never a guess between two
            (as_of, text), = times
            f = replace(f, as_of=as_of, as_of_text=text)
        out.append(f)
    return out


def _distinctive(f: Fact) -> bool:
    """A figure unlikely to recur by chance in one document: an actual count or amount of 10 or more."""
    return f.kind != "target" and f.unit != "%" and f.unit != "位" and f.value >= 10


COUNT_UNITS = set("家个项名人位件种台套")
# A word before the counted noun that makes it another category (潜在独角兽 is not 独角兽).
# An average is another statistic than a total or a share: 平均市场占有率 is not answered by
# "市场占有率全国第一的有262家，占比为68.23%", nor 人均 by a total.
STATISTICS = re.compile(r"平均|人均|年均|户均|亩均|均值|中位数")


def statistics_asked(text: str) -> list[str]:
    """The kinds of average a question asks for (平均, 人均, …): a figure must say the same."""
    return list(dict.fromkeys(STATISTICS.findall(text)))


# "研发投入占营收比重多少": the whole a share is of, after 占
SHARE_BASE = re.compile(r"占(?:到|了)?([^，。？?占]{1,12}?)的?(?:比重|比例|份额|百分之|多少|几成|多大)")
# a share the asker states to say which part they mean ("GDP里差不多占了一半的那块——工业",
# "工业占GDP快一半的那年"): the whole it is a share of is not what is measured
SHARE_SAID = re.compile(r"(?:([^，。？?、]{1,8}?)(?:里|中|当中))?[^，。？?]{0,4}?占(?:了|到)?([^，。？?占]{0,8}?)"
                        r"(?:快|近|差不多|将近|接近|超过)?(?:一半|大半|大头|[一二三四五六七八九]成)")

# The list a count is taken in ("第四批名单里…进了几家"), not what is counted
LIST_WORDS = ("名单", "榜单", "名录", "目录", "清单")

# A statistical scope that counts part of the whole (规模以上工业: firms above a turnover line).
SCOPED = re.compile(r"规模以上|规上|限额以上|限上")

# Where a first place or a share holds: 全国第一 and 全球第一 count different firms.
SCOPES = {"全球": ("全球", "世界", "国际"), "全国": ("全国", "国内"), "全省": ("全省", "省内")}
BOTH_SCOPES = re.compile(r"国内外|海内外|国内国际")
RANKED_OR_SHARED = re.compile(r"第一|首位|榜首|领先|头名|排名|第几|份额|占有率|市占")


def _scopes(text: str) -> set[str]:
    """The scopes a text names (国内 is 全国); every one when it names both (国内外)."""
    if BOTH_SCOPES.search(text):
        return set(SCOPES)
    return {k for k, spelt in SCOPES.items() if any(w in text for w in spelt)}


def _of_another_scope(question: str, f: Fact) -> bool:
    """Whether a first place or share asked within one scope (国内, 全球) is a row's of
    another: the row's clause names scopes, none of them the asked one."""
    asked = _scopes(question) if RANKED_OR_SHARED.search(question) else set()
    said = _scopes(f.clause) if asked else set()
    return bool(said) and not said & asked


QUALIFIERS = ("潜在", "准", "重点", "市级", "省级", "区级", "县级", "种子", "后备", "储备", "入库")


def qualifiers_asked(text: str, terms: Sequence[str]) -> list[str]:
    """The qualifiers the question puts on one of the corpus's kinds of company (重点 in
    重点小巨人, not in "小巨人”等重点企业", where it says which companies in general)."""
    if not terms:
        return [x for x in QUALIFIERS if x in text]
    kinds = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return [x for x in QUALIFIERS if re.search(rf"{re.escape(x)}[“”\"'‘’]?(?:{kinds})", text)]


def levels_named(f: Fact) -> set[str]:
    """The administrative levels a figure is of: those its measure names, else its
    sentence, else the text just before it (在省级层面，…96家 after a sentence about
    国家级 ones is of the 省级); empty when none of them names a level."""
    for text in (f.measure, f.sentence, f.context):
        named = {w for w in LEVELS if w in text}
        if named:
            return named
    return set()


def _mask(text: str) -> int:
    """The text's characters as bits of a 256-bit mask (by code point modulo 256)."""
    m = 0
    for c in set(text):
        m |= 1 << (ord(c) & 255)
    return m


def _purpose(question: str, word: str) -> bool:
    """The word only says what counted people went for (派了多少人去甲地建厂: 建厂)."""
    sent = PEOPLE_THEN_VERB.search(question)
    return sent is not None and word in question[sent.end():] and word not in question[:sent.start()]


def _names_organisation(q: Question) -> bool:
    """Whether the question names an organisation (jieba tag nt, domain terms included)."""
    return "nt" in pos_flags(q.text)


PART_OF_YEAR = re.compile(r"前[一二三四]季度|[上下]半年|(?<!前)[一二三四]季度|1\s*[—\-－~至到]\s*\d{1,2}\s*月")


def _whole_year_first(q: Question, actual: list[Scored]) -> list[Scored]:
    """Asked with no time (营收多少), a year's figure comes before a later one of part of a
    year (2024年36.05亿元 before 2025年前三季度32.91亿元: the part is not the year)."""
    if q.time or len(actual) < 2 or not PART_OF_YEAR.search(actual[0].fact.as_of_text):
        return actual
    whole = next((s for s in actual[1:] if s.fact.as_of % 100 == 12 and not PART_OF_YEAR.search(s.fact.as_of_text)
                   and s.fact.as_of // 100 == actual[0].fact.as_of // 100 - 1), None)
    return [whole, *(s for s in actual if s is not whole)] if whole else actual


FULL_YEAR = re.compile(r"全年|一整年|整一年|整年")  # the whole year's figure, not one of its first months
# An amount of money asked without its unit: 多少钱, 奖励多少, 给多少补贴.
MONEY_ASK = re.compile(r"多少(?:钱|资金|经费|奖金|奖励|补贴|补助|奖补|资助|扶持资金)|"
                       r"(?:奖励|奖金|补贴|补助|奖补|资助|资金|经费|(?<![获得评])奖|(?<![弥填增])补)(?:是|有|能拿|能给|给)?多少(?![家个项人名位%])")


# A sentence whose subject is the company named just before it: "（2017—2024年，）公司营收…"
REFERS_BACK = re.compile(r"^(?:[^，,。]{0,16}[，,])?(?:该公司|公司|该企业|企业|该集团|其)")


def _named_before(f: Fact, names: Iterable[str], has: Callable[[str, str], bool]) -> bool:
    """Whether the figure's sentence refers back (公司…) to a company the sentence just
    before it names, and that is the company asked about (every name in ``names``)."""
    if not REFERS_BACK.match(f.sentence.strip()):
        return False
    last = re.split(r"(?<=[。！？!?])", f.context.strip().rstrip("。！？!?"))[-1].lower()
    return all(has(last, w) for w in names)


def _unit_ok(asked: str, unit: str) -> bool:
    classes = [set("人名位个"), {"元", "美元"}, set("家个所座")]  # 多少个冠军: "119家"; 几个骨干: "25名"
    if asked == unit or (asked == "#count" and unit in COUNT_UNITS):
        return True
    return any(asked in c and unit in c for c in classes)


def _kinds_for(q: Question) -> tuple[str, ...]:
    if q.measure_kind in WANTED_KINDS:
        return WANTED_KINDS[q.measure_kind]
    return ("actual", "target")


def _whole_of(f: Fact) -> str:
    """For a sub-group's count ("125家上市公司中不乏46家单项冠军"), the group it is a part
    of, lower-cased ("125家上市公司"); "" for any other figure."""
    m = PART.search(f.clause) if f.kind == "part" else None  # "公司中": the 公司 is the group's
    return re.sub(r"(?:中不乏|其中|之中|[在中里内已]|方面)$", "", f.clause[:m.end()]).lower() if m else ""


def _dedupe(rows: Iterable[Scored]) -> list[Scored]:
    """One row per (value, document, kind): the same figure quoted twice is one figure.
    The body sentence that states its time is kept, with the best match of any copy
    (a headline often names the measure better than the sentence)."""
    groups: dict[tuple[float, str, str], list[Scored]] = {}
    for s in rows:
        key = (s.fact.value, s.fact.doc_id if s.fact.kind != "target" else str(s.fact.year), s.fact.kind)
        groups.setdefault(key, []).append(s)
    out = []
    for group in groups.values():
        keep = max(group, key=_preference)
        named = max(group, key=lambda g: (g.own, len(g.measured)))
        out.append(replace(keep, score=max(g.score for g in group), keyword=max(g.keyword for g in group),
                           own=named.own, measured=named.measured))
    return out


def _preference(s: Scored) -> tuple[bool, bool, float]:
    """A body sentence before a headline, a dated statement before an undated one."""
    return (s.fact.sentence.endswith(("。", "！", "？", "”")), bool(s.fact.as_of_text), s.score)


GROWN_TO = re.compile(r"^\s*(?:扩增至|增至|增加到|增长到|提高到|达到|升至|降至|减至|减少到|到)")


def starting_value(f: Fact) -> bool:
    """Whether the figure is what something grew or fell from ("从3家增至8家": 3家)."""
    at = f.clause.find(f.shown)
    if at <= 0 or not f.clause[:at].rstrip().endswith("从"):
        return False
    rest = f.clause[at + len(f.shown):]
    return bool(GROWN_TO.match(rest))


def as_of_label(f: Fact) -> str:
    """When a figure holds, for display: "2024年12月" / "2025年9月" / "2021年"."""
    year, month = divmod(f.as_of, 100)
    if not year:
        return ""
    # a month only when the text states one (2024年底, 前三季度); "目前" in a document dated
    # only by its year holds for that year, not for the month a sort key assumes
    if f.as_of_text and re.search(r"\d{1,2}\s*月|底|末|季度|上半年", f.as_of_text):
        return f"{year}年{month}月" if month else f"{year}年"
    return f"{year}年"
