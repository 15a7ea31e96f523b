"""Document files to text: one extractor per format, chosen by file suffix.

Every extractor follows the ``Extractor`` protocol: ``extract(path or bytes)``
returns an ``Extracted`` — the text, and the properties the file itself gives
(title, author, date…). An extractor that cannot read a file raises an
``ExtractionError`` (a ``CorpusError``) whose message says what to do; the
corpus loader skips that file with the message and loads the rest. Parsing
libraries (pypdf, python-docx, trafilatura) are imported inside the extractor
that needs them.

A new format is one module with an extractor class, added to ``EXTRACTORS``.
"""

from __future__ import annotations

from pathlib import Path

from rag.errors import CorpusError
from rag.extract.base import Extracted, Extractor
from rag.extract.docx import DocxExtractor
from rag.extract.html import HtmlExtractor
from rag.extract.pdf import PdfExtractor
from rag.extract.text import TextExtractor, decode_bytes

EXTRACTORS: dict[str, Extractor] = {
    ".txt": TextExtractor(),
    ".md": TextExtractor(),
    ".pdf": PdfExtractor(),
    ".docx": DocxExtractor(),
    ".html": HtmlExtractor(),
    ".htm": HtmlExtractor(),
}
SUFFIXES = tuple(EXTRACTORS)

__all__ = ["EXTRACTORS", "SUFFIXES", "Extracted", "Extractor", "decode_bytes", "extract_file"]


def extract_file(path: Path, data: bytes | None = None) -> Extracted:
    """Text and properties of the file at ``path`` (``data``: its bytes, if already
    read), by the extractor registered for its suffix. Raises CorpusError for an
    unknown suffix, ExtractionError (a CorpusError) when the file cannot be read."""
    extractor = EXTRACTORS.get(path.suffix.lower())
    if extractor is None:
        raise CorpusError(
            f"{path.name}: no extractor for '{path.suffix}' files; supported: {', '.join(SUFFIXES)}",
            f"{path.name}：不支持此文件格式，支持的格式：{'、'.join(SUFFIXES)}。",
        )
    return extractor.extract(path if data is None else data, path.name)
