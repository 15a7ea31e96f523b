"""Managing the knowledge base (rag/library.py): add real PDF/DOCX files with metadata,
refuse bad uploads with nothing changed, remove documents (moved aside, never
deleted), list them with flags; the CLI commands as a user runs them. Real files
(reportlab, python-docx), real Chroma, real embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.cli import app
from rag.errors import (
    DuplicateDocumentError,
    ExtractionError,
    UnknownDocumentError,
    UploadRejectedError,
)
from rag.library import add_document, list_documents, remove_document
from rag.pipeline import Pipeline
from rag.settings import Settings, load_settings

from .extract.files import docx_file, encrypted_pdf, scanned_pdf, text_pdf


@pytest.fixture
def kb(tiny_corpus: Path, tmp_path: Path) -> Settings:
    """Settings for the two-document corpus, indexed."""
    from rag.indexing import update_index

    settings = load_settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "idx")
    update_index(settings)
    return settings


def _snapshot(settings: Settings) -> tuple[list[str], str, str]:
    """The corpus folder's files, its manifest and the index version."""
    from rag.indexing import store_for

    manifest = settings.corpus_dir / "manifest.json"
    return (sorted(p.name for p in settings.corpus_dir.iterdir()),
            manifest.read_text(encoding="utf-8") if manifest.exists() else "", store_for(settings).active_tag())


def test_a_pdf_with_metadata_is_added_and_answerable_at_once(kb: Settings):
    done = add_document(kb, "甲市报告.pdf", text_pdf(), {"publisher": "甲市经信局", "date": "2023-05"})
    assert done.report.mode == "updated" and done.report.counts["docs_added"] == 1 and not done.warnings
    assert (kb.corpus_dir / done.file).read_bytes()[:4] == b"%PDF"
    entry = json.loads((kb.corpus_dir / "manifest.json").read_text(encoding="utf-8"))["documents"][-1]
    assert entry == {"file": done.file, "id": done.doc_id, "publisher": "甲市经信局", "date": "2023-05"}
    listing = {d.doc_id: d for d in list_documents(kb)}
    pdf = listing[done.doc_id]
    assert (pdf.title, pdf.publisher, pdf.date) == ("甲市制造业发展报告", "甲市经信局", "2023-05")
    assert pdf.chunks >= 1 and pdf.added and pdf.flags == ()
    assert "37家" in Pipeline.load(kb).ask("甲市有多少家国家级单项冠军企业？").text


def test_a_docx_without_a_date_is_flagged(kb: Settings):
    done = add_document(kb, "乙市.docx", docx_file(created=None), {})
    listing = {d.doc_id: d for d in list_documents(kb)}
    assert "重点发展新材料" in Pipeline.load(kb).docs[done.doc_id].text
    if not listing[done.doc_id].date:  # python-docx's template date may or may not count as one
        assert "无日期" in listing[done.doc_id].flags and done.warnings
    assert "未登记" in listing["a"].flags  # the fixture's files are not in a manifest


@pytest.mark.parametrize("name, data, meta, error, says", [
    ("scan.pdf", scanned_pdf(), {}, ExtractionError, "no text layer"),
    ("locked.pdf", encrypted_pdf(), {}, ExtractionError, "password"),
    ("report.exe", b"MZ\x90\x00", {}, UploadRejectedError, "unsupported file type"),
    ("empty.txt", b"", {}, UploadRejectedError, "empty"),
    ("note.txt", "丙公司成立于2010年。".encode(), {"date": "去年"}, UploadRejectedError, "YYYY"),
    ("note.txt", "丙公司成立于2010年。".encode(), {"colour": "red"}, UploadRejectedError, "Unknown metadata"),
    ("a.txt", "# 甲公司简介\n\n甲公司成立于2001年，主要生产精密轴承。\n\n甲公司产品出口到欧洲和亚洲。\n".encode(),
     {}, DuplicateDocumentError, "already in the knowledge base as a"),
])
def test_bad_uploads_change_nothing(kb: Settings, name: str, data: bytes, meta: dict[str, str],
                                    error: type[Exception], says: str):
    before = _snapshot(kb)
    with pytest.raises(error, match=says) as caught:
        add_document(kb, name, data, meta)
    assert getattr(caught.value, "zh", "")  # a Chinese message for the page
    assert _snapshot(kb) == before


def test_too_large_and_path_names(kb: Settings):
    small = kb.model_copy(update={"max_doc_mb": 0.001})
    with pytest.raises(UploadRejectedError, match="over the limit"):
        add_document(small, "big.txt", "丙".encode() * 2000, {})
    done = add_document(kb, "../../etc/丙公司.txt", "# 丙公司\n\n丙公司2020年研发投入3亿元。\n".encode(), {})
    assert done.file == "丙公司.txt" and (kb.corpus_dir / "丙公司.txt").exists()
    assert not (kb.corpus_dir.parent / "etc").exists()
    again = add_document(kb, "丙公司.txt", "# 丙公司\n\n丙公司2021年研发投入4亿元。\n".encode(), {})
    assert (again.file, again.doc_id) == ("丙公司-2.txt", "丙公司-2")  # another file of that name: kept apart


def test_remove_moves_the_file_aside_and_drops_its_passages(kb: Settings):
    manifest = kb.corpus_dir / "manifest.json"
    manifest.write_text(json.dumps({"documents": [{"file": "b.md", "id": "b", "publisher": "乙市统计局"}]},
                                   ensure_ascii=False), encoding="utf-8")
    done = remove_document(kb, "b")
    assert done.report.counts["docs_removed"] == 1
    aside = list((kb.corpus_dir / ".removed").iterdir())
    assert any(p.name.endswith("-b.md") for p in aside)
    kept = json.loads(next(p for p in aside if p.name.endswith(".entry.json")).read_text(encoding="utf-8"))
    assert kept == [{"file": "b.md", "id": "b", "publisher": "乙市统计局"}]
    assert json.loads(manifest.read_text(encoding="utf-8"))["documents"] == []
    assert [d.doc_id for d in list_documents(kb)] == ["a"]
    with pytest.raises(UnknownDocumentError, match="Known ids: a"):
        remove_document(kb, "b")


def test_cli_add_docs_remove(kb: Settings, tmp_path: Path):
    runner = CliRunner()
    base = ["--corpus-dir", str(kb.corpus_dir), "--index-dir", str(kb.index_dir)]
    pdf = tmp_path / "甲市报告.pdf"
    pdf.write_bytes(text_pdf())
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(scanned_pdf())
    added = runner.invoke(app, [*base, "add", str(pdf), str(scan), "--publisher", "甲市经信局", "--date", "2023"])
    assert added.exit_code == 2, added.output  # one of the two failed
    assert "Added 甲市报告.pdf as 甲市报告" in added.output and "no text layer" in added.output
    assert "Traceback" not in added.output
    listed = runner.invoke(app, [*base, "docs", "--json"])
    rows = {r["doc_id"]: r for r in json.loads(listed.stdout)}
    assert rows["甲市报告"]["publisher"] == "甲市经信局" and rows["甲市报告"]["chunks"] >= 1
    removed = runner.invoke(app, [*base, "remove", "甲市报告"])
    assert removed.exit_code == 0 and "Removed 甲市报告" in removed.output
    unknown = runner.invoke(app, [*base, "remove", "甲市报告"])
    assert unknown.exit_code == 2 and "Known ids" in unknown.output
