"""Web pages (``.html``/``.htm``): the main text, read with trafilatura.

trafilatura drops navigation, footers and other boilerplate and writes the
article as Markdown, so headings stay ``#`` lines for the cleaner; bold and
italic markers are removed. When it finds no main text, every visible text
block of the page is taken instead (scripts and styles left out); a page
with no text at all is refused with a message.
"""

from __future__ import annotations

import logging
import re
from configparser import ConfigParser
from functools import cache
from pathlib import Path
from typing import Any

from rag.errors import DamagedDocumentError, NoTextError, ParserMissingError
from rag.extract.base import Extracted, properties, read_source

log = logging.getLogger(__name__)

# Below this many characters trafilatura also tries its fallback algorithms, which keep
# navigation and put bold words on lines of their own. Its default, 250, is a few
# sentences of English but a whole short Chinese news item (one sentence is ~30-60 characters).
MIN_EXTRACTED_SIZE = 30
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![*\w])")
_BLOCKS = ("p", "div", "li", "tr", "br", "section", "article", "main", "blockquote", "pre", "table",
           "ul", "ol", "dd", "dt", "header", "footer", "nav", "aside", "form", "figure", "figcaption")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


class HtmlExtractor:
    """``.html``/``.htm``: the article text as Markdown; title, author, date and site name."""

    def extract(self, source: Path | bytes, name: str = "") -> Extracted:
        """Main text and properties of a web page. Raises NoTextError when the page
        has no text, ExtractionError when it cannot be parsed."""
        data, name = read_source(source, name)
        try:
            import trafilatura
        except ImportError as exc:
            raise ParserMissingError(name, "HTML", "trafilatura", exc) from None
        try:
            text = trafilatura.extract(data, output_format="markdown", include_tables=True,
                                       include_comments=False, include_images=False, config=_config()) or ""
            text = _plain(text)
            if not text.strip():
                log.warning("%s: no main text found; indexing every text block of the page", name)
                text = _all_blocks(data)
        except Exception as exc:  # lxml on a broken page can raise almost anything
            raise DamagedDocumentError(name, "web page", "网页", str(exc), "save it again from the browser",
                                       "请在浏览器中重新保存") from None
        if not text.strip():
            raise NoTextError(name, "web page", "网页")
        return Extracted(text, _properties(trafilatura, data, name))


@cache
def _config() -> ConfigParser:
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", str(MIN_EXTRACTED_SIZE))
    config.set("DEFAULT", "MAX_FILE_SIZE", str(2**31))  # RAG_MAX_DOC_MB is the limit
    config.set("DEFAULT", "EXTENSIVE_DATE_SEARCH", "off")
    return config


def _plain(markdown: str) -> str:
    """trafilatura's Markdown without bold and italic markers (headings and tables stay)."""
    return _ITALIC.sub(r"\1", _BOLD.sub(r"\1", markdown))


def _all_blocks(data: bytes) -> str:
    """Every text block of the page, one per paragraph, headings as ``#`` lines."""
    from trafilatura import load_html

    tree = load_html(data)
    if tree is None:
        return ""
    for bad in tree.xpath("//script|//style|//noscript|//template|//head|//svg"):
        bad.drop_tree()
    for el in tree.iter(*_HEADINGS):
        el.text = f"\n\n{'#' * int(el.tag[1])} {el.text or ''}"
        el.tail = "\n\n" + (el.tail or "")
    for el in tree.iter(*_BLOCKS):
        el.tail = "\n\n" + (el.tail or "")
    for row in tree.iter("tr"):
        for cell in [c for c in row if c.tag in ("td", "th")][:-1]:
            cell.tail = " | " + (cell.tail or "")
    lines = (" ".join(line.split()) for line in str(tree.text_content()).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _properties(trafilatura: Any, data: bytes, name: str) -> dict[str, str]:
    """Title, author, date and site name from the page's markup (no guessing from its text)."""
    try:
        meta = trafilatura.extract_metadata(data, extensive=False)
    except Exception as exc:  # properties are optional: the text still loads
        log.warning("%s: page metadata unreadable (%s); title and date are guessed", name, exc)
        return {}
    return properties(meta.title, meta.author or _meta_author(trafilatura, data), meta.date, "HTML meta",
                      meta.sitename)


def _meta_author(trafilatura: Any, data: bytes) -> str:
    """``<meta name="author">`` as written: trafilatura drops a name without a space
    in it, which is how Chinese names are written (王小明)."""
    tree = trafilatura.load_html(data)
    if tree is None:
        return ""
    found = tree.xpath("//meta[@name='author' or @property='article:author']/@content")
    return str(found[0]) if found else ""
