"""Eval reports: a terminal table, and JSON + Markdown + a per-category chart on disk."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.table import Table

log = logging.getLogger(__name__)

SHOWN = ("hit@1", "hit@3", "hit@5", "mrr", "ndcg@10", "fact_recall", "em", "f1",
         "citation_precision", "citation_recall", "false_refusal", "refused_though_retrieved",
         "confidently_wrong", "refusal_accuracy", "short_agreement",
         "latency_p50_ms", "latency_p95_ms")
# the LLM judge's metrics (rag eval --judge): shown beside the string metrics when a run has them
JUDGED = ("judge_correct", "judge_faithful", "judge_failed")
# lower is better for these; `rag eval --max` takes ceilings on them
LOWER_IS_BETTER = ("false_refusal", "refused_though_retrieved", "confidently_wrong",
                   "latency_p50_ms", "latency_p95_ms", "judge_failed")
METRICS = (*SHOWN, *JUDGED, "n", "n_groups")
CHARTED = ("hit@3", "fact_recall", "citation_precision")
ENGLISH = {"数字": "figures", "追赶模式": "catch-up", "政策措施": "policy", "企业与产品": "companies",
           "跨文档与冲突": "cross-doc", "改写": "paraphrase", "无答案": "no-answer", "多轮": "multi-turn"}


def _fmt(value: float | None, key: str) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if key.endswith("_ms") else f"{value:.2f}"


def shown(*reports: dict[str, Any]) -> tuple[str, ...]:
    """The metrics to show: always SHOWN, the judge's when any of the runs was judged."""
    judged = any(k in r["overall"] for r in reports for k in JUDGED)
    return (*SHOWN, *JUDGED) if judged else SHOWN


def table(report: dict[str, Any]) -> Table:
    """Metrics (rows) by category and overall (columns) of one run."""
    t = Table(title=f"eval: {report.get('label', '')} (split: {report.get('split', 'all')})")
    t.add_column("metric")
    cols = [*report["by_category"].items(), ("overall", report["overall"])]
    for name, _ in cols:
        t.add_column(name, justify="right")
    t.add_row("n", *(str(int(metrics["n"])) for _, metrics in cols))
    for key in shown(report):
        t.add_row(key, *(_fmt(metrics.get(key), key) for _, metrics in cols))
    if "n_groups" in report["overall"]:
        t.add_row("n_groups", *("" for _ in cols[:-1]), str(int(report["overall"]["n_groups"])))
    return t


def comparison(reports: Sequence[dict[str, Any]]) -> Table:
    """Overall metrics of several runs side by side; the last column is the delta B − A."""
    t = Table(title="comparison (overall)")
    t.add_column("metric")
    for r in reports:
        t.add_column(r.get("label", "?"), justify="right")
    if len(reports) == 2:
        t.add_column("Δ (B−A)", justify="right")
    for key in shown(*reports):
        values = [r["overall"].get(key) for r in reports]
        row = [_fmt(v, key) for v in values]
        if len(reports) == 2 and None not in values:
            delta = values[1] - values[0]  # type: ignore[operator]
            row.append(f"{delta:+.0f}" if key.endswith("_ms") else f"{delta:+.3f}")
        elif len(reports) == 2:
            row.append("")
        t.add_row(key, *row)
    return t


def markdown(report: dict[str, Any], chart: str | None) -> str:
    """The Markdown report of one run."""
    lines = [f"# Eval report: {report.get('label', '')}", "",
             f"- When: {report.get('when', '')}", f"- QA set: {report.get('qa', '')}",
             f"- Split: {report.get('split', 'all')}"]
    if "n_groups" in report["overall"]:
        lines.append(f"- Paraphrase groups (short_agreement): {int(report['overall']['n_groups'])}")
    if report.get("judge"):
        lines.append(f"- LLM judge (judge_*, beside the string metrics): {report['judge']}")
    lines.append("")
    keys = shown(report)
    lines += ["| category | n | " + " | ".join(keys) + " |", "|---" * (len(keys) + 2) + "|"]
    rows = [*report["by_category"].items(), ("overall", report["overall"])]
    for name, metrics in rows:
        cells = " | ".join(_fmt(metrics.get(k), k) for k in keys)
        lines.append(f"| {name} | {int(metrics['n'])} | {cells} |")
    if chart:
        lines += ["", f"![per-category metrics]({chart})"]
    lines += ["", "## Configuration", "", "```json",
              json.dumps(report.get("settings", {}), ensure_ascii=False, indent=2), "```", ""]
    return "\n".join(lines)


def _chart(report: dict[str, Any], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib import font_manager
    except ImportError:
        log.warning("matplotlib is not installed; the report has no chart (pip install matplotlib)")
        return False
    cats = [c for c in report["by_category"] if "fact_recall" in report["by_category"][c]]
    cjk = [f.name for f in font_manager.fontManager.ttflist
           if any(s in f.name for s in ("Noto Sans CJK", "WenQuanYi", "SimHei", "Source Han"))]
    if cjk:
        plt.rcParams["font.family"] = cjk[0]
    labels = cats if cjk else [ENGLISH.get(c, f"C{i + 1}") for i, c in enumerate(cats)]
    fig, ax = plt.subplots(figsize=(9, 4))
    width = 0.8 / len(CHARTED)
    for j, key in enumerate(CHARTED):
        values = [report["by_category"][c].get(key, 0.0) for c in cats]
        ax.bar([i + j * width for i in range(len(cats))], values, width, label=key)
    ax.set_xticks([i + width for i in range(len(cats))], labels)
    ax.set_ylim(0, 1.05)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=len(CHARTED), frameon=False)
    ax.set_title(report.get("label", "eval"))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def save(report: dict[str, Any], folder: Path) -> Path:
    """Write <stamp>-<label>.json/.md/.png under ``folder``; returns the JSON path."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    safe = "".join(ch if ch.isalnum() or ch in "-_=." else "_" for ch in report.get("label", "run"))[:60]
    base = folder / f"{stamp}-{safe}"
    report.setdefault("when", time.strftime("%Y-%m-%d %H:%M:%S %Z"))
    png = base.with_suffix(".png")
    chart = png.name if _chart(report, png) else None
    base.with_suffix(".json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    base.with_suffix(".md").write_text(markdown(report, chart), encoding="utf-8")
    return base.with_suffix(".json")


def load(path: Path) -> dict[str, Any]:
    """A saved report."""
    return dict(json.loads(path.read_text(encoding="utf-8")))
