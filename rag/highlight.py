"""HTML for showing a quote inside its passage or document; every text is escaped.

Every line ending becomes <br>: the chat page puts this HTML into Markdown, where
a blank line would end the HTML block and let the rest be read as Markdown.
"""

from __future__ import annotations

import re
from html import escape


def _html(text: str) -> str:
    """``text`` escaped, its line breaks as <br>."""
    return re.sub(r"\r\n?|\n", "<br>", escape(text))


def mark(text: str, start: int, end: int) -> str:
    """``text`` as HTML with ``text[start:end]`` wrapped in <mark id="hit">."""
    start, end = max(0, start), min(len(text), end)
    return (
        _html(text[:start])
        + f'<mark id="hit">{_html(text[start:end])}</mark>'
        + _html(text[end:])
    )


def quote_in_passage(passage: str, quote: str) -> str:
    """The passage with the (first part of the) quote highlighted."""
    first = quote.split("……")[0]
    i = passage.find(first)
    if i < 0:
        return _html(passage)
    return mark(passage, i, i + len(first))


def document_page(title: str, text: str, start: int, end: int) -> str:
    """A self-contained HTML page of a cleaned document that scrolls to the quote."""
    return (
        "<html><head><meta charset='utf-8'><style>"
        "body{font-family:sans-serif;line-height:1.7;padding:0 1em}"
        "mark{background:#ffe58f;padding:0 2px}</style></head><body>"
        f"<h3>{escape(title)}</h3><div>{mark(text, start, end)}</div>"
        "<script>var h=document.getElementById('hit');if(h){h.scrollIntoView({block:'center'});}</script>"
        "</body></html>"
    )
