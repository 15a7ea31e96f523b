"""Run a QA set (eval/qa.jsonl schema, see eval/SCHEMA.md) through the pipeline
and score retrieval and answers, per category and overall."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean
from typing import Any

from rag import metrics as m
from rag.errors import RagError
from rag.numbers import contains_fact
from rag.schema import Turn

CATEGORIES = ("数字", "追赶模式", "政策措施", "企业与产品", "跨文档与冲突", "改写", "无答案", "多轮")
SPLITS = ("dev", "test")
RETRIEVAL_K = 10


class EvalSetError(RagError):
    """A QA file line is malformed."""

    def __init__(self, path: Path, line: int, problem: str) -> None:
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {problem}", f"评测集 {where} 有误：{problem}")


@dataclass(frozen=True)
class QAItem:
    """One evaluation question."""

    id: str
    question: str
    category: str
    key_facts: tuple[str, ...]
    evidence: tuple[tuple[str, str], ...]  # (doc_id, quote)
    answerable: bool
    history: tuple[Turn, ...] = ()
    split: str = ""  # "dev" | "test" | "" (not assigned; see eval/assign_split.py)
    group: str = ""  # paraphrase group: items asking the same thing share it


def _require(obj: dict[str, Any], key: str, kind: type, path: Path, n: int) -> Any:
    if key not in obj:
        raise EvalSetError(path, n, f"missing field '{key}'")
    if not isinstance(obj[key], kind):
        raise EvalSetError(path, n, f"field '{key}' should be {kind.__name__}, got {type(obj[key]).__name__}")
    return obj[key]


def load_qa(path: Path) -> list[QAItem]:
    """Parse and validate a QA JSONL file; errors name the line and field."""
    if not path.exists():
        raise EvalSetError(path, 0, "file not found")
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalSetError(path, n, f"not valid JSON ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise EvalSetError(path, n, "each line must be a JSON object")
        category = _require(obj, "category", str, path, n)
        if category not in CATEGORIES:
            raise EvalSetError(path, n, f"field 'category' is {category!r}; use one of {', '.join(CATEGORIES)}")
        evidence = []
        for ev in _require(obj, "evidence", list, path, n):
            if not isinstance(ev, dict) or "quote" not in ev or "doc_id" not in ev:
                raise EvalSetError(path, n, "field 'evidence' items need 'doc_id' and 'quote'")
            evidence.append((str(ev["doc_id"]), str(ev["quote"])))
        history = []
        for turn in obj.get("history", []) or []:
            if not isinstance(turn, dict) or turn.get("role") not in ("user", "assistant"):
                raise EvalSetError(path, n, "field 'history' items need role user|assistant and content")
            history.append(Turn(turn["role"], str(turn.get("content", ""))))
        split = obj.get("split", "")
        if split not in ("", *SPLITS):
            raise EvalSetError(path, n, f"field 'split' is {split!r}; use dev or test")
        group = obj.get("group", "")
        if group is None:
            group = ""
        if not isinstance(group, str):
            raise EvalSetError(path, n, f"field 'group' should be str, got {type(group).__name__}")
        items.append(QAItem(
            id=str(_require(obj, "id", str, path, n)),
            question=_require(obj, "question", str, path, n),
            category=category,
            key_facts=tuple(str(f) for f in _require(obj, "key_facts", list, path, n)),
            evidence=tuple(evidence),
            answerable=bool(obj.get("answerable", True)),
            history=tuple(history),
            split=split,
            group=group.strip(),
        ))
    if not items:
        raise EvalSetError(path, 0, "no questions in file")
    return items


def select_split(items: Sequence[QAItem], split: str, path: Path | None = None) -> list[QAItem]:
    """The items of one split ("dev" or "test"); "all" keeps every item."""
    if split == "all":
        return list(items)
    if split not in SPLITS:
        raise EvalSetError(path or Path("?"), 0, f"unknown split {split!r}; use dev, test or all")
    chosen = [i for i in items if i.split == split]
    if not chosen:
        raise EvalSetError(path or Path("?"), 0,
                           f"no questions with split {split!r} (assign splits with eval/assign_split.py)")
    return chosen


@dataclass
class ItemResult:
    """Scores for one question."""

    id: str
    category: str
    answerable: bool
    refused: bool
    ranks: list[bool]
    n_evidence: int
    fact_recall: float
    f1: float
    em: float
    cit_good: int
    cit_total: int
    cit_recall: float
    latency_ms: float
    answer: str = ""
    short: str = ""  # the 简答, empty when the answer gave none
    confidently_wrong: bool = False
    refused_though_retrieved: bool = False
    split: str = ""
    group: str = ""
    question: str = ""
    key_facts: list[str] = field(default_factory=list)
    facts_found: int = 0  # how many key facts the answer contains
    sources: list[str] = field(default_factory=list)  # "[n] doc_id 《title》" per citation
    extra: dict[str, Any] = field(default_factory=dict)
    # the LLM judge (rag eval --judge, rag/judge.py); None when not judged
    judge_correct: int | None = None
    judge_faithful: int | None = None
    judge_failed: bool | None = None
    judge_reason: str = ""


def score_item(item: QAItem, answer: Any, retrieved: Sequence[str], latency_ms: float) -> ItemResult:
    """Score one answer. ``retrieved`` are the ranked passage texts (for hit@k)."""
    quotes = [q for _, q in item.evidence]
    ranks = [any(m.quote_in(q, p) for q in quotes) for p in retrieved]
    passages = {c.n: c.passage for c in answer.citations}
    good, total = m.citation_precision(answer.text, passages) if not answer.refused else (0, 0)
    text = answer.text
    given_short = getattr(answer, "short", "") or ""
    short = given_short or text
    return ItemResult(
        id=item.id, category=item.category, answerable=item.answerable, refused=answer.refused,
        ranks=ranks, n_evidence=len(quotes),
        fact_recall=m.fact_recall(text, item.key_facts) if not answer.refused else 0.0,
        f1=max((m.char_f1(short, f) for f in item.key_facts), default=0.0),
        em=max((m.exact_match(short, f) for f in item.key_facts), default=0.0),
        cit_good=good, cit_total=total,
        cit_recall=m.citation_recall(quotes, list(passages.values())) if not answer.refused else 0.0,
        latency_ms=latency_ms, answer=text, short=given_short,
        confidently_wrong=item.answerable and m.confidently_wrong(
            answer.refused, text, given_short, item.key_facts),
        refused_though_retrieved=item.answerable and m.refused_though_retrieved(answer.refused, ranks),
        split=item.split, group=item.group, question=item.question, key_facts=list(item.key_facts),
        facts_found=0 if answer.refused else sum(contains_fact(text, f) for f in item.key_facts),
        sources=[f"[{c.n}] {c.doc_id} 《{c.title}》" for c in answer.citations],
    )


def aggregate(results: Sequence[ItemResult], groups: bool = False) -> dict[str, float]:
    """Metric averages over a group of results. With ``groups``, also the short-answer
    agreement over paraphrase groups (when the results have any)."""
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    cit_total = sum(r.cit_total for r in answerable)
    lat = [r.latency_ms for r in results]
    out: dict[str, float] = {"n": float(len(results))}
    if answerable:
        out.update({
            "hit@1": mean(m.hit_at(r.ranks, 1) for r in answerable),
            "hit@3": mean(m.hit_at(r.ranks, 3) for r in answerable),
            "hit@5": mean(m.hit_at(r.ranks, 5) for r in answerable),
            "mrr": mean(m.reciprocal_rank(r.ranks) for r in answerable),
            "ndcg@10": mean(m.ndcg_at(r.ranks, 10, r.n_evidence) for r in answerable),
            "fact_recall": mean(r.fact_recall for r in answerable),
            "f1": mean(r.f1 for r in answerable),
            "em": mean(r.em for r in answerable),
            "citation_recall": mean(r.cit_recall for r in answerable),
            "false_refusal": mean(float(r.refused) for r in answerable),
            "confidently_wrong": mean(float(r.confidently_wrong) for r in answerable),
            "refused_though_retrieved": mean(float(r.refused_though_retrieved) for r in answerable),
        })
    if cit_total:  # undefined when nothing was cited (e.g. every answer refused)
        out["citation_precision"] = sum(r.cit_good for r in answerable) / cit_total
    if unanswerable:
        out["refusal_accuracy"] = mean(float(r.refused) for r in unanswerable)
    judged = [r for r in results if r.judge_failed is not None]
    if judged:  # beside the string metrics, never instead of them
        ok = [r for r in judged if not r.judge_failed]
        out["judge_failed"] = mean(float(bool(r.judge_failed)) for r in judged)
        if ok:
            out["judge_correct"] = mean(float(r.judge_correct or 0) for r in ok)
            out["judge_faithful"] = mean(float(r.judge_faithful or 0) for r in ok)
    if groups:
        members: dict[str, list[str]] = {}
        for r in results:
            if r.group and m.asks_a_figure(r.key_facts):  # a list or a reason has no 简答 to agree on
                members.setdefault(r.group, []).append(r.short)
        share, n_groups = m.short_agreement(members.values())
        if n_groups:
            out["short_agreement"] = share
            out["n_groups"] = float(n_groups)
    out["latency_p50_ms"] = m.percentile(lat, 50)
    out["latency_p95_ms"] = m.percentile(lat, 95)
    return out


def run(
    items: Sequence[QAItem],
    ask: Callable[[QAItem], Any],
    search: Callable[[QAItem], Sequence[str]],
    progress: Callable[[int], None] | None = None,
    judge: Callable[[QAItem, Any], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Evaluate with the given ask/search callables; returns overall and per-category metrics.
    ``judge`` (rag/judge.py) adds its ``judge_*`` fields to each item, outside the latency."""
    results = []
    for i, item in enumerate(items):
        t0 = time.perf_counter()
        answer = ask(item)
        latency = (time.perf_counter() - t0) * 1000
        result = score_item(item, answer, search(item), latency)
        if judge:
            for key, value in judge(item, answer).items():
                setattr(result, key, value)
        results.append(result)
        if progress:
            progress(i + 1)
    by_cat = {c: aggregate([r for r in results if r.category == c]) for c in CATEGORIES
              if any(r.category == c for r in results)}
    return {"overall": aggregate(results, groups=True), "by_category": by_cat,
            "items": [r.__dict__ for r in results]}


def run_pipeline(pipeline: Any, items: Sequence[QAItem],
                 progress: Callable[[int], None] | None = None,
                 judge: Callable[[QAItem, Any], dict[str, Any]] | None = None) -> dict[str, Any]:
    """Evaluate a loaded Pipeline (with an LLM judge when given)."""
    def ask(item: QAItem) -> Any:
        return pipeline.ask(item.question, history=item.history)

    def search(item: QAItem) -> list[str]:
        from rag.answer.followup import rewrite

        q = rewrite(item.question, item.history)
        return [h.chunk.text for h in pipeline.search(q, RETRIEVAL_K)]

    return run(items, ask, search, progress, judge)
