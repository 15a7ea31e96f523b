"""The Markdown export: question, answer, figures and sources, all as plain text."""

from __future__ import annotations

import re

from rag.export import conversation_markdown
from rag.schema import Answer, Citation, Figure

from .test_plain_text import GFM_EMAIL, GFM_URL, RENDERER

LINK = "http://127.0.0.1:9"


def _answer() -> Answer:
    cite = Citation(n=1, doc_id="d", title=f"丙报 [t]({LINK}/t)", publisher=f"丙研究院 ![p]({LINK}/p.png)",
                    date="2024", section=f"一、概况 ![s]({LINK}/s.png)", quote=f"丙公司成立于2005年。<{LINK}/q>",
                    chunk_id="c", note="（**注**）")
    figure = Figure(value="420名", doc_id="d", title=f"丙报 | [t]({LINK}/t)", date="2024-12", quote="",
                    citation=1)
    return Answer(question=f"![q]({LINK}/x.png)[点这里]({LINK}/phish) {LINK}/auto\n# 标题",
                  text="丙公司成立于2005年。[1]\n见 www.example.com 或 a@b.cn", short="2005年 `x`",
                  citations=[cite], figures=[figure])


def test_export_has_no_live_links_images_or_formatting():
    markdown = conversation_markdown([_answer()])
    rendered = RENDERER.render(markdown)
    assert "<img" not in rendered and "<a " not in rendered and "<code" not in rendered
    assert "<em>" not in rendered and "<h1>标题" not in rendered
    text = re.sub(r"\\(.)", r"\1", re.sub(r"<[^>]+>", "", rendered))
    assert not GFM_URL.search(text) and not GFM_EMAIL.search(text)


def test_export_keeps_its_own_structure_and_the_text():
    rendered = RENDERER.render(conversation_markdown([_answer()]))
    assert rendered.count("<h2>") == 1 and "<table>" in rendered and rendered.count("<tr>") == 2
    assert "<strong>简答：</strong>" in rendered and "<ol>" in rendered
    shown = re.sub(r"<[^>]+>", "", rendered).replace("\u2060", "")
    assert f"![q]({LINK}/x.png)[点这里]({LINK}/phish) {LINK}/auto # 标题" in shown
    assert f"一、概况 ![s]({LINK}/s.png)" in shown and "丙报 | [t]" in shown and "2005年 `x`" in shown
