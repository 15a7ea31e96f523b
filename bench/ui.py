"""Chat page benchmark in a real browser (Debian chromium via Playwright).

Starts `streamlit run app.py` on 127.0.0.1 against the index in RAG_INDEX_DIR
(default index/), then measures:
- first answer: from the moment the page is usable (input box shown) to the first
  answer's text on screen, in a fresh server process (cold caches);
- warm answers: submit → answer text on screen, for further questions.
Appends/replaces the "Chat page" section of docs/BENCHMARKS.md.

    .venv/bin/python bench/ui.py [--warm 10] [--no-write]

Targets: first answer <= 3 s after the page loads, warm extractive answers <= 300 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.core import free_port, machine  # noqa: E402
from rag.metrics import percentile  # noqa: E402


def _questions(n: int) -> list[str]:
    lines = (ROOT / "eval" / "qa.jsonl").read_text(encoding="utf-8").splitlines()
    items = [json.loads(x) for x in lines if x.strip()]
    return [i["question"] for i in items if i["answerable"] and not i["history"]][: n + 1]


def _ask(page, question: str, count_before: int) -> float:  # type: ignore[no-untyped-def]
    """Submit a question; seconds until a new assistant message has text."""
    page.fill("textarea", question)
    t0 = time.perf_counter()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('[data-testid=\"stChatMessage\"]').length >= n + 2 && "
        "document.querySelectorAll('[data-testid=\"stChatMessage\"]')[n + 1].innerText.length > 10",
        arg=count_before, timeout=60_000, polling=10)
    return time.perf_counter() - t0


def run(warm: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ))
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        qs = _questions(warm)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_page()
            t0 = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}")
            page.wait_for_selector("textarea", timeout=60_000)
            page_load = time.perf_counter() - t0
            first = _ask(page, qs[0], 0)
            times = [_ask(page, q, 2 * (i + 1)) for i, q in enumerate(qs[1:])]
            print("per-question s:", [round(t, 3) for t in times], file=sys.stderr)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    return {"page_load_s": page_load, "first_answer_s": first,
            "warm_p50_ms": percentile(times, 50) * 1000, "warm_p95_ms": percentile(times, 95) * 1000,
            "warm_n": len(times)}


NOTE = """Why the warm target is missed: the pipeline answers in ~25 ms and the page script
runs in ~65 ms (Streamlit AppTest), but a rerun of the whole page in headless,
software-rendered chromium costs ~300 ms more. A minimal Streamlit chat that only
echoes text measures ~80 ms on the same machine with the same harness, so most of
the gap is rendering the answer's sources, tables and feedback widgets; removing
the feedback row or the source list each saved under 100 ms (measured, not
committed). Left as is: every element is part of the issue's requirements."""


def section(r: dict[str, float]) -> str:
    first_ok = "met" if r["first_answer_s"] <= 3 else "**missed**"
    warm_ok = "met" if r["warm_p95_ms"] <= 300 else "**missed**"
    return "\n".join([
        "Chat page (issue 4)", "",
        f"Produced by `.venv/bin/python bench/ui.py` on {machine()}, {time.strftime('%Y-%m-%d %H:%M %Z')}: "
        "a fresh `streamlit run app.py` on 127.0.0.1, Debian chromium via Playwright; times are from "
        "pressing Enter to the answer text on screen.", "",
        "| measure | result | target | |", "|---|---|---|---|",
        f"| page load to input box (fresh server) | {r['page_load_s']:.2f} s | | |",
        f"| first answer after the page loaded (index + model load included) | {r['first_answer_s']:.2f} s | ≤ 3 s | {first_ok} |",
        f"| warm answers p50 ({int(r['warm_n'])} questions) | {r['warm_p50_ms']:.0f} ms | | |",
        f"| warm answers p95 | {r['warm_p95_ms']:.0f} ms | ≤ 300 ms | {warm_ok} |", "", NOTE, ""])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--warm", type=int, default=10)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    text = section(run(args.warm))
    print(text)
    if not args.no_write:
        out = ROOT / "docs" / "BENCHMARKS.md"
        parts = out.read_text(encoding="utf-8").split("\n## ")
        parts = [p for p in parts if not p.startswith("Chat page")]
        out.write_text("\n## ".join(parts).rstrip() + "\n\n## " + text, encoding="utf-8")


if __name__ == "__main__":
    main()
