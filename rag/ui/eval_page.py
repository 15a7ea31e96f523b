"""The 评测 page: upload a question set, run it in the background, read the results by
category and by question, download the reports, and compare with an earlier run.

Display only: the questions are read by rag/qa_formats.py, the run is rag/eval_jobs.py
(one at a time per process, in its own thread, so the chat keeps answering), and the
tables come from rag/eval_view.py. Every file name, question and answer is shown as
plain text: through plain() in Markdown, or in st.dataframe cells (never Markdown).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from rag import eval_jobs
from rag.errors import RagError
from rag.eval_diff import diff, load_report, markdown
from rag.eval_view import (
    QUESTION_FORMATS,
    categories,
    chart_data,
    diff_deltas,
    diff_items,
    item_rows,
    questions_from_upload,
    report_from_upload,
    report_markdown,
    run_title,
    saved_runs,
    summary,
    template_bytes,
    without_evidence,
)
from rag.evaluate import QAItem, select_split
from rag.item_table import csv_bytes, xlsx_bytes
from rag.plain_text import plain_markdown as plain
from rag.settings import Settings, load_settings

POLL_SECONDS = 1.0
RUN_KEY, WATCH_KEY = "eval-run", "eval-watching"  # session state: the run shown, the job watched
SAVED, UPLOADED = "已保存的评测", "上传报告文件（.json）"
SPLITS = {"all": "全部", "dev": "开发集 dev", "test": "测试集 test"}


def render() -> None:
    """The whole page."""
    st.title("评测")
    st.caption("用一组写好答案要点的问题检验问答质量：上传问题表，运行，按类别和逐题查看结果，"
               "并与以前的评测对比。评测在后台运行，不影响问答页的使用。")
    try:
        settings = load_settings()
    except RagError as exc:
        st.error(plain(exc.zh))
        return
    folder = eval_jobs.reports_dir()
    _upload_and_start(settings, folder)
    st.fragment(_progress, run_every=POLL_SECONDS if eval_jobs.status().running else None)()
    shown = _results(folder)
    if shown is not None:
        _compare(*shown, folder)


def _upload_and_start(settings: Settings, folder: Path) -> None:
    st.subheader("1. 上传问题集并运行")
    st.download_button("下载空白问题表（Excel 模板）", template_bytes, file_name="评测问题模板.xlsx",
                       on_click="ignore", key="eval-template")
    upload = st.file_uploader("问题集：Excel（.xlsx）、CSV 或 JSONL，每行一个问题", type=list(QUESTION_FORMATS),
                              key="eval-upload")
    if upload is None:
        return
    try:
        items = questions_from_upload(upload.name, upload.getvalue())
    except RagError as exc:
        st.error(plain(exc.zh))
        return
    counts = Counter(i.category for i in items)
    st.caption(plain(f"{upload.name}：共 {len(items)} 题（" +
                     "、".join(f"{c} {n}" for c, n in counts.items()) + "）"))
    split: str | None = "all"
    if any(i.split for i in items):
        split = st.selectbox("运行哪一部分", list(SPLITS), key="eval-split", format_func=SPLITS.__getitem__)
    has_llm = bool(settings.llm_base_url and settings.llm_model)
    judge = st.checkbox("同时请 LLM 评审（评审正确 / 评审忠实）", key="eval-judge", disabled=not has_llm,
                        help="使用 RAG_LLM_BASE_URL / RAG_LLM_MODEL 配置的模型评判回答是否正确、是否忠于所引资料。"
                        if has_llm else "未配置 LLM（RAG_LLM_BASE_URL、RAG_LLM_MODEL），不能评审。")
    if st.button("开始评测", type="primary", key="eval-start"):
        _start(items, settings, upload.name, folder, split or "all", judge)


def _start(items: list[QAItem], settings: Settings, name: str, folder: Path, split: str,
           judge: bool) -> None:
    try:
        chosen = select_split(items, split, Path(name))
        job_id = eval_jobs.start(eval_jobs.Job(chosen, settings, name, folder, split, judge))
    except RagError as exc:  # already running, no judge endpoint, an empty split
        st.warning(plain(exc.zh))
        return
    st.session_state[WATCH_KEY] = job_id


def _progress() -> None:
    """The running evaluation's progress (polled), or how the last one ended."""
    status = eval_jobs.status()
    if status.running:
        st.progress(status.fraction, text=plain(f"正在评测 {status.qa_name}：已完成 {status.done}/{status.total} 题"))
        if st.button("停止评测", key="eval-cancel"):
            eval_jobs.cancel()
        return
    if st.session_state.get(WATCH_KEY) == status.job_id:  # the run this session started has ended
        del st.session_state[WATCH_KEY]
        if status.report_path is not None:
            st.session_state[RUN_KEY] = status.report_path
        st.rerun()  # the whole page: stop polling, list the new run
    if status.state == "done":
        st.success(plain(f"最近一次评测已完成：{status.qa_name}，{status.total} 题。"))
    elif status.state == "failed":
        st.error(plain(f"最近一次评测（{status.qa_name}）失败：{status.error}"))
    elif status.state == "cancelled":
        st.info(plain(f"最近一次评测（{status.qa_name}）已停止，完成了 {status.done}/{status.total} 题，未保存。"))


def _results(folder: Path) -> tuple[Path, dict[str, Any]] | None:
    st.subheader("2. 评测结果")
    runs = saved_runs(folder)
    if not runs:
        st.info("还没有保存的评测。上传问题集并开始评测后，结果会显示在这里。")
        return None
    if st.session_state.get(RUN_KEY) not in runs:
        st.session_state.pop(RUN_KEY, None)
    path = st.selectbox("查看哪一次评测（最新的在前）", runs, format_func=run_title, key=RUN_KEY)
    if path is None:
        return None
    try:
        report = load_report(path)
    except RagError as exc:
        st.error(plain(exc.zh))
        return None
    judge = f" · LLM 评审：{report['judge']}" if report.get("judge") else ""
    st.caption(plain(f"问题集：{report.get('qa', '')} · 题数 {len(report['items'])} · "
                     f"配置：{report.get('label', '')} · 时间：{report.get('when', '')}{judge}"))
    st.dataframe(pd.DataFrame(summary(report)), hide_index=True, key="eval-summary")
    missing = without_evidence(report)
    if missing:
        st.caption(f"有 {missing} 道可答的题没有填写“证据”：命中@k、MRR、nDCG 把它们算作未命中，"
                   "请以要点召回率等回答指标为准。")
    st.bar_chart(pd.DataFrame(chart_data(report)), stack=False, y_label="得分（0–1）", x_label="类别")
    _items(report)
    _downloads(path, report)
    return path, report


def _items(report: dict[str, Any]) -> None:
    st.markdown("**逐题结果**（未通过的在前）")
    left, right = st.columns([1, 3])
    failed_only = left.checkbox("只看未通过", key="eval-failed")
    chosen = right.multiselect("类别", categories(report), key="eval-cats", placeholder="全部类别")
    records = item_rows(report, failed_only, chosen)
    st.caption(f"显示 {len(records)} / {len(report['items'])} 题")
    st.dataframe(pd.DataFrame(records), hide_index=True, key="eval-items")


def _downloads(path: Path, report: dict[str, Any]) -> None:
    cols = st.columns(4)
    files: tuple[tuple[str, Callable[[], str | bytes], str, str], ...] = (
        ("下载报告（JSON）", path.read_bytes, ".json", "application/json"),
        ("下载报告（Markdown）", partial(report_markdown, path, report), ".md", "text/markdown"),
        ("下载逐题结果（CSV）", partial(csv_bytes, report), "-items.csv", "text/csv"),
        ("下载逐题结果（Excel）", partial(xlsx_bytes, report), "-items.xlsx",
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    for col, (label, data, suffix, mime) in zip(cols, files, strict=True):
        col.download_button(label, data, file_name=path.stem + suffix, mime=mime, on_click="ignore",
                            key=f"eval-dl{suffix}")


def _compare(path: Path, report: dict[str, Any], folder: Path) -> None:
    st.subheader("3. 与以前的评测对比")
    source = st.radio("和哪一次比", [SAVED, UPLOADED], horizontal=True, key="eval-cmp-source")
    earlier, name = None, ""
    if source == SAVED:
        others = [p for p in saved_runs(folder) if p != path]
        pick = st.selectbox("之前的评测", others, format_func=run_title, index=None, key="eval-cmp-run",
                            placeholder="请选择一次已保存的评测")
        if pick is not None:
            earlier, name = _load(lambda: load_report(pick)), pick.name
    else:
        upload = st.file_uploader("之前的评测报告（rag eval 保存的 .json）", type=["json"], key="eval-cmp-upload")
        if upload is not None:
            earlier, name = _load(lambda: report_from_upload(upload.name, upload.getvalue())), upload.name
    if earlier is not None:
        _show_diff(earlier, name, report, path.name)


def _load(read: Callable[[], dict[str, Any]]) -> dict[str, Any] | None:
    try:
        return read()
    except RagError as exc:
        st.error(plain(exc.zh))
        return None


def _show_diff(earlier: dict[str, Any], earlier_name: str, report: dict[str, Any], name: str) -> None:
    d = diff(earlier, report, earlier_name, name)
    st.caption(plain(f"之前：{earlier_name}　→　现在：{name}（按题目编号逐题比较）"))
    cols = st.columns(3)
    for col, label, pairs in zip(cols, ("变好", "变差", "回答有变化"), (d.better, d.worse, d.changed),
                                 strict=True):
        col.metric(label, len(pairs))
    if d.only_a or d.only_b:
        st.caption(plain(f"只在之前的评测中：{'、'.join(d.only_a) or '无'}；只在现在的评测中：{'、'.join(d.only_b) or '无'}"))
    tabs = st.tabs([f"变好（{len(d.better)}）", f"变差（{len(d.worse)}）", f"回答有变化（{len(d.changed)}）",
                    "指标变化"])
    for tab, pairs in zip(tabs, (d.better, d.worse, d.changed), strict=False):
        if pairs:
            tab.dataframe(pd.DataFrame(diff_items(pairs)), hide_index=True)
        else:
            tab.caption("无")
    tabs[3].dataframe(pd.DataFrame(diff_deltas(d)), hide_index=True)
    st.download_button("下载对比（Markdown）", markdown(d), file_name=f"{Path(name).stem}-diff.md",
                       mime="text/markdown", on_click="ignore", key="eval-dl-diff")
