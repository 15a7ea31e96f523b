"""Plain-text and Markdown files: decoded safely, nothing else changed."""

from __future__ import annotations

import logging
from pathlib import Path

from charset_normalizer import from_bytes

from rag.errors import CorpusError
from rag.extract.base import Extracted, read_source

log = logging.getLogger(__name__)


def decode_bytes(data: bytes, name: str) -> tuple[str, str]:
    """Decode file bytes: UTF-8 (with or without BOM) first, then GB18030, then detection.

    Returns (text, encoding). Raises CorpusError when nothing decodes cleanly.
    """
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if enc == "gb18030" and not _mostly_cjk_or_ascii(text):
            continue
        return text, ("utf-8" if enc == "utf-8-sig" else enc)
    best = from_bytes(data).best()
    if best is None:
        raise CorpusError(
            f"{name}: cannot detect the text encoding; save it as UTF-8.",
            f"{name}：无法识别文件编码，请另存为 UTF-8。",
        )
    return str(best), best.encoding


def _mostly_cjk_or_ascii(text: str) -> bool:
    sample = text[:2000]
    if not sample:
        return True
    good = sum(1 for ch in sample if ch.isascii() or "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef")
    return good / len(sample) > 0.9


class TextExtractor:
    """``.txt`` and ``.md``: the decoded text; a plain-text file has no properties."""

    def extract(self, source: Path | bytes, name: str = "") -> Extracted:
        """The decoded text and its encoding (a warning is logged when it is not UTF-8)."""
        data, name = read_source(source, name)
        text, encoding = decode_bytes(data, name)
        if encoding != "utf-8":
            log.warning("%s is %s-encoded; decoded it. Consider saving it as UTF-8.", name, encoding)
        return Extracted(text, {}, encoding)
