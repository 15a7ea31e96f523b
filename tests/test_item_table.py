"""Per-item result tables: columns, failures first, and the LLM judge's columns."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import load_workbook

from rag.item_table import (
    FAIL,
    HEADER,
    JUDGE_FAILED,
    JUDGE_HEADER,
    JUDGE_REASON,
    PASS,
    csv_bytes,
    header,
    rows,
    write_tables,
    xlsx_bytes,
)


def _item(item_id: str, recall: float, **extra: object) -> dict:  # type: ignore[type-arg]
    return {"id": item_id, "category": "数字", "question": f"问题{item_id}", "answerable": True,
            "refused": False, "fact_recall": recall, "confidently_wrong": False, "answer": "回答",
            "key_facts": ["1998年"], "sources": ["[1] doc 《标题》", "[2] doc2 《标题二》"], **extra}


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_unjudged_run_has_the_plain_header_failures_first():
    report = {"items": [_item("ok", 1.0), _item("bad", 0.0)]}
    assert header(report) == HEADER
    table = _csv_rows(csv_bytes(report))
    assert tuple(table[0]) == HEADER
    assert [(r[0], r[1]) for r in table[1:]] == [("bad", FAIL), ("ok", PASS)]
    assert table[2][HEADER.index("引用来源")] == "[1] doc 《标题》\n[2] doc2 《标题二》"  # kept in one cell


def test_judged_run_adds_verdict_and_reason_columns(tmp_path: Path):
    report = {"items": [
        _item("right", 1.0, judge_correct=1, judge_faithful=0, judge_failed=False, judge_reason="有一句没有依据"),
        _item("failed", 0.0, judge_correct=None, judge_faithful=None, judge_failed=True,
              judge_reason="unparseable judge reply: 很好"),
        _item("skipped", 1.0),  # an item the judge never saw (e.g. from an older run)
    ]}
    names = header(report)
    assert names == (*HEADER, *JUDGE_HEADER, JUDGE_REASON)
    by_id = {r[0]: dict(zip(names, r, strict=True)) for r in _csv_rows(csv_bytes(report))[1:]}
    assert (by_id["right"]["评审正确"], by_id["right"]["评审忠实"]) == ("是", "否")
    assert by_id["right"]["评审理由"] == "有一句没有依据"
    assert by_id["failed"]["评审正确"] == by_id["failed"]["评审忠实"] == JUDGE_FAILED
    assert by_id["skipped"]["评审正确"] == "–" and by_id["skipped"]["评审理由"] == ""
    csv_path, xlsx_path = write_tables(report, tmp_path / "20250101-120000-default.json")
    assert csv_path.name == "20250101-120000-default-items.csv" and xlsx_path.suffix == ".xlsx"
    sheet = load_workbook(xlsx_path).active
    assert [c.value for c in sheet[1]] == list(names)
    assert sheet.max_row == 4 and sheet.title == "逐题结果"


def test_judge_without_reasons_has_no_reason_column():
    report = {"items": [_item("a", 1.0, judge_correct=1, judge_faithful=1, judge_failed=False)]}
    assert header(report) == (*HEADER, *JUDGE_HEADER)
    assert len(rows(report)[0]) == len(HEADER) + 2
    book = load_workbook(io.BytesIO(xlsx_bytes(report)))
    assert [c.value for c in book.active[1]][-2:] == list(JUDGE_HEADER)
