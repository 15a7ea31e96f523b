"""Background eval runs (rag/eval_jobs.py) on the real pipeline over the session index."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag import eval_jobs
from rag.errors import ConfigError
from rag.eval_jobs import EvalBusyError, Job, Runner
from rag.evaluate import QAItem
from rag.item_table import HEADER, JUDGE_HEADER

DOC = "000_fafd1efa235bafb1"
ITEMS = (
    QAItem("year", "天生密封件公司创建于哪一年？", "数字", ("1998年12月",),
           ((DOC, "宁波天生密封件有限公司创建于 1998 年 12 月"),), True),
    QAItem("none", "杭州有多少家国家级制造业单项冠军企业？", "无答案", (), (), False),
    QAItem("staff", "旭升集团派往墨西哥的技术骨干有多少人？", "企业与产品", ("25名",), (), True),
)


@pytest.fixture
def runner() -> Iterator[Runner]:
    r = Runner()
    yield r
    r.cancel()
    r.wait(120)  # no run outlives its test


def test_run_in_background_saves_report_and_tables(built_settings, runner, tmp_path: Path):
    job_id = runner.start(Job(ITEMS, built_settings, "我的问题.csv", tmp_path / "reports"))
    first = runner.status()
    assert first.running and first.job_id == job_id and first.total == 3
    with pytest.raises(EvalBusyError) as busy:  # one run at a time per process
        runner.start(Job(ITEMS, built_settings, "另一个.csv", tmp_path / "other"))
    assert "已有评测在运行" in busy.value.zh
    status = runner.wait(120)
    assert status.state == "done" and (status.done, status.total) == (3, 3) and status.error == ""
    path = status.report_path
    assert path is not None and path.parent == tmp_path / "reports" and path.name.endswith("-default.json")
    assert not (tmp_path / "other").exists()
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["qa"] == "我的问题.csv" and saved["split"] == "all" and saved["label"] == "default"
    assert {i["id"] for i in saved["items"]} == {"year", "none", "staff"}
    assert saved["by_category"]["数字"]["fact_recall"] == 1.0  # the real pipeline answered
    assert runner.result() is not None and runner.result()["overall"] == saved["overall"]
    for suffix in ("-items.csv", "-items.xlsx", ".md"):
        assert path.with_name(path.stem + suffix).exists()
    with path.with_name(path.stem + "-items.csv").open(encoding="utf-8-sig", newline="") as fh:
        assert tuple(next(csv.reader(fh))) == HEADER  # not judged: no judge columns
    assert runner.start(Job(ITEMS[:1], built_settings, "again.csv", tmp_path / "reports")) == job_id + 1
    assert runner.wait(120).state == "done"


def test_cancel_stops_after_the_current_question(built_settings, runner, tmp_path: Path):
    runner.start(Job(ITEMS * 4, built_settings, "long.csv", tmp_path / "reports"))
    assert runner.cancel()
    status = runner.wait(120)
    assert status.state == "cancelled" and status.done < 12 and status.report_path is None
    assert not list((tmp_path / "reports").glob("*.json"))  # a stopped run is not saved
    assert not runner.cancel()  # nothing runs now


def test_failure_ends_as_a_chinese_message(built_settings, runner, tmp_path: Path):
    no_index = built_settings.model_copy(update={"index_dir": tmp_path / "empty-index"})
    runner.start(Job(ITEMS, no_index, "x.csv", tmp_path / "reports"))
    status = runner.wait(120)
    assert status.state == "failed" and "索引不存在" in status.error and "Traceback" not in status.error
    assert runner.result() is None


def test_judge_without_endpoint_stops_before_running(built_settings, runner, tmp_path: Path):
    with pytest.raises(ConfigError, match="--judge needs an LLM endpoint"):
        runner.start(Job(ITEMS, built_settings, "x.csv", tmp_path, judge=True))
    assert runner.status().state == "idle"


def test_judged_run_has_judge_columns(built_settings, runner, stub, tmp_path: Path):
    stub.replies.clear()
    stub.default.text = '{"correct": 1, "faithful": 1, "reason": "要点齐全"}'
    try:
        settings = built_settings.model_copy(update={"llm_base_url": stub.url, "llm_model": "stub-judge"})
        runner.start(Job(ITEMS[:2], settings, "judged.csv", tmp_path, judge=True))
        status = runner.wait(120)
    finally:
        stub.default.text = "好的。"
    assert status.state == "done" and status.report_path is not None
    report = json.loads(status.report_path.read_text(encoding="utf-8"))
    assert report["judge"] == "openai:stub-judge" and report["overall"]["judge_correct"] == 1.0
    with status.report_path.with_name(status.report_path.stem + "-items.csv").open(
            encoding="utf-8-sig", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    assert header[len(HEADER):] == [*JUDGE_HEADER, "评审理由"]
    assert all(r[-3:] == ["是", "是", "要点齐全"] for r in rows)


def test_reports_dir_from_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.chdir(tmp_path)  # no .env from the working folder
    assert eval_jobs.reports_dir() == Path("eval/reports")  # as rag eval --out
    monkeypatch.setenv("RAG_EVAL_DIR", str(tmp_path / "runs"))
    assert eval_jobs.reports_dir() == tmp_path / "runs"
