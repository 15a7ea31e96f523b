"""Evaluation metrics. Each takes plain values so it can be tested on hand-made cases."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher

from rag.numbers import contains_fact, normalise, quantities

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_MARKER = re.compile(r"((?:\[\d+\])+)")
_PAREN = re.compile(r"（[^（）]*）|\([^()]*\)")


def squash(text: str) -> str:
    """Whitespace-free text for whitespace-insensitive comparison."""
    return re.sub(r"\s+", "", text)


def quote_in(quote: str, passage: str) -> bool:
    """A passage holds a quote if most of it appears contiguously (chunks may cut a quote)."""
    q, p = squash(quote), squash(passage)
    if not q:
        return False
    if q in p:
        return True
    m = SequenceMatcher(None, q, p, autojunk=False).find_longest_match(0, len(q), 0, len(p))
    return m.size >= max(12, 0.6 * len(q))


def hit_at(relevant: Sequence[bool], k: int) -> float:
    """1.0 if any of the first k results is relevant."""
    return 1.0 if any(relevant[:k]) else 0.0


def reciprocal_rank(relevant: Sequence[bool]) -> float:
    """1/rank of the first relevant result (0 if none)."""
    for i, r in enumerate(relevant):
        if r:
            return 1.0 / (i + 1)
    return 0.0


def ndcg_at(relevant: Sequence[bool], k: int, n_relevant: int) -> float:
    """Binary nDCG@k with ``n_relevant`` relevant items in the ideal ranking."""
    dcg = sum(1.0 / math.log2(i + 2) for i, r in enumerate(relevant[:k]) if r)
    # several chunks may hold the same evidence: the ideal ranking has all of them first
    n_ideal = min(k, max(1, n_relevant, sum(bool(r) for r in relevant[:k])))
    ideal = sum(1.0 / math.log2(i + 2) for i in range(n_ideal))
    return dcg / ideal if ideal else 0.0


def fact_recall(answer: str, facts: Sequence[str]) -> float:
    """Share of key facts the answer contains (number-normalised)."""
    if not facts:
        return 1.0
    return sum(contains_fact(answer, f) for f in facts) / len(facts)


def _clean_chars(text: str) -> list[str]:
    return list(_PUNCT.sub("", normalise(text)))


def char_f1(prediction: str, gold: str) -> float:
    """CMRC-2018 style character F1 (longest common subsequence)."""
    p, g = _clean_chars(prediction), _clean_chars(gold)
    if not p or not g:
        return float(p == g)
    lcs = _lcs(p, g)
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(p), lcs / len(g)
    return 2 * precision * recall / (precision + recall)


def _lcs(a: list[str], b: list[str]) -> int:
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def exact_match(prediction: str, gold: str) -> float:
    """CMRC-2018 style EM after removing punctuation and whitespace."""
    return float(_clean_chars(prediction) == _clean_chars(gold))


def claims(answer: str) -> list[tuple[str, list[int]]]:
    """(claim text, cited numbers) for each run of [n] markers in an answer."""
    out = []
    pos = 0
    for m in _MARKER.finditer(answer):
        text = answer[pos : m.start()]
        text = text.split("\n")[-1]
        numbers = [int(n) for n in re.findall(r"\d+", m.group(1))]
        out.append((text.strip("；;，,。 "), numbers))
        pos = m.end()
    return out


def claim_supported(claim: str, passage: str) -> bool:
    """A passage backs a claim if it contains the claim (source labels in brackets
    aside), or, for a short figure claim, every number in it."""
    if squash(claim.strip("；;，,。：: ")) in squash(passage):
        return True
    core = claim
    while _PAREN.search(core):  # source labels may nest: （报社（作者），2022）
        core = _PAREN.sub("", core)
    core = re.sub(r"^(另：|其中|据)", "", core).strip("；;，,。：: ")
    if not core:
        return True
    if squash(core) in squash(passage):
        return True
    nums = {q for q in quantities(core)}
    return len(core) <= 24 and bool(nums) and nums <= quantities(passage)


def citation_precision(answer: str, passages: dict[int, str]) -> tuple[int, int]:
    """(supported, total) citation markers: each [n] must point at a passage backing its claim."""
    good = total = 0
    for claim, numbers in claims(answer):
        for n in numbers:
            total += 1
            if n in passages and claim_supported(claim, passages[n]):
                good += 1
    return good, total


def citation_recall(evidence: Sequence[str], passages: Sequence[str]) -> float:
    """Share of gold evidence quotes found in the cited passages."""
    if not evidence:
        return 1.0
    return sum(any(quote_in(q, p) for p in passages) for q in evidence) / len(evidence)


def short_states(short: str, fact: str) -> bool:
    """A short answer (简答) states a key fact: it contains it (``contains_fact``), or it
    is the fact's leading figure with the rest left out ("10多项" for the key fact
    "10多项国家标准")."""
    if contains_fact(short, fact):
        return True
    s, f = normalise(short), normalise(fact)
    if not re.search(r"\d", s) or not f.startswith(s):
        return False
    rest = f[len(s):]
    return not rest or not (rest[0].isdigit() or rest[0] == ".")  # "1" is not "10多项"


def confidently_wrong(refused: bool, answer: str, short: str, facts: Sequence[str]) -> bool:
    """An answer given with confidence but wrong: not refused, and either none of the
    key facts is in the answer, or a non-empty short answer (简答) states none of them.
    Items without key facts (无答案) are never counted here."""
    if refused or not facts:
        return False
    if not any(contains_fact(answer, f) for f in facts):
        return True
    return bool(short.strip()) and not any(short_states(short, f) for f in facts)


def refused_though_retrieved(refused: bool, relevant: Sequence[bool], k: int = 5) -> bool:
    """Refused although an evidence passage was among the first ``k`` retrieved."""
    return refused and any(relevant[:k])


FIGURE_FACT = re.compile(r"\d|[一二两三四五六七八九十百千万]+\s*[家个项名人位种年月批倍成%]")


def asks_a_figure(key_facts: Sequence[str]) -> bool:
    """Whether an item's expected answer is figures or dates (every key fact holds a
    number: 119家, 第二位, 1998年12月), the answers a 简答 is given for."""
    return bool(key_facts) and all(FIGURE_FACT.search(k) for k in key_facts)


def short_agreement(groups: Iterable[Sequence[str]]) -> tuple[float, int]:
    """(share of groups whose members' short answers are all non-empty and equal after
    number normalisation, number of groups). Groups with fewer than two members are
    skipped: there is nothing to agree with."""
    agreeing = counted = 0
    for shorts in groups:
        if len(shorts) < 2:
            continue
        counted += 1
        forms = {normalise(s) for s in shorts}
        agreeing += all(s.strip() for s in shorts) and len(forms) == 1
    return (agreeing / counted if counted else 0.0), counted


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, math.ceil(pct / 100 * len(ordered)) - 1))
    return ordered[k]
