"""Load the corpus folder: the manifest, then every document file, as text.

Documents are .txt/.md (decoded safely), .pdf, .docx and .html/.htm files;
rag/extract turns each into text plus the properties the file gives about
itself. Metadata comes from the file's corpus/manifest.json entry first; what
the entry leaves out comes from the file's own properties (title, author, date,
an HTML page's site name), and a title from neither is the first heading or
line. A date read from file properties is marked "未注明日期；日期取自文件属性…"
in ``date_note`` (shown as approximate); a document with no date at all has an
empty ``date`` and a ``date_note`` starting with UNDATED.

The manifest is validated first (rag/manifest.py): a file whose entry is invalid,
or whose id another document already has, is skipped with a message naming
manifest.json, the entry and the field; the rest load. A file over the size
limit, an undecodable text file, a scanned or password-protected PDF and any
file that cannot be read or holds no text are skipped with a message naming
them (empty files with a warning). None of them stops the other files from loading.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.errors import CorpusError
from rag.extract import Extracted, decode_bytes, extract_file
from rag.manifest import DOC_SUFFIXES, MANIFEST, Listed, Manifest, Rejected, read_manifest
from rag.schema import DocMeta

__all__ = ["UNDATED", "CorpusLoad", "RawDoc", "decode_bytes", "load_corpus"]

log = logging.getLogger(__name__)

SUFFIXES = set(DOC_SUFFIXES)
UNDATED = "未注明日期"  # date_note of a document without a date (DocMeta.date == "")
FROM_FILE = ("title", "author", "publisher", "date")  # DocMeta fields a file's properties may give


@dataclass(frozen=True)
class RawDoc:
    """A document's metadata, decoded text and any repair instructions."""

    meta: DocMeta
    text: str
    path: Path
    encoding: str  # of a .txt/.md file; empty for formats that carry their own (PDF, DOCX, HTML)
    repair: dict[str, Any] = field(default_factory=dict)


@dataclass
class CorpusLoad:
    """Result of loading a corpus folder: documents plus what was skipped and why."""

    docs: list[RawDoc]
    skipped: list[tuple[str, str]]  # (file name, reason)

    @property
    def fingerprint(self) -> str:
        """Hash of every loaded file's text and metadata, to detect a changed corpus."""
        h = hashlib.sha256()
        for d in sorted(self.docs, key=lambda d: d.meta.doc_id):
            h.update(d.meta.doc_id.encode())
            h.update(json.dumps(d.meta.__dict__, ensure_ascii=False, sort_keys=True).encode())
            h.update(d.text.encode())
        return h.hexdigest()[:16]


def _guess_title(text: str, path: Path) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:60]
    return path.stem


def _meta(listed: Listed | None, path: Path, got: Extracted) -> DocMeta:
    """A document's metadata: its manifest entry's fields first, then the file's own
    properties, then a title guessed from the text; see the module docstring."""
    props = got.properties
    fields = {key: props[key] for key in FROM_FILE if props.get(key)}
    if "date" in fields:
        fields["date_note"] = f"{UNDATED}；日期取自文件属性（{props.get('date_from', '')}）"
    given = {k: v for k, v in listed.entry.metadata().items() if v} if listed else {}
    if "date" in given or "date_note" in given:  # the manifest's date and its note go together
        fields.pop("date", None)
        fields.pop("date_note", None)
    fields.update(given)
    if listed is None:
        fields["note"] = "未在清单中登记"
    fields["title"] = fields.get("title") or _guess_title(got.text, path)
    if not fields.get("date") and not fields.get("date_note"):
        fields["date_note"] = f"{UNDATED}：清单和文件属性都没有给出日期"
    doc_id = listed.entry.id if listed and listed.entry.id else path.stem
    return DocMeta(doc_id=doc_id, **fields)


def _read_file(path: Path, max_bytes: int | None) -> Extracted | str:
    """The text and properties of one corpus file, or the reason it is skipped."""
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        why = (f"{size / 1e6:.1f} MB is over the limit of {max_bytes / 1e6:g} MB (RAG_MAX_DOC_MB); "
               "split the file or raise the limit")
        log.error("Skipping %s: %s", path.name, why)
        return why
    data = path.read_bytes()
    if not data.strip():
        log.warning("Skipping empty file %s", path.name)
        return "empty file"
    try:
        got = extract_file(path, data)
    except CorpusError as exc:
        log.error("Skipping %s: %s", path.name, exc)
        return str(exc)
    if not got.text.strip():
        log.warning("Skipping %s: no text in it", path.name)
        return "no text in the file"
    return got


def _scratch(path: Path) -> bool:
    """An editor's lock file (~$a.docx, written while Word has a.docx open) or a
    macOS resource file (._a.pdf): not a document, so not loaded or reported."""
    if path.name.startswith(("~$", "._")):
        log.info("Ignoring %s (a lock or resource file, not a document)", path.name)
        return True
    return False


def _bad_entry_reason(name: str, rejected: Rejected) -> str:
    reason = (f"{rejected.reason}; the file is not indexed (rather than indexed with guessed "
              "metadata) until its entry is fixed")
    log.error("Skipping %s: %s", name, reason)
    return reason


def _id_source(doc: RawDoc, manifest: Manifest) -> str:
    """Where a document's id comes from, for messages."""
    listed = manifest.entries.get(doc.path.name)
    if listed is None:
        return f"not in {MANIFEST}, id from the file name"
    return f"{MANIFEST} entry {listed.number}, " + ("field 'id'" if listed.entry.id else "id from the file name")


def _drop_duplicate_ids(docs: list[RawDoc], manifest: Manifest) -> tuple[list[RawDoc], list[tuple[str, str]]]:
    """Keep one document per id: manifest entries in their order first, then unlisted
    files by name; every later holder of a taken id is skipped with a message."""
    def rank(doc: RawDoc) -> tuple[int, int, str]:
        listed = manifest.entries.get(doc.path.name)
        return (0, listed.number, "") if listed else (1, 0, doc.path.name)

    owner: dict[str, RawDoc] = {}
    skipped: list[tuple[str, str]] = []
    for doc in sorted(docs, key=rank):
        first = owner.setdefault(doc.meta.doc_id, doc)
        if first is not doc:
            why = (f"{doc.path.name} ({_id_source(doc, manifest)}): id \"{doc.meta.doc_id}\" is already the id of "
                   f"{first.path.name} ({_id_source(first, manifest)}); give each document its own id")
            log.error("Skipping %s: %s", doc.path.name, why)
            skipped.append((doc.path.name, why))
    return [d for d in docs if owner[d.meta.doc_id] is d], skipped


def _unmatched(manifest: Manifest, names: set[str], reported: set[int]) -> list[tuple[str, str]]:
    """Rejected entries not reported against a file, and a warning per entry whose
    file is not in the folder."""
    for name, listed in manifest.entries.items():
        if name not in names:
            log.warning("%s: no such file in the corpus folder; entry ignored", listed.where)
    left = [r for r in manifest.rejected if r.number not in reported]
    for r in left:
        log.error("Ignoring %s", r.reason)
    return [(f"{MANIFEST} entry {r.number}", r.reason) for r in left]


def _warn_unused_repairs(manifest: Manifest, docs: list[RawDoc]) -> None:
    ids = {d.meta.doc_id for d in docs}
    for doc_id in manifest.repairs.keys() - ids:
        log.warning('%s: repairs for "%s" match no loaded document; ignored', MANIFEST, doc_id)


def load_corpus(folder: Path, max_bytes: int | None = None) -> CorpusLoad:
    """Load every document file in ``folder`` (.txt .md .pdf .docx .html .htm); a file
    over ``max_bytes`` is skipped with a message, and so is a file that cannot be read
    (rag/extract) or whose manifest entry is invalid or whose id is taken (see
    rag/manifest.py). Raises CorpusError if the manifest as a whole is unusable or no
    file can be used."""
    if not folder.is_dir():
        raise CorpusError(
            f"Corpus folder {folder} does not exist. Set RAG_CORPUS_DIR or create it.",
            f"资料目录 {folder} 不存在，请检查 RAG_CORPUS_DIR 设置。",
        )
    manifest = read_manifest(folder / MANIFEST)
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES and not _scratch(p))
    docs: list[RawDoc] = []
    skipped: list[tuple[str, str]] = []
    reported: set[int] = set()
    for path in paths:
        rejected = manifest.rejected_for(path.name)
        if rejected is not None:
            reported.add(rejected.number)
            skipped.append((path.name, _bad_entry_reason(path.name, rejected)))
            continue
        got = _read_file(path, max_bytes)
        if isinstance(got, str):
            skipped.append((path.name, got))
            continue
        meta = _meta(manifest.entries.get(path.name), path, got)
        docs.append(RawDoc(meta, got.text, path, got.encoding, manifest.repairs.get(meta.doc_id, {})))
    skipped += _unmatched(manifest, {p.name for p in paths}, reported)
    docs, duplicates = _drop_duplicate_ids(docs, manifest)
    skipped += duplicates
    _warn_unused_repairs(manifest, docs)
    if not docs:
        raise CorpusError(
            f"No usable document files ({', '.join(sorted(SUFFIXES))}) in {folder} (skipped: {len(skipped)}).",
            f"资料目录 {folder} 中没有可用的资料文件（支持 {'、'.join(sorted(SUFFIXES))}）。",
        )
    return CorpusLoad(docs, skipped)
