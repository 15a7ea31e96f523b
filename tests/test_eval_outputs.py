"""What an eval run leaves for evaluators: per-item CSV/XLSX tables, and the run-to-run diff."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from rag.cli import app
from rag.item_table import FAIL, HEADER, PASS

runner = CliRunner()


def test_eval_on_an_xlsx_writes_per_item_tables_failures_first(built_settings, tmp_path: Path):
    book = Workbook()
    for row in (["编号", "问题", "要点", "类别", "证据", "无答案"],
                ["num-001", "天生密封件公司创建于哪一年？", "1998年12月", "数字",
                 "000_fafd1efa235bafb1：宁波天生密封件有限公司创建于 1998 年 12 月", "否"],
                ["noans-001", "杭州有多少家国家级制造业单项冠军企业？", "", "无答案", "", "是"],
                ["impossible", "天生密封件公司创建于哪一年？", "不可能出现的要点ＸＹＺ", "数字", "", "否"]):
        book.active.append(row)
    qa = tmp_path / "set.xlsx"
    book.save(qa)
    result = runner.invoke(app, ["--corpus-dir", str(built_settings.corpus_dir), "--index-dir",
                                 str(built_settings.index_dir), "eval", "--qa", str(qa),
                                 "--out", str(tmp_path / "rep")])
    assert result.exit_code == 0, result.output
    [csv_path] = (tmp_path / "rep").glob("*-items.csv")
    [xlsx_path] = (tmp_path / "rep").glob("*-items.xlsx")
    assert csv_path.name in result.output.replace("\n", "") and "per-item results" in result.output
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert tuple(rows[0]) == HEADER and len(rows) == 4
    status = [r[1] for r in rows[1:]]
    assert status == sorted(status, key=lambda s: s != FAIL)  # failures first
    by_id = {r[0]: dict(zip(HEADER, r, strict=True)) for r in rows[1:]}
    assert by_id["impossible"]["结果"] == FAIL and by_id["impossible"]["要点命中"] == "0/1"
    assert by_id["noans-001"]["应含要点"] == "（无答案）"
    assert by_id["num-001"]["问题"] == "天生密封件公司创建于哪一年？" and by_id["num-001"]["回答"]
    if by_id["num-001"]["结果"] == PASS:
        assert by_id["num-001"]["引用来源"].startswith("[1] ")
    sheet = load_workbook(xlsx_path).active
    xlsx_rows = [[("" if c is None else str(c)) for c in r] for r in sheet.iter_rows(values_only=True)]
    assert xlsx_rows[0] == list(HEADER) and [r[0] for r in xlsx_rows[1:]] == [r[0] for r in rows[1:]]


def _item(item_id: str, answer: str, recall: float, refused: bool = False, **extra: object) -> dict:  # type: ignore[type-arg]
    return {"id": item_id, "category": "数字", "question": f"问题{item_id}", "answerable": True,
            "refused": refused, "fact_recall": recall, "confidently_wrong": False, "answer": answer,
            "key_facts": ["x"], **extra}


def _report(path: Path, items: list, recall: float) -> Path:  # type: ignore[type-arg]
    metrics = {"n": 4.0, "hit@3": 0.75, "fact_recall": recall}
    path.write_text(json.dumps({"label": path.stem, "overall": metrics, "by_category": {"数字": metrics},
                                "items": items}, ensure_ascii=False), encoding="utf-8")
    return path


def test_diff_lists_better_worse_and_changed_items_and_deltas(tmp_path: Path):
    a = _report(tmp_path / "a.json", [_item("up", "不知道", 0.0, refused=True), _item("down", "答案甲" * 30, 1.0),
                                      _item("same", "一样", 1.0), _item("reworded", "旧说法", 1.0)], 0.75)
    b = _report(tmp_path / "b.json", [_item("up", "1998年", 1.0), _item("down", "答案乙", 0.0),
                                      _item("same", "一样", 1.0), _item("reworded", "新说法", 1.0)], 0.80)
    result = runner.invoke(app, ["eval", "--diff", str(a), str(b)])
    assert result.exit_code == 0, result.output
    written = tmp_path / "b-diff-a.md"
    text = written.read_text(encoding="utf-8")
    assert "better: 1, worse: 1, changed answer: 1" in text
    better, worse = text.split("## Worse")[0], text.split("## Worse")[1].split("## Changed")[0]
    assert "| up |" in better and "不知道" in better and "1998年" in better
    assert "| down |" in worse and "答案乙" in worse and "…" in worse  # long answer shortened
    assert "| reworded |" in text.split("## Changed answer")[1] and "| same |" not in text
    assert "| overall | fact_recall | 0.750 | 0.800 | +0.050 |" in text
    assert "| 数字 | fact_recall |" in text
    assert "better: 1" in result.output and str(written.name) in result.output


def test_diff_errors_are_clear(tmp_path: Path):
    missing = runner.invoke(app, ["eval", "--diff", str(tmp_path / "a.json"), str(tmp_path / "b.json")])
    assert missing.exit_code == 2 and "file not found" in missing.output
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}', encoding="utf-8")
    wrong = runner.invoke(app, ["eval", "--diff", str(other), str(other)])
    assert wrong.exit_code == 2 and "not an eval report" in wrong.output
    assert "Traceback" not in missing.output + wrong.output
