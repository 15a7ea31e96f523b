"""Conversation export as Markdown (question, answer, numbered sources)."""

from __future__ import annotations

import time
from collections.abc import Sequence

from rag.schema import Answer


def conversation_markdown(answers: Sequence[Answer], title: str = "制造业冠军企业问答记录") -> str:
    """The conversation as a Markdown document."""
    lines = [f"# {title}", "", f"导出时间：{time.strftime('%Y-%m-%d %H:%M')}", ""]
    for i, a in enumerate(answers, start=1):
        lines += [f"## 问题 {i}：{a.question}", ""]
        if a.short:
            lines += [f"**简答：** {a.short}", ""]
        lines += [a.text, ""]
        if a.figures:
            lines += ["| 数字 | 来源 | 日期 |", "|---|---|---|"]
            lines += [f"| {f.value}{'（目标）' if f.label else ''} | {f.title} [{f.citation}] | {f.date} |"
                      for f in a.figures]
            lines.append("")
        if a.citations:
            lines.append("来源：" if not a.refused else "最接近的段落：")
            for c in a.citations:
                lines.append(f"{c.n}. 《{c.title}》，{c.publisher}，{c.date}，{c.section}：“{c.quote}”{c.note}")
            lines.append("")
    return "\n".join(lines)
