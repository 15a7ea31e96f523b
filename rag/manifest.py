"""Read and validate corpus/manifest.json, in one place, before anything is indexed.

The manifest is an object::

    {"documents": [{"file": "a.txt", "id": "a", "title": "…", "date": "2021", …}, …],
     "repairs": {"<doc id>": {"move_block": ["…", …], "heading": "…", "why": "…"}}}

Both keys are optional. How faults are handled, from the whole file down:

- **The whole manifest unusable** — not UTF-8 JSON, the top level not an object,
  ``documents`` not a list, ``repairs`` not an object: a ``CorpusError`` naming the
  manifest's path and the problem (English and Chinese); nothing is indexed and the
  previous index keeps serving. We stop rather than skip the broken part because
  the only alternative is to index every document with guessed metadata — no
  dates, no publishers, and the wrong city for 我市 in a document whose manifest
  says it speaks for another city — an index that looks ready but answers wrongly. One
  edit fixes the file; a quietly wrong index is found much later.
- **A bad entry** — not an object, ``file`` missing or empty or a path, a field of
  the wrong type: that entry is rejected with a reason naming manifest.json, the
  entry number (1 = the first), its file and the field. The file it was meant for
  (its ``file``'s last path part, else ``<id>`` with any document suffix) is then skipped,
  not indexed with guessed metadata; every other document indexes.
- **A second entry for the same file**: it is rejected; the first one is used.
- **A bad ``repairs`` value for one id**: that repair is ignored with a logged
  error naming the id and field; the document still indexes (uncorrected).

Strictness: every field is a JSON string or null (null = not given). Numbers,
booleans, lists and objects are refused — ``"date": 2021`` is an error that says to
write ``"2021"`` — so what reaches DocMeta is always a string and nothing
downstream (``rag info``, the API) meets a number where it expects text. Values
are kept as written (the date is free text such as "2021", "2026-01" or
"2023-05-05"). Unknown fields are allowed but logged as a warning, so a typo such
as ``"titel"`` does not go unnoticed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, StrictStr, ValidationError, field_validator
from pydantic_core import ErrorDetails

from rag.errors import CorpusError
from rag.extract import SUFFIXES

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
DOC_SUFFIXES = SUFFIXES  # every format rag/extract reads: .txt .md .pdf .docx .html .htm


class ManifestFile(BaseModel):
    """The manifest's top level; entries and repairs are checked one by one later."""

    model_config = ConfigDict(extra="allow")

    documents: list[Any] = []
    repairs: dict[str, Any] = {}


class ManifestEntry(BaseModel):
    """One document's entry: ``file`` is required, every other field is optional text."""

    model_config = ConfigDict(extra="allow", frozen=True)

    file: StrictStr
    id: StrictStr | None = None
    title: StrictStr | None = None
    publisher: StrictStr | None = None
    author: StrictStr | None = None
    date: StrictStr | None = None
    date_note: StrictStr | None = None
    kind: StrictStr | None = None
    home_city: StrictStr | None = None
    note: StrictStr | None = None

    @field_validator("file")
    @classmethod
    def _plain_file_name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is empty; give the document's file name, e.g. \"a.txt\"")
        if value in (".", "..") or any(sep in value for sep in ("/", "\\", "\x00")):
            raise ValueError(f"{value!r} is a path; give only a file name in the corpus folder")
        return value

    @field_validator("id")
    @classmethod
    def _non_empty_id(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("is empty; leave it out to use the file name")
        return value

    def metadata(self) -> dict[str, str]:
        """The DocMeta fields this entry gives (not ``file``/``id``, nothing null)."""
        given = {name: getattr(self, name) for name in DOC_FIELDS}
        return {name: value for name, value in given.items() if value is not None}


DOC_FIELDS = frozenset(ManifestEntry.model_fields) - {"file", "id"}


class Repair(BaseModel):
    """Repair instructions for one document (see rag/cleaning.py ``_apply_repairs``)."""

    model_config = ConfigDict(extra="allow")

    move_block: list[StrictStr] = []
    heading: StrictStr | None = None
    why: StrictStr | None = None


@dataclass(frozen=True)
class Listed:
    """A valid entry and its position in ``documents`` (1 = the first)."""

    number: int
    entry: ManifestEntry

    @property
    def where(self) -> str:
        """"manifest.json entry N (file "x")", for messages."""
        return f'{MANIFEST} entry {self.number} (file "{self.entry.file}")'


@dataclass(frozen=True)
class Rejected:
    """An entry that failed validation: why, and which file names it may have been for."""

    number: int
    reason: str
    claims: tuple[str, ...] = ()


@dataclass(frozen=True)
class Manifest:
    """The validated manifest: entries by file name, rejected entries, repairs by doc id."""

    entries: dict[str, Listed] = field(default_factory=dict)
    rejected: list[Rejected] = field(default_factory=list)
    repairs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def rejected_for(self, name: str) -> Rejected | None:
        """The first rejected entry meant for file ``name``, unless a valid entry names it."""
        if name in self.entries:
            return None
        return next((r for r in self.rejected if name in r.claims), None)


def read_manifest(path: Path) -> Manifest:
    """Read and validate the manifest at ``path`` (an empty Manifest if there is none).

    Raises CorpusError when the whole file is unusable; see the module docstring."""
    if not path.is_file():
        return Manifest()
    top = _parse_top(path, _load_json(path))
    entries, rejected = _check_entries(top.documents)
    return Manifest(entries, rejected, _check_repairs(top.repairs))


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise CorpusError(
            f"{path}: not valid UTF-8 JSON ({exc}). Fix or remove the manifest.",
            f"{path} 格式错误，请修正或删除清单文件。",
        ) from None


def _parse_top(path: Path, data: Any) -> ManifestFile:
    try:
        top = ManifestFile.model_validate(data, strict=True)
    except ValidationError as exc:
        problems = _problems(exc, "the top level")
        raise CorpusError(
            f"{path}: {problems}. The manifest must be an object "
            '{"documents": [{"file": ...}, ...], "repairs": {...}}; fix it or remove it. '
            "Nothing was indexed; any previous index is unchanged.",
            f"清单文件 {path} 结构有误（应为含 documents 列表和 repairs 对象的 JSON 对象），"
            "请修正或删除后重试；本次未建立索引。",
        ) from None
    if top.model_extra:
        log.warning("%s: unknown top-level key(s) %s ignored; known: documents, repairs",
                    path, _quoted(top.model_extra))
    return top


def _check_entries(raw: list[Any]) -> tuple[dict[str, Listed], list[Rejected]]:
    entries: dict[str, Listed] = {}
    rejected: list[Rejected] = []
    for number, item in enumerate(raw, 1):
        checked = _check_entry(number, item)
        if isinstance(checked, Rejected):
            rejected.append(checked)
        elif checked.entry.file in entries:
            first = entries[checked.entry.file]
            rejected.append(Rejected(number, f"{checked.where}: field 'file': {checked.entry.file} is "
                                             f"already listed in entry {first.number}; this entry is "
                                             f"ignored and entry {first.number} is used"))
        else:
            entries[checked.entry.file] = checked
    return entries, rejected


def _check_entry(number: int, item: Any) -> Listed | Rejected:
    try:
        entry = ManifestEntry.model_validate(item)
    except ValidationError as exc:
        where = f"{MANIFEST} entry {number} ({_file_label(item)})"
        problems = _problems(exc, "the entry")
        return Rejected(number, f"{where}: {problems}", _claims(item))
    listed = Listed(number, entry)
    if entry.model_extra:
        log.warning("%s: unknown field(s) %s ignored; known: file, id, %s", listed.where,
                    _quoted(entry.model_extra), ", ".join(sorted(DOC_FIELDS)))
    return listed


def _check_repairs(raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    good: dict[str, dict[str, Any]] = {}
    for doc_id, value in raw.items():
        try:
            Repair.model_validate(value)
        except ValidationError as exc:
            problems = _problems(exc, "the value")
            log.error('%s: repairs for "%s" ignored (the document is indexed without them): %s',
                      MANIFEST, doc_id, problems)
            continue
        good[doc_id] = value
    return good


def _file_label(item: Any) -> str:
    """How a (possibly broken) entry is named in a message: its file, or why it has none."""
    name = item.get("file") if isinstance(item, dict) else None
    if isinstance(name, str) and name.strip():
        return f"file {json.dumps(name, ensure_ascii=False)}"
    return "no file"


def _claims(item: Any) -> tuple[str, ...]:
    """File names a rejected entry may have been meant for: its file's last path part,
    a bare string entry, or else ``<id>`` with each document suffix."""
    name = item.get("file") if isinstance(item, dict) else item
    if isinstance(name, str):
        base = name.replace("\\", "/").rsplit("/", 1)[-1]
        if base.strip() and base not in (".", ".."):
            return (base,)
    doc_id = item.get("id") if isinstance(item, dict) else None
    if isinstance(doc_id, str) and doc_id.strip():
        return tuple(doc_id + suffix for suffix in DOC_SUFFIXES)
    return ()


def _problems(exc: ValidationError, whole: str) -> str:
    """Every error of a failed validation, described and joined."""
    return "; ".join(_describe(e, whole) for e in exc.errors())


def _describe(error: ErrorDetails, whole: str) -> str:
    """One pydantic error as "field 'x' must be …, got …" (no pydantic jargon);
    ``whole`` names the thing itself when the error is not about one of its fields."""
    name = ".".join(str(part) for part in error["loc"])
    subject = f"field '{name}'" if name else whole
    value = error.get("input")
    kind = error["type"]
    if kind == "missing":
        return f"{subject} is missing"
    if kind == "string_type":
        number = isinstance(value, int | float) and not isinstance(value, bool)
        hint = f' — write it in quotes, e.g. "{value}"' if number else ""
        return f"{subject} must be a string, got {_json_kind(value)}{hint}"
    if kind in ("model_type", "dict_type"):
        return f"{subject} must be an object {{…}}, got {_json_kind(value)}"
    if kind == "list_type":
        return f"{subject} must be a list […], got {_json_kind(value)}"
    if kind == "value_error":
        return f"{subject} {error['ctx']['error']}"
    return f"{subject}: {error['msg']}"


def _json_kind(value: Any) -> str:
    """A JSON value described the way the manifest's author sees it."""
    shown = json.dumps(value, ensure_ascii=False)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({shown})"
    if isinstance(value, int | float):
        return f"the number {shown}"
    kinds: dict[type, str] = {str: "a string", list: "a list", dict: "an object"}
    return f"{kinds.get(type(value), type(value).__name__)} ({shown})"


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(f"'{n}'" for n in names)
