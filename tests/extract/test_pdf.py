"""PDF extraction on real PDFs made with reportlab (Chinese CID font) and pypdf."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from rag.cleaning import clean_document
from rag.errors import CorpusError, ExtractionError, ProtectedDocumentError, ScannedPdfError
from rag.extract.pdf import PdfExtractor
from rag.schema import DocMeta

from .files import encrypted_pdf, scanned_pdf, text_pdf

pdf = PdfExtractor()


def test_chinese_text_heading_and_numbers_are_extracted_with_the_file_properties(tmp_path: Path):
    path = tmp_path / "report.pdf"
    path.write_bytes(text_pdf())
    got = pdf.extract(path)
    assert got.text.startswith("一、甲市制造业概况\n")
    assert "甲市共有国家级单项冠军企业37家" in got.text and "甲公司成立于2001年" in got.text
    assert got.properties == {"title": "甲市制造业发展报告", "author": "甲市经济研究院", "date": "2023-05-05",
                              "date_from": "PDF CreationDate"}
    assert pdf.extract(path.read_bytes()) == got  # bytes work as well as a path


def test_the_cleaner_joins_the_pdf_hard_wraps_and_finds_the_headings():
    doc = clean_document(DocMeta("r", "r"), pdf.extract(text_pdf()).text)
    assert "高端装备和汽车零部件领域。甲公司成立于2001年，主要生产精密轴承，产品出口到欧洲和亚洲。" in doc.text
    assert [s.title for s in doc.sections] == ["一、甲市制造业概况", "二、主要做法"]


def test_placeholder_properties_are_not_taken_as_title_or_author():
    got = pdf.extract(text_pdf(title=None, author=None))  # reportlab writes "untitled" / "anonymous"
    assert "title" not in got.properties and "author" not in got.properties
    assert got.properties["date"] == "2023-05-05"


def test_a_scanned_pdf_is_refused_with_a_message_to_ocr_it():
    with pytest.raises(ScannedPdfError) as err:
        pdf.extract(scanned_pdf(), "scan.pdf")
    assert str(err.value).startswith("scan.pdf: this PDF has no text layer (scanned); OCR it first")
    assert "扫描件" in err.value.zh and "OCR" in err.value.zh
    assert isinstance(err.value, CorpusError)  # the corpus loader skips it like any unreadable file


def test_scanned_pages_of_a_text_pdf_are_left_out_with_a_warning(caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.WARNING):
        got = pdf.extract(text_pdf(scanned_pages=2), "mixed.pdf")
    assert "甲公司成立于2001年" in got.text
    assert "mixed.pdf: page(s) 2, 3 have no text layer" in caplog.text


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-256"])
def test_a_pdf_that_needs_a_password_is_a_clear_message(algorithm: str):
    with pytest.raises(ProtectedDocumentError) as err:
        pdf.extract(encrypted_pdf("secret", algorithm=algorithm), "locked.pdf")
    assert "locked.pdf: this PDF is password-protected" in str(err.value)
    assert "without a password" in str(err.value) and "密码" in err.value.zh


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-256"])
def test_a_pdf_with_only_an_owner_password_opens(algorithm: str):
    # common for published PDFs that forbid copying or printing; AES needs pypdf[crypto]
    assert "甲公司成立于2001年" in pdf.extract(encrypted_pdf("", "owner", algorithm)).text


@pytest.mark.parametrize("data", [b"%PDF-1.4\nnot really a pdf", b"", text_pdf()[:600]],
                         ids=["garbage", "empty", "truncated"])
def test_a_damaged_pdf_is_a_clear_message(data: bytes):
    with pytest.raises(ExtractionError) as err:
        pdf.extract(data, "broken.pdf")
    assert str(err.value).startswith("broken.pdf: cannot read this PDF, it is damaged or not a PDF (")
    assert "re-export" in str(err.value) and "已损坏" in err.value.zh
