"""PDF files with a text layer, read with pypdf.

Pages are joined with a blank line; each page keeps pypdf's line breaks, which
the cleaner joins back into sentences (hard-wraps). A PDF whose pages carry no
text (a scan) is refused with a message to OCR it first, never indexed empty.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

from rag.errors import (
    DamagedDocumentError,
    ExtractionError,
    NoTextError,
    ParserMissingError,
    ProtectedDocumentError,
    ScannedPdfError,
)
from rag.extract.base import Extracted, properties, read_source

log = logging.getLogger(__name__)


class PdfExtractor:
    """``.pdf``: the text of every page, and /Title, /Author and /CreationDate."""

    def extract(self, source: Path | bytes, name: str = "") -> Extracted:
        """Text and properties of a PDF. Raises ScannedPdfError (no text layer),
        ProtectedDocumentError (needs a password) or ExtractionError (damaged)."""
        data, name = read_source(source, name)
        try:
            from pypdf import PdfReader
            from pypdf.errors import DependencyError
        except ImportError as exc:
            raise ParserMissingError(name, "PDF", "pypdf", exc) from None
        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):  # an owner password alone still opens
                raise ProtectedDocumentError(name, "PDF", " PDF ")
            pages = [page.extract_text() or "" for page in reader.pages]
        except ExtractionError:
            raise
        except DependencyError as exc:  # AES encryption without the cryptography package
            raise ExtractionError(name, f"this PDF is encrypted and pypdf needs an extra package to read it "
                                        f"({exc}); pip install cryptography, or save a copy without encryption",
                                  "此 PDF 已加密，读取需要安装 cryptography，或另存一份未加密的副本。") from None
        except Exception as exc:  # pypdf on a damaged file can raise almost anything
            raise DamagedDocumentError(name, "PDF", " PDF ", str(exc), "re-export or re-download it",
                                       "请重新导出或下载") from None
        if not pages:
            raise NoTextError(name, "PDF", " PDF ")
        empty = [n for n, text in enumerate(pages, 1) if not text.strip()]
        if len(empty) == len(pages):
            raise ScannedPdfError(name, len(pages))
        if empty:
            log.warning("%s: page(s) %s have no text layer (scanned?) and are left out; OCR the file to "
                        "include them", name, ", ".join(map(str, empty)))
        return Extracted("\n\n".join(p.strip("\n") for p in pages if p.strip()), _properties(reader, name))


def _properties(reader: Any, name: str) -> dict[str, str]:
    """/Title, /Author and /CreationDate from the document information dictionary;
    a damaged dictionary or date gives what could be read (the text still loads)."""
    try:
        info = reader.metadata
        title, author = (info.title, info.author) if info is not None else (None, None)
    except Exception as exc:  # properties are optional
        log.warning("%s: PDF properties unreadable (%s); title and date are guessed", name, exc)
        return {}
    try:
        created = info.creation_date if info is not None else None
    except Exception:  # a malformed date string
        created = None
    return properties(title, author, created, "PDF CreationDate")
