"""Write a figure answer from the figures table's rows: the answering sentence,
the other sources' figures newest first, targets apart, and the 简答."""

from __future__ import annotations

from collections.abc import Sequence

from rag.answer.citations import CitationBook, perspective_note
from rag.answer.figure_answers import FigureResult, Scored, as_of_label
from rag.answer.knowledge import Knowledge
from rag.answer.templates import display_date, template
from rag.schema import Figure, Hit


def cite_row(kb: Knowledge, book: CitationBook, s: Scored, hits: list[Hit]) -> int:
    """Cite the sentence a figure row came from."""
    f = s.fact
    hit = kb.hit_for(f.chunk_id, hits)
    if hit is None:
        return 0
    text = hit.chunk.text
    a = text.find(f.sentence)
    if a < 0:  # sentence cut by the chunk: quote the clause instead
        a = max(0, text.find(f.clause))
        return book.cite(hit, f.clause, a, a + len(f.clause))
    return book.cite(hit, f.sentence, a, a + len(f.sentence))


def _label(kb: Knowledge, s: Scored) -> str:
    meta = kb.metas.get(s.fact.doc_id)
    source = (meta.publisher or meta.title) if meta else s.fact.doc_id
    when = as_of_label(s.fact)
    doc_date = display_date(meta) if meta else ""
    return f"{when}，{source}" if when and when not in doc_date else f"{source}，{doc_date}"


def _note(kb: Knowledge, s: Scored) -> str:
    """What the 简答 figure is: a target for a year, as of a stated time, or as of the source's date."""
    t = template("extractive_zh")
    if s.fact.kind == "target":
        return t["target_note"].format(year=s.fact.year)
    if s.fact.as_of_text:
        return t["as_of_note"].format(when=as_of_label(s.fact))
    meta = kb.metas.get(s.fact.doc_id)
    return t["source_date_note"].format(date=display_date(meta)) if meta else ""


def figure_list(kb: Knowledge, book: CitationBook, rows: Sequence[Scored], hits: list[Hit]) -> str:
    """"119家（2025年12月，某报）[1]；83家（…）[2]": figures with when and whose."""
    return "；".join(f"{s.fact.shown}（{_label(kb, s)}）[{cite_row(kb, book, s, hits)}]" for s in rows)


def compose(kb: Knowledge, result: FigureResult, hits: list[Hit], book: CitationBook,
            prefix: str = "") -> tuple[list[str], str, str]:
    """(answer lines, 简答, 简答 note) for one place's figure result."""
    t = template("extractive_zh")
    lines: list[str] = [prefix] if prefix else []
    main = result.main[0]
    if result.intent == "trend":
        lines.append(t["trend_intro"] + " → ".join(
            f"{s.fact.shown}（{_label(kb, s)}）[{cite_row(kb, book, s, hits)}]" for s in result.main) + "。")
        short = " → ".join(s.fact.shown for s in result.main)
        note = ""
    else:
        n = cite_row(kb, book, main, hits)
        note = perspective_note(kb.metas.get(main.fact.doc_id), kb.profile.main_city, main.fact.sentence)
        lines.append(f"{main.fact.sentence}{note}[{n}]")
        short = main.fact.shown
        note = _note(kb, main)
        if result.rival is not None:  # two figures for the same time, the question not telling which
            short = t["rival_short"].format(a=main.fact.shown, b=result.rival.fact.shown)
            note = t["rival_target_note"].format(year=main.fact.year) if main.fact.kind == "target" \
                else t["rival_note"].format(when=as_of_label(main.fact)) \
                if result.rival.fact.doc_id != main.fact.doc_id else t["rival_same_sentence_note"]
    if result.older:
        key = "later_figures" if result.intent == "earliest" else "older_figures"
        lines.append(t[key].format(items=figure_list(kb, book, result.older[:4], hits)))
    if result.targets and result.intent != "target":
        items = "；".join(f"{s.fact.shown}（{s.fact.year}年）[{cite_row(kb, book, s, hits)}]"
                         for s in result.targets[:3])
        lines.append(t["targets_apart"].format(items=items))
    return lines, short, note


def figures_for_table(kb: Knowledge, result: FigureResult, book: CitationBook, hits: list[Hit]) -> list[Figure]:
    """The rows shown in the chat page's figure table."""
    out = []
    for s in [*result.main, *result.older, *result.targets]:
        meta = kb.metas.get(s.fact.doc_id)
        out.append(Figure(s.fact.shown, s.fact.doc_id, meta.title if meta else s.fact.doc_id,
                          as_of_label(s.fact) or (display_date(meta) if meta else ""), s.fact.sentence,
                          cite_row(kb, book, s, hits), "目标" if s.fact.kind == "target" else ""))
    return out
