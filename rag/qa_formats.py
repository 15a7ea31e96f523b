"""QA sets in the formats evaluators keep them in: JSONL (eval/SCHEMA.md), and CSV or
Excel (.xlsx) sheets with Chinese column names, one question per row.

Every format loads into the same ``QAItem`` objects. A bad sheet gives one
``EvalSetError`` that lists each bad row by its row number (the header is row 1,
as Excel numbers it) and column name.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from rag.evaluate import CATEGORIES, EvalSetError, QAItem, load_qa
from rag.schema import Turn

QUESTION, FACTS, CATEGORY, EVIDENCE, NO_ANSWER, PREVIOUS, ID = (
    "问题", "要点", "类别", "证据", "无答案", "上一问", "编号")
REQUIRED = (QUESTION, FACTS, CATEGORY)
COLUMNS = (QUESTION, FACTS, CATEGORY, EVIDENCE, NO_ANSWER, PREVIOUS)  # the template's columns
YES, NO = "是", "否"
SEPARATORS = re.compile(r"[；;|｜]")
# "doc_id：quote" — a doc id is ASCII and holds a letter or an underscore (not a bare year)
DOC_PREFIX = re.compile(r"^\s*([A-Za-z0-9.\-]*[A-Za-z_][A-Za-z0-9_.\-]*)\s*[:：]\s*(.+)$", re.S)
SHEET_FORMATS = (".csv", ".xlsx")

EXAMPLES = (  # the format only: made-up names, no facts of any corpus
    {QUESTION: "甲公司创建于哪一年？", FACTS: "1998年12月", CATEGORY: "数字",
     EVIDENCE: "doc_001：甲公司创建于 1998 年 12 月", NO_ANSWER: NO, PREVIOUS: ""},
    {QUESTION: "那它主要从事什么行业？", FACTS: "通用设备制造业", CATEGORY: "多轮",
     EVIDENCE: "主要从事的行业为通用设备制造业", NO_ANSWER: NO, PREVIOUS: "甲公司创建于哪一年？"},
)
EXPLANATIONS = (
    (QUESTION, "必填", "用户会问的问题，用中文照常书写。多轮追问只写最新的一问。"),
    (FACTS, "答案可答时必填",
     "正确答案必须包含的要点（数字照原文写，如 6997.2亿元、47.9%），多个要点用“；”或“|”分隔。无答案的问题留空。"),
    (CATEGORY, "必填", "以下之一：" + "、".join(CATEGORIES) + "。"),
    (EVIDENCE, "选填",
     "支持答案的原文引句，多条用“；”或“|”分隔；可在引句前写文档编号和冒号，如 000_fafd1efa235bafb1：引句。"
     "用于计算检索命中率（hit@3）。"),
    (NO_ANSWER, "选填", "“是”表示资料中没有答案，系统应说明无法回答；“否”或留空表示可答（类别为无答案时默认为是）。"),
    (PREVIOUS, "选填", "追问的上一句用户问题；填写后本行按带一轮对话历史的追问评测。"),
    (ID, "选填（模板未列出）", "题目编号，如 num-001；不填则用“row-行号”。加一列“编号”即可使用。"),
)


def load_questions(path: Path) -> list[QAItem]:
    """A QA set from .jsonl (eval/SCHEMA.md), .csv or .xlsx, by the file's suffix."""
    suffix = path.suffix.lower()
    if suffix not in SHEET_FORMATS:
        return load_qa(path)
    if not path.exists():
        raise _error(path, 0, "file not found", "找不到文件")
    rows = _read_csv(path) if suffix == ".csv" else _read_xlsx(path)
    return items_from_rows(path, rows)


def _read_csv(path: Path) -> list[list[str]]:
    """Rows of a CSV saved as UTF-8 (with or without BOM) or GBK (Excel on Chinese Windows)."""
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _error(path, 0, "the CSV is neither UTF-8 nor GBK; save it as “CSV UTF-8”",
                     "CSV 文件既不是 UTF-8 也不是 GBK 编码，请在 Excel 中另存为“CSV UTF-8”")
    return [row for row in csv.reader(io.StringIO(text, newline=""))]


def _read_xlsx(path: Path) -> list[list[str]]:
    """Rows of the first sheet of an .xlsx workbook, every cell as text."""
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError) as exc:
        raise _error(path, 0, f"not a readable .xlsx workbook ({exc})",
                     f"不是可读取的 .xlsx 工作簿（{exc}）") from None
    try:
        sheet = book.worksheets[0]
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _cell_text(value: Any) -> str:
    """A cell as text: 1998.0 → '1998', None → ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _split(cell: str) -> list[str]:
    return [part.strip() for part in SEPARATORS.split(cell) if part.strip()]


def _evidence(cell: str) -> tuple[tuple[str, str], ...]:
    out = []
    for part in _split(cell):
        match = DOC_PREFIX.match(part)
        out.append((match.group(1), match.group(2).strip()) if match else ("", part))
    return tuple(out)


def items_from_rows(path: Path, rows: Sequence[Sequence[str]]) -> list[QAItem]:
    """Validate sheet rows (the first is the header) and turn them into QA items."""
    if not rows:
        raise _error(path, 0, "the sheet is empty; it needs a header row: " + " / ".join(COLUMNS),
                     "表格是空的；第 1 行应为表头：" + " / ".join(COLUMNS))
    header = [h.strip().lstrip("\ufeff") for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        named = "、".join(f"“{c}”" for c in missing)
        raise _error(path, 1, f"missing required column {named} (header row: {' / '.join(COLUMNS)})",
                     f"缺少必填列{named}（表头应为：{' / '.join(COLUMNS)}）")
    col = {name: header.index(name) for name in (*COLUMNS, ID) if name in header}
    items: list[QAItem] = []
    problems: list[tuple[str, str]] = []  # (English, Chinese)
    for n, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {name: (row[i].strip() if i < len(row) else "") for name, i in col.items()}
        item, bad = _row_item(n, cells)
        problems += bad
        if item:
            items.append(item)
    if problems:
        raise _error(path, 0, f"{len(problems)} problem(s):\n  " + "\n  ".join(en for en, _ in problems),
                     f"共 {len(problems)} 处问题：\n  " + "\n  ".join(zh for _, zh in problems))
    if not items:
        raise _error(path, 0, "no questions in file", "文件中没有问题")
    ids = [i.id for i in items]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise _error(path, 0, f"column “{ID}” repeats: {', '.join(duplicated)}",
                     f"“{ID}”列有重复：{'、'.join(duplicated)}")
    return items


def _error(path: Path, line: int, problem: str, zh: str) -> EvalSetError:
    """An EvalSetError whose Chinese message (shown on the eval page) is ``zh``."""
    exc = EvalSetError(path, line, problem)
    where = f"{path}:{line}" if line else str(path)
    exc.zh = f"评测集 {where} 有误：{zh}"
    return exc


def _row_item(n: int, cells: dict[str, str]) -> tuple[QAItem | None, list[tuple[str, str]]]:
    """One row as an item, or the problems that stop it (each naming row and column, in
    English and Chinese)."""
    problems = []

    def bad(column: str, what: str, zh: str) -> None:
        problems.append((f"row {n}, column “{column}”: {what}", f"第 {n} 行，“{column}”列：{zh}"))

    category = cells.get(CATEGORY, "")
    if not cells.get(QUESTION):
        bad(QUESTION, "empty", "为空")
    if category not in CATEGORIES:
        bad(CATEGORY, f"{category!r} is not one of {'、'.join(CATEGORIES)}",
            f"“{category}”不是以下类别之一：{'、'.join(CATEGORIES)}")
    flag = cells.get(NO_ANSWER, "")
    if flag not in ("", YES, NO):
        bad(NO_ANSWER, f"{flag!r} should be {YES} or {NO}", f"“{flag}”应填“{YES}”或“{NO}”")
    answerable = flag == NO if flag else category != "无答案"
    facts = tuple(_split(cells.get(FACTS, "")))
    if answerable and not facts:
        bad(FACTS, "empty, but the row is answerable (无答案 = 否); list the key facts separated by ；or |",
            "为空，但本行可答（无答案 = 否）；请填写要点，多个要点用“；”或“|”分隔")
    if problems:
        return None, problems
    previous = cells.get(PREVIOUS, "")
    return QAItem(
        id=cells.get(ID) or f"row-{n}",
        question=cells[QUESTION],
        category=category,
        key_facts=facts if answerable else (),
        evidence=_evidence(cells.get(EVIDENCE, "")),
        answerable=answerable,
        history=(Turn("user", previous),) if previous else (),
    ), []


def write_template(path: Path) -> Path:
    """An .xlsx with the header row, two example rows and a sheet explaining each column."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "评测问题"
    fill_sheet(sheet, [list(COLUMNS), *([ex[c] for c in COLUMNS] for ex in EXAMPLES)],
          widths=(34, 24, 12, 50, 8, 30))
    notes = book.create_sheet("填写说明")
    fill_sheet(notes, [["列名", "是否必填", "说明"], *(list(e) for e in EXPLANATIONS)], widths=(10, 18, 90))
    for row in notes.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    for ws in (sheet, notes):
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def fill_sheet(sheet: Any, rows: Iterable[list[Any]], widths: Sequence[int]) -> None:
    """Append rows to a worksheet and set its column widths."""
    from openpyxl.utils import get_column_letter

    for row in rows:
        sheet.append(row)
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
