"""Find the figures that different sources give for the quantity a question asks about.

Sources disagree because they were written in different years (国家级单项冠军:
51 in 2021, 83 in 2023, 119 at the end of 2025) or from another city's side
(the Suzhou report's 我市 is Suzhou). For a "how many" question we scan the
retrieved sentences for a number that belongs to the asked-about term, note
whose city it describes and whether it is a target rather than a count, and
return one figure per document, newest first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rag.answer.question import PLACES, Question
from rag.schema import DocMeta

FIGURE = re.compile(r"(\d+(?:\.\d+)?)\s*(万亿元|亿元|万元|亿|万|家|项|名|人|个|%)")
TARGET = re.compile(r"力争|目标|计划|要培育|到\s*\d{4}\s*年|在\s*\d{4}\s*年实现")
OWNER_BEFORE = re.compile(r"(?:宁波|苏州|我市|本市|共|总共|拥有|有)\s*$")
GENERIC = {"企业", "国家", "国家级", "数量", "家", "公司", "年", "全国", "城市", "个", "项", "多少"}
SELF_REFERENCES = ("我市", "本市")
DISTRICT = ("该区", "镇海", "区（县、市）")
DISTRICT_NAMES = ("镇海",)
MAX_GAP = 24


@dataclass(frozen=True)
class FoundFigure:
    """A figure as found in one sentence."""

    value: str
    unit: str
    doc_id: str
    sentence: str
    scope: str
    is_target: bool
    gap: int
    key: int  # caller's handle for the sentence (e.g. its citation slot)


def focal_terms(q: Question) -> list[str]:
    """The words a figure must be attached to (not places, numbers or generic words)."""
    out = []
    for w in q.words:
        if w in GENERIC or w in PLACES or w.isdigit() or len(w) < 2:
            continue
        out.append(w)
    return out


def _matches(term: str, text: str) -> list[int]:
    """End offsets where the term (or the term without a trailing 企业) occurs."""
    variants = {term, term.removesuffix("企业")} - {""}
    ends = []
    for v in variants:
        ends += [m.end() for m in re.finditer(re.escape(v), text)]
    return sorted(set(ends))


def scope_of(sentence: str, meta: DocMeta | None) -> str:
    """The place a sentence is about: its first place mention (我市 → the document's city)."""
    first: tuple[int, str] | None = None
    candidates = [(p, p) for p in PLACES] + [(s, meta.home_city if meta else "宁波") for s in SELF_REFERENCES]
    candidates += [(d, "区县") for d in DISTRICT]
    for word, place in candidates:
        i = sentence.find(word)
        if i >= 0 and (first is None or i < first[0]):
            first = (i, place)
    if first is None:  # unnamed: the city the document is about (its title), else its own city
        if meta is None:
            return "宁波"
        return next((p for p in PLACES if p in meta.title), meta.home_city)
    return "区县" if first[1] in DISTRICT_NAMES else first[1]


def figures_in(sentence: str, terms: Sequence[str]) -> list[tuple[str, str, int]]:
    """(value, unit, gap) for numbers attached to every term in ``terms``."""
    if not terms:
        return []
    found = []
    for m in FIGURE.finditer(sentence):
        gaps = []
        for term in terms:
            after = [m.start() - e for e in _matches(term, sentence) if 0 <= m.start() - e <= MAX_GAP
                     and not re.search(r"[。；;、]", sentence[e:m.start()])]
            before = [s for s in (sentence.find(term, m.end()),) if 0 <= s - m.end() <= 12]
            if after:
                gaps.append(min(after))
            elif before and OWNER_BEFORE.search(sentence[: m.start()]):
                gaps.append(before[0] - m.end())
            else:
                break
        else:
            found.append((m.group(1), m.group(2), max(gaps)))
    return found


def asked_unit(q: Question) -> str | None:
    """The unit the question asks in ("多少家" → 家), if it says."""
    return next((p.unit for p in q.parts if p.unit), None)


def collect(
    q: Question,
    sentences: Sequence[tuple[int, str, str]],
    metas: Mapping[str, DocMeta],
) -> list[FoundFigure]:
    """One figure per document for the asked quantity, newest document first.

    ``sentences`` are (key, doc_id, sentence) triples from the retrieved passages.
    """
    terms = focal_terms(q)
    unit_wanted = asked_unit(q)
    place = q.places[0] if q.places else "宁波"
    best: dict[tuple[str, bool], FoundFigure] = {}
    for key, doc_id, sent in sentences:
        meta = metas.get(doc_id)
        scope = scope_of(sent, meta)
        if scope != place:
            continue
        target = bool(TARGET.search(sent))
        for value, unit, gap in figures_in(sent, terms):
            if unit_wanted and unit != unit_wanted:
                continue
            fig = FoundFigure(value, unit, doc_id, sent, scope, target, gap, key)
            slot = (doc_id, target)
            if slot not in best or gap < best[slot].gap:
                best[slot] = fig
    figs = list(best.values())
    figs.sort(key=lambda f: metas[f.doc_id].sort_key if f.doc_id in metas else "", reverse=True)
    return figs


def conflicting(figs: Sequence[FoundFigure]) -> bool:
    """True when documents give different counts (targets aside) for the same unit."""
    counts = [f for f in figs if not f.is_target]
    units = {f.unit for f in counts}
    return len(units) == 1 and len({f.value for f in counts}) > 1 and len({f.doc_id for f in counts}) > 1
