"""The suffix → extractor registry (rag/extract/__init__.py) and the shared helpers."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from rag.errors import CorpusError
from rag.extract import EXTRACTORS, SUFFIXES, Extracted, extract_file
from rag.extract.base import iso_date, properties, property_text
from rag.manifest import DOC_SUFFIXES

from .files import HTML_PAGE, docx_file, text_pdf


def test_every_document_suffix_has_an_extractor():
    assert set(SUFFIXES) == set(DOC_SUFFIXES) == {".txt", ".md", ".pdf", ".docx", ".html", ".htm"}
    assert all(callable(getattr(e, "extract", None)) for e in EXTRACTORS.values())


@pytest.mark.parametrize(("name", "data", "expect"), [
    ("a.PDF", text_pdf(), "甲公司成立于2001年"),
    ("b.docx", docx_file(), "乙公司 | 2005 | 齿轮"),
    ("c.htm", HTML_PAGE.encode(), "丁公司成立于1998年"),
    ("d.md", "# 戊市\n\n戊市产业。".encode(), "戊市产业。"),
])
def test_extract_file_picks_the_extractor_by_suffix(tmp_path: Path, name: str, data: bytes, expect: str):
    path = tmp_path / name
    path.write_bytes(data)
    got = extract_file(path)
    assert isinstance(got, Extracted) and expect in got.text
    assert extract_file(path, data) == got


def test_an_unknown_suffix_is_a_clear_error(tmp_path: Path):
    with pytest.raises(CorpusError, match=r"a\.rtf: no extractor for '\.rtf' files; supported: \.txt, \.md"):
        extract_file(tmp_path / "a.rtf", b"{\\rtf1}")


def test_parsers_are_imported_only_when_a_file_needs_them():
    code = ("import sys, rag.corpus, rag.extract\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'pypdf', 'docx', 'trafilatura'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"


def test_property_helpers_drop_placeholders_and_keep_iso_days():
    assert property_text("  甲市  制造业\n报告 ") == "甲市 制造业 报告"
    for junk in ("untitled", "Anonymous", "Administrator", "微软用户", "Microsoft Word - 报告.docx", None, 3):
        assert property_text(junk) == ""
    assert iso_date(datetime(2023, 5, 5, 9, 30)) == "2023-05-05" and iso_date(date(2021, 1, 2)) == "2021-01-02"
    assert iso_date("2023") == ""
    assert properties("题", "untitled", "2024-06-01", "HTML meta") == {
        "title": "题", "date": "2024-06-01", "date_from": "HTML meta"}
    assert properties(when="June 2024") == {}


def _failing_import(monkeypatch, module: str, error: ImportError) -> None:
    """Make ``import module`` raise ``error``. A fake: an uninstalled or broken parser cannot be
    set up on a machine where the real one is installed."""
    import builtins

    real = builtins.__import__

    def fake(name, *args, **kwargs):
        if name == module:
            raise error
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)


def test_a_parser_not_installed_says_what_to_install(monkeypatch, tmp_path):
    from rag.errors import ParserMissingError
    from rag.extract.html import HtmlExtractor

    _failing_import(monkeypatch, "trafilatura", ImportError("No module named 'trafilatura'", name="trafilatura"))
    with pytest.raises(ParserMissingError, match="pip install trafilatura"):
        HtmlExtractor().extract(b"<p>x</p>", "a.html")


def test_a_parser_that_fails_to_import_says_why_not_install_it(monkeypatch):
    # lxml 6.1.3 dropped the extra that pulled in lxml.html.clean, which trafilatura needs: the
    # package is there, and "pip install trafilatura" would not help
    from rag.errors import ParserMissingError
    from rag.extract.docx import DocxExtractor

    broken = ImportError("lxml.html.clean module is now a separate project lxml_html_clean.")
    _failing_import(monkeypatch, "docx", broken)
    with pytest.raises(ParserMissingError, match="installed but failed to import: lxml.html.clean") as err:
        DocxExtractor().extract(b"PK\x03\x04", "a.docx")
    assert "pip install python-docx" not in str(err.value)
    missing = ImportError("No module named 'docx'", name="docx")
    _failing_import(monkeypatch, "docx", missing)
    with pytest.raises(ParserMissingError, match="pip install python-docx"):
        DocxExtractor().extract(b"PK\x03\x04", "a.docx")
