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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from rag.answer import figures as figmod
from rag.answer.templates import display_date, template
from rag.keyword import SELF_REFERENCES, KeywordIndex
from rag.answer.question import CN_NUM, KIND_PATTERNS, UNIT_CLASSES, Part, Question, analyse, ordinals
from rag.schema import Answer, Citation, DocMeta, Figure, Hit
from rag.answer.sentences import split_sentences
from rag.tokenize import is_content_word, synonyms

HOME_CITY = "宁波"
STRICT_KINDS = ("year", "rank", "percent", "count")
CONTEXT_WEIGHT = 0.3
RAREST_BONUS = 0.2


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


class ExtractiveAnswerer:
    """Builds answers from quoted sentences; never invents text."""

    id = "extractive"

    def __init__(
        self,
        keyword: KeywordIndex,
        docs: Mapping[str, DocMeta],
        *,
        min_support: float = 0.45,
        max_sentences: int = 3,
    ) -> None:
        self.keyword = keyword
        self.docs = docs
        self.min_support = min_support
        self.max_sentences = max_sentences
        self._missing_idf = max((keyword.idf(t) for t in keyword.doc_freq), default=5.0) + 1.0
        self.t = template("extractive_zh")

    # ---- scoring -------------------------------------------------------
    def _weights(self, q: Question) -> dict[str, float]:
        """IDF weight of each key word (a word no passage contains weighs most);
        words other than nouns, names and numbers count half."""
        out = {}
        for w in q.key_words:
            idf = max((self.keyword.word_idf(s) or 0.0) for s in synonyms().get(w, (w,)))
            out[w] = (idf or self._missing_idf) * (1.0 if is_content_word(w) else 0.5)
        return out

    def _candidates(self, q: Question, hits: Sequence[Hit]) -> list[Candidate]:
        weights = self._weights(q)
        total = sum(weights.values()) or 1.0
        out: list[Candidate] = []
        for i, hit in enumerate(hits):
            text = hit.chunk.text
            meta = self.docs.get(hit.chunk.doc_id)
            context = f"{meta.title if meta else ''} {hit.chunk.section} {text}".lower()
            for a, b in split_sentences(text):
                sent = text[a:b]
                if len(sent) < 8 or "\n" in sent or sent in hit.chunk.section:
                    continue  # headings are context, not answers
                out.append(self._score(q, weights, total, i, hit, a, b, sent, context, meta))
        # the rarest question word that some sentence contains should be in the answer
        present = [w for w in weights if any(w in c.terms for c in out)]
        if present:
            top = max(present, key=lambda w: weights[w])
            for c in out:
                c.score += RAREST_BONUS if top in c.terms else 0.0
        out.sort(key=lambda c: -c.score)
        return out

    def _score(self, q: Question, weights: dict[str, float], total: float, i: int, hit: Hit,
               a: int, b: int, sent: str, context: str, meta: DocMeta | None) -> Candidate:
        low = sent.lower()
        if meta and any(s in sent for s in SELF_REFERENCES):
            low += meta.home_city
        low += resolved_years(sent, meta)
        covered = frozenset(t for t in weights if _has(low, t))
        nearby = {t for t in weights if t not in covered and _has(context, t)}
        cov = (sum(weights[t] for t in covered) + CONTEXT_WEIGHT * sum(weights[t] for t in nearby)) / total
        part_ok = tuple(_part_ok(p, sent) for p in q.parts)
        numbers_ok = all(n in low for n in q.numbers) and ordinals(q.text) <= ordinals(sent)
        place_ok = self._place_ok(q, sent, low, meta)
        score = cov + (0.15 if any(part_ok) and q.kinds else 0.0) + 0.1 * hit.score
        score -= 0.0 if numbers_ok else 0.3
        return Candidate(i, hit, a, b, sent, cov, any(part_ok), numbers_ok, place_ok, score,
                         covered, part_ok)

    @staticmethod
    def _place_ok(q: Question, sent: str, low: str, meta: DocMeta | None) -> bool:
        """A place other than the corpus's own city must be named, and for a count
        it must be the place the figure describes."""
        others = [p for p in q.places if p != HOME_CITY]
        if not all(p in low for p in others):
            return False
        if others and "count" in q.kinds and len(q.places) == 1:
            wanted = "区县" if others[0] in figmod.DISTRICT_NAMES else others[0]
            return figmod.scope_of(sent, meta) == wanted
        return True

    def _supported(self, c: Candidate) -> bool:
        return c.coverage >= self.min_support and c.kind_ok and c.numbers_ok and c.place_ok

    def _select(self, q: Question, cands: list[Candidate]) -> list[Candidate]:
        """The best sentence for each sub-question, then more that add new key words."""
        supported = [c for c in cands if self._supported(c)]
        chosen: list[Candidate] = []
        for k in range(len(q.parts)):
            best = next((c for c in supported if c.part_ok[k]), None)
            if best is not None and best not in chosen:
                chosen.append(best)
        top = supported[0].score
        limit = max(len(chosen), self.max_sentences + (1 if "list" in q.kinds else 0))
        for c in supported:
            if len(chosen) >= limit:
                break
            if c in chosen or c.score < 0.8 * top:
                continue
            if any(_overlap(c.text, k.text) > 0.5 for k in chosen):
                continue
            if not (c.terms - frozenset().union(*(k.terms for k in chosen))) and "list" not in q.kinds:
                continue  # adds nothing new
            chosen.append(c)
        return chosen

    # ---- composing -----------------------------------------------------
    def answer(self, question: str, hits: Sequence[Hit], more: Sequence[Hit] = ()) -> Answer:
        """Answer from the hits, or refuse and show the closest passages.

        ``more`` are further-ranked passages searched only for differing figures.
        """
        q = analyse(question)
        cands = self._candidates(q, hits)
        if not any(self._supported(c) for c in cands):
            return self._refuse(question, hits, cands)
        book = _CitationBook(self.docs)
        figs = self._figures(q, list(hits) + list(more), book)
        chosen = self._select(q, cands)
        parts: list[str] = []
        if figs:
            parts.append(self._conflict_text(figs))
        else:
            for c in chosen:
                n = book.cite(c.hit, c.text, c.start, c.end)
                parts.append(f"{c.text}{self._perspective(c)}[{n}]")
        return Answer(
            question=question,
            text="".join(parts) if not figs else "\n".join(parts),
            short="" if figs else short_answer(q, chosen),
            citations=book.citations(),
            figures=figs,
            hits=list(hits),
        )

    def _perspective(self, c: Candidate) -> str:
        meta = self.docs.get(c.hit.chunk.doc_id)
        if meta and meta.home_city != "宁波" and any(s in c.text for s in SELF_REFERENCES):
            return self.t["perspective"].format(city=meta.home_city)
        return ""

    def _figures(self, q: Question, hits: Sequence[Hit], book: _CitationBook) -> list[Figure]:
        if "count" not in q.kinds or q.numbers:
            return []
        cands = self._candidates(q, hits)
        triples = [(i, c.hit.chunk.doc_id, c.text) for i, c in enumerate(cands)]
        found = figmod.collect(q, triples, self.docs)
        if not figmod.conflicting(found):
            return []
        out = []
        for f in found:
            c = cands[f.key]
            n = book.cite(c.hit, c.text, c.start, c.end)
            meta = self.docs[f.doc_id]
            out.append(Figure(f"{f.value}{f.unit}", f.doc_id, meta.title, display_date(meta),
                              c.text, n, "目标" if f.is_target else ""))
        return out

    def _conflict_text(self, figs: list[Figure]) -> str:
        items = []
        targets: dict[str, list[int]] = {}
        for f in figs:
            meta = self.docs[f.doc_id]
            value, unit = re.match(r"([\d.]+)(.*)", f.value).groups()  # type: ignore[union-attr]
            if f.label == "目标":
                targets.setdefault(f"{value}\x00{unit}", []).append(f.citation)
            else:
                items.append(self.t["conflict_item"].format(
                    value=value, unit=unit, publisher=meta.publisher or meta.title,
                    date=f.date, n=f.citation))
        target_lines = []
        for key, ns in targets.items():
            value, unit = key.split("\x00")
            cites = "][".join(str(n) for n in sorted(set(ns)))
            target_lines.append(self.t["conflict_target"].format(value=value, unit=unit, n=cites))
        lines = [self.t["conflict_intro"] + "；".join(items) + "。", *target_lines, self.t["conflict_outro"]]
        return "\n".join(lines)

    def _refuse(self, question: str, hits: Sequence[Hit], cands: list[Candidate]) -> Answer:
        book = _CitationBook(self.docs)
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


SHORT_PATTERNS = {
    "year": r"\d{4}\s*年(?:\s*\d{1,2}\s*月)?(?:\s*\d{1,2}\s*日)?",
    "percent": r"[超约近逾]?\d+(?:\.\d+)?\s*%",
    "rank": r"第\s*[\d一二三四五六七八九十]+\s*[位名]?",
}


def short_answer(q: Question, chosen: Sequence[Candidate]) -> str:
    """The figure or date a one-part typed question asks for, taken from the best sentence."""
    if len(q.parts) != 1 or not chosen:
        return ""
    part, sent = q.parts[0], chosen[0].text
    kinds = [k for k in ("year", "rank", "percent", "count") if k in part.kinds]
    if not kinds or "list" in part.kinds:
        return ""
    kind = kinds[0]
    if kind == "count":
        units = UNIT_CLASSES.get(part.unit or "", part.unit or "家项名人个亿万元%")
        pattern = rf"[超约近逾]?(?:\d+(?:\.\d+)?|[{CN_NUM}]+)\s*[多余]?\s*(?:万亿|万|亿)?\s*[{units}]+"
    else:
        pattern = SHORT_PATTERNS[kind]
    matches = list(re.finditer(pattern, sent))
    if not matches:
        return ""
    anchors = [sent.find(t) for t in chosen[0].terms if sent.find(t) >= 0]
    anchor = max(anchors) if anchors else 0
    after = [m for m in matches if m.start() >= anchor]
    return (after or matches)[0].group(0).strip()


def _stem(word: str) -> str:
    """单项冠军企业 → 单项冠军: the counted thing without a generic head noun."""
    for suffix in ("企业", "公司", "人员", "数量"):
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            return word[: -len(suffix)]
    return word


def _loosely_has(text: str, word: str) -> bool:
    """The word's characters in order with short gaps: 工业增加值 ~ 工业实现增加值."""
    return _has(text, word) or bool(re.search(".{0,3}".join(map(re.escape, word)), text))


def _has(text: str, word: str) -> bool:
    return any(s in text for s in synonyms().get(word, (word,)))


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
    if part.counted and not any(_loosely_has(sent, w) for w in {part.counted, _stem(part.counted)}):
        return False
    units = UNIT_CLASSES.get(part.unit or "", part.unit or "")
    number = rf"(?:\d+(?:\.\d+)?|[{CN_NUM}]+)"
    if part.unit and not re.search(rf"{number}\s*[多余]?\s*(?:万|亿)?\s*[{units}]", sent):
        return False
    return all(KIND_PATTERNS[k].search(sent) for k in part.kinds if k in STRICT_KINDS)


def _overlap(a: str, b: str) -> float:
    ga = {a[i : i + 3] for i in range(max(1, len(a) - 2))}
    gb = {b[i : i + 3] for i in range(max(1, len(b) - 2))}
    return len(ga & gb) / max(1, min(len(ga), len(gb)))


class _CitationBook:
    """Numbers passages in order of first use; one citation per passage."""

    def __init__(self, docs: Mapping[str, DocMeta]) -> None:
        self.docs = docs
        self._by_chunk: dict[str, Citation] = {}

    def cite(self, hit: Hit, quote: str, start: int, end: int) -> int:
        ch = hit.chunk
        if ch.chunk_id in self._by_chunk:
            old = self._by_chunk[ch.chunk_id]
            if quote not in old.quote:
                self._by_chunk[ch.chunk_id] = replace(old, quote=old.quote + "……" + quote)
            return old.n
        meta = self.docs.get(ch.doc_id) or DocMeta(ch.doc_id, ch.doc_id)
        note = ""
        if meta.home_city != "宁波" and any(s in quote for s in SELF_REFERENCES):
            note = template("extractive_zh")["perspective"].format(city=meta.home_city)
        cit = Citation(
            n=len(self._by_chunk) + 1,
            doc_id=ch.doc_id,
            title=meta.title,
            publisher=meta.publisher,
            date=display_date(meta),
            section=ch.section,
            quote=quote,
            chunk_id=ch.chunk_id,
            passage=ch.text,
            start=ch.start + start,
            end=ch.start + end,
            note=note,
        )
        self._by_chunk[ch.chunk_id] = cit
        return cit.n

    def citations(self) -> list[Citation]:
        return sorted(self._by_chunk.values(), key=lambda c: c.n)
