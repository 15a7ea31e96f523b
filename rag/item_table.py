"""The per-item results of one eval run as a table (CSV for Excel, and .xlsx), failures first.

It reads the report's ``items`` (``ItemResult`` fields, eval/SCHEMA.md), so it works on a
fresh run and on a saved report .json alike. A run judged by an LLM (``rag eval --judge``)
gets the judge's verdicts as extra columns (``JUDGE_HEADER``; 评审理由 when any item has a
reason).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rag import metrics as m

HEADER = ("编号", "结果", "问题", "类别", "应含要点", "回答", "简答", "要点命中", "拒答",
          "自信地答错", "检索到却拒答", "hit@3", "引用来源", "耗时ms")
WIDTHS = (12, 8, 36, 12, 28, 60, 20, 10, 8, 10, 12, 8, 40, 9)
# judge_correct, judge_faithful (0/1, "失败" when the judge gave no verdict), judge_reason
JUDGE_HEADER = ("评审正确", "评审忠实")
JUDGE_REASON = "评审理由"
JUDGE_WIDTHS = (10, 10)
JUDGE_REASON_WIDTH = 40
PASS, FAIL = "通过", "未通过"
JUDGE_FAILED = "失败"


def passed(item: Mapping[str, Any]) -> bool:
    """An answerable item passes when it answers with every key fact and is not confidently
    wrong; an unanswerable one when it refuses."""
    if not item.get("answerable", True):
        return bool(item.get("refused"))
    return (not item.get("refused") and not item.get("confidently_wrong")
            and item.get("fact_recall", 0.0) >= 1.0)


def _yes(flag: Any) -> str:
    return "是" if flag else "否"


def judged(report: Mapping[str, Any]) -> bool:
    """Whether any item of the run carries the LLM judge's verdict (``judge_failed`` set)."""
    return any(i.get("judge_failed") is not None for i in report.get("items", []))


def _with_reason(report: Mapping[str, Any]) -> bool:
    return any(i.get("judge_reason") for i in report.get("items", []))


def header(report: Mapping[str, Any]) -> tuple[str, ...]:
    """The column names for this run: ``HEADER``, plus the judge's columns when it was judged."""
    if not judged(report):
        return HEADER
    return (*HEADER, *JUDGE_HEADER, *((JUDGE_REASON,) if _with_reason(report) else ()))


def _verdict(item: Mapping[str, Any], key: str) -> str:
    if item.get("judge_failed") is None:
        return "–"  # not judged
    if item.get("judge_failed") or item.get(key) is None:
        return JUDGE_FAILED
    return _yes(item.get(key))


def judge_cells(item: Mapping[str, Any], reason: bool) -> list[str]:
    """The judge's columns of one row: correct, faithful (是/否/失败/–) and the reason."""
    cells = [_verdict(item, "judge_correct"), _verdict(item, "judge_faithful")]
    return [*cells, str(item.get("judge_reason") or "")] if reason else cells


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
    """The rows of a report's items, failures first (in run order within each group), with
    the judge's columns when the run was judged (see ``header``)."""
    items = sorted(report.get("items", []), key=passed)
    if not judged(report):
        return [row(i) for i in items]
    reason = _with_reason(report)
    return [[*row(i), *judge_cells(i, reason)] for i in items]


def csv_bytes(report: Mapping[str, Any]) -> bytes:
    """The per-item table as CSV, UTF-8 with a BOM (Excel then reads the Chinese right)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header(report))
    writer.writerows(rows(report))
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(report: Mapping[str, Any]) -> bytes:
    """The per-item table as an .xlsx workbook (sheet 逐题结果, wrapped text, frozen header)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from rag.qa_formats import fill_sheet

    names = header(report)
    widths = (*WIDTHS, *JUDGE_WIDTHS, JUDGE_REASON_WIDTH)[:len(names)]
    book = Workbook()
    sheet = book.active
    sheet.title = "逐题结果"
    fill_sheet(sheet, [list(names), *rows(report)], widths)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "C2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def table_paths(json_path: Path) -> tuple[Path, Path]:
    """Where the per-item tables of a saved report go: <report>-items.csv and .xlsx."""
    base = json_path.with_suffix("")
    return base.with_name(base.name + "-items.csv"), base.with_name(base.name + "-items.xlsx")


def write_tables(report: Mapping[str, Any], json_path: Path) -> tuple[Path, Path]:
    """Write <report>-items.csv (UTF-8 with BOM) and <report>-items.xlsx beside the report."""
    csv_path, xlsx_path = table_paths(json_path)
    csv_path.write_bytes(csv_bytes(report))
    xlsx_path.write_bytes(xlsx_bytes(report))
    return csv_path, xlsx_path
