"""Small dataclasses that cross module boundaries.

LangChain and Chroma types never leave their adapters; everything else speaks
in these types.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Turn:
    """One message of a conversation."""

    role: str  # "user" | "assistant"
    content: str


@dataclass(frozen=True)
class DocMeta:
    """What we know about one source document (from corpus/manifest.json or guessed)."""

    doc_id: str
    title: str
    publisher: str = ""
    author: str = ""
    date: str = ""  # ISO date or best-known period, e.g. "2023-05-05", "2021"
    date_note: str = ""  # how the date was established
    kind: str = ""
    home_city: str = ""  # the city that 我市/本市 refers to (manifest, else inferred at index time)
    note: str = ""

    @property
    def sort_key(self) -> str:
        """Sortable date string; undated documents sort first."""
        return self.date or "0000"


@dataclass(frozen=True)
class Section:
    """A heading and the character span of its body in the cleaned text."""

    title: str
    start: int
    end: int


@dataclass(frozen=True)
class CleanDoc:
    """A cleaned document: text plus section structure and cleaning report."""

    meta: DocMeta
    text: str
    sections: tuple[Section, ...]
    report: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage with a stable id and its span in the cleaned document."""

    chunk_id: str
    doc_id: str
    text: str
    section: str
    start: int
    end: int


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its scores."""

    chunk: Chunk
    score: float
    dense: float = 0.0
    keyword: float = 0.0
    rank: int = 0
    cosine: float = 0.0  # raw dense similarity (not normalised), 0 when not dense-retrieved

    def to_dict(self, meta: DocMeta | None = None) -> dict[str, Any]:
        """Rank, scores, the passage and its document's title, publisher and date:
        what `rag search --json` and POST /api/search return."""
        doc = {"title": meta.title, "publisher": meta.publisher, "date": meta.date} if meta else {}
        return {"rank": self.rank, "score": self.score, "dense": self.dense, "keyword": self.keyword,
                **asdict(self.chunk), **doc}


@dataclass(frozen=True)
class Citation:
    """One numbered source of an answer: the passage and the sentence quoted from it."""

    n: int
    doc_id: str
    title: str
    publisher: str
    date: str
    section: str
    quote: str
    chunk_id: str
    passage: str = ""
    start: int = 0
    end: int = 0
    note: str = ""


@dataclass(frozen=True)
class Figure:
    """A figure for one quantity as stated by one source."""

    value: str
    doc_id: str
    title: str
    date: str
    quote: str
    citation: int = 0
    label: str = ""


@dataclass
class Answer:
    """What the pipeline returns for a question."""

    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    refused: bool = False
    short: str = ""  # the bare figure or date, when the question asks for one
    short_note: str = ""  # when the short figure holds ("截至2025年12月") or that it is a target
    figures: list[Figure] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    backend: str = "extractive"
    notice: str = ""  # a message for the user, e.g. that the LLM failed and this is the fallback
    unverified_numbers: list[str] = field(default_factory=list)
    standalone_question: str = ""  # the question as searched, after follow-up rewriting
    timings_ms: dict[str, float] = field(default_factory=dict)

    def as_said(self) -> str:
        """The answer as a turn of the conversation: its text and the source it cites
        first, so a follow-up may ask what "the same source" says (同一份材料里怎么说)."""
        first = self.citations[0] if self.citations else None
        return f"{self.text}（出处：{first.publisher}）" if first and first.publisher else self.text

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (hits reduced to ids and scores)."""
        data = asdict(self)
        data["hits"] = [
            {"chunk_id": h.chunk.chunk_id, "doc_id": h.chunk.doc_id, "score": round(h.score, 4)}
            for h in self.hits
        ]
        return data
