"""The answerer plug-in point: one protocol, built-ins registered by name."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from rag.answer.extractive import ExtractiveAnswerer
from rag.answer.grounded import LLMAnswerer
from rag.answer.knowledge import Knowledge
from rag.generators import Generator, make_generator
from rag.schema import Answer, Hit
from rag.settings import Settings


class Answerer(Protocol):
    """Writes a grounded, cited answer (or a refusal) from retrieved passages."""

    id: str

    def answer(self, question: str, hits: Sequence[Hit], more: Sequence[Hit] = (),
               doc_ids: Sequence[str] | None = None,
               on_token: Callable[[str], None] | None = None) -> Answer:
        """``hits`` are the passages to answer from, ``more`` further-ranked ones that
        figures may also cite; ``doc_ids`` the user's document filter; ``on_token``
        receives the text as it is produced."""
        ...


def _extractive(settings: Settings, kb: Knowledge, generator: Generator | None) -> Answerer:
    return ExtractiveAnswerer(kb, min_support=settings.min_support, max_sentences=settings.answer_sentences)


def _llm(settings: Settings, kb: Knowledge, generator: Generator | None) -> Answerer:
    assert generator is not None
    return LLMAnswerer(generator, kb.metas, ExtractiveAnswerer(
        kb, min_support=settings.min_support, max_sentences=settings.answer_sentences))


ANSWERERS: dict[str, Callable[[Settings, Knowledge, Generator | None], Answerer]] = {
    "extractive": _extractive,
    "llm": _llm,
}


def make_generator_for(settings: Settings) -> Generator | None:
    """The LLM backend the settings name (None for extractive answers)."""
    if settings.llm == "extractive":
        return None
    return make_generator(
        settings.llm, base_url=settings.llm_base_url, model=settings.llm_model,
        api_key=settings.llm_api_key.get_secret_value(), gguf_file=settings.llm_gguf_file,
        timeout=settings.llm_timeout, max_retries=settings.llm_max_retries,
        max_tokens=settings.llm_max_tokens, temperature=settings.llm_temperature)


def make_answerer(settings: Settings, kb: Knowledge, generator: Generator | None) -> Answerer:
    """The answerer for the settings: extractive, or an LLM with the extractive fallback."""
    return ANSWERERS["extractive" if generator is None else "llm"](settings, kb, generator)
