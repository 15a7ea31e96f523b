"""The per-version snapshot readers load instead of reading every row from the store:
written by builds and updates with exactly the store's content, older versions
removed, and a missing or damaged one replaced by reading the store. Real Chroma,
real embedder, real files."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from rag.indexing import build_index, store_for, update_index
from rag.pipeline import Pipeline
from rag.settings import Settings, load_settings
from rag.snapshot import Snapshot, load_snapshot, read_store, snapshot_dir
from rag.store import ChromaStore


def _same(a: Snapshot, b: Snapshot) -> None:
    assert a.chunks == b.chunks and a.docs == b.docs and a.facts == b.facts and a.profile == b.profile
    assert a.fact_vectors.shape == b.fact_vectors.shape
    assert np.allclose(a.fact_vectors, b.fact_vectors, atol=1e-6)


def _snapshot_matches_store(settings: Settings) -> str:
    store = store_for(settings)
    tag, dim = store.info().tag, store.info().dim
    saved = load_snapshot(settings.index_dir, tag, dim)
    assert saved is not None and saved.facts and saved.chunks
    _same(saved, read_store(store))
    return tag


def test_builds_and_updates_save_the_stores_content_for_their_version(tiny_corpus: Path, tmp_path: Path):
    settings = load_settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "idx")
    build_index(settings)
    first = _snapshot_matches_store(settings)
    (tiny_corpus / "c.txt").write_text("# 丙公司\n\n丙公司2020年研发投入3亿元，拥有发明专利45项。\n", encoding="utf-8")
    (tiny_corpus / "b.md").unlink()
    assert update_index(settings).mode == "updated"
    second = _snapshot_matches_store(settings)
    assert second != first and not snapshot_dir(settings.index_dir, first).exists()  # the old one is removed
    assert [p.name for p in (settings.index_dir / "snapshot").iterdir()] == [snapshot_dir(tmp_path, second).name]


def test_the_pipeline_loads_from_the_snapshot_without_reading_rows_from_the_store(
        tiny_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    settings = load_settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "idx")
    build_index(settings)

    def refuse(self: ChromaStore) -> None:
        raise AssertionError("read from the store although a snapshot was saved")

    for method in ("chunks", "documents", "facts"):
        monkeypatch.setattr(ChromaStore, method, refuse)
    assert "12家" in Pipeline.load(settings).ask("乙市有多少家单项冠军企业？").text


@pytest.mark.parametrize("damage", ["missing", "garbage", "vectors_cut", "vectors_wrong", "old_format"])
def test_a_missing_or_damaged_snapshot_is_replaced_by_reading_the_store(
        tiny_corpus: Path, tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture):
    settings = load_settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "idx")
    tag = build_index(settings).info.tag
    folder = snapshot_dir(settings.index_dir, tag)
    if damage == "missing":
        shutil.rmtree(folder)
    elif damage == "garbage":
        (folder / "content.json").write_bytes(b"\xff{not json")
    elif damage == "vectors_cut":
        data = (folder / "fact_vectors.npy").read_bytes()
        (folder / "fact_vectors.npy").write_bytes(data[: len(data) // 2])
    elif damage == "vectors_wrong":
        np.save(folder / "fact_vectors.npy", np.zeros((1, 3), dtype=np.float32))
    else:
        text = (folder / "content.json").read_text(encoding="utf-8")
        (folder / "content.json").write_text(text.replace('"format": 1', '"format": 0'), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="rag.snapshot"):
        pipe = Pipeline.load(settings)
    assert "12家" in pipe.ask("乙市有多少家单项冠军企业？").text
    if damage in ("garbage", "vectors_cut", "vectors_wrong"):
        assert "Ignoring the index snapshot" in caplog.text
    _snapshot_matches_store(settings)  # saved again, whole


def test_an_unwritable_index_folder_still_loads(tiny_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 caplog: pytest.LogCaptureFixture):
    settings = load_settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "idx")
    build_index(settings)
    shutil.rmtree(settings.index_dir / "snapshot")
    (settings.index_dir / "snapshot").write_text("a file where the folder should be", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="rag.snapshot"):
        pipe = Pipeline.load(settings)
    assert "Could not save the index snapshot" in caplog.text
    assert "12家" in pipe.ask("乙市有多少家单项冠军企业？").text
