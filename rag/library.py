"""The knowledge base as officials manage it: add a file, remove a document, list them.

The corpus folder stays the one source of truth: adding copies the file into it and
records its metadata in manifest.json, removing moves the file (and its entry) to
``corpus/.removed/`` (nothing is deleted), and both then update the index
incrementally (rag/indexing.py). A file is checked completely before anything
changes: type, size, a readable text layer, metadata, and whether the same bytes are
already there. Everything runs under the index's build lock, so there is one writer
at a time while readers keep answering from the last complete index.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.errors import (
    CorpusError,
    DuplicateDocumentError,
    UnknownDocumentError,
    UploadRejectedError,
)
from rag.extract import SUFFIXES, extract_file
from rag.indexing import BuildReport, build_lock, lock_dir, store_for, update_index
from rag.manifest import MANIFEST, read_manifest
from rag.settings import Settings

REMOVED = ".removed"
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
META_FIELDS = ("title", "publisher", "author", "date", "home_city", "kind", "note")
UNSAFE = re.compile(r"[^\w\u4e00-\u9fff.\-]+")


@dataclass(frozen=True)
class Listing:
    """One document of the index as `rag docs`, the API and the admin page show it."""

    doc_id: str
    title: str
    publisher: str
    date: str
    chunks: int
    added: str
    flags: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {**self.__dict__, "flags": list(self.flags)}


@dataclass
class Outcome:
    """What adding or removing did: the document, its file and the index update."""

    doc_id: str
    file: str
    report: BuildReport
    warnings: list[str] = field(default_factory=list)
    warnings_zh: list[str] = field(default_factory=list)  # the same, for the page and the API


def list_documents(settings: Settings) -> list[Listing]:
    """Every indexed document with its chunk count, when it was added and flags
    (无日期: no date, so its figures cannot be ordered in time; 未登记: not in
    manifest.json, so its metadata was guessed). Raises IndexMissingError."""
    store = store_for(settings)
    counts: dict[str, int] = {}
    for c in store.chunks():
        counts[c.doc_id] = counts.get(c.doc_id, 0) + 1
    listed = read_manifest(settings.corpus_dir / MANIFEST).entries if settings.corpus_dir.is_dir() else {}
    in_manifest = {e.entry.id or Path(name).stem for name, e in listed.items()}
    out = []
    for doc_id, d in store.documents().items():
        flags = [f for f, bad in (("无日期", not d.meta.date), ("未登记", doc_id not in in_manifest)) if bad]
        out.append(Listing(doc_id, d.meta.title, d.meta.publisher, d.meta.date, counts.get(doc_id, 0),
                           d.added, tuple(flags)))
    return out


def add_document(settings: Settings, name: str, data: bytes, meta: dict[str, str] | None = None,
                 progress: Callable[[int, int], None] | None = None) -> Outcome:
    """Add one file (its original ``name`` and bytes) with optional metadata
    (title, publisher, author, date, home_city, kind, note) and update the index.
    Raises UploadRejectedError (type, size, name, metadata), DuplicateDocumentError,
    an ExtractionError (no text layer, encrypted…) — in each case nothing changed."""
    meta = _checked_meta(meta or {})
    file_name = _safe_name(name)
    _check_size(settings, file_name, len(data))
    corpus = settings.corpus_dir
    with build_lock(lock_dir(settings)):
        if not corpus.is_dir():
            raise CorpusError(f"Corpus folder {corpus} does not exist.", f"资料目录 {corpus} 不存在。")
        _refuse_duplicate(corpus, file_name, data)
        extracted = extract_file(Path(file_name), data)  # raises before anything is written
        target = _free_name(corpus, file_name)
        doc_id = _free_id(corpus, target.stem)
        # fields the form leaves out come from the file itself (its properties, first heading)
        entry = {"file": target.name, "id": doc_id, **meta}
        _write_atomically(target, data)
        manifest = _read_raw_manifest(corpus)
        try:
            _write_manifest(corpus, {**manifest, "documents": [*manifest.get("documents", []), entry]})
            report = update_index(settings, progress=progress)
        except BaseException:
            target.unlink(missing_ok=True)
            _write_manifest(corpus, manifest)
            raise
    if entry.get("date") or extracted.properties.get("date"):
        return Outcome(doc_id, target.name, report)
    return Outcome(doc_id, target.name, report, ["no date given: its figures cannot be placed in time; add --date"],
                   ["未给出日期：其中的数字无法按时间先后排列，请补充日期。"])


def remove_document(settings: Settings, doc_id: str) -> Outcome:
    """Move a document's file and manifest entry to corpus/.removed/ and update the
    index. Raises UnknownDocumentError naming the known ids."""
    corpus = settings.corpus_dir
    with build_lock(lock_dir(settings)):
        files = _files_by_id(corpus)
        if doc_id not in files:
            raise UnknownDocumentError([doc_id], sorted(files))
        path = files[doc_id]
        manifest = _read_raw_manifest(corpus)
        docs = manifest.get("documents", [])
        kept = [e for e in docs if not (isinstance(e, dict) and e.get("file") == path.name)]
        gone = [e for e in docs if isinstance(e, dict) and e.get("file") == path.name]
        aside = corpus / REMOVED / f"{time.strftime('%Y%m%d-%H%M%S')}-{path.name}"
        aside.parent.mkdir(exist_ok=True)
        path.rename(aside)
        aside.with_name(aside.name + ".entry.json").write_text(json.dumps(gone, ensure_ascii=False, indent=2),
                                                               encoding="utf-8")
        _write_manifest(corpus, {**manifest, "documents": kept})
        report = update_index(settings)
    return Outcome(doc_id, path.name, report)


def _files_by_id(corpus: Path) -> dict[str, Path]:
    """Document id → file, as the corpus loader assigns them (manifest id, else the stem)."""
    entries = read_manifest(corpus / MANIFEST).entries
    out: dict[str, Path] = {}
    for path in sorted(p for p in corpus.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES):
        listed = entries.get(path.name)
        out.setdefault(listed.entry.id if listed and listed.entry.id else path.stem, path)
    return out


def _checked_meta(meta: dict[str, str]) -> dict[str, str]:
    unknown = sorted(set(meta) - set(META_FIELDS))
    if unknown:
        raise UploadRejectedError(f"Unknown metadata field(s): {', '.join(unknown)}; use {', '.join(META_FIELDS)}",
                                  f"未知的资料信息字段：{'、'.join(unknown)}。")
    out = {k: " ".join(str(v).split())[:300] for k, v in meta.items() if str(v).strip()}
    if out.get("date") and not DATE.match(out["date"]):
        raise UploadRejectedError(f"date {out['date']!r} is not YYYY, YYYY-MM or YYYY-MM-DD",
                                  f"日期“{out['date']}”格式不对，应为 2024、2024-05 或 2024-05-20。")
    return out


def _safe_name(name: str) -> str:
    """The file name without any folder part (``../x.pdf`` → ``x.pdf``) and with only
    letters, digits, CJK, dot and dash; the suffix must be a supported format."""
    base = re.split(r"[\\/]", name.replace("\x00", ""))[-1].strip()
    stem, dot, suffix = base.rpartition(".")
    suffix = f".{suffix.lower()}" if dot else ""
    if suffix not in SUFFIXES:
        raise UploadRejectedError(
            f"{base or name!r}: unsupported file type; supported: {', '.join(SUFFIXES)}",
            f"不支持的文件类型“{base or name}”，支持：{'、'.join(SUFFIXES)}。")
    stem = UNSAFE.sub("_", stem).strip("._-")[:80] or "document"
    return stem + suffix


def _check_size(settings: Settings, name: str, size: int) -> None:
    limit = int(settings.max_doc_mb * 1e6)
    if size == 0:
        raise UploadRejectedError(f"{name} is empty", f"文件 {name} 是空的。")
    if size > limit:
        raise UploadRejectedError(
            f"{name}: {size / 1e6:.1f} MB is over the limit of {settings.max_doc_mb:g} MB (RAG_MAX_DOC_MB)",
            f"文件 {name} 大小 {size / 1e6:.1f} MB，超过上限 {settings.max_doc_mb:g} MB。")


def _refuse_duplicate(corpus: Path, name: str, data: bytes) -> None:
    digest = hashlib.sha256(data).digest()
    for doc_id, path in _files_by_id(corpus).items():
        if path.stat().st_size == len(data) and hashlib.sha256(path.read_bytes()).digest() == digest:
            raise DuplicateDocumentError(name, doc_id, path.name)


def _free_name(corpus: Path, name: str) -> Path:
    """``name`` in the corpus folder, or ``stem-2.ext``… when a different file has it."""
    path, n = corpus / name, 2
    while path.exists():
        path = corpus / f"{Path(name).stem}-{n}{Path(name).suffix}"
        n += 1
    return path


def _free_id(corpus: Path, stem: str) -> str:
    taken, doc_id, n = set(_files_by_id(corpus)), stem, 2
    while doc_id in taken:
        doc_id, n = f"{stem}-{n}", n + 1
    return doc_id


def _read_raw_manifest(corpus: Path) -> dict[str, Any]:
    """manifest.json as JSON (validated first, so a broken one is an error, not lost)."""
    path = corpus / MANIFEST
    read_manifest(path)  # raises CorpusError naming the file when it is unusable
    if not path.exists():
        return {"documents": []}
    data = json.loads(path.read_text(encoding="utf-8-sig"))
    return data if isinstance(data, dict) else {"documents": []}


def _write_manifest(corpus: Path, data: dict[str, Any]) -> None:
    _write_atomically(corpus / MANIFEST, (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode())


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temp file beside ``path``, flush it to disk, then rename: a crash
    leaves the old file or the new one, never half of one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
