"""The per-item results of one eval run as a table (CSV for Excel, and .xlsx), failures first.

It reads the report's ``items`` (``ItemResult`` fields, eval/SCHEMA.md), so it works on a
fresh run and on a saved report .json alike.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rag import metrics as m

HEADER = ("编号", "结果", "问题", "类别", "应含要点", "回答", "简答", "要点命中", "拒答",
          "自信地答错", "检索到却拒答", "hit@3", "引用来源", "耗时ms")
WIDTHS = (12, 8, 36, 12, 28, 60, 20, 10, 8, 10, 12, 8, 40, 9)
PASS, FAIL = "通过", "未通过"


def passed(item: Mapping[str, Any]) -> bool:
    """An answerable item passes when it answers with every key fact and is not confidently
    wrong; an unanswerable one when it refuses."""
    if not item.get("answerable", True):
        return bool(item.get("refused"))
    return (not item.get("refused") and not item.get("confidently_wrong")
            and item.get("fact_recall", 0.0) >= 1.0)


def _yes(flag: Any) -> str:
    return "是" if flag else "否"


def row(item: Mapping[str, Any]) -> list[Any]:
    """One table row: the question, what was expected, the answer and pass/fail per metric."""
    facts = item.get("key_facts") or []
    answerable = item.get("answerable", True)
    hit3 = m.hit_at(item.get("ranks") or [], 3) >= 1.0
    found = item.get("facts_found", round(item.get("fact_recall", 0.0) * len(facts)))
    return [
        item.get("id", ""), PASS if passed(item) else FAIL, item.get("question", ""),
        item.get("category", ""), "；".join(facts) if answerable else "（无答案）",
        item.get("answer", ""), item.get("short", ""),
        f"{found}/{len(facts)}" if answerable else "–",
        _yes(item.get("refused")),
        _yes(item.get("confidently_wrong")) if answerable else "–",
        _yes(item.get("refused_though_retrieved")) if answerable else "–",
        _yes(hit3) if answerable and item.get("n_evidence") else "–",
        "\n".join(item.get("sources") or []), round(float(item.get("latency_ms", 0.0))),
    ]


def rows(report: Mapping[str, Any]) -> list[list[Any]]:
    """The rows of a report's items, failures first (in run order within each group)."""
    items = list(report.get("items", []))
    return [row(i) for i in sorted(items, key=passed)]


def write_tables(report: Mapping[str, Any], json_path: Path) -> tuple[Path, Path]:
    """Write <report>-items.csv (UTF-8 with BOM) and <report>-items.xlsx beside the report."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from rag.qa_formats import fill_sheet

    table = rows(report)
    base = json_path.with_suffix("")
    csv_path = base.with_name(base.name + "-items.csv")
    with csv_path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(table)
    book = Workbook()
    sheet = book.active
    sheet.title = "逐题结果"
    fill_sheet(sheet, [list(HEADER), *table], WIDTHS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "C2"
    xlsx_path = base.with_name(base.name + "-items.xlsx")
    book.save(xlsx_path)
    return csv_path, xlsx_path
