"""Real document files made inside the tests: PDFs (reportlab, with its built-in
Chinese CID font), DOCX (python-docx) and an HTML page. Made-up places and
companies only (甲市, 甲公司)."""

from __future__ import annotations

import io
from datetime import datetime

PDF_LINES = [
    ("一、甲市制造业概况", 16),
    ("甲市共有国家级单项冠军企业37家，主要分布在新材料、高端装备", 11),
    ("和汽车零部件领域。甲公司成立于2001年，主要生产精密轴承，", 11),
    ("产品出口到欧洲和亚洲。", 11),
    ("二、主要做法", 16),
    ("甲市设立专项资金，支持企业研发投入，鼓励企业参与制定国际标准。", 11),
]


def text_pdf(lines: list[tuple[str, int]] = PDF_LINES, *, title: str | None = "甲市制造业发展报告",
             author: str | None = "甲市经济研究院", created: str | None = "D:20230505093000+08'00'",
             scanned_pages: int = 0) -> bytes:
    """A text PDF in reportlab's STSong-Light (a CID font every PDF reader has),
    one drawn line per item, then ``scanned_pages`` pages with only a drawn shape,
    and the given document properties (None: reportlab's "untitled"/"anonymous")."""
    from pypdf import PdfReader, PdfWriter
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    y = 780
    for text, size in lines:
        pdf.setFont("STSong-Light", size)
        pdf.drawString(60, y, text)
        y -= size + 10
    pdf.showPage()
    for _ in range(scanned_pages):
        pdf.rect(60, 300, 470, 400, fill=1)
        pdf.showPage()
    pdf.save()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(buf.getvalue())))
    info = {"/Title": title, "/Author": author, "/CreationDate": created}
    writer.add_metadata({k: v for k, v in info.items() if v is not None})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def scanned_pdf(pages: int = 2) -> bytes:
    """A PDF like a scan: each page only drawn shapes, no text layer."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    for n in range(pages):
        pdf.setFillGray(0.3 + 0.2 * n)
        pdf.rect(60, 300, 470, 400, fill=1)
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def encrypted_pdf(user_password: str = "secret", owner_password: str | None = None,
                  algorithm: str = "RC4-128") -> bytes:
    """The text PDF encrypted by pypdf; with an empty user password it opens without one."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf())))
    writer.encrypt(user_password, owner_password, algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_file(*, title: str = "乙市产业发展报告", author: str = "乙市研究所",
              created: datetime | None = datetime(2024, 3, 15, 8, 0)) -> bytes:
    """A Word document: a Title, Heading 1/2, paragraphs and a table, with core
    properties (``created=None`` leaves python-docx's template date)."""
    import docx

    document = docx.Document()
    props = document.core_properties
    props.title, props.author = title, author
    if created is not None:
        props.created = created
    document.add_heading("乙市产业发展报告", 0)
    document.add_heading("一、总体情况", 1)
    document.add_paragraph("乙市共有单项冠军企业12家，重点发展新材料产业。")
    document.add_heading("（一）重点企业", 2)
    document.add_paragraph("各企业情况如下表")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate(DOCX_TABLE):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_heading("二、发展方向", 1)
    document.add_paragraph("乙市将继续支持企业研发投入，培育更多单项冠军。")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


DOCX_TABLE = [["企业", "成立年份", "主要产品"], ["乙公司", "2005", "齿轮"], ["丙公司", "2010", "密封件"]]


HTML_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>丁市单项冠军企业达到25家 - 丁市日报</title>
<meta name="author" content="王小明">
<meta property="og:site_name" content="丁市日报">
<meta property="article:published_time" content="2024-06-01T08:00:00+08:00">
</head><body>
<nav><ul><li><a href="/">首页</a></li><li><a href="/news">新闻中心</a></li><li><a href="/about">关于我们</a></li></ul></nav>
<div class="sidebar"><a href="/hot">热点排行</a><a href="/ad">广告合作</a></div>
<article>
<h1>丁市单项冠军企业达到25家</h1>
<p>丁市经济和信息化局近日发布消息，全市国家级单项冠军企业达到25家，<b>居全省前列</b>。这些企业主要分布在新材料、高端装备和汽车零部件领域。</p>
<h2>一、主要做法</h2>
<p>丁市设立专项资金，支持企业研发投入，鼓励企业参与制定国际标准和行业标准。</p>
<p>丁公司成立于1998年，主要生产液压元件，产品出口到三十多个国家和地区。</p>
</article>
<footer><p>版权所有 © 丁市日报社 备案号：丁ICP备00000000号</p><p>联系我们 | 网站地图</p></footer>
</body></html>
"""
