"""Numbered citations: one per passage, in order of first use, quotes joined."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from rag.answer.templates import display_date, template
from rag.profile import SELF_REFERENCES
from rag.schema import Citation, DocMeta, Hit


def perspective_note(meta: DocMeta | None, main_city: str, text: str) -> str:
    """"（此处“我市”指乙市）" when the text's 我市 is not the corpus's main city."""
    if meta and meta.home_city and meta.home_city != main_city and any(r in text for r in SELF_REFERENCES):
        return template("extractive_zh")["perspective"].format(city=meta.home_city)
    return ""


class CitationBook:
    """Numbers passages in order of first use; one citation per passage."""

    def __init__(self, docs: Mapping[str, DocMeta], main_city: str = "") -> None:
        self.docs = docs
        self.main_city = main_city
        self._by_chunk: dict[str, Citation] = {}

    def cite(self, hit: Hit, quote: str, start: int, end: int) -> int:
        """The citation number for a quote (offsets in the chunk text), adding it if new."""
        ch = hit.chunk
        if ch.chunk_id in self._by_chunk:
            old = self._by_chunk[ch.chunk_id]
            if quote not in old.quote:
                self._by_chunk[ch.chunk_id] = replace(old, quote=old.quote + "……" + quote)
            return old.n
        meta = self.docs.get(ch.doc_id) or DocMeta(ch.doc_id, ch.doc_id)
        note = perspective_note(meta, self.main_city, quote)
        cit = Citation(
            n=len(self._by_chunk) + 1,
            doc_id=ch.doc_id,
            title=meta.title,
            publisher=meta.publisher,
            date=display_date(meta),
            section=ch.section,
            quote=quote,
            chunk_id=ch.chunk_id,
            passage=ch.text,
            start=ch.start + start,
            end=ch.start + end,
            note=note,
        )
        self._by_chunk[ch.chunk_id] = cit
        return cit.n

    def citations(self) -> list[Citation]:
        """The citations in number order."""
        return sorted(self._by_chunk.values(), key=lambda c: c.n)
