"""Turn extracted article text into clean paragraphs with section structure.

What it repairs, each seen in the bundled corpus:
- PDF hard-wraps: a line that stops mid-sentence is joined to the next line,
  even across one blank line ("要想实现制造" + "业从大到强").
- Headings: markdown (#), numbered ("1.1 ", "一、") and short title lines become
  sections; a "## " line that is really the rest of a cut sentence is joined back.
- Repeated paragraphs: exact repeats, paragraphs contained in another one and
  near-duplicates are dropped, keeping the fullest copy.
- Interleaved columns: a manifest "repairs" entry moves one article's paragraphs
  back together (detecting columns from plain text is not reliable).
- Whitespace: full-width and PDF spaces around Chinese text are removed; numbers
  and units ("1.35万亿元", "5.0%", "2025年1—10月") are left as they are.

Cleaning only removes whitespace, joins lines, reorders and drops paragraphs: it
never rewrites characters, so any quote of the source matches the cleaned text
once whitespace is ignored.
"""

from __future__ import annotations

import logging
import re
import zlib
from collections import Counter
from dataclasses import dataclass
from itertools import chain
from typing import Any

from rag.schema import CleanDoc, DocMeta, Section

log = logging.getLogger(__name__)
TERMINAL = set("。！？!?…；;）)")
CLOSERS = set("”’」』")

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")
_NUM_HEADING = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\s*(?=[^\d\s.%．])(.{1,40})$")
_CN_HEADING = re.compile(r"^[一二三四五六七八九十]{1,3}、")
_REPORTER = re.compile(r"^[●■]?(?:本报记者|见习记者|记者|通讯员)\s*.{2,20}$")
_NAMES = re.compile(r"^[\u4e00-\u9fff]{2,4}(?:\s+[\u4e00-\u9fff]{2,4}){0,3}$")
_LABELS = {"编者按", "按语", "引言", "摘要", "前言", "结语"}
_CREDIT = re.compile(r"^[（(].{1,30}[）)]$|^[表图]\s*\d")
_TITLE_BANNED = set("，。；！？,;!?")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_SPACE = re.compile(r"(?<=(\S)) +(?=(\S))")


def _squeeze(text: str) -> str:
    """Drop spaces next to Chinese text, except between two Han characters
    (which can separate names) and between two ASCII characters ("GDP 1.35")."""

    def repl(m: re.Match[str]) -> str:
        a, b = m.group(1), m.group(2)
        if a.isascii() and b.isascii():
            return " "
        if _HAN.match(a) and _HAN.match(b):
            return " "
        return ""

    return _SPACE.sub(repl, text)


@dataclass
class _Line:
    text: str
    gap: int  # blank lines before this line


@dataclass
class _Para:
    text: str
    kind: str  # "text" | "heading" | "standalone"
    level: int = 0


def _normalise_line(line: str) -> str:
    line = line.replace("\u3000", " ").replace("\xa0", " ").replace("\t", " ")
    return re.sub(r" {2,}", " ", line).strip()


def _lines(raw: str) -> list[_Line]:
    out: list[_Line] = []
    gap = 0
    for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        norm = _normalise_line(line)
        if not norm:
            gap += 1
            continue
        out.append(_Line(norm, gap))
        gap = 0
    return out


def _is_dangling(text: str) -> bool:
    """True when the text stops mid-sentence (no closing punctuation)."""
    if not text:
        return False
    last = text[-1]
    if last in CLOSERS:
        return len(text) < 2 or text[-2] not in TERMINAL
    return last not in TERMINAL


class RepairError(ValueError):
    """A manifest repair does not fit the document's text."""


def _apply_repairs(lines: list[_Line], repair: dict[str, Any]) -> list[_Line]:
    """Move the paragraphs named by ``repair['move_block']`` together (see manifest)."""
    anchors: list[str] = list(repair.get("move_block", []))
    if not anchors:
        return lines
    picked: list[int] = []
    pos = 0
    for anchor in anchors:
        for i in range(pos, len(lines)):
            if i not in picked and lines[i].text.startswith(anchor):
                picked.append(i)
                pos = i + 1
                break
        else:
            raise RepairError(f"repair anchor not found in order: {anchor!r}")
    keep = [i for i in range(len(lines)) if i not in set(picked)]
    before = [i for i in keep if i < picked[-1]]
    if not before:
        raise RepairError("the moved block would have nothing before it")
    insert_after = max(before)
    block = [lines[i] for i in picked]
    if repair.get("heading"):
        block.insert(0, _Line(f"# {repair['heading']}", 2))
    out: list[_Line] = []
    for i in keep:
        out.append(lines[i])
        if i == insert_after:
            out.extend(block)
    return out


def _classify(line: _Line, prev: _Para | None, has_md: bool) -> _Para:
    """Decide what a line is, given the paragraph before it and whether the
    document marks its headings with '#' (then unmarked short lines are not headings)."""
    text = line.text
    prev_dangles = prev is not None and prev.kind == "text" and _is_dangling(prev.text) and line.gap <= 1
    md = _MD_HEADING.match(text)
    if md:
        body = md.group(2).strip()
        if prev_dangles and (len(body) > 30 or "，" in body or "。" in body):
            return _Para(body, "text")  # a cut sentence that the extractor marked as heading
        return _Para(body, "heading", len(md.group(1)))
    if prev_dangles:
        return _Para(text, "text")
    if prev is not None and prev.kind == "heading" and text.startswith("——"):
        return _Para(text, "subtitle")
    num = _NUM_HEADING.match(text)
    if num and "。" not in text:
        return _Para(text, "heading", 1 + num.group(1).count(".") + 1)
    if _CN_HEADING.match(text) and len(text) <= 60:
        return _Para(text, "heading", 2)
    if _CREDIT.match(text) or _REPORTER.match(text):
        return _Para(text, "standalone")
    if _NAMES.match(text) and prev is not None and prev.kind == "heading":
        return _Para(text, "standalone")  # a byline under a title
    if text in _LABELS:
        return _Para(text, "heading", 1)
    starts_fresh = prev is None or prev.kind != "text" or not _is_dangling(prev.text) or line.gap >= 2
    if starts_fresh and 4 <= len(text) <= 30 and not (_TITLE_BANNED & set(text)):
        if not has_md:
            return _Para(text, "heading", 1)
        if line.gap >= 2:
            return _Para(text, "standalone")  # a caption between blank lines
    return _Para(text, "text")


def _paragraphs(lines: list[_Line], has_md: bool) -> list[_Para]:
    paras: list[_Para] = []
    for n, line in enumerate(lines):
        prev = paras[-1] if paras else None
        para = _classify(line, prev, has_md)
        if n == 0 and para.kind == "text" and len(line.text) <= 40 and _is_dangling(line.text):
            para = _Para(line.text, "heading", 1)  # an unmarked headline on the first line
        if para.kind == "subtitle" and prev is not None or (
            para.kind == "text"
            and prev is not None
            and prev.kind == "text"
            and _is_dangling(prev.text)
            and line.gap <= 1
        ):
            prev.text += para.text
        else:
            paras.append(para)
    for p in paras:
        if p.kind == "text":
            p.text = _squeeze(p.text)
    return paras


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _shingles(text: str, n: int = 4) -> set[int]:
    """The text's character n-grams, as stable integer hashes (crc32: the same in
    every process, unlike hash())."""
    return {zlib.crc32(text[i : i + n].encode()) for i in range(max(1, len(text) - n + 1))}


NEAR_DUPLICATE = 0.85  # share of a paragraph's 4-grams found in a longer one
COMMON_GRAM = 50  # a 4-gram in more paragraphs than this says nothing about duplication


def _dedupe(paras: list[_Para]) -> tuple[list[_Para], int, int]:
    """Drop repeated headings and repeated, contained or near-duplicate paragraphs.

    Linear in the text: each paragraph is compared only with the paragraphs that
    share its 4-grams (an inverted index), not with every other paragraph. A 4-gram
    shared by more than COMMON_GRAM paragraphs is left out of the comparison (it
    would make the work quadratic and says nothing about duplication)."""
    keys = [_key(p.text) for p in paras]
    texts = [i for i, p in enumerate(paras) if p.kind == "text" and len(keys[i]) >= 15]
    grams = {i: _shingles(keys[i]) for i in texts}
    postings: dict[int, list[int]] = {}
    for i in texts:
        for g in grams[i]:
            postings.setdefault(g, []).append(i)
    drop: set[int] = set()
    seen_headings: set[str] = set()
    for i, p in enumerate(paras):
        if p.kind == "heading":
            if keys[i] in seen_headings:
                drop.add(i)
            seen_headings.add(keys[i])
        elif i in grams and _repeated(i, keys, grams[i], postings, drop):
            drop.add(i)
    dropped_headings = sum(1 for i in drop if paras[i].kind == "heading")
    kept = [p for i, p in enumerate(paras) if i not in drop]
    return kept, len(drop) - dropped_headings, dropped_headings


def _repeated(i: int, keys: list[str], grams: set[int], postings: dict[int, list[int]],
              drop: set[int]) -> bool:
    """Paragraph i is inside a longer kept paragraph, or mostly repeated in one."""
    lists = (postings[g] for g in grams)
    shared = Counter(chain.from_iterable(post for post in lists if len(post) <= COMMON_GRAM))
    for j, n in shared.items():
        if j == i or j in drop:
            continue
        if not (len(keys[j]) > len(keys[i]) or (len(keys[j]) == len(keys[i]) and j < i)):
            continue  # only a longer copy (or the earlier of two equal ones) is kept
        if n / len(grams) >= NEAR_DUPLICATE or keys[i] in keys[j]:
            return True
    return False


def clean_document(meta: DocMeta, raw: str, repair: dict[str, Any] | None = None) -> CleanDoc:
    """Clean one document's raw text. ``repair`` comes from the manifest (may be empty)."""
    lines = _lines(raw)
    n_lines = len(lines)
    has_md = any(_MD_HEADING.match(line.text) for line in lines)
    try:
        lines = _apply_repairs(lines, repair or {})
        repair_problem = ""
    except RepairError as exc:  # the document still indexes, as written, and the log says why
        repair_problem = str(exc)
        log.error("%s: manifest repair not applied (%s); indexing the text as it is", meta.doc_id, exc)
    paras = _paragraphs(lines, has_md)
    joined = n_lines - len(paras)
    paras, dup_paras, dup_headings = _dedupe(paras)
    text_parts: list[str] = []
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    pos = 0
    current = ""
    sec_start = 0
    for p in paras:
        if p.kind == "heading":
            if pos > sec_start:
                sections.append(Section(current, sec_start, pos))
            while stack and stack[-1][0] >= p.level:
                stack.pop()
            stack.append((p.level, p.text))
            current = " › ".join(t for _, t in stack[-2:])
            sec_start = pos
        text_parts.append(p.text)
        pos += len(p.text) + 2
    text = "\n\n".join(text_parts)
    if len(text) > sec_start:
        sections.append(Section(current, sec_start, len(text)))
    report = {
        "lines": n_lines,
        "paragraphs": len(paras),
        "lines_joined": joined,
        "duplicate_paragraphs_dropped": dup_paras,
        "duplicate_headings_dropped": dup_headings,
        "repairs_not_applied": int(bool(repair_problem)),
    }
    return CleanDoc(meta, text, tuple(sections), report)


def section_at(doc: CleanDoc, offset: int) -> str:
    """The section title covering a character offset of the cleaned text."""
    for sec in doc.sections:
        if sec.start <= offset < sec.end:
            return sec.title
    return ""
