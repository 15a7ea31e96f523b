"""Index building under faults: one writer at a time, no leftover vector folders, a
damaged database reported clearly (CLI as a subprocess, API over real HTTP) and
replaced by a rebuild. Real Chroma, real files."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx

from rag.indexing import build_index
from rag.settings import load_settings

from .test_api import serve

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
