"""HTML extraction: the article without navigation and footer, headings kept,
properties from the page's markup; the plain fallback and pages without text."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from rag.cleaning import clean_document
from rag.errors import NoTextError
from rag.extract.html import HtmlExtractor
from rag.schema import DocMeta

from .files import HTML_PAGE

page = HtmlExtractor()


def test_the_article_is_extracted_without_navigation_or_footer(tmp_path: Path):
    path = tmp_path / "news.html"
    path.write_text(HTML_PAGE, encoding="utf-8")
    text = page.extract(path).text
    assert "全市国家级单项冠军企业达到25家，居全省前列。" in text  # bold markers removed
    assert "丁公司成立于1998年，主要生产液压元件" in text
    for boilerplate in ("新闻中心", "关于我们", "热点排行", "版权所有", "网站地图", "**"):
        assert boilerplate not in text


def test_headings_stay_headings_for_the_cleaner():
    text = page.extract(HTML_PAGE.encode()).text
    assert text.startswith("# 丁市单项冠军企业达到25家\n") and "\n## 一、主要做法\n" in text
    doc = clean_document(DocMeta("d", "d"), text)
    assert [s.title for s in doc.sections] == ["丁市单项冠军企业达到25家", "丁市单项冠军企业达到25家 › 一、主要做法"]


def test_title_author_date_and_site_come_from_the_markup():
    props = page.extract(HTML_PAGE.encode()).properties
    assert props["title"].startswith("丁市单项冠军企业达到25家")
    assert props["author"] == "王小明"  # trafilatura drops names without a space; the meta tag is read
    assert props["publisher"] == "丁市日报" and props["date"] == "2024-06-01"
    assert props["date_from"] == "HTML meta"


def test_a_page_without_date_markup_gives_no_date_even_if_its_text_names_one():
    html = ("<html><head><title>戊市简讯</title></head><body><article><p>2023年5月5日，戊市发布了新的产业政策，"
            "支持企业研发投入和人才引进，推动制造业高质量发展。</p></article></body></html>")
    props = page.extract(html.encode()).properties
    assert "date" not in props and props["title"] == "戊市简讯"


def test_a_gbk_page_is_decoded():
    html = ("<html><head><meta charset='gbk'><title>己市</title></head><body><article><p>己市共有单项冠军企业"
            "12家，重点发展新材料产业，企业研发投入持续增长。</p></article></body></html>").encode("gbk")
    assert "己市共有单项冠军企业12家" in page.extract(html).text


def test_when_no_main_text_is_found_every_text_block_is_taken(caplog: pytest.LogCaptureFixture):
    html = ("<html><body><footer><h2>附表</h2><table><tr><th>企业</th><th>数量</th></tr>"
            "<tr><td>庚公司</td><td>12</td></tr></table><p>庚市共有单项冠军企业37家。</p>"
            "<script>var x = 1;</script></footer></body></html>")
    with caplog.at_level(logging.WARNING):
        text = page.extract(html.encode(), "footer.html").text
    assert text == "## 附表\n\n企业 | 数量\n\n庚公司 | 12\n\n庚市共有单项冠军企业37家。"
    assert "footer.html: no main text found" in caplog.text


@pytest.mark.parametrize("html", [b"<html><body><script>var a = 1;</script></body></html>", b"   <html></html>",
                                  b"\x00\x01\x02 binary"], ids=["script only", "empty", "not html"])
def test_a_page_without_text_is_refused(html: bytes):
    with pytest.raises(NoTextError) as err:
        page.extract(html, "blank.html")
    assert str(err.value).startswith("blank.html: no text found in this web page")
    assert "网页" in err.value.zh


def test_a_short_article_is_not_handed_to_the_fallback_algorithms():
    # under trafilatura's default 250 characters this page comes back with its menu and
    # with the bold word on a line of its own
    html = ("<html><head><title>甲市新闻</title></head><body><nav><a href='/'>首页</a> <a href='/n'>新闻</a></nav>"
            "<article><h1>甲市简讯</h1><p>甲市经济和信息化局近日发布消息，<b>全市</b>国家级单项冠军企业达到37家，"
            "居全省前列。</p></article><footer>版权所有 甲市日报社</footer></body></html>")
    assert page.extract(html.encode()).text == (
        "# 甲市简讯\n\n甲市经济和信息化局近日发布消息，全市国家级单项冠军企业达到37家，居全省前列。")
