"""Load the corpus folder: the manifest, then every .txt/.md file, decoded safely.

Files listed in corpus/manifest.json get their metadata from it; any other
.txt/.md file is loaded too, titled from its first heading or its file name.
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
from rag.schema import DocMeta

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
SUFFIXES = {".txt", ".md"}


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


def _read_manifest(folder: Path) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    path = folder / MANIFEST
    if not path.exists():
        return {}, {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CorpusError(
            f"{path}: not valid UTF-8 JSON ({exc}). Fix or remove the manifest.",
            f"{path} 格式错误，请修正或删除清单文件。",
        ) from None
    entries = {e["file"]: e for e in data.get("documents", [])}
    return entries, data.get("repairs", {})


def _guess_title(text: str, path: Path) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:60]
    return path.stem


def _meta_from_entry(entry: dict[str, Any] | None, path: Path, text: str) -> DocMeta:
    if entry is None:
        return DocMeta(doc_id=path.stem, title=_guess_title(text, path), note="未在清单中登记")
    keys = {"title", "publisher", "author", "date", "date_note", "kind", "home_city", "note"}
    fields = {k: v for k, v in entry.items() if k in keys and v is not None}
    return DocMeta(doc_id=entry.get("id", path.stem), **fields)


def load_corpus(folder: Path, max_bytes: int | None = None) -> CorpusLoad:
    """Load every .txt/.md file in ``folder``; a file over ``max_bytes`` is skipped
    with a message. Raises CorpusError if none can be used."""
    if not folder.is_dir():
        raise CorpusError(
            f"Corpus folder {folder} does not exist. Set RAG_CORPUS_DIR or create it.",
            f"资料目录 {folder} 不存在，请检查 RAG_CORPUS_DIR 设置。",
        )
    entries, repairs = _read_manifest(folder)
    docs: list[RawDoc] = []
    skipped: list[tuple[str, str]] = []
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES):
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            why = (f"{size / 1e6:.1f} MB is over the limit of {max_bytes / 1e6:g} MB (RAG_MAX_DOC_MB); "
                   "split the file or raise the limit")
            log.error("Skipping %s: %s", path.name, why)
            skipped.append((path.name, why))
            continue
        data = path.read_bytes()
        if not data.strip():
            log.warning("Skipping empty file %s", path.name)
            skipped.append((path.name, "empty file"))
            continue
        try:
            text, encoding = decode_bytes(data, path.name)
        except CorpusError as exc:
            log.error("Skipping %s: %s", path.name, exc)
            skipped.append((path.name, str(exc)))
            continue
        if encoding != "utf-8":
            log.warning("%s is %s-encoded; decoded it. Consider saving it as UTF-8.", path.name, encoding)
        meta = _meta_from_entry(entries.get(path.name), path, text)
        docs.append(RawDoc(meta, text, path, encoding, repairs.get(meta.doc_id, {})))
    if not docs:
        raise CorpusError(
            f"No usable .txt/.md files in {folder} (skipped: {len(skipped)}).",
            f"资料目录 {folder} 中没有可用的文本文件。",
        )
    return CorpusLoad(docs, skipped)
