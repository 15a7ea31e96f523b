"""QA sets as CSV and Excel: same items as JSONL, row/column errors, GBK, the template."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from rag.cli import app
from rag.evaluate import EvalSetError, load_qa
from rag.qa_formats import EXAMPLES, load_questions

runner = CliRunner()

HEADER = ["编号", "问题", "要点", "类别", "证据", "无答案", "上一问"]
ROWS = [
    ["num-001", "天生密封件公司创建于哪一年？", "1998年12月", "数字",
     "000_fafd1efa235bafb1：宁波天生密封件有限公司创建于 1998 年 12 月", "否", ""],
    ["num-002", "2021年宁波工业增加值在全国城市排第几？", "第7；6997.2亿元", "数字",
     "全国城市排名第7 | 002_ac0426586843b9be:我市工业增加值6997.2亿元", "", ""],
    ["noans-001", "杭州有多少家国家级制造业单项冠军企业？", "", "无答案", "", "是", ""],
    ["multi-001b", "那它主要从事什么行业？", "通用设备制造业", "多轮", "", "否", "天生密封件公司创建于哪一年？"],
]
JSONL = [
    {"id": "num-001", "question": "天生密封件公司创建于哪一年？", "category": "数字", "key_facts": ["1998年12月"],
     "evidence": [{"doc_id": "000_fafd1efa235bafb1", "quote": "宁波天生密封件有限公司创建于 1998 年 12 月"}],
     "answerable": True, "history": []},
    {"id": "num-002", "question": "2021年宁波工业增加值在全国城市排第几？", "category": "数字",
     "key_facts": ["第7", "6997.2亿元"],
     "evidence": [{"doc_id": "", "quote": "全国城市排名第7"},
                  {"doc_id": "002_ac0426586843b9be", "quote": "我市工业增加值6997.2亿元"}],
     "answerable": True, "history": []},
    {"id": "noans-001", "question": "杭州有多少家国家级制造业单项冠军企业？", "category": "无答案",
     "key_facts": [], "evidence": [], "answerable": False, "history": []},
    {"id": "multi-001b", "question": "那它主要从事什么行业？", "category": "多轮", "key_facts": ["通用设备制造业"],
     "evidence": [], "answerable": True,
     "history": [{"role": "user", "content": "天生密封件公司创建于哪一年？"}]},
]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    for r in rows:
        book.active.append(r)
    book.save(path)
    return path


@pytest.fixture
def expected(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "qa.jsonl"
    path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in JSONL), encoding="utf-8")
    return load_qa(path)


@pytest.mark.parametrize("name,encoding", [("bom.csv", "utf-8-sig"), ("plain.csv", "utf-8"),
                                           ("gbk.csv", "gbk"), ("set.xlsx", None)])
def test_every_format_loads_the_same_items_as_jsonl(tmp_path: Path, expected, name, encoding):
    path = tmp_path / name
    if encoding:
        write_csv(path, [HEADER, *ROWS], encoding)
    else:
        write_xlsx(path, [HEADER, *ROWS])
    assert load_questions(path) == expected


def test_gbk_bytes_really_are_gbk(tmp_path: Path):
    path = write_csv(tmp_path / "gbk.csv", [HEADER, *ROWS], "gbk")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    assert load_questions(path)[0].question == "天生密封件公司创建于哪一年？"


def test_rows_without_ids_are_numbered_and_numbers_read_as_text(tmp_path: Path):
    path = write_xlsx(tmp_path / "set.xlsx", [["问题", "要点", "类别"], ["哪一年？", 1998, "数字"], [None, None, None],
                                               ["几家？", "83家", "数字"]])
    items = load_questions(path)
    assert [(i.id, i.key_facts) for i in items] == [("row-2", ("1998",)), ("row-4", ("83家",))]


BAD = [
    ["问题", "要点", "类别", "无答案"],
    ["", "1998年", "数字", "否"],          # row 2: empty question
    ["问一", "1998年", "其他", "否"],       # row 3: unknown category
    ["问二", "1998年", "数字", "不是"],     # row 4: 无答案 not 是/否
    ["问三", "", "数字", "否"],             # row 5: answerable, no key facts
    ["问四", "", "无答案", "是"],           # fine
]
NEEDLES = ("row 2, column “问题”", "row 3, column “类别”", "row 4, column “无答案”", "row 5, column “要点”")
NEEDLES_ZH = ("第 2 行，“问题”列：为空", "第 3 行，“类别”列：“其他”不是以下类别之一",
              "第 4 行，“无答案”列：“不是”应填“是”或“否”", "第 5 行，“要点”列：为空")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_malformed_sheet_names_every_bad_row_and_column(tmp_path: Path, suffix):
    path = tmp_path / f"bad{suffix}"
    (write_csv if suffix == ".csv" else write_xlsx)(path, BAD)  # type: ignore[operator]
    with pytest.raises(EvalSetError) as err:
        load_questions(path)
    message = str(err.value)
    assert "4 problem(s)" in message and all(n in message for n in NEEDLES), message
    assert "共 4 处问题" in err.value.zh and all(n in err.value.zh for n in NEEDLES_ZH), err.value.zh
    result = runner.invoke(app, ["eval", "--qa", str(path)])
    assert result.exit_code == 2 and "row 3, column “类别”" in result.output
    assert "Traceback" not in result.output


def test_missing_column_and_broken_workbook(tmp_path: Path):
    path = write_csv(tmp_path / "cols.csv", [["问题", "类别"], ["问一", "数字"]])
    with pytest.raises(EvalSetError, match="missing required column “要点”") as err:
        load_questions(path)
    assert "缺少必填列“要点”" in err.value.zh
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(EvalSetError, match="not a readable .xlsx"):
        load_questions(broken)


def test_template_round_trips(tmp_path: Path):
    path = tmp_path / "out" / "template.xlsx"
    result = runner.invoke(app, ["eval", "--template", str(path)])
    assert result.exit_code == 0, result.output
    items = load_questions(path)
    assert [i.question for i in items] == [ex["问题"] for ex in EXAMPLES]
    assert items[1].history and items[1].history[0].content == EXAMPLES[1]["上一问"]
    from openpyxl import load_workbook

    assert load_workbook(path).sheetnames == ["评测问题", "填写说明"]


def test_shipped_template_is_the_generated_one():
    from .conftest import ROOT

    items = load_questions(ROOT / "eval" / "template.xlsx")
    assert [i.question for i in items] == [ex["问题"] for ex in EXAMPLES]
