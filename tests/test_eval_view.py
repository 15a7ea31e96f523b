"""What the eval page shows, as data (rag/eval_view.py): uploads, saved runs, summary,
chart, filtered items and a diff."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from rag.errors import RagError
from rag.eval_diff import diff
from rag.eval_view import (
    OVERALL,
    categories,
    chart_data,
    diff_deltas,
    diff_items,
    item_rows,
    metric_name,
    questions_from_upload,
    report_from_upload,
    report_markdown,
    run_title,
    saved_runs,
    summary,
    template_bytes,
    without_evidence,
)
from rag.item_table import FAIL


def _item(item_id: str, category: str, recall: float, answer: str = "回答") -> dict:  # type: ignore[type-arg]
    return {"id": item_id, "category": category, "question": f"问题{item_id}", "answerable": True,
            "refused": False, "fact_recall": recall, "confidently_wrong": False, "answer": answer,
            "key_facts": ["x"]}


def _report(recall: float, items: list) -> dict:  # type: ignore[type-arg]
    cat = {"n": 2.0, "hit@3": 0.5, "fact_recall": recall, "citation_precision": 1.0, "latency_p50_ms": 12.3}
    return {"label": "default", "overall": {**cat, "n": 3.0}, "items": items,
            "by_category": {"数字": cat, "无答案": {"n": 1.0, "refusal_accuracy": 1.0}}}


def test_upload_errors_name_the_upload_and_each_row_in_chinese():
    sheet = "问题,要点,类别\n天生密封件公司创建于哪一年？,1998年12月,数字\n问二,,其他\n".encode()
    with pytest.raises(RagError) as err:
        questions_from_upload("我的问题.csv", sheet)
    message = err.value.zh
    assert "我的问题.csv" in message and "rag-upload-" not in message
    assert "第 3 行，“要点”列：为空" in message and "第 3 行，“类别”列：“其他”不是" in message
    with pytest.raises(RagError) as bad_report:
        report_from_upload("旧报告.json", b'{"hello": 1}')
    assert "旧报告.json" in bad_report.value.zh and "rag eval" in bad_report.value.zh
    gbk = "问题,要点,类别\n乙市有几家单项冠军？,12家,数字\n".encode("gbk")
    [item] = questions_from_upload("excel.csv", gbk)
    assert item.question == "乙市有几家单项冠军？" and item.id == "row-2"


def test_template_is_a_question_sheet():
    items = questions_from_upload("template.xlsx", template_bytes())
    assert len(items) == 2 and items[1].history  # the example follow-up


def test_saved_runs_newest_first_and_titles(tmp_path: Path):
    assert saved_runs(tmp_path / "missing") == []
    old, new = tmp_path / "20250101-120000-default.json", tmp_path / "20250102-090000-top_k=3.json"
    for n, path in enumerate((old, new)):
        path.write_text("{}", encoding="utf-8")
        os.utime(path, (1_000_000 + n, 1_000_000 + n))
    (tmp_path / "20250102-090000-top_k=3-items.csv").write_text("", encoding="utf-8")
    assert saved_runs(tmp_path) == [new, old]
    assert run_title(old) == "2025-01-01 12:00:00 · default" and run_title(Path("x.json")) == "x.json"


def test_summary_chart_and_filtered_items():
    report = _report(0.5, [_item("a", "数字", 1.0), _item("b", "数字", 0.0), _item("c", "改写", 0.0)])
    rows = {r["指标"]: r for r in summary(report)}
    assert list(rows)[0] == "题数 n" and rows["题数 n"][OVERALL] == 3
    assert rows["要点召回率 fact_recall"]["数字"] == 0.5 and rows["要点召回率 fact_recall"]["无答案"] is None
    assert rows["耗时P50(ms) latency_p50_ms"]["数字"] == 12
    assert "评审正确率 judge_correct" not in rows  # not judged
    assert chart_data(report)[metric_name("fact_recall")] == {"数字": 0.5}
    assert [r["编号"] for r in item_rows(report)] == ["b", "c", "a"]  # failures first
    assert [r["编号"] for r in item_rows(report, failed_only=True)] == ["b", "c"]
    assert [r["编号"] for r in item_rows(report, failed_only=True, categories=["改写"])] == ["c"]
    assert all(r["结果"] == FAIL for r in item_rows(report, failed_only=True))
    assert categories(report) == ["数字", "改写"]
    assert without_evidence(report) == 3 and without_evidence({"items": [{**_item("e", "数字", 1.0), "n_evidence": 1}]}) == 0


def test_judged_summary_and_chart():
    report = _report(0.5, [_item("a", "数字", 1.0)])
    report["overall"]["judge_correct"] = report["by_category"]["数字"]["judge_correct"] = 0.75
    assert any(r["指标"] == "评审正确率 judge_correct" for r in summary(report))
    assert chart_data(report)[metric_name("judge_correct")] == {"数字": 0.75}


def test_diff_records(tmp_path: Path):
    before = _report(0.5, [_item("up", "数字", 0.0, "不知道"), _item("same", "数字", 1.0)])
    after = _report(0.75, [_item("up", "数字", 1.0, "1998年"), _item("same", "数字", 1.0)])
    d = diff(before, after, "a.json", "b.json")
    [better] = diff_items(d.better)
    assert better["编号"] == "up" and (better["之前的回答"], better["现在的回答"]) == ("不知道", "1998年")
    deltas = {(r["范围"], r["指标"]): r for r in diff_deltas(d)}
    assert deltas[(OVERALL, "要点召回率 fact_recall")]["变化"] == 0.25
    assert (OVERALL, "命中@3 hit@3") in deltas and ("数字", "命中@3 hit@3") not in deltas  # unchanged
    path = tmp_path / "run.json"
    path.write_text(json.dumps(after, ensure_ascii=False), encoding="utf-8")
    assert report_markdown(path, after).startswith("# Eval report: default")  # no .md: made anew
    path.with_suffix(".md").write_text("saved", encoding="utf-8")
    assert report_markdown(path, after) == "saved"
