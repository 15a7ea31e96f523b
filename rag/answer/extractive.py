"""Extractive answers (no LLM, the default): quote the sentences that answer.

Sentences of the retrieved passages are scored by how much of the question's
weighted key terms they contain (IDF from the keyword index; a term the corpus
never uses weighs most, so a question about something absent cannot be
"answered" by a sentence matching only its common words), whether they hold
the kind of answer asked for (a year, a rank, a count, a share) and whether
they repeat the question's explicit numbers. Too little support → refusal
with the closest passages. Differing figures → each with source and date.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

from rag.answer.boilerplate import BOILERPLATE, REPORTER_PREFIX
from rag.answer.citations import CitationBook, perspective_note
from rag.answer.conjuncts import join_answers, split_respective
from rag.answer.counted_items import with_counted_items
from rag.answer.descriptions import Resolved, speaker
from rag.answer.descriptions import resolve as resolve_description
from rag.answer.facts import GROWTH, SHARE, Fact
from rag.answer.figure_answers import (
    FULL_YEAR,
    LEVELS,
    MONEY_ASK,
    QUALIFIERS,
    FigureResult,
    as_of_label,
    counted_things,
    counts_firms_not,
    qualifiers_asked,
    statistics_asked,
)
from rag.answer.figure_text import compose, figures_for_table
from rag.answer.followup import elided_subject
from rag.answer.knowledge import Knowledge
from rag.answer.lists import LIST_NOUNS, list_answer
from rag.answer.matching import has_word, longest_shared, loosely_has, overlap, stem
from rag.answer.question import (
    ASKS_FIGURE,
    CN_NUM,
    COUNTING,
    FROM_HOW_MANY,
    GENERIC_NOUNS,
    KIND_PATTERNS,
    MEASURE_KINDS,
    MONTHS,
    NUMBER,
    SAID_ASK,
    TIME_CUES,
    UNIT_CLASSES,
    Part,
    Question,
    analyse,
    given_numbers,
    key_words_of,
    ordinals,
)
from rag.answer.sentences import ANAPHOR, split_sentences
from rag.answer.templates import template
from rag.profile import SELF_REFERENCES, Profile, gazetteer
from rag.schema import Answer, DocMeta, Hit
from rag.tokenize import (
    before_first_verb,
    in_dictionary,
    is_content_word,
    is_everyday,
    is_noun,
    is_person_tagged,
    names_in,
    pos_flags,
    synonyms,
    tokens,
    words,
)

# "how is it staged" and the chain of stages that answers it ("甲—乙—丙—丁")
STAGES_ASK = re.compile(r"一级一级|一级级|逐级|层层|一步一步|一步步|一层一层|阶梯|梯度|梯队")
_STAGE, _ARROW = r"[\u4e00-\u9fff“”‘’]{2,}", r"(?:[—→]{1,2}|－|-{1,2})"
CHAIN = re.compile(_STAGE + _ARROW + _STAGE + _ARROW + _STAGE)
# a cause, or the purpose a measure serves ("X是…的有效途径" answers "为什么要X")
REASON_CUE = re.compile(r"因为|由于|得益于|受益于|归功于|依托|凭借|靠的是|关键在于|在于|通过|离不开|源于|"
                        r"一方面|另一方面|密切相关|之所以|主要是|原因|必要条件|共同作用|铸就|促成|造就|"
                        r"途径|手段|举措|旨在|为了|有助于|有利于|背后|(?:和|与|跟|同).{2,40}有关")
# Words that give a cause (not a purpose or a means): what a why-answer must have.
CAUSE_CUE = re.compile(r"因为|由于|得益于|受益于|归功于|离不开|源于|之所以|密切相关|关键在于|在于|背后|凭借|依托|"
                       r"靠的是|共同作用|铸就|促成|造就|原因|决定|(?:和|与|跟|同).{2,40}有关")
# A document's own question asking why or how (缘何成为…？): the sentence after it answers it.
POSED_WHY = re.compile(r"(?:(?:缘何|为何|为什么|何以|凭什么|靠什么|原因)[^？?]*|(?:如何|怎样)[^？?]+)[？?]\s*$")
# "晶钻科技是做什么的": what a company makes or does, said by a verb of making or business.
DOES_ASK = re.compile(r"(?:是)?(?:做|干|搞)(?:什么|啥)的|主营(?:什么|啥)|主要(?:做|生产|干)(?:什么|啥)|从事(?:什么|啥)")
DOES_CUE = re.compile(r"生产|制造|研发|从事|主营|专注于|主要产品|主导产品|专业(?:从事|生产)")
# "哪年成立的": the sentence saying when the subject itself was founded ("…创建于1998年12月"),
# not one where something else was set up ("2020年…合作成立了…实验室")
FOUNDED_ASK = re.compile(r"(?:哪一?年|什么时候|何时|几几年)[^，。？?]{0,4}(?:成立|创建|创办|创立|建立|组建)"
                         r"|(?:成立|创建|创办|创立|建立|组建)(?:于|在)?(?:哪一?年|什么时候|何时|几几年)")
FOUNDED_IN = re.compile(r"(?:成立|创建|创办|创立|始建|组建|建立)于\s*\d{4}")
DEFINE_ASK = re.compile(r"是什么|什么是|指什么|含义|定义|特点|特征|内涵|什么意思|条件|标准|门槛|算得上|够得上|称得上")
DEFINE_CUE = re.compile(r"是指|指的是|(?:通常|一般|主要)指|是一种|定义为|特点是|特征是|即是|就是指")
RESPECTIVE_ASK = re.compile(r"分别|各自|各(?:是|为|有|增长|占)")
# a figure said in a sentence: a number with a unit, a share or a rank (years alone are none)
A_QUANTITY = re.compile(r"\d+(?:\.\d+)?\s*(?:万亿|亿|万|千)?\s*(?:[元家个项名人位%％倍件台套亩次批种所座条天场户克吨米秒度]|美元|人次|小时|分钟|公里)"
                        r"|第\s*[\d一二三四五六七八九十]+|[一二两三四五六七八九十百千几]+\s*[种家个项名位成倍批]|首位|榜首|第一|翻一?番")
# "1到10月", "3月份": when, not a figure the sentence must repeat (its clause of time may be the one before)
# "Who" questions: the answer names an organisation or a person.
WHO_ASK = re.compile(r"谁|哪位|哪家|哪[一两二三四五六七八九十几]家|哪个(?:企业|公司|单位|机构|人)|哪些(?:企业|公司|单位|机构|人|专家)")
# "算哪一类模式", "属于什么类型": a category asked, answered by a type's name (自主研发型, 联盟式)
KIND_ASK = re.compile(r"哪一?[种类](?:模式|类型|路径|方式)?|什么(?:类型|模式|类别)|属于哪")
TYPE_LABEL = re.compile(r"[\u4e00-\u9fff]{2,6}(?<![方形模样正仪公各])[型式](?![号])")
WHICH = re.compile(r"谁|哪家|哪个|哪种|哪类|哪位|哪一[家个种类位]|什么(?:企业|公司|模式|类型)|代表")
PRESS = re.compile(r"日报|晚报|商报|报社|杂志|智库|学院|大学|研究院|研究所|证券报")  # what a publisher is
SOURCE_WORDS = {"专报", "报告", "报道", "文章", "资料", "论文", "数据", "里说", "提到", "评论", "材料", "版面", "报纸"}
STRICT_KINDS = ("year", "rank", "percent", "count")
CONTEXT_WEIGHT = 0.3
YES_NO = re.compile(r"吗[？?。]?$|是不是|是否|有没有")
SHAPE_WORD_SHARE = 0.3  # weight left to a list question's 措施/建议/做法 (they name the shape)
PART_FLOOR = 0.5  # share of a sub-question's own words its answer sentence covers (dev split)
PARAGRAPH_WEIGHT = 0.6  # a word in the sentences just before, same paragraph (dev split)
NEAR_CHARS = 120  # how far before a sentence its subject may be named
ABSENT_WORDING = 0.2  # weight share of a non-noun the corpus never uses (dev split, docs/EVAL.md)
RAREST_BONUS = 0.2
REASON_BONUS = 0.25  # a why/how question's sentence giving a cause, purpose or means (flat on dev 0.15–0.35)
QUALIFIED_PENALTY = 1.0  # a question word the sentence only qualifies (潜在独角兽 for 独角兽) counts against it
REASON_FLOOR = 0.3  # coverage at which a cause-giving sentence joins an answer that only restates the claim
EVERYDAY_SHARE = 0.4  # weight share of such a word when the corpus never uses it (dev split)
# a which-company / which-year question names the kind of its answer, which the sentence must
# hold (a year, someone not named in the question), so less of its wording need be covered
# when no sentence covers enough (dev split, docs/EVAL.md)
FACT_SUPPORT_SHARE = 0.75


@dataclass
class Candidate:
    """A sentence of a retrieved passage, scored against the question."""

    hit_index: int
    hit: Hit
    start: int  # offset in the chunk text
    end: int
    text: str
    coverage: float
    kind_ok: bool
    numbers_ok: bool
    place_ok: bool
    score: float
    terms: frozenset[str]
    part_ok: tuple[bool, ...] = ()
    part_cov: tuple[float, ...] = ()  # coverage of each sub-question's own words


# The next sentence explains the one before: "这和…有关", "这是因为…", "这得益于…".
EXPLAINS_PREVIOUS = re.compile(r"^[“”\s]*(?:这|此|之所以如此)(?:主要)?(?:是因为|是由于|和|与|跟|同|得益于|源于|离不开|归功于)")


def _with_explanation(c: Candidate) -> Candidate:
    """For a why question: a claim ("目前甲市产业侧重于应用。") is quoted with the next
    sentence of its paragraph when that one explains it ("这和甲市…有关。")."""
    text = c.hit.chunk.text
    nxt = next(((a, b) for a, b in split_sentences(text) if a >= c.end), None)
    if nxt is None or "\n" in text[c.end:nxt[0]] or not EXPLAINS_PREVIOUS.search(text[nxt[0]:nxt[1]]):
        return c
    return replace(c, end=nxt[1], text=text[c.start:nxt[1]])


def _with_premise(c: Candidate) -> Candidate:
    """For a why question: a sentence that states the claim without a cause ("大力发展
    X势在必行") is quoted with the sentence before it in its paragraph, where an argument
    gives its premise ("…人才仍然短缺。")."""
    if REASON_CUE.search(c.text):
        return c
    text = c.hit.chunk.text
    spans = [(a, b) for a, b in split_sentences(text) if b <= c.start]
    if not spans or "\n" in text[spans[-1][0]:c.start]:
        return c
    a = spans[-1][0]
    premise = text[a:c.start]
    if len(premise.strip()) < 8 or BOILERPLATE.search(premise):
        return c
    return replace(c, start=a, text=text[a:c.end])


def _compounds(text: str, measured: Sequence[str]) -> list[str]:
    """Measure words the question writes as one noun, a modifier before a noun (研发机构 in
    甲市研发机构有多少个): a sentence naming only the noun (10余家机构) counts other things."""
    return [a + b for a, b in zip(measured, measured[1:], strict=False)
            if a + b in text and pos_flags(a)[-1:] in (["v"], ["vn"], ["j"], ["b"]) and is_noun(b)]


def _names_one_of(text: str, words: Sequence[str]) -> bool:
    """Whether the text loosely names one of the words or one of their synonyms."""
    low = text.lower()
    return any(loosely_has(low, x) for w in words for x in synonyms().get(w, (w,)))


def _with_items(c: Candidate, most: int = 2, limit: int = 240) -> Candidate:
    """For a list question answered from sentences (no numbered enumeration): the
    best sentence is often the lead ("甲市以多元金融工具化解融资难。") and the items
    follow it unnumbered in its paragraph; up to ``most`` of them (``limit``
    characters) are quoted with it."""
    text = c.hit.chunk.text
    end = c.end
    for a, b in split_sentences(text):
        if a < c.end or most == 0:
            continue
        if "\n" in text[end:b] or b - c.start > limit:
            break
        end, most = b, most - 1
    return c if end == c.end else replace(c, end=end, text=text[c.start:end])


def _names_someone_new(sent: str, question: str) -> bool:
    """The sentence names an organisation or person the question does not (甲市甲乙丙有限公司
    is not new when the question names 甲乙丙: they share three characters)."""
    return any(not any(n[i:i + 3] in question for i in range(max(1, len(n) - 2))) for n in names_in(sent))


def _same_year_pair(x: FigureResult, y: FigureResult) -> tuple[Fact, Fact] | None:
    """The newest pair of one figure from each side that hold for the same year, with
    one unit and kind (main figures first); None if the sides share no year."""
    pairs = [(a.fact, b.fact) for a in [*x.main, *x.older] for b in [*y.main, *y.older]
             if a.fact.year == b.fact.year and a.fact.unit == b.fact.unit and a.fact.kind == b.fact.kind]
    return max(pairs, key=lambda p: p[0].as_of, default=None)


def _within(c: Candidate, other: Candidate) -> bool:
    """Whether ``c`` quotes a span ``other`` (now widened) already quotes."""
    return c.hit.chunk.chunk_id == other.hit.chunk.chunk_id and other.start <= c.start and c.end <= other.end


def _with_a_cause(chosen: list[Candidate], cands: Sequence[Candidate], places: Sequence[str]) -> list[Candidate]:
    """A why-answer whose sentences only restate the claim ("甲市远超乙市") gets the
    best sentence that gives a cause ("…与甲市完善的培育体系密切相关": one of the
    places asked is enough), if one is near enough."""
    if any(CAUSE_CUE.search(c.text) for c in chosen):
        return chosen
    causes = [c for c in cands if CAUSE_CUE.search(c.text) and c.coverage >= REASON_FLOOR and c.numbers_ok
              and (c.place_ok or any(p in c.text for p in places)) and c not in chosen]
    return [*chosen, causes[0]] if causes else chosen


def _defines(sent: str, terms: frozenset[str]) -> float:
    """Bonus for a definition: 0.3 when a question word is what "是指…" defines, else 0.1
    for any defining phrase."""
    for m in DEFINE_CUE.finditer(sent):
        if any(sent[:m.start()].rstrip("，, ").endswith(t) for t in terms):
            return 0.3
    if IS_A.search(sent) and any(_opens_with(sent, t) for t in terms):
        return 0.3  # "潜在的独角兽企业估值超过1亿美元，是独角兽企业的后备军": X…，是…
    return 0.1 if DEFINE_CUE.search(sent) else 0.0


IS_A = re.compile(r"[，,]\s*(?:是|即|被称为|被视为)(?!否|不是)")


def _opens_with(sent: str, term: str) -> bool:
    """The sentence's subject is the term, maybe with 的 inside it (潜在的独角兽 for 潜在独角兽)."""
    head = sent.lstrip("“\"「（( ")[:len(term) + 2].replace("的", "")
    return head.startswith(term)


def _share(weights: dict[str, float], credit: dict[str, float], terms: Sequence[str]) -> float:
    """Weighted share of the terms a sentence covers, summed in the question's word
    order (a set's order changes per process, and with it float ties)."""
    total = sum(weights[t] for t in terms)
    return sum(weights[t] * credit[t] for t in terms) / total if total else 0.0


def _names_what_is_asked(c: Candidate, rare: Sequence[str]) -> bool:
    """The rarest question word is in the sentence or just before it, the other rare
    words in the same passage."""
    if not rare:
        return True
    text = c.hit.chunk.text
    near = text[max(0, c.start - NEAR_CHARS): c.end].lower()
    return loosely_has(near, rare[0]) and all(loosely_has(text.lower(), w) for w in rare[1:])


def _publisher_phrases(publisher: str, question: str, main_city: str = "") -> list[str]:
    """The publisher as the question names it: a shared run of four or more
    characters (某某智库的专报), or, beside a word such as 专报 or 报告, two or more
    of its words (甲市智库专报 for 甲市某某智库), or its abbreviation (甲证报). The main
    city, named in most questions, counts for none: "甲市本地" names no 甲市本地报纸."""
    phrase = longest_shared(publisher, question)
    own = phrase.replace(main_city, "")
    if len(phrase) >= 4 and (len(own) >= 3 or (publisher.startswith(phrase) and PRESS.fullmatch(own))):
        return [phrase]  # 某某智库; 甲市日报 (the city's own paper, named as its name starts)
    shared = [w for w in dict.fromkeys(tokens(publisher)) if len(w) >= 2 and w in question and w != main_city]
    if len(shared) >= 2 and any(w in question for w in SOURCE_WORDS):
        return shared
    short = _abbreviated(publisher, question)  # 甲证报 for 甲国证券报
    return [short] if short else []


def _abbreviated(publisher: str, question: str) -> str:
    """The publisher's abbreviation in the question, "" if none: three or four of its
    characters in order, its first and last among them (甲证报 for 甲国证券报)."""
    if len(publisher) < 4:
        return ""
    for i, ch in enumerate(question):
        if ch != publisher[0]:
            continue
        for size in (4, 3):
            short = question[i:i + size]
            if len(short) == size and short[-1] == publisher[-1] and short not in publisher \
                    and _in_order(short, publisher):
                return short
    return ""


def _in_order(chars: str, text: str) -> bool:
    rest = iter(text)
    return all(c in rest for c in chars)


ATTRIBUTION = r"(?:那边|那头|方面|的报告|的专报|的智库|智库|的专家|专家)?(?:的)?(?:分析|认为|总结|指出|研究|调研|说|讲)"


def _attributed_to(home_city: str, main_city: str, question: str) -> list[str]:
    """A document's home city named as who says it (乙市那边分析, 乙市智库总结的), when
    that city is not the corpus's main one: the source, not the place asked about."""
    if not home_city or home_city == main_city:
        return []
    m = re.search(re.escape(home_city) + ATTRIBUTION, question)
    return [m.group(0)] if m else []


class ExtractiveAnswerer:
    """Builds answers from quoted sentences; never invents text."""

    id = "extractive"

    def __init__(
        self,
        kb: Knowledge,
        *,
        min_support: float = 0.45,
        max_sentences: int = 3,
    ) -> None:
        self.kb = kb
        self.keyword = kb.keyword
        self.docs = kb.metas
        self.min_support = min_support
        self.max_sentences = max_sentences
        self._missing_idf = max((kb.keyword.idf(t) for t in kb.keyword.doc_freq), default=5.0) + 1.0
        self.t = template("extractive_zh")

    # ---- scoring -------------------------------------------------------
    def _weights(self, q: Question) -> dict[str, float]:
        """IDF weight of each key word: a noun or name no passage contains weighs most
        (a question about something absent is not answered from its common words);
        other words count half, and a verb or modifier the corpus never uses little
        (a paraphrase's wording is not what the documents lack). An everyday word the
        corpus never uses (办法, 条件: frequent in general Chinese) weighs less than a
        rare or unknown one (售价, a company's name): it is more likely the asker's
        wording than the thing asked about."""
        out = {}
        for w in self._known_parts(q.key_words):
            # a synonym group is as common as its commonest member the corpus uses
            idf = min((x for s in synonyms().get(w, (w,)) if (x := self.keyword.word_idf(s))), default=0.0)
            content = is_content_word(w)
            if idf:
                out[w] = idf * (1.0 if content else 0.5)
            else:
                out[w] = self._missing_idf * (1.0 if content else ABSENT_WORDING) * (
                    EVERYDAY_SHARE if is_everyday(w) else 1.0)
            if q.shape == "list" and LIST_NOUNS.fullmatch(w):
                out[w] *= SHAPE_WORD_SHARE  # 给了什么建议: 建议 says the answer is a list, not its topic
        for p in company_places(q.text, q.places):
            if p in out:
                out[p] *= SHAPE_WORD_SHARE  # 丙区的甲乙科技: where the company is, not what is asked
        return out

    def _known_parts(self, key_words: Sequence[str]) -> list[str]:
        """The key words, each one the tokenizer glued from dictionary words and the
        corpus never uses replaced by those of its parts the corpus does use
        (帮科创 in 帮科创企业 → 科创); an unknown name (华峰) stays whole."""
        out: list[str] = []
        for w in key_words:
            parts = [] if self.keyword.word_idf(w) or in_dictionary(w) else self._corpus_pieces(w)
            out += parts or [w]
        return list(dict.fromkeys(out))

    @cached_property
    def _flat_texts(self) -> list[str]:
        """The documents' texts without whitespace, as a title is quoted (made once)."""
        return [re.sub(r"\s+", "", t) for t in self.kb.texts.values()]

    def _unknown_names(self, q: Question) -> list[str]:
        """Words of a name in the question (an organisation's or person's) that no
        document uses and the dictionary does not know (华峰 in 华峰新材料股份有限公司),
        and titles in 《》 that no document cites."""
        names = [n for n in names_in(q.text) if n not in q.places]
        unknown = [w for w in self._known_parts(q.key_words)
                   if not self.keyword.word_idf(w) and not in_dictionary(w) and not w.isdigit()
                   and not is_everyday(w) and any(w in n for n in names)]
        if YES_NO.search(q.text):  # 甲是国家级单项冠军吗: 甲, before the verb, is whom it asks about
            unknown += [w for w in words(before_first_verb(q.text)) if len(w) >= 2 and is_noun(w)
                        and w not in q.places and not self.keyword.word_idf(w) and not in_dictionary(w)]
        unknown += [t for t in TITLE_ASKED.findall(q.text)  # 《…行动计划》 no document cites
                    if not any(len(longest_shared(t, text)) >= TITLE_SHARE * len(t) for text in self._flat_texts)]
        return unknown

    def _corpus_pieces(self, word: str) -> list[str]:
        """Longest pieces of two or more characters, left to right, that the corpus uses."""
        pieces, i = [], 0
        while i < len(word) - 1:
            j = next((j for j in range(len(word), i + 1, -1) if self.keyword.word_idf(word[i:j])), 0)
            if j:
                pieces.append(word[i:j])
                i = j
            else:
                i += 1
        return pieces

    def _candidates(self, q: Question, hits: Sequence[Hit]) -> list[Candidate]:
        weights = self._weights(q)
        which = bool(WHICH.search(q.text))
        out: list[Candidate] = []
        for i, hit in enumerate(hits):
            text = hit.chunk.text
            meta = self.docs.get(hit.chunk.doc_id)
            context = f"{meta.title if meta else ''} {hit.chunk.section} {text}".lower()
            previous = posed = ""
            for a, b in split_sentences(text):
                sent, before = text[a:b], previous
                previous = sent
                heading = sent in hit.chunk.section
                asks = sent.rstrip("”\"' ").endswith(("？", "?"))  # a document's own question is no answer
                # the article's own question, not one it quotes someone asking (“…有什么用？”)
                asked_own = asks and not _quoted(text, a + len(sent.rstrip("”\"' ")))
                posed, answers = (sent, "") if asked_own else ("", posed)
                if len(sent) < 8 or "\n" in sent or (heading and not which) or asks or BOILERPLATE.search(sent):
                    continue  # bylines and mastheads are context; headings too, unless they
                    # name what a "which" question asks (2.1 某某型——以某公司为例)
                lead = REPORTER_PREFIX.match(sent)
                if lead:
                    a, sent = a + lead.end(), sent[lead.end():]
                # "甲市缘何成为…？" then its answer: the document's own question is the sentence's topic
                out.append(self._score(q, weights, i, hit, a, b, sent, context, meta,
                                       before if ANAPHOR.match(sent) else answers,
                                       before if before.endswith(("；", ";")) else ""))
        # the rarest question word that some sentence contains should be in the answer
        present = [w for w in weights if any(w in c.terms for c in out)]
        if present:
            top = max(present, key=lambda w: weights[w])
            for c in out:
                c.score += RAREST_BONUS if top in c.terms else 0.0
        if len(q.parts) == 1 and KIND_ASK.search(q.text) \
                and any(self._supported(c, self._floor(q, out)) and TYPE_LABEL.search(c.text) for c in out):
            for c in out:  # 算哪一类模式: when a sentence names a type, one that only tells the story
                c.kind_ok = c.kind_ok and bool(TYPE_LABEL.search(c.text))  # (依靠跨国并购…) is no answer
        out.sort(key=lambda c: -c.score)
        return out

    def _score(self, q: Question, weights: dict[str, float], i: int, hit: Hit,
               a: int, b: int, sent: str, context: str, meta: DocMeta | None,
               antecedent: str = "", clause_before: str = "") -> Candidate:
        """A sentence scored against the question; ``antecedent`` is the sentence an anaphor
        (该公司…) points back to, ``clause_before`` the clause before a "；" (its time, its year)."""
        low = sent.lower() + antecedent.lower()  # "该公司成立于…": the previous sentence names it
        if meta and any(s in sent for s in SELF_REFERENCES):
            low += meta.home_city
        low += resolved_years(sent, meta)
        # 潜在独角兽 does not speak of 独角兽: a qualifier the question lacks makes another category
        qualified = {t for t in weights if _only_qualified(sent, t, q.text)}
        covered = frozenset(t for t in weights if has_word(low, t) and t not in qualified)
        # the sentences just before, in the same paragraph, often hold its dropped subject
        lead = hit.chunk.text[max(0, a - NEAR_CHARS):a].rsplit("\n", 1)[-1].lower()
        before = {t for t in weights if t not in covered and t not in qualified and has_word(lead, t)}
        nearby = {t for t in weights if t not in covered | before | qualified and has_word(context, t)}
        if DEFINE_ASK.search(q.text) and _defines(sent, covered) >= 0.3:
            covered |= {t for t in weights if DEFINE_ASK.search(t)}  # "X是指…" says what 条件/特点 asks
        credit = {t: 1.0 if t in covered else PARAGRAPH_WEIGHT if t in before
                  else CONTEXT_WEIGHT if t in nearby else -QUALIFIED_PENALTY if t in qualified else 0.0
                  for t in weights}
        cov = _share(weights, credit, list(weights))
        part_cov = tuple(_share(weights, credit, [t for t in weights if t in p.text]) for p in q.parts)
        part_ok = tuple(_part_ok(p, sent) and (not WHO_ASK.search(p.text) or _names_someone_new(sent, p.text))
                        for p in q.parts)  # "跟谁合作": a sentence naming no one new does not answer
        asked = [p for p, ok in zip(q.parts, part_ok, strict=True) if ok] or list(q.parts)
        numbers = {n for p in asked for n in NUMBER.findall(MONTHS.sub("", p.text))}  # a part's own, not its months
        when = low + clause_before + resolved_years(clause_before, meta)  # "2025年1—10月，…第一；…第二"
        numbers_ok = all(n in when for n in numbers) and ordinals(q.text) <= ordinals(sent) \
            and not (FULL_YEAR.search(q.text) and _only_part_of(sent, numbers))  # 全年: not 前三季度
        place_ok = self._place_ok(q, sent, low, meta, context)
        score = cov + (0.15 if any(part_ok) and q.kinds else 0.0) + 0.1 * hit.score
        if q.shape == "reason" and REASON_CUE.search(sent):
            score += REASON_BONUS
        if q.shape == "reason" and POSED_WHY.search(antecedent):
            score += REASON_BONUS  # the answer to the document's own why-question
        if KIND_ASK.search(q.text) and TYPE_LABEL.search(sent):
            score += REASON_BONUS  # 算哪一类模式: the sentence naming a type (并购整合型), not the story
        if FOUNDED_ASK.search(q.text) and FOUNDED_IN.search(sent):
            score += REASON_BONUS  # 哪年成立的: "…创建于1998年", not "2020年…合作成立了…实验室"
        if DOES_ASK.search(q.text) and DOES_CUE.search(sent):
            score += REASON_BONUS  # 是做什么的: the sentence saying what it makes, not where it is named
        if STAGES_ASK.search(q.text) and CHAIN.search(sent):
            score += REASON_BONUS  # 一级一级往上: the sentence that lays out the stages (甲—乙—丙)
        if DEFINE_ASK.search(q.text):
            score += _defines(sent, covered)  # "X的特点是什么" is answered by "X是指…"
        score -= 0.0 if numbers_ok else 0.3
        # "都是哪些企业": a list of names needs a sentence naming someone the question does not
        kind_ok = any(part_ok) or q.shape == "reason" or (
            q.shape == "list" and (not WHO_ASK.search(q.text) or _names_someone_new(sent, q.text)))
        return Candidate(i, hit, a, b, sent, cov, kind_ok,
                         numbers_ok, place_ok, score, covered, part_ok, part_cov)

    def _place_ok(self, q: Question, sent: str, low: str, meta: DocMeta | None, context: str = "") -> bool:
        """A place other than the corpus's main city must be named in the sentence, or, when
        it only says where a named company is (丙区的甲乙科技), in the passage around it."""
        others = [p for p in q.places if p != self.kb.profile.main_city]
        whose = company_places(q.text, q.places)  # cached: asked once per sentence scored
        return all(p in low or (p in whose and p in context) for p in others)

    def _supported(self, c: Candidate, floor: float | None = None) -> bool:
        return c.coverage >= (self.min_support if floor is None else floor) \
            and c.kind_ok and c.numbers_ok and c.place_ok

    def _floor(self, q: Question, cands: Sequence[Candidate]) -> float:
        """The coverage a sentence needs: ``min_support``, or less for a which-company /
        which-year question when no sentence reaches it, since its sentence must hold the
        asked kind of answer anyway (a year; someone the question does not name)."""
        names_its_kind = q.shape == "fact" and not ASKS_FIGURE.search(q.text) \
            and (bool(WHO_ASK.search(q.text)) or "year" in q.kinds)
        if not names_its_kind or any(self._supported(c) for c in cands):
            return self.min_support
        return self.min_support * FACT_SUPPORT_SHARE

    def _select(self, q: Question, cands: list[Candidate]) -> list[Candidate]:
        """The best sentence for each sub-question, then more that add new key words."""
        floor = self._floor(q, cands)
        supported = [c for c in cands if self._supported(c, floor)]
        chosen: list[Candidate] = []
        for k in range(len(q.parts)):
            fit = [c for c in supported if c.part_ok[k]]
            if len(q.parts) > 1 and any(c.part_cov[k] > 0 for c in fit):  # each sub-question by its
                fit = sorted((c for c in fit if c.part_cov[k] >= PART_FLOOR),  # own words; one with none
                             key=lambda c: -(c.part_cov[k] + 0.1 * c.hit.score))  # (那是哪年收的) by its kind
            if fit and fit[0] not in chosen:
                chosen.append(fit[0])
        if not chosen:
            chosen.append(supported[0])
        top = supported[0].score
        limit = max(len(chosen), self.max_sentences + (1 if "list" in q.kinds else 0))
        for c in supported:
            if len(chosen) >= limit:
                break
            if c in chosen or c.score < 0.8 * top:
                continue
            if any(overlap(c.text, k.text) > 0.5 for k in chosen):
                continue
            if not (c.terms - frozenset().union(*(k.terms for k in chosen))) and "list" not in q.kinds:
                continue  # adds nothing new
            chosen.append(c)
        return chosen

    # ---- composing -----------------------------------------------------
    def answer(self, question: str, hits: Sequence[Hit], more: Sequence[Hit] = (),
               doc_ids: Sequence[str] | None = None,
               on_token: Callable[[str], None] | None = None) -> Answer:
        """Answer from the hits, or refuse and show the closest passages.

        Figure questions are answered from the figures table (``more`` widens the
        passages a figure's citation may reuse); list questions from the best
        enumeration; everything else from the best sentences. ``on_token`` gets
        the whole text at once (nothing is generated).
        """
        q = analyse(question, self.kb.profile)
        answer = with_counted_items(q, self._answer(question, hits, more, doc_ids, q))
        if on_token:
            on_token(answer.text)
        return answer

    def _answer(self, question: str, hits: Sequence[Hit], more: Sequence[Hit],
                doc_ids: Sequence[str] | None, q: Question | None = None) -> Answer:
        q = q or analyse(question, self.kb.profile)  # the question analysed already, if it is at hand
        q, doc_ids = self._source_filter(q, doc_ids)
        if doc_ids:  # a source named in the question: its passages only
            hits = [h for h in hits if h.chunk.doc_id in doc_ids]
            more = [h for h in more if h.chunk.doc_id in doc_ids]
        if self._unknown_names(q):  # "华峰新材料的主营产品": the documents never mention it
            return self._refuse(question, hits, self._candidates(q, hits))
        if len(q.parts) == 1 and q.shape != "list" and not ASKS_FIGURE.search(q.text) \
                and not SAID_ASK.search(q.text):  # "…的公司叫什么"; not "…是谁说的", a speaker
            named = resolve_description(q.text, hits, self.kb.profile, self.kb.table.weight, naming=True)
            if named is not None and named.hit is not None:
                return self._named(question, named, hits)
        sides = split_respective(q.text, self.kb.profile, trend=q.time == "trend" and q.shape == "figure") \
            if ASKS_FIGURE.search(q.text) or q.time == "trend" else None
        if sides:  # "甲和乙分别是多少": each side on its own, then one answer
            answers = [(label, self._answer(text, hits, more, doc_ids)) for label, text in sides]
            if all(a.refused for _, a in answers):
                return self._refuse(question, hits, self._candidates(q, hits))
            joined = join_answers(question, answers, self.t["side_missing"],
                                  aside=self.t["older_figures"].split("{", 1)[0])
            joined.hits = list(hits)
            return joined
        pool = [*hits, *more]
        # two parts: "…目标是多少家？现在实际做到多少了" (the later of the first's subject), or
        # "甲市…占全省多大比例？乙市的又占全省多少？" (each of its own place)
        parted = self._elided_part(q, question, hits, more, doc_ids) \
            or self._parts_of_their_own(q, question, hits, more, doc_ids)
        if parted is not None:
            return parted
        several = q.shape == "figure" and bool(RESPECTIVE_ASK.search(q.text))  # "A和B分别增长多少"
        if q.shape in ("figure", "compare") and not given_numbers(q) and not several:
            figured = self._figure_answer(q, question, pool, doc_ids)
            if figured is not None:
                figured.hits = list(hits)
                return figured
        head = self._figure_part(q, pool, doc_ids)  # "…总数多少？还是全国第一吗？": the figure from the table
        every = self._candidates(q, hits)
        staged = STAGES_ASK.search(q.text) and any(CHAIN.search(c.text) for c in every)
        if q.shape == "list" and not staged:  # 分哪几级: the sentence laying out the stages, not a list
            best = max(every, key=lambda c: c.coverage, default=None)
            listed = list_answer(self.kb, q, list(hits), self._weights(q), best.coverage if best else 0.0,
                                 best.text.strip() if best else "")
            if listed is not None:
                return listed
        cands = every
        if (q.shape in ("figure", "compare") or _all_figures(q)) and q.measure_words:
            # no figure row fits: a sentence may answer only if it names what is measured
            rare = self.kb.table.rare_words(q)
            kinds = [t for t, pos in self.kb.profile.terms if pos == "n"]
            measured = self.kb.table.measured_words(q)
            what = self.kb.table.what_is_measured(q)  # 研发投入 in 小巨人企业研发投入占比多少
            compounds = _compounds(q.text, measured)
            places = tuple(self.kb.table.whose(q, p) for p in q.places or ("",))
            cands = [c for c in cands if _names_what_is_asked(c, rare)
                     and all(x in c.text for x in qualifiers_asked(q.text, kinds))
                     and (not measured or _names_one_of(c.text, measured))
                     and (not what or _names_one_of(c.text, what))
                     and all(loosely_has(c.text.lower(), x) for x in compounds)
                     and not self.kb.table.of_another_kind(c.text, q, measured)
                     and self.kb.table.may_be_of(c.text, places)
                     and (q.measure_kind != "change" or CHANGE_SAID.search(c.text))
                     and (len(q.parts) > 1 or q.measure_kind not in KIND_SAID
                          or KIND_SAID[q.measure_kind].search(c.text))  # 增速多少: not a share
                     and not (ASKS_FIGURE.search(q.text) and _a_bare_caption(c.text))]
        if not any(self._supported(c, self._floor(q, cands)) for c in cands):
            return head or self._refuse(question, hits, every)
        book = CitationBook(self.docs, self.kb.profile.main_city)
        chosen = self._select(q, cands)
        if head is None and not all(any(_answers_part(c, k, p.text) for c in chosen) for k, p in enumerate(q.parts)):
            apart = self._each_part(q, question, hits, more, doc_ids)  # "…是做啥的？那个产业园规划多大"
            if apart is not None:
                return apart
        if head is not None:
            chosen = _not_said_by(head, q, chosen)
            if not chosen:
                return _with_the_rest(question, q, head, None)
        if q.shape == "reason":
            explained = [_with_explanation(c) for c in chosen]
            chosen = [_with_premise(c) for c in _with_a_cause(explained, cands, q.places)]
        if q.shape == "list":
            first = _with_items(chosen[0])
            chosen = [first, *(c for c in chosen[1:] if not _within(c, first))]
        parts = []
        for c in chosen:
            n = book.cite(c.hit, c.text, c.start, c.end)
            note = perspective_note(self.docs.get(c.hit.chunk.doc_id), self.kb.profile.main_city, c.text)
            parts.append(f"{c.text}{note}[{n}]")
        answer = Answer(
            question=question,
            text="".join(parts),
            short=short_answer(q, chosen, self.kb.profile),
            citations=book.citations(),
            hits=list(hits),
        )
        return answer if head is None else _with_the_rest(question, q, head, answer, self.t["side_missing"])

    def _elided_part(self, q: Question, question: str, hits: Sequence[Hit], more: Sequence[Hit],
                     doc_ids: Sequence[str] | None) -> Answer | None:
        """A question of two parts whose second asks a figure of nothing it names ("…哪一年收购的？
        收完以后在全球排第几"): the second asked of the first part's subject from the figures
        table, joined with the first part's own answer; None when no row answers it."""
        if len(q.parts) != 2 or q.shape in ("list", "reason", "compare") or len(q.places) > 1 \
                or RESPECTIVE_ASK.search(q.text) or DIFFERENCE_ASK.search(q.text):
            return None  # 甲和乙各多少家，差了多少: both sides, then their difference
        first, second = q.parts[0].text, q.parts[1].text
        asked = elided_subject(second, first, self.kb.profile)
        if asked is None:
            return None
        sub = analyse(asked, self.kb.profile)
        if sub.shape != "figure" or sub.time == "trend" or given_numbers(sub):
            return None  # 这几年涨得快不快: how it grew, which one figure does not say
        later = self._figure_answer(sub, asked, [*hits, *more], doc_ids)
        if later is None:
            return None
        head = self._answer(first, hits, more, doc_ids)
        if later.short and later.short == head.short:
            return None  # the same figure again answers nothing new
        joined = join_answers(question, [(first, head), (second, later)], self.t["side_missing"])
        joined.short = f"{head.short}；{later.short}" if head.short and later.short else ""
        joined.hits = list(hits)
        return joined

    def _parts_of_their_own(self, q: Question, question: str, hits: Sequence[Hit], more: Sequence[Hit],
                            doc_ids: Sequence[str] | None) -> Answer | None:
        """Two figure questions in one, each of its own place ("甲市…占全省多大比例？乙市的又占
        全省多少？"): no one sentence names both places, so each part is answered on its own and
        the answers joined; None unless both are answered."""
        if len(q.parts) != 2 or not all(ASKS_FIGURE.search(p.text) or FIGURE_KINDS & set(p.kinds) for p in q.parts):
            return None
        places = [{p for _, p in self.kb.profile.places_in(part.text)} for part in q.parts]
        if not all(places) or places[0] == places[1]:
            return None
        return self._each_part(q, question, hits, more, doc_ids)

    def _each_part(self, q: Question, question: str, hits: Sequence[Hit], more: Sequence[Hit],
                   doc_ids: Sequence[str] | None) -> Answer | None:
        """Each part of a question of two or three answered on its own and joined, when the
        sentences chosen for the whole leave a part unanswered (a sentence answering one part
        covers too few of the whole question's words); None unless every part is answered.
        A part of nothing it names (收完以后排第几) is not asked alone."""
        if not 1 < len(q.parts) <= MAX_PARTS or q.shape in ("list", "reason"):
            return None
        if any(elided_subject(p.text, q.parts[0].text, self.kb.profile) for p in q.parts[1:]):
            return None
        answers = [(p.text, self._answer(p.text, hits, more, doc_ids)) for p in q.parts]
        if any(a.refused for _, a in answers):
            return None
        joined = join_answers(question, answers, self.t["side_missing"])
        shorts = [a.short for _, a in answers]
        joined.short = "；".join(shorts) if all(shorts) else ""
        joined.hits = list(hits)
        return joined

    def _figure_part(self, q: Question, pool: list[Hit], doc_ids: Sequence[str] | None) -> Answer | None:
        """The figures table's answer to the first part of a question of several parts that
        asks a figure first ("…总数多少？还是全国第一吗？"), or None."""
        if q.shape != "fact" or len(q.parts) < 2 or not ASKS_FIGURE.search(q.parts[0].text):
            return None
        sub = analyse(q.parts[0].text, self.kb.profile)
        if sub.shape != "figure" or given_numbers(sub):
            return None
        return self._figure_answer(sub, q.parts[0].text, pool, doc_ids)

    def _source_filter(self, q: Question, doc_ids: Sequence[str] | None) -> tuple[Question, Sequence[str] | None]:
        """"某智库的专报里说…": a publisher named in the question limits the
        figures to its documents, and its words are neither place nor measure."""
        named: dict[str, list[str]] = {}
        for doc_id, meta in self.docs.items():
            phrases = _publisher_phrases(meta.publisher, q.text, self.kb.profile.main_city) or \
                _attributed_to(meta.home_city, self.kb.profile.main_city, q.text)
            if phrases:
                named[doc_id] = phrases
        if not named or doc_ids or len(named) == len(self.docs):
            return q, doc_ids
        said = [p for phrases in named.values() for p in phrases]
        attributed = [re.search(re.escape(p) + ATTRIBUTION, q.text) for p in said]  # 乙市智库总结的
        said += [m.group(0) for m in attributed if m]
        rest = q.text
        for phrase in sorted(said, key=len, reverse=True):
            rest = rest.replace(phrase, " ", 1)  # the source's mention: 乙市 may be asked about too
        places = tuple(dict.fromkeys(p for _, p in self.kb.profile.places_in(rest)))
        homes = {self.docs[d].home_city for d in named if self.docs[d].home_city}
        if not places and len(homes) == 1 and any(r in rest for r in SELF_REFERENCES):
            places = tuple(homes)  # "乙市那份报告里说'我市'有多少家": the report's own city
        gone = set(words(" ".join(said))) | set(said) | SOURCE_WORDS
        measure = tuple(w for w in q.measure_words if w not in gone)
        kept = tuple(w for w in q.words if w not in gone)
        frame = tuple(w for w in q.frame_words if w not in gone)  # "某报评论里，…": the source, no scope
        return replace(q, words=kept, measure_words=measure, places=places, frame_words=frame), list(named)

    def _figure_answer(self, q: Question, question: str, pool: list[Hit],
                       doc_ids: Sequence[str] | None = None) -> Answer | None:
        """The answer from the figures table, or None when no row fits."""
        kb = self.kb
        qvec = kb.embed_query(" ".join(q.measure_words)) if kb.embed_query and q.measure_words else None
        places = list(q.places) if q.shape == "compare" else [q.places[0] if q.places else ""]
        results: list[FigureResult] = []
        missing: list[str] = []  # a compared place with no figure of what is asked
        for place in places:
            r = kb.table.answer(q, qvec, place, doc_ids)
            if r is None and q.shape != "compare":
                return None
            if r is None:
                missing.append(place)
            else:
                results.append(r)
        if not results:
            return None
        if re.search(FROM_HOW_MANY, q.text) and any(len(FROM_TO.findall(s.fact.sentence)) > 1
                                                    for r in results for s in r.main[:1]):
            return None  # 配套企业从几家增至几家: the sentence's pairs are told apart by their words (_from_to)
        if missing and DIFFERENCE_ASK.search(q.text):  # no difference without both figures: the
            return None  # sentences may still hold the other side's (…等城市均超过25家)
        book = CitationBook(self.docs, kb.profile.main_city)
        lines: list[str] = [self.t["side_missing"].format(side=p) for p in missing]
        # the 简答 says a compared side is missing too: "甲市418家" alone reads as the whole answer
        shorts: list[str] = [self.t["side_missing_short"].format(side=p) for p in missing]
        notes: list[str] = []
        figs = []
        for r in results:
            prefix = f"{r.place}：" if len(places) > 1 else ""
            more_lines, short, note = compose(kb, r, pool, book, prefix)
            lines += more_lines
            shorts.append(f"{r.place}{short}" if len(places) > 1 else short)
            notes.append(note)
            figs += figures_for_table(kb, r, book, pool)
        if len(results) == 2:
            shorts, notes = self._side_by_side(q, results, lines, shorts, notes)
        elif DIFFERENCE_ASK.search(q.text):  # 还差多少 / 目标完成了吗: the
            shorts, notes = self._to_target(results[0], lines, q.years)  # gap to the target, or no one figure
        one_note = len(results) == 1 or len(notes) == 1
        # "乙市有多少家？想跟甲市对比一下": 乙市 is what is asked; 甲市's figure is only beside it
        unasked = bool(missing) and missing[0] == places[0] and bool(ONLY_BESIDE.search(q.text))
        return Answer(question=question, text="\n".join(lines), short="" if unasked else "；".join(shorts),
                      short_note="；".join(n for n in notes if n) if one_note and not unasked else "",
                      citations=book.citations(), figures=figs if len(figs) > 1 else [], refused=unasked)

    def _side_by_side(self, q: Question, results: Sequence[FigureResult], lines: list[str],
                      shorts: list[str], notes: list[str]) -> tuple[list[str], list[str]]:
        """Two places' figures: for a how-much-more question, the difference of one year's
        pair (a line, and the 简答); else each side's newest, the note saying whose year is
        whose when they differ (2024's 418家 against 2023's 172家)."""
        pair = _same_year_pair(*results) if DIFFERENCE_ASK.search(q.text) else None
        if pair is None:
            if len({r.main[0].fact.year for r in results}) > 1:
                return shorts, ["；".join(f"{r.place}{as_of_label(r.main[0].fact)}" for r in results)]
            return shorts, notes
        a, b = pair
        shown, unit = _shown_amount(abs(a.value - b.value), a.unit)
        big, small = (a, b) if a.value >= b.value else (b, a)
        lines.append(self.t["difference"].format(diff=shown, unit=unit, year=a.year, a=big.shown, b=small.shown))
        short = self.t["difference_short"].format(diff=shown, unit=unit, a=f"{results[0].place}{a.shown}",
                                                  b=f"{results[1].place}{b.shown}")
        return [short], [self.t["difference_note"].format(year=a.year)]

    def _to_target(self, r: FigureResult, lines: list[str], years: Sequence[int] = ()) -> tuple[list[str], list[str]]:
        """A one-sided difference asked ("离目标还差多少", "目标完成了吗"): the latest actual
        against the target of the same unit (the year's when one is asked, else the next): its
        gap, or that it is met. Sources that set different targets get a line each and no 简答."""
        actual = r.main[0].fact
        due = [s.fact for s in r.targets if s.fact.unit == actual.unit
               and (s.fact.year in years if years else s.fact.year >= actual.year)]
        if actual.kind == "target" or not due:
            return [""], [""]
        first = min(t.year for t in due)
        targets = list({t.value: t for t in due if t.year == first}.values())
        when = as_of_label(actual)
        shorts = []
        for target in targets:
            shown = {"year": target.year, "target": target.shown, "actual": actual.shown, "when": when}
            if actual.value >= target.value:
                lines.append(self.t["target_met"].format(**shown))
                shorts.append(self.t["target_met_short"].format(**shown))
            else:
                diff, unit = _shown_amount(target.value - actual.value, actual.unit)
                lines.append(self.t["to_target"].format(diff=diff, unit=unit, **shown))
                shorts.append(self.t["to_target_short"].format(diff=diff, unit=unit, **shown))
        if len(targets) > 1:
            return [""], [""]
        return shorts, [self.t["to_target_note"].format(year=first, target=targets[0].shown, when=when,
                                                        actual=actual.shown)]

    def _named(self, question: str, named: Resolved, hits: Sequence[Hit]) -> Answer:
        """The name a described company goes by, with the sentence that describes it."""
        assert named.hit is not None
        book = CitationBook(self.docs, self.kb.profile.main_city)
        a, b = named.span
        sentence = named.hit.chunk.text[a:b]
        n = book.cite(named.hit, sentence, a, b)
        lead = "" if named.name in sentence else f"{named.name}：" # "公司的主要产品是…" points back to it
        full = re.search(re.escape(named.name) + NAME_TAIL, sentence)  # 舜宇光学 → 舜宇光学科技 as written
        return Answer(question=question, text=f"{lead}{sentence}[{n}]", short=full.group(0) if full else named.name,
                      citations=book.citations(), hits=list(hits))

    def _refuse(self, question: str, hits: Sequence[Hit], cands: list[Candidate]) -> Answer:
        book = CitationBook(self.docs, self.kb.profile.main_city)
        best_per_hit: dict[int, Candidate] = {}
        for c in cands:
            best_per_hit.setdefault(c.hit_index, c)
        for i in sorted(best_per_hit)[:3]:
            c = best_per_hit[i]
            book.cite(c.hit, c.text, c.start, c.end)
        key = "refusal" if book.citations() else "refusal_bare"
        return Answer(
            question=question,
            text=self.t[key].format(question=question.strip()),
            citations=book.citations(),
            refused=True,
            hits=list(hits),
        )


@lru_cache(maxsize=256)
def company_places(question: str, places: tuple[str, ...]) -> tuple[str, ...]:
    """Places the question names only to say where a named company is (丙区的甲乙科技)."""
    names = names_in(question)
    return tuple(p for p in places if any(re.search(re.escape(p) + r"(?:的|那家|这家)?" + re.escape(n), question)
                                          for n in names))


def _quoted(text: str, at: int) -> bool:
    """Whether position ``at`` of a passage is inside an open quotation (“…？” someone asked)."""
    line = text[text.rfind("\n", 0, at) + 1:at]
    return line.count("“") > line.count("”") or line.count("‘") > line.count("’")


def _a_bare_caption(text: str) -> bool:
    """A heading or chart caption naming no figure ("2018年至2025年前三季度甲市地区生产总值"):
    no answer to a figure question, however well it matches its words."""
    return not re.search(r"[。！？!?；;…”]$", text.strip()) and not A_QUANTITY.search(text)


def _shown_amount(value: float, unit: str) -> tuple[str, str]:
    """A computed difference as shown: 元 in 亿元, two decimals at most."""
    if unit == "元":
        value, unit = value / 1e8, "亿元"
    return f"{round(value, 2):g}", unit


# What follows a company's short name in its full one (甲乙光学 → 甲乙光学科技股份有限公司)
NAME_TAIL = r"(?:科技|电子|股份|集团|有限公司|有限责任公司|公司|精密|机械|材料|控股)*"

MAX_PARTS = 3  # a question of more parts is answered as a whole
FIGURE_KINDS = {"count", "percent", "rank", "year"}  # the kinds of a part that asks a figure or a date
# a sentence that gives a growth rate or a rank (the kinds a one-part figure question may ask)
KIND_SAID = {"growth": re.compile(r"增长|增速|增幅|同比|提高|上升|下降|回落|减少|涨"),
             "rank": re.compile(r"第[一二三四五六七八九十\d]+|首位|榜首|前列|前茅|居首|领先|龙头")}
# A sentence answering "新增多少" says something was added (截至去年底有418家 says a total).
CHANGE_SAID = re.compile(r"新增|新入选|新认定|新晋|新培育|新上榜|增加|净增|增长|入围|跻身|增至|增到|从\S{1,8}?到")

# "…？想跟甲市对比一下": the other place is for comparison, not asked of itself
ONLY_BESIDE = re.compile(r"[？?，,]\s*(?:我|我们)?(?:想|打算|好|方便|要)?(?:跟|和|与|同)[^，,。？?]{1,8}(?:(?:对比|比较)(?:一下)?|比一比|比比|比一下|对照一下|对照)")
DIFFERENCE_ASK = re.compile(r"差(?!不多|点儿?|一点)|[多少高低]了?(?:多少|几)")  # not 差不多 (about)

NUMBER_OR_RANGE = r"\d+(?:\.\d+)?(?:\s*[-~～—–至]\s*\d+(?:\.\d+)?)?"  # "5-6%" whole, never its "6%"
# "均超过25家", "近200家", "30%以上": how near the figure is, kept with it in the 简答
ABOUT = r"(?:超过|多于|不少于|不低于|不到|不足|将近|接近|超|约|近|逾)?"
SHORT_PATTERNS = {
    "year": r"\d{4}\s*年(?:\s*\d{1,2}\s*月)?(?:\s*\d{1,2}\s*日)?",
    "percent": rf"{ABOUT}{NUMBER_OR_RANGE}\s*%(?:以上|以下|左右)?",
    "rank": r"第\s*[\d一二三四五六七八九十]+\s*[位名]?",
}


def _not_said_by(head: Answer, q: Question, chosen: list[Candidate]) -> list[Candidate]:
    """The sentences chosen for a question's further parts that the figure part's answer
    does not already hold; none when its text answers them (…119家，连续8年稳居全国第一)."""
    if all(_says(head.text, p.text) for p in q.parts[1:]):
        return []
    return [c for c in chosen if c.text not in head.text]


def _with_the_rest(question: str, q: Question, head: Answer, rest: Answer | None, missing: str = "") -> Answer:
    """The figure part's answer, with the further parts' answer under their own words when
    there is one; the figure is the 简答 only when no other part asks a figure."""
    out = head if rest is None else join_answers(
        question, [(q.parts[0].text, head), ("".join(p.text for p in q.parts[1:]), rest)], missing)
    if rest is not None:
        out.hits = rest.hits
    if _asks_no_figure(q.parts[1:]):
        out.short, out.short_note = head.short, head.short_note
    else:  # one of two figures is no 简答
        out.short = out.short_note = ""
    return out


def _answers_part(c: Candidate, k: int, part: str) -> bool:
    """Whether a chosen sentence answers part ``k`` of the question: of its kind, and for
    是做什么的 / 哪年成立的 a sentence saying what is made or when it was founded."""
    return c.part_ok[k] and (not DOES_ASK.search(part) or bool(DOES_CUE.search(c.text))) \
        and (not FOUNDED_ASK.search(part) or bool(FOUNDED_IN.search(c.text)))


def _all_figures(q: Question) -> bool:
    """Whether every part of a question of several parts asks a figure ("GDP多少，增速多少")."""
    return len(q.parts) > 1 and all(ASKS_FIGURE.search(p.text) for p in q.parts)


def _says(text: str, asked: str) -> bool:
    """Whether an answer's text already answers a further part of the question: it has
    the part's words, or a figure of the kind the part asks (增速多少 by "同比增长5.0%")."""
    kind = analyse(asked).measure_kind
    if kind in ("growth", "share", "rank") and MEASURE_KINDS[kind].search(text):
        return True
    return all(w in text for w in key_words_of(asked))


def _asks_no_figure(parts: Sequence[Part]) -> bool:
    """Whether none of the parts asks a figure, a share, a rank or a year (…多少家？分别是哪些:
    the count is the 简答; …多少？占比多少: it is not)."""
    return not any(ASKS_FIGURE.search(p.text) or FIGURE_KINDS & set(p.kinds) for p in parts)


def short_answer(q: Question, chosen: Sequence[Candidate], profile: Profile | None = None) -> str:
    """The figure or date a one-part typed question asks for, taken from the best
    sentence (no count or share when several fit it equally), or the one name a
    哪家/谁 question asks for (``profile``: the corpus's kinds of company, which 多少个 may count)."""
    if len(q.parts) != 1 or not chosen or q.shape == "reason":
        return ""  # a reason has no short form, though it names a count (为什么数量能远超乙市)
    if q.shape == "compare" and DIFFERENCE_ASK.search(q.text):
        return ""  # one side's figure is no difference (the figures table gives that 简答)
    part, sent = q.parts[0], chosen[0].text
    if asked := re.search(FROM_HOW_MANY, part.text):
        return _from_to(sent, part.text[:asked.start()])  # 从几家变成几家: both ends, or no short
    kinds = [k for k in ("year", "rank", "percent", "count") if k in part.kinds]
    if not kinds and SAID_ASK.search(part.text):
        return speaker(sent)  # "…是谁说的": who said it, not the organisation the sentence names
    if not kinds and ONE_NAME_ASK.search(part.text):
        return _the_new_name(sent, q.text)
    if not kinds or "list" in part.kinds:
        return ""
    kind = kinds[0]
    if kind == "count":
        any_unit = "家项名人个亿万元" + ("" if COUNTING.search(part.text) else "%")  # a number of things is no share
        # 给多少万, 再奖励多少: an amount, though no unit is said
        unit = part.unit or ("元" if q.unit == "元" or MONEY_ASK.search(q.text) else "")
        units = UNIT_CLASSES.get(unit, unit or any_unit)
        pattern = rf"{ABOUT}(?:{NUMBER_OR_RANGE}|[{CN_NUM}]+)\s*[多余]?\s*(?:万亿|万|亿)?\s*[{units}]+"
    else:
        pattern = SHORT_PATTERNS[kind]
    clauses = [(m.start(), m.end()) for m in re.finditer(r"[^，；,;。]+", sent)]
    stats = statistics_asked(q.text)  # 平均…多少: only a figure its clause says is an average
    things = counted_things(q, profile or Profile()) if kind == "count" else ""
    planned = q.time != "target" and kind in ("count", "percent")  # a target's figure is no actual's
    matches = [m for m in re.finditer(pattern, sent) if (kind != "count" or _counts_it(sent, m, part.counted))
               and all(x in sent[slice(*_clause_of(m, clauses))] for x in stats)
               and not (planned and _planned(sent, m))
               and not (q.measure_kind == "share" and _a_growth(sent[slice(*_clause_of(m, clauses))]))
               and not counts_firms_not(things, m.group(0), sent[_clause_of(m, clauses)[0]:m.start()])]
    if not matches:
        return ""
    # the match whose clause carries most of the question's words ("于2018年升级成为全国模范…")

    def clause_score(m: re.Match[str]) -> int:
        a, b = _clause_of(m, clauses, len(sent))
        return sum(1 for t in chosen[0].terms if t in sent[a:b])

    if kind in ("count", "percent") and len(matches) > 1:
        return _the_one_named(q, part, sent, matches, clauses)
    return max(matches, key=lambda m: (clause_score(m), -m.start())).group(0).strip()


TITLE_ASKED = re.compile(r"《\s*([^《》]{2,40}?)\s*》")
TITLE_SHARE = 0.8  # a title asked is cited when a document has most of it as written


PART_OF_YEAR = r"\s*年\s*(?:前三季度|上半年|下半年|[一二三四]季度|前[一二三四五六七八九十两\d]{1,2}个月|1?\d\s*[—\-–~至到]\s*1?\d\s*月)"


def _only_part_of(sent: str, numbers: set[str]) -> bool:
    """Whether the sentence gives an asked year only in part (2025年前三季度, 2025年1—10月)."""
    years = [n for n in numbers if len(n) == 4 and n.startswith(("19", "20"))]
    return any(sent.count(y) == len(re.findall(y + PART_OF_YEAR, sent)) for y in years if y in sent)


_AMOUNT = rf"(?:{NUMBER_OR_RANGE})\s*(?:万亿|亿|万)?\s*(?:美元|元|[家个项名人位%％亩台套种所座批])?"
FROM_TO = re.compile(rf"从\s*({_AMOUNT})\s*(?:增至|增加到|增长到|增长至|扩增至|涨到|升至|升到|提高到|提升到|增加至|达到|到)"
                     rf"\s*({_AMOUNT})")


def _from_to(sent: str, before: str) -> str:
    """"3家 → 8家" for a 从几家变成几家 question: the sentence's from-to whose words just before
    it are most like the question's (``before``: 配套企业 in 配套企业从几家增至几家), or ""."""
    def pairs(text: str) -> set[str]:
        return {text[i:i + 2] for i in range(len(text) - 1)}

    found = [(len(pairs(sent[max(0, m.start() - 6):m.start()]) & pairs(before[-6:])), -m.start(), m)
             for m in FROM_TO.finditer(sent)]
    if not found:
        return ""
    m = max(found, key=lambda f: f[:2])[2]
    return f"{m.group(1).strip()} → {m.group(2).strip()}"


def _a_growth(clause: str) -> bool:
    """Whether a clause's percentage is a rate of growth, not a share ("营业收入653亿元，同比
    增长23.8%" is no 多大比例 of anything)."""
    return bool(GROWTH.search(clause)) and not SHARE.search(clause)


def _planned(sent: str, m: re.Match[str]) -> bool:
    """Whether a figure of the sentence is a target: a target cue before it ("力争到2025年底，
    实现…130家，…600家") with no word of what already is between them (目前已有…)."""
    cues = list(TIME_CUES["target"].finditer(sent, 0, m.start()))
    return bool(cues) and not ALREADY.search(sent, cues[-1].end(), m.start())


ALREADY = re.compile(r"目前|现有|现在|已有|已经|截至|累计|共有")


def _clause_of(m: re.Match[str], clauses: Sequence[tuple[int, int]], end: int = 0) -> tuple[int, int]:
    """The (start, end) of the clause a match starts in; (0, ``end``) if in none."""
    return next(((a, b) for a, b in clauses if a <= m.start() < b), (0, end))


def _counts_it(sent: str, m: re.Match[str], counted: str | None) -> bool:
    """A count is of the counted noun unless another noun follows it in its phrase
    ("全国47个城市中…" does not count 独角兽; "418家国家级…小巨人企业" and "企业4家跻身…"
    count 小巨人 and 企业)."""
    if not counted:
        return True
    names = (counted, *synonyms().get(counted, ()), "企业", "公司")
    if any(w in sent[max(0, m.start() - 8):m.start()] for w in names):
        return True
    phrase = re.match(r"[^，。；、,;：:（(]{0,16}", sent[m.end():])
    after = phrase.group(0) if phrase else ""
    if not after or not ("\u4e00" <= after[0] <= "\u9fff"):
        return True
    return any(w in after for w in names)


def _the_one_named(q: Question, part: Part, sent: str, matches: Sequence[re.Match[str]],
                   clauses: Sequence[tuple[int, int]]) -> str:
    """Of several amounts in a sentence, the one alone in a clause that names what is
    measured when no other amount's clause names any of it ("新引进大学生67.28万人，新增
    高技能人才29.99万人": 大学生); empty when that does not single one out."""
    asked = {w for w in (*q.measure_words, part.counted or "")  # a level (国家级) names no measure
             if w and w not in q.frame_words and w not in GENERIC_NOUNS and w not in LEVELS}

    spans = [_clause_of(m, clauses, len(sent)) for m in matches]
    named = [{w for w in asked if w in sent[a:b]} for a, b in spans]
    alone = [m for i, m in enumerate(matches)
             if spans.count(spans[i]) == 1 and named[i] and not any(named[:i] + named[i + 1:])]
    return alone[0].group(0).strip() if len(alone) == 1 else ""


LEADING_FUNCTION_CHARS = "以由与和及对在被将把向从为是"
PERSON_ASK = re.compile(r"谁|哪位|什么人|哪个人")
ORG_WORDS = re.compile(r"股份有限公司|有限责任公司|有限公司|集团|公司|[()（）]")
# A question after one name (哪家企业, 是谁), not several (哪些, 哪几家, 哪两家).
ONE_NAME_ASK = re.compile(r"哪一?家(?:企业|公司)?|哪个(?:企业|公司|单位|机构)|是谁|(?<![哪])谁")


def _the_new_name(sent: str, question: str) -> str:
    """The one organisation or person the sentence names that the question does not;
    empty when it names none or several."""
    asked = names_in(question)
    found = [_from_its_place(n.lstrip(LEADING_FUNCTION_CHARS)) for n in names_in(sent)]  # 以甲公司为例 → 甲公司
    if not PERSON_ASK.search(question):  # a company is asked: a person-tagged word (安全性 nr) is none
        found = [n for n in found if not is_person_tagged(n)]
    found = [n for n in found if len(ORG_WORDS.sub("", n)) >= 2]  # "(集团)有限公司" is the tail of a name
    new = [n for n in dict.fromkeys(found) if n not in question
           and not any(n in a or a in n for a in asked)]
    new = [n for n in new if not any(n != m and n in m for m in new)]  # 普瑞 inside 德国普瑞有限责任公司
    return new[0] if len(new) == 1 else ""


def _from_its_place(name: str) -> str:
    """A spelled-out name from the place it starts with: a table row flattened into one
    line ("技术联盟型乙市丙密封件有限公司") glues the row's label to the name before it."""
    at = min((i for p in gazetteer() if (i := name.find(p)) > 0), default=-1)
    return name[at:] if at > 0 and len(ORG_WORDS.sub("", name[at:])) >= 2 else name


def _only_qualified(sent: str, counted: str, asked: str) -> bool:
    """Every mention of the counted word carries a qualifier the question does not
    (潜在, 市级…) right before it, quotes or 的 between: the sentence counts another
    category ("精准扮演" does not qualify 扮演)."""
    spots = [m.start() for m in re.finditer(re.escape(counted), sent)]
    extra = [x for x in QUALIFIERS if x not in asked]
    return bool(spots) and all(any(_qualifies(sent[:i], x) for x in extra) for i in spots)


def _qualifies(before: str, qualifier: str) -> bool:
    """The text before a word ends in the qualifier as a word of its own (潜在, not 精准's 准)."""
    m = re.search(re.escape(qualifier) + QUALIFIER_GAP, before)
    return m is not None and not (m.start() and in_dictionary(before[m.start() - 1] + qualifier))


QUALIFIER_GAP = r"[的“”\"'‘’（()）\s]{0,2}$"


RELATIVE_YEARS = {"去年": -1, "今年": 0, "前年": -2, "上年": -1}


def resolved_years(sent: str, meta: DocMeta | None) -> str:
    """Years that relative words in the sentence stand for, given the document's
    year ("截至去年底" in a 2025 article → "2024"); empty if unknown."""
    if not meta or not re.match(r"\d{4}", meta.date):
        return ""
    year = int(meta.date[:4])
    return "".join(f" {year + d}年" for word, d in RELATIVE_YEARS.items() if word in sent)


def _part_ok(part: Part, sent: str) -> bool:
    """The sentence holds the kind of answer this sub-question asks for (and, for a
    count, mentions what is counted)."""
    if part.counted and not any(loosely_has(sent, s) for w in {part.counted, stem(part.counted)}
                                for s in synonyms().get(w, (w,))):
        return False
    if part.counted and _only_qualified(sent, part.counted, part.text):
        return False  # "潜在独角兽企业有9家" does not count 独角兽
    units = UNIT_CLASSES.get(part.unit or "", part.unit or "")
    number = rf"(?:\d+(?:\.\d+)?|[{CN_NUM}]+)"
    found = list(re.finditer(rf"{number}\s*[多余]?\s*(?:万|亿)?\s*[{units}]", sent)) if part.unit else []
    if part.unit and not any(_counts_it(sent, m, part.counted) for m in found):
        return False  # no count of its unit, or each one counts another noun (47个城市)
    return all(KIND_PATTERNS[k].search(sent) for k in part.kinds if k in STRICT_KINDS)


