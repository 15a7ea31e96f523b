"""Chroma work per dense search (issue 11): the live collection's handle and count kept
per build version (``ChromaStore`` default) against looking the build up before every
search (``keep_handle=False``: a pointer read, a collection lookup and a count before
the query, as before). One run measures both, on the same client and index:

    nice .venv/bin/python -m bench.search_calls                         # 10k index of bench/scale.py if there
    nice .venv/bin/python -m bench.search_calls --work /tmp/rag-scale/10000 --rounds 5
    nice .venv/bin/python -m bench.search_calls --work /tmp/rag-search-calls  # bundled corpus (built once)

``--work`` is a folder laid out as bench/scale.py leaves it (``corpus/``, ``index/``,
``generate.json``); the index is only read. Without an index there the bundled corpus
is indexed into it first. The questions are eval/qa.jsonl's (as bench/scale.py picks
them), each embedded once before timing, so only ``dense_search`` is timed. Both stores
search every question in every round, in alternating order; a first pass checks that
they return the same results and counts their Chroma calls per search.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SCALE_10K = Path("/tmp/rag-scale/10000")
OWN_WORK = Path("/tmp/rag-search-calls")
CANDIDATES = 30  # the default RAG_CANDIDATES: what a search asks Chroma for


class Counting:
    """Forwards every call to a real Chroma client or collection and counts it by method
    name; the collections it hands out are wrapped too, so one tally holds every Chroma
    call a store makes."""

    def __init__(self, inner: Any, calls: Counter[str] | None = None) -> None:
        self._inner = inner
        self.calls: Counter[str] = Counter() if calls is None else calls

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            out = attr(*args, **kwargs)
            return Counting(out, self.calls) if name.endswith("collection") else out

        return call

    def taken(self) -> dict[str, int]:
        """The calls since the last look, by method."""
        out = dict(self.calls)
        self.calls.clear()
        return out


def settings_for(work: Path) -> Any:
    """The settings bench/scale.py uses for one of its folders; elsewhere the bundled
    corpus, indexed into ``work/index`` first when that has no index."""
    from rag.indexing import build_index
    from rag.settings import load_settings

    if (work / "generate.json").exists():
        from bench.scale import settings_for as scale_settings

        return scale_settings(work)
    settings = load_settings(corpus_dir=ROOT / "corpus", index_dir=work / "index", query_cache=0)
    if not (settings.index_dir / "chroma").exists():
        print(f"No index in {work}: indexing the bundled corpus there", flush=True)
        build_index(settings)
    return settings


def percentiles(ms: Sequence[float]) -> dict[str, float]:
    s = sorted(ms)
    return {"mean": statistics.fmean(s), "p50": s[len(s) // 2], "p95": s[min(len(s) - 1, int(len(s) * 0.95))]}


def calls_per_search(store: Any, counted: Counting, vectors: Sequence[Any]) -> list[dict[str, int]]:
    """The Chroma calls of each search, by method."""
    counted.taken()
    out = []
    for v in vectors:
        store.dense_search(v, CANDIDATES)
        out.append(counted.taken())
    return out


def mean_calls(searches: Sequence[dict[str, int]]) -> dict[str, float]:
    """Calls per search, by method, over ``searches``."""
    total: Counter[str] = Counter()
    for calls in searches:
        total.update(calls)
    return {k: v / len(searches) for k, v in sorted(total.items())}


def measure(work: Path, rounds: int, n_questions: int) -> dict[str, Any]:
    from bench.core import machine
    from bench.scale import questions
    from rag.embedders import make_embedder
    from rag.indexing import store_for
    from rag.store import ChromaStore

    load_start = os.getloadavg()
    settings = settings_for(work)
    opened = store_for(settings)
    assert isinstance(opened, ChromaStore)  # the bench times Chroma itself
    client, base, where = opened.client, opened.base, opened.where
    embedder = make_embedder(settings.embedder, settings.embedder_model)
    vectors = [embedder.embed_query(q) for q in questions(n_questions)]
    stores = {"looked_up": ChromaStore(client, base, where, keep_handle=False),
              "kept": ChromaStore(client, base, where)}

    counted = Counting(client)
    counting = {k: ChromaStore(counted, base, where, keep_handle=s.keep_handle) for k, s in stores.items()}
    calls = {k: calls_per_search(s, counted, vectors) for k, s in counting.items()}
    for v in vectors:  # the same results, and a warm-up
        assert stores["kept"].dense_search(v, CANDIDATES) == stores["looked_up"].dense_search(v, CANDIDATES)

    ms: dict[str, list[float]] = {k: [] for k in stores}
    order = list(stores)
    for r in range(rounds):
        for i, v in enumerate(vectors):
            for k in order if (r + i) % 2 == 0 else order[::-1]:
                search = stores[k].dense_search
                t0 = time.perf_counter()
                search(v, CANDIDATES)
                ms[k].append((time.perf_counter() - t0) * 1000)
    stats = {k: percentiles(v) for k, v in ms.items()}
    chunks = stores["kept"].search_target().count
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "work": str(work), "chunks": chunks,
        "machine": machine(), "nproc": len(os.sched_getaffinity(0)), "niceness": os.nice(0),
        "load_avg_start": load_start, "load_avg_end": os.getloadavg(),
        "questions": len(vectors), "rounds": rounds, "searches_each": len(ms["kept"]), "n_results": CANDIDATES,
        "calls_looked_up": mean_calls(calls["looked_up"]), "calls_kept_first": mean_calls(calls["kept"][:1]),
        "calls_kept_after": mean_calls(calls["kept"][1:]),
        "ms": stats, "ratio_mean": stats["looked_up"]["mean"] / stats["kept"]["mean"],
        "ratio_p50": stats["looked_up"]["p50"] / stats["kept"]["p50"],
        "saved_ms_mean": stats["looked_up"]["mean"] - stats["kept"]["mean"],
    }


def _listed(values: Sequence[float] | dict[str, float], sep: str = " / ") -> str:
    if isinstance(values, dict):
        return ", ".join(f"{k} {v:g}" for k, v in values.items())
    return sep.join(f"{v:.2f}" for v in values)


def report(r: dict[str, Any]) -> str:
    """The numbers as the Markdown that docs/BENCHMARKS.md shows."""
    lo, kept = r["ms"]["looked_up"], r["ms"]["kept"]
    return "\n".join([
        f"{r['date']}; {r['machine']}; nproc {r['nproc']}, niceness {r['niceness']}; load average "
        f"(1/5/15 min) at start {_listed(r['load_avg_start'])}, at end {_listed(r['load_avg_end'])}.",
        f"Index: {r['work']} ({r['chunks']:,} chunks); {r['questions']} eval questions x {r['rounds']} rounds = "
        f"{r['searches_each']} dense searches (n_results {r['n_results']}) per store, alternating.",
        "",
        "| per dense search | looked up every search (before) | handle kept per version (after) |",
        "|---|---|---|",
        f"| Chroma calls | {_listed(r['calls_looked_up'])} | {_listed(r['calls_kept_after'])} "
        f"(first search: {_listed(r['calls_kept_first'])}) |",
        f"| wall ms mean / p50 / p95 | {lo['mean']:.2f} / {lo['p50']:.2f} / {lo['p95']:.2f} | "
        f"{kept['mean']:.2f} / {kept['p50']:.2f} / {kept['p95']:.2f} |",
        "",
        f"Before / after: {r['ratio_mean']:.2f}x (mean), {r['ratio_p50']:.2f}x (p50); "
        f"{r['saved_ms_mean']:.2f} ms saved per search on average.",
    ])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=SCALE_10K if (SCALE_10K / "index").exists() else OWN_WORK)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args(argv)
    r = measure(args.work, args.rounds, args.questions)
    if args.json:
        args.json.write_text(json.dumps(r, ensure_ascii=False, indent=1), encoding="utf-8")
    print(report(r))


if __name__ == "__main__":
    main()
