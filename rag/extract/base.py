"""What every extractor returns, the protocol it follows, and helpers they share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

# Values office tools and PDF libraries write when nobody filled the field in.
PLACEHOLDERS = frozenset({
    "anonymous", "(anonymous)", "unknown", "untitled", "unspecified", "none", "null", "n/a",
    "python-docx", "administrator", "admin", "user", "owner", "微软用户", "微软中国", "无标题", "未命名",
})
_FILE_NAME = re.compile(r"\.(?:docx?|pdf|wps|pptx?|xlsx?|txt|html?)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Extracted:
    """A document's text and what the file itself says about the document.

    ``properties`` holds only keys the file gave a usable value for:
    ``title``, ``author``, ``publisher`` (an HTML page's site name), ``date``
    (ISO ``YYYY-MM-DD``) and ``date_from`` (where the date was read, e.g.
    ``"PDF CreationDate"``). ``encoding`` is the text encoding of a plain-text
    file; empty for formats that carry their own (PDF, DOCX, HTML).
    """

    text: str
    properties: dict[str, str] = field(default_factory=dict)
    encoding: str = ""


class Extractor(Protocol):
    """Turns one file format into text. Raises rag.errors.ExtractionError (a
    CorpusError) with a message that says what to do when it cannot."""

    def extract(self, source: Path | bytes, name: str = "") -> Extracted:
        """Text and properties of a file given by path or as its bytes; ``name``
        is how messages call it (default: the file name)."""
        ...


def read_source(source: Path | bytes, name: str) -> tuple[bytes, str]:
    """The bytes of ``source`` and the name messages use for it."""
    if isinstance(source, Path):
        return source.read_bytes(), name or source.name
    return bytes(source), name or "document"


def property_text(value: object) -> str:
    """A text property with whitespace collapsed; empty when it is missing, a
    placeholder ("untitled", "Administrator") or a file name ("Microsoft Word - a.docx")."""
    if not isinstance(value, str):
        return ""
    text = " ".join(value.replace("\x00", "").split())
    if text.casefold() in PLACEHOLDERS or _FILE_NAME.search(text):
        return ""
    return text


def iso_date(value: object) -> str:
    """``YYYY-MM-DD`` of a date or datetime; empty for anything else."""
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    return ""


def properties(title: object = None, author: object = None, when: object = None,
               date_from: str = "", publisher: object = None) -> dict[str, str]:
    """The property dict of an Extracted, keeping only usable values."""
    found = {"title": property_text(title), "author": property_text(author),
             "publisher": property_text(publisher)}
    day = when if isinstance(when, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", when) else iso_date(when)
    if day:
        found.update(date=day, date_from=date_from)
    return {k: v for k, v in found.items() if v}
