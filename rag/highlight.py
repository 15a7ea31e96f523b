"""HTML for showing a quote inside its passage or document; every text is escaped."""

from __future__ import annotations

from html import escape


def mark(text: str, start: int, end: int) -> str:
    """``text`` as HTML with ``text[start:end]`` wrapped in <mark id="hit">."""
    start, end = max(0, start), min(len(text), end)
    return (
        escape(text[:start]).replace("\n", "<br>")
        + f'<mark id="hit">{escape(text[start:end])}</mark>'
        + escape(text[end:]).replace("\n", "<br>")
    )


def quote_in_passage(passage: str, quote: str) -> str:
    """The passage with the (first part of the) quote highlighted."""
    first = quote.split("……")[0]
    i = passage.find(first)
    if i < 0:
        return escape(passage)
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
