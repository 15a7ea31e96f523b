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
    return spans


def _add(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
