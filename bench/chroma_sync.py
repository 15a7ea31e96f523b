"""What a collection's ``sync_threshold`` costs (issue 11): the documents collection
written with Chroma's default (1,000) against rag/store.py's ``HNSW_DOCS``, in one run.

    nice .venv/bin/python -m bench.chroma_sync            # 369 documents of ~4,400 characters
    nice .venv/bin/python -m bench.chroma_sync --docs 1000 --chars 2000

For each setting a fresh embedded Chroma (in a temporary folder) gets the documents in
batches of 100, as ``ChromaStore`` writes them; then one more upsert (an update) is
timed in the same process, and the first ``count()`` in a new process (what a reader or
the next ``rag index`` pays). Chroma replays the rows written since the vector index was
last saved at a process's first use of a collection, so the default, never reached by a
few hundred documents, replays them all every time.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FIRST_COUNT = """
import json, sys, time, chromadb
from chromadb.config import Settings
client = chromadb.PersistentClient(path=sys.argv[1], settings=Settings(anonymized_telemetry=False))
col = client.get_collection("docs", embedding_function=None)
t = time.perf_counter(); n = col.count()
print(json.dumps({"n": n, "first_count_s": time.perf_counter() - t}))
"""


def write(folder: Path, hnsw: dict[str, Any], docs: int, chars: int) -> dict[str, float]:
    """Write ``docs`` documents with ``hnsw`` settings; time the batches and one more upsert."""
    import chromadb
    from chromadb.config import Settings

    client: Any = chromadb.PersistentClient(path=str(folder), settings=Settings(anonymized_telemetry=False))
    col = client.create_collection("docs", embedding_function=None, configuration={"hnsw": hnsw})
    text = ("甲市制造业单项冠军企业" * (chars // 11 + 1))[:chars]
    t0 = time.perf_counter()
    for i in range(0, docs, 100):
        ids = [f"doc{j}" for j in range(i, min(docs, i + 100))]
        col.upsert(ids=ids, embeddings=[[0.0] for _ in ids], documents=[f"{text}{j}" for j in ids],
                   metadatas=[{"h": "x"} for _ in ids])
    t1 = time.perf_counter()
    col.upsert(ids=["doc5"], embeddings=[[0.0]], documents=["改过的文本"], metadatas=[{"h": "y"}])
    return {"write_s": t1 - t0, "one_upsert_s": time.perf_counter() - t1}


def measure(hnsw: dict[str, Any], docs: int, chars: int) -> dict[str, Any]:
    """Both timings for one setting, the first count in a fresh process."""
    with tempfile.TemporaryDirectory() as tmp:
        result: dict[str, Any] = {"hnsw": hnsw, **write(Path(tmp), hnsw, docs, chars)}
        out = subprocess.run([sys.executable, "-c", FIRST_COUNT, tmp], check=True, capture_output=True, text=True)
        result.update(json.loads(out.stdout.strip().splitlines()[-1]))
    return result


def main() -> None:
    from rag.store import HNSW_DOCS

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=369, help="documents written (the 10k scale corpus has 368)")
    parser.add_argument("--chars", type=int, default=4400, help="characters per document")
    args = parser.parse_args()
    print(f"{args.docs} documents of {args.chars} characters")
    for hnsw in ({"space": "l2"}, {"space": "l2", **HNSW_DOCS}):
        r = measure(hnsw, args.docs, args.chars)
        print(f"{json.dumps(r['hnsw'])}: write {r['write_s']:.2f} s, one upsert after {r['one_upsert_s']:.3f} s, "
              f"first count in a new process {r['first_count_s']:.3f} s")


if __name__ == "__main__":
    main()
