"""The 评测 page (rag/ui/eval_page.py) with Streamlit's AppTest, on the real session index."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from rag import eval_jobs

from .conftest import ROOT
from .test_plain_text import shown

PAGE = "from rag.ui.eval_page import render\nrender()\n"
GOOD = "问题,要点,类别,无答案\n天生密封件公司创建于哪一年？,1998年12月,数字,否\n杭州有多少家国家级制造业单项冠军企业？,,无答案,是\n"
CSV = "text/csv"


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    return tmp_path / "runs"


@pytest.fixture
def page(built_settings, monkeypatch: pytest.MonkeyPatch, runs: Path) -> Iterator[AppTest]:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("RAG_INDEX_DIR", str(built_settings.index_dir))
    monkeypatch.setenv("RAG_CORPUS_DIR", str(built_settings.corpus_dir))
    monkeypatch.setenv("RAG_EVAL_DIR", str(runs))
    at = AppTest.from_string(PAGE, default_timeout=60)
    at.run()
    yield at
    eval_jobs.cancel()
    eval_jobs.RUNNER.wait(120)  # the process's runner is shared: leave it idle


def _upload(at: AppTest, name: str, content: str) -> AppTest:
    at.file_uploader(key="eval-upload").set_value((name, content.encode("utf-8"), CSV)).run()
    return at


def test_empty_page(page):
    assert not page.exception
    assert any("还没有保存的评测" in i.value for i in page.info)
    assert [b.label for b in page.download_button] == ["下载空白问题表（Excel 模板）"]


def test_bad_sheet_names_rows_and_columns_in_chinese(page):
    _upload(page, "坏表.csv", "问题,要点,类别\n问一,,数字\n问二,x,其他\n")
    assert not page.exception
    [error] = page.error
    text = shown(error.value)
    assert "坏表.csv" in text and "第 2 行，“要点”列：为空" in text and "第 3 行，“类别”列" in text
    assert "Traceback" not in text and all(b.key != "eval-start" for b in page.button)  # nothing to run


def test_upload_run_results_filters_and_downloads(page, runs: Path):
    _upload(page, "两题.csv", GOOD)
    assert any("共 2 题" in shown(c.value) for c in page.caption)
    page.button(key="eval-start").click().run()
    assert not page.exception
    assert eval_jobs.RUNNER.wait(120).state == "done"
    page.run()  # the poll that sees the run end switches the page to it
    page.run()
    [saved] = runs.glob("*-default.json")
    assert page.selectbox(key="eval-run").value == saved
    summary, items = page.dataframe[0].value, page.dataframe[1].value
    assert "总体" in summary.columns and "要点召回率 fact_recall" in set(summary["指标"])
    assert set(items["问题"]) == {"天生密封件公司创建于哪一年？", "杭州有多少家国家级制造业单项冠军企业？"}
    page.multiselect(key="eval-cats").select("无答案").run()
    assert list(page.dataframe[1].value["类别"]) == ["无答案"]
    page.checkbox(key="eval-failed").check().run()
    assert len(page.dataframe[1].value) == 0  # the refusal passed
    labels = [b.label for b in page.download_button]
    assert {"下载报告（JSON）", "下载报告（Markdown）", "下载逐题结果（CSV）", "下载逐题结果（Excel）"} <= set(labels)
    assert any("最近一次评测已完成" in shown(s.value) for s in page.success)


def test_second_start_while_running_says_so(page, built_settings, monkeypatch: pytest.MonkeyPatch):
    gate = threading.Event()
    real = eval_jobs.run_job

    def held(*args, **kwargs):  # type: ignore[no-untyped-def]
        gate.wait(60)  # keeps the first run going while the page tries a second
        return real(*args, **kwargs)

    monkeypatch.setattr(eval_jobs, "run_job", held)
    _upload(page, "两题.csv", GOOD)
    page.button(key="eval-start").click().run()
    assert eval_jobs.status().running
    page.button(key="eval-start").click().run()
    assert any("已有评测在运行" in w.value for w in page.warning)
    assert not page.exception
    page.button(key="eval-cancel").click().run()
    gate.set()
    assert eval_jobs.RUNNER.wait(120).state == "cancelled"
    page.run()
    assert any("已停止" in i.value for i in page.info)


def _saved(runs: Path, name: str, recall: float, answer: str) -> Path:
    item = {"id": "q1", "category": "数字", "question": "问题一", "answerable": True, "refused": False,
            "fact_recall": recall, "confidently_wrong": False, "answer": answer, "key_facts": ["x"]}
    metrics = {"n": 1.0, "hit@3": 1.0, "fact_recall": recall}
    runs.mkdir(exist_ok=True)
    path = runs / name
    path.write_text(json.dumps({"label": "default", "qa": "q.csv", "overall": metrics,
                                "by_category": {"数字": metrics}, "items": [item]}, ensure_ascii=False),
                    encoding="utf-8")
    return path


def test_compare_with_saved_and_uploaded_runs(page, runs: Path):
    older = _saved(runs, "20250101-120000-default.json", 0.0, "不知道")
    _saved(runs, "20250102-120000-default.json", 1.0, "1998年")
    page.run()
    assert page.selectbox(key="eval-run").value.name == "20250102-120000-default.json"  # newest first
    page.selectbox(key="eval-cmp-run").set_value(older).run()
    assert not page.exception
    assert [(m.label, m.value) for m in page.metric] == [("变好", "1"), ("变差", "0"), ("回答有变化", "0")]
    better = page.tabs[0].dataframe[0].value
    assert list(better["之前的回答"]) == ["不知道"] and list(better["现在的回答"]) == ["1998年"]
    page.radio(key="eval-cmp-source").set_value("上传报告文件（.json）").run()
    page.file_uploader(key="eval-cmp-upload").set_value(("随便.json", b"[1, 2]", "application/json")).run()
    assert any("随便.json" in shown(e.value) and "rag eval" in shown(e.value) for e in page.error)
    page.file_uploader(key="eval-cmp-upload").set_value(
        ("旧的.json", older.read_bytes(), "application/json")).run()
    assert [m.value for m in page.metric] == ["1", "0", "0"]


def test_file_names_with_markdown_stay_text(page):
    name = "![x](http://127.0.0.1:9/x.png).csv"
    _upload(page, name, GOOD)
    values = [c.value for c in page.caption]
    assert any(name in shown(v) for v in values)
    assert all("](" not in v for v in values)
