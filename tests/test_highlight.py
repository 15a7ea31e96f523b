"""Quote highlighting: escaped HTML with no line break a Markdown page could act on."""

from __future__ import annotations

from rag.highlight import document_page, quote_in_passage

from .test_plain_text import RENDERER

PASSAGE = "第一段。\n\n![s](http://127.0.0.1:9/s.png) **粗**\r\r<b>标签</b>\r\n末段。"


def _as_on_the_page(html: str) -> str:
    """Rendered as the chat page shows a passage: HTML inside Markdown."""
    return RENDERER.render(f"<div class='passage'>{html}</div>")


def test_passage_without_the_quote_stays_one_html_block():
    html = quote_in_passage(PASSAGE, "不在段落中的句子")
    assert "\n" not in html and "\r" not in html and html.count("<br>") == 5
    rendered = _as_on_the_page(html)
    assert "<img" not in rendered and "<strong>" not in rendered and "<b>" not in rendered
    assert "&lt;b&gt;标签" in rendered


def test_passage_with_the_quote_marks_it():
    html = quote_in_passage(PASSAGE, "末段。")
    assert '<mark id="hit">末段。</mark>' in html and "\r" not in html and "\n" not in html
    assert "<img" not in _as_on_the_page(html)


def test_document_page_escapes_the_title():
    page = document_page("<i>标题</i>", PASSAGE, 0, 4)
    assert "&lt;i&gt;标题" in page and '<mark id="hit">第一段。</mark>' in page
