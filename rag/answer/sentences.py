"""Chinese sentence splitting with character spans."""

from __future__ import annotations

import re

# A sentence that starts by pointing back to what the one before named (该公司成立于…).
ANAPHOR = re.compile(r"^(?:该公司|该企业|该集团|这家公司|这家企业|公司|企业|其|它|他们|该区|该市)")
_END = re.compile(r"[。！？!?；;…]+[”’」』）)]*|\n\n+")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences in ``text``; whitespace-only pieces are skipped."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _END.finditer(text):
        end = m.end()
        _add(text, pos, end, spans)
        pos = end
    _add(text, pos, len(text), spans)
    return _with_speakers(text, spans)


# the verbs that say who said something ("院长某某说", "某某告诉记者")
SPEAKER_VERB = r"(?:说|表示|认为|介绍|指出|坦言|告诉|称|建议|强调|谈到)"
# what follows a quote to say who said it, and nothing more: "某研究院院长某某说。"
SAID_BY = re.compile(rf"[^，。；！？!?“”\"\n]{{2,30}}{SPEAKER_VERB}(?:记者)?[。！]?")


def _with_speakers(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A quote and the line saying who said it ("“…。”院长某某说。") are one sentence: the
    line alone answers nothing, the quote alone names no one."""
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if out and text[out[-1][1] - 1] in "”\"" and out[-1][1] == a and SAID_BY.fullmatch(text, a, b):
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _add(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
