"""`rag eval --judge`: an LLM judge beside the string metrics, against the scripted
OpenAI-compatible stub on 127.0.0.1 (tests/stub_llm.py)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.cli import app
from rag.evaluate import QAItem
from rag.judge import make_judge, parse_verdict
from rag.schema import Answer, Citation
from tests import stub_llm

runner = CliRunner()
DOC = "000_fafd1efa235bafb1"
ITEMS = [
    {"id": "j-para", "question": "天生密封件公司采用的是哪种技术追赶模式？", "category": "追赶模式",
     "key_facts": ["技术联盟型"], "evidence": [{"doc_id": DOC, "quote": "2.3 技术联盟型——以天生密封件公司为例"}]},
    {"id": "j-unfaithful", "question": "天生密封件公司创建于哪一年？", "category": "数字",
     "key_facts": ["1998年12月"],
     "evidence": [{"doc_id": DOC, "quote": "宁波天生密封件有限公司创建于 1998 年 12 月"}]},
    {"id": "j-garbage", "question": "天生密封件公司与哪位院士在2011年合作建立了院士专家工作站？",
     "category": "追赶模式", "key_facts": ["王玉明"],
     "evidence": [{"doc_id": DOC, "quote": "天生密封件公司于 2011 年与王玉明院士合作建立了院士专家工作站"}]},
]
# per item: the streamed LLM answer, then the judge's plain reply
SCRIPT = [
    "天生密封件公司靠与高校和科研院所结盟、联合攻关来追赶先进水平[1]。",
    '```json\n{"correct": 1, "faithful": 1, "reason": "换了说法，说的就是技术联盟型。"}\n```',
    "天生密封件公司创建于1998年12月[1]，如今已是全球规模最大的密封件企业[1]。",
    '评审如下：{"correct": 1, "faithful": 0, "reason": "“全球规模最大”在资料中没有依据。"} 以上。',
    "天生密封件公司在2011年与王玉明院士合作建立了院士专家工作站[1]。",
    "这个回答很好，我给满分。",
]


@pytest.fixture
def qa_file(tmp_path: Path) -> Path:
    path = tmp_path / "qa.jsonl"
    path.write_text("\n".join(json.dumps({**i, "answerable": True}, ensure_ascii=False) for i in ITEMS),
                    encoding="utf-8")
    return path


def _llm_env(monkeypatch: pytest.MonkeyPatch, stub: stub_llm.StubLLM) -> None:
    stub.replies.clear()
    stub.requests.clear()
    monkeypatch.setenv("RAG_LLM", "openai")
    monkeypatch.setenv("RAG_LLM_BASE_URL", stub.url)
    monkeypatch.setenv("RAG_LLM_MODEL", "stub-qwen")
    monkeypatch.setenv("RAG_LLM_TIMEOUT", "5")


def test_parse_verdict_tolerates_fences_and_text():
    assert parse_verdict('{"correct": 1, "faithful": 0, "reason": "x"}').faithful == 0
    fenced = parse_verdict('```json\n{"correct": true, "faithful": "1"}\n```')
    assert fenced is not None and (fenced.correct, fenced.faithful) == (1, 1)
    assert parse_verdict('理由：{见下} 结果 {"correct": 0, "faithful": 1, "reason": "缺要点"}').correct == 0
    for bad in ("", "不是JSON", '{"correct": 2, "faithful": 1}', '{"correct": 1}', "[1, 1]"):
        assert parse_verdict(bad) is None


def test_eval_judge_beside_string_metrics(built_settings, stub, qa_file, tmp_path, monkeypatch):
    _llm_env(monkeypatch, stub)
    stub.replies += [stub_llm.Reply(text) for text in SCRIPT]
    out = tmp_path / "reports"
    result = runner.invoke(app, ["--index-dir", str(built_settings.index_dir), "eval",
                                 "--qa", str(qa_file), "--out", str(out), "--judge"])
    assert result.exit_code == 0, result.output
    assert "judge_correct" in result.output and "fact_recall" in result.output
    report = json.loads(next(out.glob("*-default.json")).read_text(encoding="utf-8"))
    items = {i["id"]: i for i in report["items"]}

    para = items["j-para"]  # a paraphrase: string match misses it, the judge does not
    assert para["fact_recall"] == 0.0 and para["judge_correct"] == 1 and para["judge_faithful"] == 1
    assert "技术联盟型" in para["judge_reason"] and para["judge_failed"] is False
    unfaithful = items["j-unfaithful"]
    assert unfaithful["fact_recall"] == 1.0 and unfaithful["judge_faithful"] == 0
    garbage = items["j-garbage"]  # an unparseable verdict: counted, the run went on
    assert garbage["judge_failed"] is True and garbage["judge_correct"] is None

    overall = report["overall"]
    for key in ("hit@3", "fact_recall", "citation_precision", "confidently_wrong"):
        assert key in overall  # the string metrics stay
    assert overall["judge_failed"] == pytest.approx(1 / 3)
    assert overall["judge_correct"] == 1.0 and overall["judge_faithful"] == 0.5
    assert report["by_category"]["数字"]["judge_faithful"] == 0.0
    assert report["judge"] == "openai:stub-qwen"
    assert "judge_faithful" in next(out.glob("*-default.md")).read_text(encoding="utf-8")
    with next(out.glob("*-default-items.csv")).open(encoding="utf-8-sig", newline="") as fh:
        header, *lines = list(csv.reader(fh))  # the per-item table carries the verdicts
    rows = {r[0]: r for r in lines}
    assert header[-3:] == ["评审正确", "评审忠实", "评审理由"]
    assert rows["j-unfaithful"][-3:-1] == ["是", "否"] and "没有依据" in rows["j-unfaithful"][-1]
    assert rows["j-garbage"][-3:-1] == ["失败", "失败"]

    judged = [r for r in stub.requests if not r["stream"]]
    assert len(judged) == 3 and len(stub.requests) == 6
    system, user = judged[0]["messages"]
    assert system["content"].startswith("你是问答系统的评审员") and '"faithful"' in system["content"]
    assert "应含要点：技术联盟型" in user["content"] and SCRIPT[0] in user["content"]
    assert '<passage id="1"' in user["content"] and judged[0]["temperature"] == 0.0


def test_judge_call_failure_is_judge_failed(built_settings, stub, monkeypatch):
    _llm_env(monkeypatch, stub)
    stub.replies += [stub_llm.Reply(status=500)]
    judge = make_judge(built_settings.model_copy(update={
        "llm_base_url": stub.url, "llm_model": "stub-qwen", "llm_max_retries": 0}))
    item = QAItem("x", "问题？", "数字", ("1998年",), (), True)
    cite = Citation(1, DOC, "标题", "发布者", "", "", "引文", "c1", passage="资料原文")
    verdict = judge.verdict(item, Answer("问题？", "回答[1]", [cite]))
    assert verdict.failed and verdict.correct is None and "failed" in verdict.reason


def test_judge_without_endpoint_stops_with_message(built_settings, qa_file, tmp_path):
    result = runner.invoke(app, ["--index-dir", str(built_settings.index_dir), "eval",
                                 "--qa", str(qa_file), "--out", str(tmp_path / "r"), "--judge"])
    assert result.exit_code == 2
    assert "RAG_LLM_BASE_URL" in result.output and "RAG_LLM_MODEL" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "r").exists()
