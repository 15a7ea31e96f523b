"""Word ``.docx`` files, read with python-docx.

Paragraphs and tables come in document order. Heading styles become Markdown
``#`` lines — the form the cleaner recognises as section headings — ("Title" is
``#``; "Heading n" is one level below it when the document has a Title).
Table rows become one line each, cells joined by `` | ``. Blocks are separated
by two blank lines, so the cleaner never mistakes two Word paragraphs for one
hard-wrapped line.
"""

from __future__ import annotations

import io
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rag.errors import (
    DamagedDocumentError,
    ExtractionError,
    NoTextError,
    ParserMissingError,
    ProtectedDocumentError,
)
from rag.extract.base import Extracted, properties, read_source

CELL_SEPARATOR = " | "
BLOCK_SEPARATOR = "\n\n\n"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a Compound File: old .doc, or an encrypted .docx
_HEADING = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)
# python-docx's blank template says this; it is not the document's date
_TEMPLATE_CREATED = datetime(2013, 12, 23, 23, 15, tzinfo=timezone.utc)


class DocxExtractor:
    """``.docx``: paragraphs, headings and tables in order; core properties title, author, created."""

    def extract(self, source: Path | bytes, name: str = "") -> Extracted:
        """Text and properties of a .docx file. Raises ProtectedDocumentError
        (password), NoTextError (nothing written) or ExtractionError (damaged, or .doc)."""
        data, name = read_source(source, name)
        if data.startswith(_OLE):
            if "EncryptedPackage".encode("utf-16-le") in data:
                raise ProtectedDocumentError(name, "Word document", " Word ")
            raise ExtractionError(name, "this is an old Word .doc file (or another Office format), not .docx; "
                                        "open it in Word or WPS and save it as .docx",
                                  "这是旧版 Word（.doc）等格式而非 .docx，请用 Word 或 WPS 另存为 .docx。")
        try:
            import docx
        except ImportError as exc:
            raise ParserMissingError(name, ".docx", "python-docx", exc, module="docx") from None
        try:
            document = docx.Document(io.BytesIO(data))
            blocks = _blocks(document)
        except Exception as exc:  # a damaged zip or XML can raise almost anything
            raise DamagedDocumentError(name, ".docx", " .docx ", str(exc), "open it in Word or WPS and save it again",
                                       "请用 Word 或 WPS 打开后重新保存") from None
        if not blocks:
            raise NoTextError(name, "Word document", " Word ")
        return Extracted(BLOCK_SEPARATOR.join(blocks), _properties(document))


def _blocks(document: Any) -> list[str]:
    """Each paragraph (headings as ``#`` lines) and each table row, in document order."""
    from docx.table import Table

    items = list(document.iter_inner_content())
    has_title = any(not isinstance(i, Table) and _style(i) == "title" for i in items)
    blocks: list[str] = []
    for item in items:
        if isinstance(item, Table):
            blocks += _rows(item)
            continue
        text = " ".join(item.text.split("\n")).strip()
        if not text:
            continue
        level = _heading_level(_style(item), has_title)
        blocks.append(f"{'#' * level} {text}" if level else text)
    return blocks


def _style(paragraph: Any) -> str:
    style = paragraph.style
    return str(style.name).strip().casefold() if style is not None and style.name else ""


def _heading_level(style: str, has_title: bool) -> int:
    """1-6 for a Title or Heading style, else 0."""
    if style == "title":
        return 1
    match = _HEADING.match(style)
    if not match:
        return 0
    return min(6, int(match.group(1)) + int(has_title))


def _rows(table: Any) -> list[str]:
    """One line per table row; a merged cell is written once."""
    rows = []
    for row in table.rows:
        cells: list[str] = []
        seen: list[Any] = []
        for cell in row.cells:
            if any(cell._tc is tc for tc in seen):  # a merged cell repeats in row.cells
                continue
            seen.append(cell._tc)
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            rows.append(CELL_SEPARATOR.join(cells))
    return rows


def _properties(document: Any) -> dict[str, str]:
    """Title, author and creation date from the core properties (docProps/core.xml)."""
    try:
        core = document.core_properties
        title, author, created = core.title, core.author, core.created
    except Exception:  # damaged properties: the text still loads, title and date are guessed
        return {}
    if isinstance(created, datetime) and created.replace(tzinfo=timezone.utc) == _TEMPLATE_CREATED:
        created = None
    return properties(title, author, created, "DOCX created")
