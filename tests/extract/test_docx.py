"""DOCX extraction on real Word files made with python-docx."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest

from rag.cleaning import clean_document
from rag.errors import ExtractionError, NoTextError, ProtectedDocumentError
from rag.extract.docx import DocxExtractor
from rag.schema import DocMeta

from .files import docx_file

word = DocxExtractor()
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def test_paragraphs_headings_and_table_rows_come_in_document_order(tmp_path: Path):
    path = tmp_path / "b.docx"
    path.write_bytes(docx_file())
    blocks = word.extract(path).text.split("\n\n\n")
    assert blocks == [
        "# 乙市产业发展报告",  # the Title style
        "## 一、总体情况",  # Heading 1, one level below the Title
        "乙市共有单项冠军企业12家，重点发展新材料产业。",
        "### （一）重点企业",
        "各企业情况如下表",
        "企业 | 成立年份 | 主要产品",
        "乙公司 | 2005 | 齿轮",
        "丙公司 | 2010 | 密封件",
        "## 二、发展方向",
        "乙市将继续支持企业研发投入，培育更多单项冠军。",
    ]


def test_the_cleaner_turns_the_headings_into_sections_and_keeps_rows_apart():
    doc = clean_document(DocMeta("b", "b"), word.extract(docx_file()).text)
    assert [s.title for s in doc.sections] == [
        "乙市产业发展报告", "乙市产业发展报告 › 一、总体情况", "一、总体情况 › （一）重点企业",
        "乙市产业发展报告 › 二、发展方向"]
    # not joined into one hard-wrapped line
    assert "各企业情况如下表\n\n企业 | 成立年份 | 主要产品\n\n乙公司 | 2005 | 齿轮\n\n丙公司" in doc.text


def test_core_properties_are_the_title_author_and_date():
    assert word.extract(docx_file()).properties == {
        "title": "乙市产业发展报告", "author": "乙市研究所", "date": "2024-03-15", "date_from": "DOCX created"}


def test_python_docx_template_defaults_are_not_taken_as_properties():
    got = word.extract(docx_file(title="", author="python-docx", created=None))
    assert got.properties == {}  # the blank template says 2013-12-23 and "python-docx"


def test_heading_styles_without_a_title_start_at_level_one():
    import docx

    document = docx.Document()
    document.add_heading("总则", 1)
    document.add_paragraph("本办法适用于甲市。")
    buf = io.BytesIO()
    document.save(buf)
    assert word.extract(buf.getvalue()).text == "# 总则\n\n\n本办法适用于甲市。"


def test_an_old_doc_file_is_a_message_to_save_it_as_docx():
    with pytest.raises(ExtractionError) as err:
        word.extract(OLE + bytes(1000), "old.docx")
    assert "old.docx: this is an old Word .doc file" in str(err.value) and "save it as .docx" in str(err.value)
    assert "另存为 .docx" in err.value.zh


def test_a_password_protected_docx_is_a_clear_message():
    # Word writes a password-protected .docx as a Compound File holding an EncryptedPackage stream
    data = OLE + bytes(500) + "EncryptedPackage".encode("utf-16-le") + bytes(500)
    with pytest.raises(ProtectedDocumentError) as err:
        word.extract(data, "locked.docx")
    assert "locked.docx: this Word document is password-protected" in str(err.value)
    assert "密码" in err.value.zh


@pytest.mark.parametrize("data", [b"PK\x03\x04 not a real zip", b"plain text, not a zip", docx_file()[:2000]],
                         ids=["bad zip", "not a zip", "truncated"])
def test_a_damaged_docx_is_a_clear_message(data: bytes):
    with pytest.raises(ExtractionError) as err:
        word.extract(data, "broken.docx")
    assert str(err.value).startswith("broken.docx: cannot read this .docx, it is damaged or not a .docx (")
    assert "save it again" in str(err.value) and "重新保存" in err.value.zh


def test_a_docx_without_text_is_refused():
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    with pytest.raises(NoTextError, match="empty.docx: no text found in this Word document"):
        word.extract(buf.getvalue(), "empty.docx")


def test_created_dates_keep_their_day():
    got = word.extract(docx_file(created=datetime(2021, 12, 31, 23, 0)))
    assert got.properties["date"] == "2021-12-31"
