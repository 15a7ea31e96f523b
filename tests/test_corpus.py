"""Loading the corpus folder: manifest metadata, encodings, empty and bad files."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from rag.corpus import decode_bytes, load_corpus
from rag.errors import CorpusError

from .conftest import CORPUS


def test_bundled_corpus_has_manifest_metadata():
    loaded = load_corpus(CORPUS)
    assert len(loaded.docs) == 5
    by_id = {d.meta.doc_id: d.meta for d in loaded.docs}
    suzhou = by_id["004_5fdd652ecef025e0"]
    assert suzhou.home_city == "苏州" and suzhou.date == "2023-05-05"
    assert by_id["001_3c0e7a45cfebf7e4"].publisher == "中国证券报"
    assert all(m.title and m.date for m in by_id.values())
    assert loaded.skipped == []


def test_gbk_file_is_decoded_and_others_still_load(real_corpus_copy: Path, caplog):
    (real_corpus_copy / "gbk_note.txt").write_bytes("# 宁波简讯\n\n宁波新增单项冠军企业。\n".encode("gbk"))
    with caplog.at_level(logging.WARNING):
        loaded = load_corpus(real_corpus_copy)
    extra = next(d for d in loaded.docs if d.meta.doc_id == "gbk_note")
    assert "宁波新增单项冠军企业" in extra.text
    assert extra.meta.title == "宁波简讯"  # from its first heading: not in the manifest
    assert extra.encoding == "gb18030"
    assert len(loaded.docs) == 6
    assert "gbk_note.txt" in caplog.text


def test_empty_file_is_skipped_with_warning(real_corpus_copy: Path, caplog):
    (real_corpus_copy / "empty.txt").write_text("  \n\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        loaded = load_corpus(real_corpus_copy)
    assert ("empty.txt", "empty file") in loaded.skipped
    assert len(loaded.docs) == 5
    assert "empty.txt" in caplog.text


def test_undecodable_file_is_skipped_with_error_naming_it(real_corpus_copy: Path):
    (real_corpus_copy / "binary.txt").write_bytes(bytes(range(256)) * 8)
    loaded = load_corpus(real_corpus_copy)
    names = [name for name, _ in loaded.skipped]
    assert "binary.txt" in names or any(d.path.name == "binary.txt" for d in loaded.docs)
    assert len([d for d in loaded.docs if d.path.name != "binary.txt"]) == 5


def test_decode_prefers_utf8_and_handles_bom():
    assert decode_bytes("宁波".encode("utf-8-sig"), "x") == ("宁波", "utf-8")
    assert decode_bytes("宁波".encode("gb18030"), "x") == ("宁波", "gb18030")


def test_missing_folder_and_no_usable_files(tmp_path: Path):
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nope")
    (tmp_path / "only.txt").write_text("", encoding="utf-8")
    with pytest.raises(CorpusError, match="No usable"):
        load_corpus(tmp_path)


def test_broken_manifest_is_a_clear_error(real_corpus_copy: Path):
    (real_corpus_copy / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(CorpusError, match="manifest.json"):
        load_corpus(real_corpus_copy)


def test_fingerprint_changes_with_content(real_corpus_copy: Path):
    before = load_corpus(real_corpus_copy).fingerprint
    (real_corpus_copy / "new.md").write_text("# 新文档\n\n内容。", encoding="utf-8")
    assert load_corpus(real_corpus_copy).fingerprint != before


def test_a_file_over_the_size_limit_is_skipped_with_a_message(real_corpus_copy: Path):
    (real_corpus_copy / "huge.txt").write_text("宁波制造业。" * 200_000, encoding="utf-8")  # 3.6 MB
    loaded = load_corpus(real_corpus_copy, max_bytes=1_000_000)
    why = dict(loaded.skipped)["huge.txt"]
    assert "over the limit of 1 MB" in why and "RAG_MAX_DOC_MB" in why
    assert len(loaded.docs) == 5  # the others still load
