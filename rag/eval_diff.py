"""Run-to-run diff of two saved eval reports: which items got better, worse or changed
their answer (matched by item id), and the metric deltas overall and per category."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.errors import RagError
from rag.item_table import passed
from rag.report import JUDGED, SHOWN

SHORT = 60  # characters of each answer shown side by side


class ReportFileError(RagError):
    """A file given to ``rag eval --diff`` is missing or is not a saved eval report."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem} (give two report .json files written by `rag eval`)",
                         f"{path}：{problem}（请给出两个 rag eval 保存的报告 .json 文件）")


def load_report(path: Path) -> dict[str, Any]:
    """A saved report, checked to have overall metrics and per-item results."""
    if not path.exists():
        raise ReportFileError(path, "file not found")
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ReportFileError(path, f"not JSON ({exc})") from None
    if not isinstance(report, dict) or not isinstance(report.get("overall"), dict) \
            or not isinstance(report.get("items"), list):
        raise ReportFileError(path, "not an eval report (no 'overall' metrics or 'items')")
    return report


@dataclass
class Diff:
    """What changed from report A to report B."""

    a: str
    b: str
    better: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    worse: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    changed: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    only_a: list[str] = field(default_factory=list)
    only_b: list[str] = field(default_factory=list)
    deltas: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)  # scope → metric → (A, B)


def _score(item: Mapping[str, Any]) -> tuple[bool, float, bool]:
    """Higher is better: passed, key-fact recall (answerable only), not confidently wrong."""
    recall = float(item.get("fact_recall", 0.0)) if item.get("answerable", True) else 0.0
    return passed(item), recall, not item.get("confidently_wrong")


def _metric_pairs(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    return {k: (float(a[k]), float(b[k])) for k in ("n", *SHOWN, *JUDGED) if k in a and k in b}


def diff(a: Mapping[str, Any], b: Mapping[str, Any], a_name: str = "A", b_name: str = "B") -> Diff:
    """Compare two reports item by item (by id) and metric by metric."""
    out = Diff(a_name, b_name)
    items_a = {i["id"]: i for i in a["items"]}
    items_b = {i["id"]: i for i in b["items"]}
    for item_id, ib in items_b.items():
        ia = items_a.get(item_id)
        if ia is None:
            out.only_b.append(item_id)
        elif _score(ib) > _score(ia):
            out.better.append((ia, ib))
        elif _score(ib) < _score(ia):
            out.worse.append((ia, ib))
        elif ia.get("answer", "") != ib.get("answer", ""):
            out.changed.append((ia, ib))
    out.only_a = [i for i in items_a if i not in items_b]
    out.deltas["overall"] = _metric_pairs(a["overall"], b["overall"])
    cats_a, cats_b = a.get("by_category", {}), b.get("by_category", {})
    for cat in [*cats_a, *(c for c in cats_b if c not in cats_a)]:
        if cat in cats_a and cat in cats_b:
            out.deltas[cat] = _metric_pairs(cats_a[cat], cats_b[cat])
    return out


def _short(text: str) -> str:
    flat = " ".join(str(text).split()).replace("|", "\\|")
    return flat if len(flat) <= SHORT else flat[:SHORT - 1] + "…"


def _fmt(key: str, value: float) -> str:
    return f"{value:.0f}" if key.endswith("_ms") or key == "n" else f"{value:.3f}"


def _item_table(title: str, pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[str]:
    lines = [f"## {title} ({len(pairs)})", ""]
    if not pairs:
        return [*lines, "(none)", ""]
    lines += ["| id | 类别 | 问题 | recall A → B | answer A | answer B |", "|---|---|---|---|---|---|"]
    for ia, ib in pairs:
        recall = f"{ia.get('fact_recall', 0.0):.2f} → {ib.get('fact_recall', 0.0):.2f}"
        lines.append(f"| {ib['id']} | {ib.get('category', '')} | {_short(ib.get('question', ''))} | "
                     f"{recall} | {_short(ia.get('answer', ''))} | {_short(ib.get('answer', ''))} |")
    return [*lines, ""]


def markdown(d: Diff) -> str:
    """The diff as Markdown: item lists with both answers side by side, then metric deltas."""
    lines = [f"# Eval diff: {d.a} → {d.b}", "",
             f"- better: {len(d.better)}, worse: {len(d.worse)}, changed answer: {len(d.changed)}"]
    if d.only_a or d.only_b:
        lines.append(f"- only in A: {', '.join(d.only_a) or '–'}; only in B: {', '.join(d.only_b) or '–'}")
    lines.append("")
    lines += _item_table("Better", d.better)
    lines += _item_table("Worse", d.worse)
    lines += _item_table("Changed answer", d.changed)
    lines += ["## Metric deltas (B − A)", "", "| scope | metric | A | B | Δ |", "|---|---|---|---|---|"]
    for scope, metrics in d.deltas.items():
        for key, (va, vb) in metrics.items():
            if va != vb or scope == "overall":
                lines.append(f"| {scope} | {key} | {_fmt(key, va)} | {_fmt(key, vb)} | "
                             f"{'+' if vb >= va else '-'}{_fmt(key, abs(vb - va))} |")
    return "\n".join([*lines, ""])


def write_diff(a_path: Path, b_path: Path) -> tuple[str, Path]:
    """Diff two saved report files; writes the Markdown beside B and returns (text, its path)."""
    a, b = load_report(a_path), load_report(b_path)
    text = markdown(diff(a, b, a_path.name, b_path.name))
    out = b_path.with_name(f"{b_path.stem}-diff-{a_path.stem}.md")
    out.write_text(text, encoding="utf-8")
    return text, out
