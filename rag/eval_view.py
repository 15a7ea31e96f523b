"""What the eval page (rag/ui/eval_page.py) shows, as plain data: uploaded files read
into questions or reports, the saved runs, the summary and chart by category, the
filtered per-item table and a run-to-run diff. No Streamlit here."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from rag.errors import RagError
from rag.eval_diff import Diff, load_report
from rag.evaluate import QAItem
from rag.item_table import FAIL, header, rows
from rag.report import CHARTED, shown

QUESTION_FORMATS = ("jsonl", "csv", "xlsx")
OVERALL = "总体"
METRIC_NAMES = {
    "n": "题数", "hit@1": "命中@1", "hit@3": "命中@3", "hit@5": "命中@5", "mrr": "MRR",
    "ndcg@10": "nDCG@10", "fact_recall": "要点召回率", "em": "简答精确匹配", "f1": "简答F1",
    "citation_precision": "引用准确率", "citation_recall": "引用召回率", "false_refusal": "误拒率",
    "refused_though_retrieved": "检索到却拒答", "confidently_wrong": "自信地答错",
    "refusal_accuracy": "无答案拒答率", "short_agreement": "简答一致率", "n_groups": "改写组数",
    "latency_p50_ms": "耗时P50(ms)", "latency_p95_ms": "耗时P95(ms)",
    "judge_correct": "评审正确率", "judge_faithful": "评审忠实率", "judge_failed": "评审失败率",
}
_STAMP = re.compile(r"^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})-(.+)$")
T = TypeVar("T")


def metric_name(key: str) -> str:
    """The Chinese name of a metric, with its key (as in the reports): 要点召回率 fact_recall."""
    name = METRIC_NAMES.get(key)
    return f"{name} {key}" if name and name != key else key


def _from_upload(name: str, data: bytes, load: Callable[[Path], T]) -> T:
    """``load`` an uploaded file through a temporary copy; its errors name the upload, not the copy."""
    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="rag-upload-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            return load(path)
        except RagError as exc:
            exc.zh = exc.zh.replace(str(path), name)
            exc.args = tuple(str(a).replace(str(path), name) for a in exc.args)
            raise


def questions_from_upload(name: str, data: bytes) -> list[QAItem]:
    """An uploaded question set (.jsonl, .csv or .xlsx, rag/qa_formats.py). Raises
    EvalSetError whose ``zh`` names every bad row and column."""
    from rag.qa_formats import load_questions

    return _from_upload(name, data, load_questions)


def report_from_upload(name: str, data: bytes) -> dict[str, Any]:
    """An uploaded saved report .json. Raises ReportFileError (``zh`` in Chinese)."""
    return _from_upload(name, data, load_report)


def saved_runs(folder: Path) -> list[Path]:
    """The saved report .json files in ``folder``, newest first."""
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.json"), key=lambda p: (p.stat().st_mtime, p.name), reverse=True)


def run_title(path: Path) -> str:
    """'20250101-120000-default.json' → '2025-01-01 12:00:00 · default'."""
    match = _STAMP.match(path.stem)
    if not match:
        return path.name
    y, mo, d, h, mi, s, label = match.groups()
    return f"{y}-{mo}-{d} {h}:{mi}:{s} · {label}"


def _value(value: Any, key: str) -> float | None:
    if value is None:
        return None
    return round(float(value)) if key.endswith("_ms") or key in ("n", "n_groups") else round(float(value), 3)


def summary(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per metric (题数 first), one column per category and 总体: the values
    ``rag eval`` prints (rag/report.py), under Chinese metric names."""
    scopes = [*report.get("by_category", {}).items(), (OVERALL, report["overall"])]
    out = []
    for key in ("n", *shown(dict(report))):
        if not any(key in metrics for _, metrics in scopes):
            continue
        out.append({"指标": metric_name(key), **{name: _value(m.get(key), key) for name, m in scopes}})
    return out


def chart_data(report: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    """The charted metrics (rag/report.py CHARTED, + judge_correct when judged) by category:
    {metric name: {category: value}} for a grouped bar chart."""
    cats = report.get("by_category", {})
    keys = [*CHARTED, *(k for k in ("judge_correct",) if k in report["overall"])]
    return {metric_name(k): {c: float(m[k]) for c, m in cats.items() if k in m} for k in keys}


def item_rows(report: Mapping[str, Any], failed_only: bool = False,
              categories: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The per-item table (rag/item_table.py, failures first) as records, filtered to the
    failed items and/or the given categories."""
    names = header(report)
    wanted = set(categories)
    out = []
    for values in rows(report):
        record = dict(zip(names, values, strict=True))
        if failed_only and record["结果"] != FAIL:
            continue
        if wanted and record["类别"] not in wanted:
            continue
        out.append(record)
    return out


def without_evidence(report: Mapping[str, Any]) -> int:
    """How many answerable items gave no evidence (their hit@k, MRR and nDCG count as misses)."""
    return sum(1 for i in report.get("items", []) if i.get("answerable", True) and not i.get("n_evidence"))


def categories(report: Mapping[str, Any]) -> list[str]:
    """The categories the run's items have, in report order."""
    seen: dict[str, None] = {}
    for item in report.get("items", []):
        seen.setdefault(str(item.get("category", "")), None)
    return list(seen)


def diff_items(pairs: Iterable[tuple[Mapping[str, Any], Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """Item pairs of a diff (before, after) as records with both answers side by side."""
    return [{"编号": b.get("id", ""), "类别": b.get("category", ""), "问题": b.get("question", ""),
             "要点召回 之前": round(float(a.get("fact_recall", 0.0)), 2),
             "要点召回 现在": round(float(b.get("fact_recall", 0.0)), 2),
             "之前的回答": a.get("answer", ""), "现在的回答": b.get("answer", "")} for a, b in pairs]


def diff_deltas(d: Diff) -> list[dict[str, Any]]:
    """Metric deltas (现在 − 之前): every overall metric, and the per-category ones that moved."""
    out = []
    for scope, metrics in d.deltas.items():
        for key, (before, after) in metrics.items():
            if before != after or scope == "overall":
                out.append({"范围": OVERALL if scope == "overall" else scope, "指标": metric_name(key),
                            "之前": _value(before, key), "现在": _value(after, key),
                            "变化": _value(after - before, key)})
    return out


def template_bytes() -> bytes:
    """The blank question sheet (rag/qa_formats.py ``write_template``) as .xlsx bytes."""
    from rag.qa_formats import write_template

    with tempfile.TemporaryDirectory(prefix="rag-template-") as folder:
        return write_template(Path(folder) / "template.xlsx").read_bytes()


def report_markdown(path: Path, report: Mapping[str, Any]) -> str:
    """The saved Markdown report beside ``path``, or one made from ``report`` when it is gone."""
    from rag.report import markdown

    saved = path.with_suffix(".md")
    return saved.read_text(encoding="utf-8") if saved.exists() else markdown(dict(report), None)
