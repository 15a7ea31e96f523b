"""Sentence-aware chunking of cleaned documents.

Uses LangChain's RecursiveCharacterTextSplitter with separators that prefer
paragraph breaks, then Chinese sentence ends (。！？ and a closing quote after
them), then clause breaks (；，). Each chunk keeps its character span in the
cleaned text, its section and a stable id derived from document and content.
"""

from __future__ import annotations

import hashlib

from langchain_text_splitters import RecursiveCharacterTextSplitter

from rag.cleaning import section_at
from rag.schema import Chunk, CleanDoc

# Zero-width split points, so no character is ever lost or moved.
SEPARATORS = [
    r"\n\n",
    r"(?<=[。！？!?][”’」』])",
    r"(?<=[。！？!?…])(?![”’」』])",
    r"(?<=[；;])",
    r"(?<=[，,、：])",
    "",
]


def _splitter(size: int, overlap: int) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter(
        separators=SEPARATORS,
        is_separator_regex=True,
        keep_separator=True,
        chunk_size=size,
        chunk_overlap=overlap,
        strip_whitespace=True,
        add_start_index=True,
    )


def chunk_id(doc_id: str, text: str, start: int) -> str:
    """Stable id: same document, same text at the same place → same id."""
    digest = hashlib.sha1(f"{doc_id}\x00{start}\x00{text}".encode()).hexdigest()[:12]
    return f"{doc_id[:3]}-{digest}"


def _section_for(doc: CleanDoc, start: int, end: int) -> str:
    """The section of a chunk: a heading that starts in its first third, else where it starts."""
    for sec in doc.sections:
        if start < sec.start < start + (end - start) // 3:
            return sec.title
    return section_at(doc, start)


MIN_CHUNK = 50  # a shorter piece (a lone heading, a byline) is merged into the next one


def _spans(doc: CleanDoc, size: int, overlap: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for piece in _splitter(size, overlap).create_documents([doc.text]):
        start = int(piece.metadata["start_index"])
        end = start + len(piece.page_content)
        if doc.text[start:end] != piece.page_content:
            raise RuntimeError(f"{doc.meta.doc_id}: chunk span does not match the cleaned text")
        spans.append((start, end))
    spans = _headings_start_chunks(doc, spans)
    merged: list[tuple[int, int]] = []
    carry: int | None = None
    for start, end in spans:
        if carry is not None:
            start, carry = carry, None
        if end - start < MIN_CHUNK:
            carry = start
            continue
        merged.append((start, end))
    if carry is not None:
        if merged:
            merged[-1] = (merged[-1][0], len(doc.text))
        else:
            merged.append((carry, len(doc.text)))
    return merged


def _find_all(text: str, sub: str) -> list[int]:
    out, i = [], text.find(sub)
    while i >= 0:
        out.append(i)
        i = text.find(sub, i + 1)
    return out


def _headings_start_chunks(doc: CleanDoc, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A chunk that ends with a heading line gives that heading to the next chunk."""
    heads = {sec.start for sec in doc.sections}
    out = list(spans)

    def only_headings(h: int, end: int) -> bool:
        starts = [h] + [h + m + 2 for m in _find_all(doc.text[h:end], "\n\n")]
        return all(p in heads for p in starts)

    for i in range(len(out) - 1):
        start, end = out[i]
        inside = sorted(h for h in heads if start < h < end and only_headings(h, end))
        if inside:
            h = inside[0]
            out[i] = (start, len(doc.text[:h].rstrip()))
            out[i + 1] = (min(out[i + 1][0], h), out[i + 1][1])
    return out


def chunk_document(doc: CleanDoc, size: int, overlap: int) -> list[Chunk]:
    """Split one cleaned document into chunks of about ``size`` characters."""
    chunks: list[Chunk] = []
    for start, end in _spans(doc, size, overlap):
        text = doc.text[start:end]
        chunks.append(
            Chunk(
                chunk_id=chunk_id(doc.meta.doc_id, text, start),
                doc_id=doc.meta.doc_id,
                text=text,
                section=_section_for(doc, start, end),
                start=start,
                end=end,
            )
        )
    return chunks
