"""Load the corpus folder: the manifest, then every .txt/.md file, decoded safely.

Files listed in corpus/manifest.json get their metadata from it; any other
.txt/.md file is loaded too, titled from its first heading or its file name.
The manifest is validated first (rag/manifest.py): a file whose entry is invalid,
or whose id another document already has, is skipped with a message naming
manifest.json, the entry and the field; the rest load.
Undecodable files are skipped with an error naming them; empty files are
skipped with a warning. Neither stops the other files from loading.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes

from rag.errors import CorpusError
from rag.manifest import DOC_SUFFIXES, MANIFEST, Listed, Manifest, Rejected, read_manifest
from rag.schema import DocMeta

log = logging.getLogger(__name__)

SUFFIXES = set(DOC_SUFFIXES)


@dataclass(frozen=True)
class RawDoc:
    """A document's metadata, decoded text and any repair instructions."""

    meta: DocMeta
    text: str
    path: Path
    encoding: str
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


def decode_bytes(data: bytes, name: str) -> tuple[str, str]:
    """Decode file bytes: UTF-8 (with or without BOM) first, then GB18030, then detection.

    Returns (text, encoding). Raises CorpusError when nothing decodes cleanly.
    """
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if enc == "gb18030" and not _mostly_cjk_or_ascii(text):
            continue
        return text, ("utf-8" if enc == "utf-8-sig" else enc)
    best = from_bytes(data).best()
    if best is None:
        raise CorpusError(
            f"{name}: cannot detect the text encoding; save it as UTF-8.",
            f"{name}：无法识别文件编码，请另存为 UTF-8。",
        )
    return str(best), best.encoding


def _mostly_cjk_or_ascii(text: str) -> bool:
    sample = text[:2000]
    if not sample:
        return True
    good = sum(1 for ch in sample if ch.isascii() or "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef")
    return good / len(sample) > 0.9


def _guess_title(text: str, path: Path) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:60]
    return path.stem


def _meta_from_entry(listed: Listed | None, path: Path, text: str) -> DocMeta:
    """A document's metadata from its manifest entry; the title is guessed when the
    entry gives none, and everything is guessed for a file the manifest does not list."""
    if listed is None:
        return DocMeta(doc_id=path.stem, title=_guess_title(text, path), note="未在清单中登记")
    fields = listed.entry.metadata()
    fields["title"] = fields.get("title") or _guess_title(text, path)
    return DocMeta(doc_id=listed.entry.id or path.stem, **fields)


def _read_file(path: Path, max_bytes: int | None) -> tuple[str, str] | str:
    """(text, encoding) of one corpus file, or the reason it is skipped."""
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
        text, encoding = decode_bytes(data, path.name)
    except CorpusError as exc:
        log.error("Skipping %s: %s", path.name, exc)
        return str(exc)
    if encoding != "utf-8":
        log.warning("%s is %s-encoded; decoded it. Consider saving it as UTF-8.", path.name, encoding)
    return text, encoding


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
    """Load every .txt/.md file in ``folder``; a file over ``max_bytes`` is skipped
    with a message, and so is a file whose manifest entry is invalid or whose id is
    taken (see rag/manifest.py). Raises CorpusError if the manifest as a whole is
    unusable or no file can be used."""
    if not folder.is_dir():
        raise CorpusError(
            f"Corpus folder {folder} does not exist. Set RAG_CORPUS_DIR or create it.",
            f"资料目录 {folder} 不存在，请检查 RAG_CORPUS_DIR 设置。",
        )
    manifest = read_manifest(folder / MANIFEST)
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES)
    docs: list[RawDoc] = []
    skipped: list[tuple[str, str]] = []
    reported: set[int] = set()
    for path in paths:
        rejected = manifest.rejected_for(path.name)
        if rejected is not None:
            reported.add(rejected.number)
            skipped.append((path.name, _bad_entry_reason(path.name, rejected)))
            continue
        read = _read_file(path, max_bytes)
        if isinstance(read, str):
            skipped.append((path.name, read))
            continue
        meta = _meta_from_entry(manifest.entries.get(path.name), path, read[0])
        docs.append(RawDoc(meta, read[0], path, read[1], manifest.repairs.get(meta.doc_id, {})))
    skipped += _unmatched(manifest, {p.name for p in paths}, reported)
    docs, duplicates = _drop_duplicate_ids(docs, manifest)
    skipped += duplicates
    _warn_unused_repairs(manifest, docs)
    if not docs:
        raise CorpusError(
            f"No usable .txt/.md files in {folder} (skipped: {len(skipped)}).",
            f"资料目录 {folder} 中没有可用的文本文件。",
        )
    return CorpusLoad(docs, skipped)
