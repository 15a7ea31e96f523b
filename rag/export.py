"""Conversation export as Markdown (question, answer, numbered sources).

Questions, answers and document text go in through ``plain_markdown``: the file
shows them as text, never as live links, images or formatting.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from rag.plain_text import plain_markdown
from rag.schema import Answer


def _line(text: str) -> str:
    """``text`` as plain Markdown on one line (a heading or a table cell)."""
    return plain_markdown(" ".join(text.splitlines()))


def conversation_markdown(answers: Sequence[Answer], title: str = "制造业冠军企业问答记录") -> str:
    """The conversation as a Markdown document."""
    lines = [f"# {_line(title)}", "", f"导出时间：{time.strftime('%Y-%m-%d %H:%M')}", ""]
    for i, a in enumerate(answers, start=1):
        lines += [f"## 问题 {i}：{_line(a.question)}", ""]
        if a.short:
            lines += [f"**简答：** {plain_markdown(a.short)}", ""]
        lines += [plain_markdown(a.text), ""]
        if a.figures:
            lines += ["| 数字 | 来源 | 日期 |", "|---|---|---|"]
            lines += [f"| {_line(f.value)}{'（目标）' if f.label else ''} | {_line(f.title)} [{f.citation}] "
                      f"| {_line(f.date)} |" for f in a.figures]
            lines.append("")
        if a.citations:
            lines.append("来源：" if not a.refused else "最接近的段落：")
            for c in a.citations:
                lines.append(f"{c.n}. 《{_line(c.title)}》，{_line(c.publisher)}，{_line(c.date)}，"
                             f"{_line(c.section)}：“{plain_markdown(c.quote)}”{plain_markdown(c.note)}")
            lines.append("")
    return "\n".join(lines)
