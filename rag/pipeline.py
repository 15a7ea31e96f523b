"""The pipeline every front end calls: load the index once, then search and ask."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rag.answer.categories import named_category
from rag.answer.descriptions import resolve as resolve_description
from rag.answer.descriptions import resolve_person
from rag.answer.facts import doc_as_of, fact_from_dict
from rag.answer.figure_answers import FactTable, as_of_label, is_amount_verb
from rag.answer.followup import is_followup, points_at_item, rewrite, with_named_source
from rag.answer.grounded import prompt
from rag.answer.knowledge import Knowledge
from rag.answer.matching import loosely_has, spellings, stem
from rag.answer.preamble import the_question
from rag.answer.question import analyse, check_question, document_wording
from rag.answer.registry import Answerer, make_answerer, make_generator_for
from rag.answer.short_names import with_full_names
from rag.answer.typos import fix_term_typos
from rag.answer.variants import in_corpus_form
from rag.build_cache import open_cache
from rag.embedders import embedder_id, make_embedder
from rag.errors import EmbedderMismatchError, UnknownDocumentError
from rag.generators import Generator
from rag.indexing import store_for
from rag.keyword import KeywordIndex, keyword_dir, keyword_tokens
from rag.profile import Profile
from rag.rerank import CrossEncoderReranker
from rag.retrieve import HybridRetriever
from rag.schema import Answer, Hit, Turn
from rag.settings import Settings
from rag.snapshot import load_snapshot, read_store, save_snapshot
from rag.store import BuildInfo, Store, StoredDoc
from rag.tokenize import add_terms, is_nounish

log = logging.getLogger(__name__)
VERB_SHARE = 0.25  # a verb (培育, 建立) says little about which figure is meant
FIGURE_POOL = 5  # extra passages searched for differing figures beyond top_k


@dataclass
class Pipeline:
    """A loaded index with its retriever and answerer."""

    settings: Settings
    store: Store
    info: BuildInfo
    docs: dict[str, StoredDoc]
    retriever: HybridRetriever
    knowledge: Knowledge  # documents, profile and figures table the answerer reads
    answerer: Answerer
    generator: Generator | None = None  # the LLM, when one is configured (also rewrites follow-ups)

    @classmethod
    def load(cls, settings: Settings) -> Pipeline:
        """Open the index the settings point at. Raises IndexMissingError or
        EmbedderMismatchError (before loading any model)."""
        store = store_for(settings)
        info = store.info()
        wanted = embedder_id(settings.embedder, settings.embedder_model)
        if info.embedder != wanted:
            raise EmbedderMismatchError(info.embedder, wanted)
        snap = load_snapshot(settings.index_dir, info.tag, info.dim)
        if snap is None:  # not saved here (e.g. another machine built it): read the store once
            snap = read_store(store)
            save_snapshot(settings.index_dir, info.tag, snap)
        docs, chunks, rows, vectors = snap.docs, snap.chunks, snap.facts, snap.fact_vectors
        metas = {k: d.meta for k, d in docs.items()}
        profile = Profile.from_json(snap.profile)
        add_terms(profile.terms)  # before any tokenising: the keyword index uses them
        keyword = KeywordIndex.load(keyword_dir(settings.index_dir, info.tag), chunks, metas)
        if keyword is None:  # not saved here (e.g. another machine built it): from cached tokens
            with open_cache(settings.index_dir) as cache:
                keyword = KeywordIndex(chunks, metas, keyword_tokens(chunks, metas, profile.terms, cache))
        reranker = CrossEncoderReranker(settings.rerank_model) if settings.rerank_model else None
        retriever = HybridRetriever(
            store,
            keyword,
            make_embedder(settings.embedder, settings.embedder_model),
            {c.chunk_id: c for c in chunks},
            candidates=settings.candidates,
            dense_weight=settings.dense_weight,
            fusion=settings.fusion,
            reranker=reranker,
            query_cache=settings.query_cache,
        )
        missing = max((keyword.idf(t) for t in keyword.doc_freq), default=5.0) + 1.0

        def known(w: str) -> bool:
            return bool(keyword.word_idf(w))

        def weight(w: str) -> float:  # 出口 (of 出口额) weighs as the noun it is here
            return (keyword.word_idf(w) or missing) * (1.0 if is_nounish(w) or is_amount_verb(w, known) else VERB_SHARE)

        table = FactTable([fact_from_dict(r) for r in rows], vectors, profile, weight=weight,
                          has=lambda text, w: loosely_has(text, w) or loosely_has(text, stem(w)),
                          doc_dates={k: doc_as_of(m.date) for k, m in metas.items()},
                          chunk_texts={c.chunk_id: c.text for c in chunks},
                          spellings=lambda w: spellings(w) | spellings(stem(w)),
                          known=known)
        kb = Knowledge(metas, {k: d.text for k, d in docs.items()}, {c.chunk_id: c for c in chunks},
                       profile, table, keyword, retriever.embed_query)
        generator = make_generator_for(settings)
        answerer = make_answerer(settings, kb, generator)
        return cls(settings, store, info, docs, retriever, kb, answerer, generator)

    def check_docs(self, doc_ids: Sequence[str] | None) -> None:
        """Raise UnknownDocumentError naming the known ids if a filter names others."""
        unknown = [d for d in doc_ids or [] if d not in self.docs]
        if unknown:
            raise UnknownDocumentError(unknown, sorted(self.docs))

    def search(self, question: str, top_k: int | None = None,
               doc_ids: Sequence[str] | None = None) -> list[Hit]:
        """Ranked passages for a question."""
        q = check_question(question, self.settings.max_question_chars)
        self.check_docs(doc_ids)
        return self.retriever.retrieve(document_wording(self.read(q)), top_k or self.settings.top_k, doc_ids)

    def read(self, question: str) -> str:
        """The question as it is answered: the asker's story around it dropped ("我们要给领导
        写材料，有人说…，到底有多少家？"), slips in the corpus's jargon corrected (专精特心) and
        a place's other names (domain.json ``aliases``) made the place's, a company's short
        name its full one (均胜 → 均胜电子), a category described instead of named
        (domain.json ``definitions``) its name, and 科技类 read as the corpus's 科技型."""
        profile = self.knowledge.profile
        terms = (w for w, pos in profile.terms if pos == "n")
        companies = (w for w, pos in profile.terms if pos == "nt")
        named = [w for w, pos in profile.terms if pos == "n" and any(w in d for d in profile.definitions)]
        text = the_question(with_full_names(profile.unaliased(question), companies))
        text = in_corpus_form(text, lambda w: bool(self.knowledge.keyword.word_idf(w)))
        return named_category(fix_term_typos(text, terms), profile.definitions, named)

    def facts(self, question: str, limit: int = 20) -> list[dict[str, Any]]:
        """Rows of the figures table that match a question's measure and place, best
        first, each with its source: what `rag facts` and GET /api/facts show."""
        q = analyse(check_question(question, self.settings.max_question_chars), self.knowledge.profile)
        kb = self.knowledge
        qvec = kb.embed_query(" ".join(q.measure_words)) if q.measure_words and kb.embed_query else None
        rows = kb.table.matching(q, qvec)
        out = []
        for s in rows[:limit]:
            meta = kb.metas.get(s.fact.doc_id)
            out.append({**s.fact.to_dict(), "as_of_label": as_of_label(s.fact), "score": round(s.score, 3),
                        "title": meta.title if meta else "", "publisher": meta.publisher if meta else "",
                        "date": meta.date if meta else ""})
        return out

    def standalone(self, question: str, history: Sequence[Turn]) -> str:
        """The follow-up rewritten with the history: by the LLM when one is
        configured (rules if it fails), by rules otherwise."""
        if not history or not (is_followup(question, self.knowledge.profile) or points_at_item(question, history)):
            return question
        if self.generator is not None:
            lines = "\n".join(f"{'用户' if t.role == 'user' else '助手'}：{t.content}" for t in history[-6:])
            text = prompt("condense_zh.txt").format(history=lines, question=question)
            try:
                out = self.generator.complete([{"role": "user", "content": text}]).strip()
                out = out.splitlines()[0].strip() if out else ""
                if 2 <= len(out) <= self.settings.max_question_chars:
                    return out
            except Exception as exc:  # noqa: BLE001 - rules are the fallback
                log.warning("LLM rewrite failed (%s); using rules", exc)
        publishers = [m.publisher for m in self.knowledge.metas.values()]
        return with_named_source(rewrite(question, history, self.knowledge.profile), question, history, publishers)

    def ask(self, question: str, top_k: int | None = None, doc_ids: Sequence[str] | None = None,
            history: Sequence[Turn] = (), on_token: Callable[[str], None] | None = None) -> Answer:
        """A cited answer (or a refusal with the closest passages).

        With ``history``, a follow-up ("那乙市呢？") is first rewritten into a
        standalone question. ``on_token`` receives the answer text as it is produced.
        """
        asked = check_question(question, self.settings.max_question_chars)
        self.check_docs(doc_ids)
        q = self.standalone(asked, history)
        if len(q) > self.settings.max_question_chars:  # a rewrite must not get around the limit
            q = asked
        q = self.read(q)
        t0 = time.perf_counter()
        k = top_k or self.settings.top_k
        pool = self.retriever.retrieve(document_wording(q), k + FIGURE_POOL, doc_ids)
        kb = self.knowledge
        named = resolve_description(q, pool[:k], kb.profile, kb.table.weight) or resolve_person(q, pool[:k])
        if named is not None:  # "那家做溅射靶材的企业…" asks about the company the passages name
            q = named.rewrite(q, kb.profile.places)
            pool = self.retriever.retrieve(document_wording(q), k + FIGURE_POOL, doc_ids)
        t1 = time.perf_counter()
        answer = self.answerer.answer(q, pool[:k], more=pool[k:], doc_ids=doc_ids, on_token=on_token)
        t2 = time.perf_counter()
        answer.question, answer.standalone_question = asked, q
        answer.timings_ms = {"retrieve": (t1 - t0) * 1000, "answer": (t2 - t1) * 1000}
        return answer
