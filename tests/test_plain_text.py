"""plain_markdown: user and document text stays plain text when rendered as Markdown.

Rendered with markdown-it-py (CommonMark plus GFM tables and strikethrough, as
rich installs it); GFM's bare-URL links are checked with the expressions
Streamlit's renderer (mdast-util-gfm-autolink-literal) uses."""

from __future__ import annotations

import html
import re

import pytest
from markdown_it import MarkdownIt

from rag.plain_text import WORD_JOINER, plain_markdown

RENDERER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
# what GFM turns into links inside text, after escapes are resolved
GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.IGNORECASE)
GFM_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)", re.ASCII)


def shown(markdown: str) -> str:
    """The text a reader sees of plain_markdown output: escapes resolved, joiners dropped."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace(WORD_JOINER, "")


def _render(text: str) -> str:
    return RENDERER.render(plain_markdown(text))


def _tags(rendered: str) -> set[str]:
    return set(re.findall(r"<(\w+)", rendered))


def _text_of(rendered: str) -> str:
    """The rendered text without tags and joiners, line breaks as newlines."""
    text = re.sub(r"<br />\n?|</p>\n<p>", "\n", rendered)
    return html.unescape(re.sub(r"<[^>]+>", "", text)).replace(WORD_JOINER, "").strip()


PAYLOADS = {
    "image": "![q](http://127.0.0.1:9/x.png)",
    "link": "[点这里](http://127.0.0.1:9/phish)",
    "reference link": "[点这里][1]\n\n[1]: http://127.0.0.1:9/phish",
    "angle autolink": "<http://127.0.0.1:9/angle> <a@b.cn>",
    "html": "<script>alert(1)</script><img src=x onerror=alert(1)>",
    "entity": "&lt;b&gt; &amp; &#60;",
    "emphasis": "**粗体** *斜体* __粗__ _斜_ ~~删除~~",
    "heading": "# 标题\n## 小标题\n标题\n===\n副标题\n---",
    "table": "| 数字 | 来源 |\n|---|---|\n| 119家 | 宁波 |",
    "code": "`代码` ``双``\n```\n围栏\n```\n~~~\n波浪\n~~~",
    "indented code": "甲\n\n    缩进的代码",
    "lists and quotes": "- 一\n* 二\n+ 三\n1. 四\n2) 五\n> 引用\n***",
    "math and shortcodes": "$x^2$ $$y$$ :smile: :red[红字] :material/home:",
    "backslashes": "C:\\路径\\ \\*不是强调\\*",
}


@pytest.mark.parametrize("text", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_markdown_renders_as_the_same_plain_text(text):
    rendered = _render(text)
    assert _tags(rendered) <= {"p", "br"}, rendered
    assert _text_of(rendered) == "\n".join(line.strip() for line in text.splitlines() if line.strip())
    assert shown(plain_markdown(text)).replace("  \n", "\n").replace("\u00a0", " ") == text


def test_image_and_link_are_neither():
    rendered = _render("![q](http://127.0.0.1:9/x.png)[点这里](http://127.0.0.1:9/phish)")
    assert "<img" not in rendered and "<a" not in rendered
    assert "![q](http://127.0.0.1:9/x.png)[点这里](http://127.0.0.1:9/phish)" in _text_of(rendered)


@pytest.mark.parametrize("text", ["http://127.0.0.1:9/auto", "HTTPS://example.com/a?b=1",
                                  "见www.example.com。", "WWW.Example.com", "写信给a.b+c@example.com",
                                  "mailto:x@example.com", "[点这里](http://127.0.0.1:9/phish)"])
def test_bare_urls_and_emails_are_no_links(text):
    """GFM links bare URLs from the text after escapes are resolved: a backslash is not enough."""
    text_seen_by_gfm = re.sub(r"\\(.)", r"\1", plain_markdown(text))
    assert not GFM_URL.search(text_seen_by_gfm) and not GFM_EMAIL.search(text_seen_by_gfm)
    assert shown(plain_markdown(text)) == text


def test_every_ascii_character_shows_as_itself():
    printable = "".join(chr(i) for i in range(33, 127))
    assert _text_of(_render(printable)) == printable
    assert _tags(_render(printable)) == {"p"}


def test_chinese_text_is_unchanged():
    text = "宁波市国家级制造业单项冠军企业达到119家，连续七年居全国城市首位。"
    assert plain_markdown(text) == text
    assert plain_markdown("") == ""


def test_figures_show_unchanged():
    assert _text_of(_render("1.35万亿元，增长6.5%，排名第1")) == "1.35万亿元，增长6.5%，排名第1"


def test_line_breaks_stay_line_breaks():
    rendered = _render("第一行\n第二行\r\n第三行\r第四行")
    assert rendered.count("<br />") == 3
    assert _text_of(rendered) == "第一行\n第二行\n第三行\n第四行"


def test_leading_spaces_are_no_code_block():
    rendered = _render("甲\n\n        乙")
    assert "<pre" not in rendered and "<code" not in rendered and "乙" in rendered
