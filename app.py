"""Streamlit chat for officials: ask in Chinese, get short cited answers.

Run: .venv/bin/streamlit run app.py   (bash scripts/run.sh does it for you)
Pages: the chat (here, the default) and 评测 (rag/ui/eval_page.py), listed one line
each in PAGES at the end.
This file only displays; rag.pipeline decides what to answer. Every question
and document text shown goes through plain() (rag.plain_text): Streamlit renders
captions, labels, expander titles and table cells as Markdown too.
"""

from __future__ import annotations

import re
from typing import Any

import streamlit as st
import streamlit.components.v1 as components

from rag.errors import IndexMissingError, RagError
from rag.export import conversation_markdown
from rag.feedback import FeedbackStore
from rag.highlight import document_page, quote_in_passage
from rag.plain_text import plain_markdown as plain
from rag.schema import Answer, Turn
from rag.settings import Settings, load_settings
from rag.ui import admin_page, eval_page

st.set_page_config(page_title="宁波制造业冠军企业问答", page_icon="🏭", layout="wide")


@st.cache_resource(show_spinner="正在加载索引和模型…")
def pipeline(settings_json: str) -> Any:
    """One pipeline per process and configuration. ``settings_json`` is only the cache
    key: its secrets (RAG_ADMIN_KEYS, RAG_LLM_API_KEY) are masked, so the settings
    are read again rather than parsed back from it."""
    from rag.pipeline import Pipeline

    return Pipeline.load(load_settings())


def settings() -> Settings:
    try:
        return load_settings()
    except RagError as exc:
        st.error(plain(exc.zh))
        st.stop()
        raise


def build_index_ui(s: Settings) -> None:
    """The 'no index' state: explain and offer to build it with a progress bar."""
    st.warning("索引尚未建立。请点击下方按钮建立索引（约 15 秒），或在命令行运行 rag index。")
    if st.button("建立索引", type="primary"):
        from rag.indexing import build_index

        bar = st.progress(0.0, text="正在切分并向量化资料…")
        try:
            build_index(s, progress=lambda done, total: bar.progress(done / total, text=f"已处理 {done}/{total} 段"))
        except RagError as exc:
            st.error(plain(exc.zh))
            st.stop()
        st.cache_resource.clear()
        st.rerun()
    st.stop()


def show_sources(answer: Answer, idx: int, show_scores: bool) -> None:
    if answer.figures:
        st.caption("不同资料给出的数字")
        st.table([{"数字": plain(f.value) + ("（目标）" if f.label else ""),
                   "来源": plain(f"{f.title} [{f.citation}]"), "日期": plain(f.date)}
                  for f in answer.figures])
    label = "最接近的段落" if answer.refused else "来源"
    for c in answer.citations:
        with st.expander(f"[{c.n}] 《{plain(c.title)}》 · {plain(c.publisher)} · {plain(c.date)}",
                         expanded=False):
            st.caption(f"章节：{plain(c.section) or '—'}{('　' + plain(c.note)) if c.note else ''}")
            st.markdown(f"<div class='passage'>{quote_in_passage(c.passage, c.quote)}</div>",
                        unsafe_allow_html=True)
            if st.toggle("查看全文并定位", key=f"doc-{idx}-{c.n}"):
                doc = pipeline(settings().model_dump_json()).docs.get(c.doc_id)
                if doc:
                    components.html(document_page(doc.meta.title, doc.text, c.start, c.end),
                                    height=420, scrolling=True)
    if show_scores and answer.hits:
        st.caption(label + "检索得分")
        st.table([{"#": h.rank, "得分": round(h.score, 3), "向量": round(h.dense, 2),
                   "关键词": round(h.keyword, 2), "段落": plain(h.chunk.text[:60])} for h in answer.hits])


def show_feedback(answer: Answer, idx: int, s: Settings) -> None:
    done = st.session_state.setdefault("rated", set())
    if idx in done:
        st.caption("感谢反馈！")
        return
    cols = st.columns([1, 4, 1])
    rating = cols[0].feedback("thumbs", key=f"fb-{idx}")
    comment = cols[1].text_input("补充意见（可选）", key=f"fbc-{idx}", label_visibility="collapsed",
                                 placeholder="补充意见（可选）")
    if cols[2].button("提交反馈", key=f"fbs-{idx}", disabled=rating is None):
        try:
            FeedbackStore(s.feedback_db).add(answer, 1 if rating == 1 else -1, comment or "", s.public())
        except RagError as exc:  # busy database: say so; the rating stays for another try
            st.warning(exc.zh)
            return
        done.add(idx)
        st.rerun()


def show_notices(answer: Answer) -> None:
    if answer.notice:
        st.info(plain(answer.notice))
    if answer.unverified_numbers:
        st.warning("以下数字未能在所引资料中核实，请谨慎使用：" + plain("、".join(answer.unverified_numbers)))


def show_answer(answer: Answer, idx: int, s: Settings, show_scores: bool) -> None:
    show_notices(answer)
    if answer.standalone_question and answer.standalone_question != answer.question:
        st.caption(f"按“{plain(answer.standalone_question)}”理解")
    if answer.short:
        st.markdown(short_line(answer))
    st.markdown(plain(answer.text))
    show_sources(answer, idx, show_scores)
    show_feedback(answer, idx, s)


def short_line(answer: Answer) -> str:
    """The 简答 line as Markdown."""
    note = f"（{plain(answer.short_note)}）" if answer.short_note else ""
    return f"**简答：{plain(answer.short)}**{note}"


def stream(answer: Answer):  # type: ignore[no-untyped-def]
    """Yield the answer sentence by sentence (extractive answers arrive whole)."""
    if answer.short:
        yield short_line(answer) + "\n\n"
    yield from re.split(r"(?<=\])", plain(answer.text))


def sidebar(pipe: Any) -> tuple[list[str], int, bool]:
    with st.sidebar:
        st.header("筛选与设置")
        docs = {k: d.meta for k, d in sorted(pipe.docs.items())}
        chosen = st.multiselect("只在这些资料中查找", list(docs), format_func=lambda k: docs[k].title,
                                placeholder="全部资料")
        with st.expander("高级设置", expanded=False):
            top_k = st.slider("参考段落数（top-k）", 1, 10, pipe.settings.top_k)
            names = {"extractive": "摘录原文（不用大模型）", "openai": "大模型（OpenAI 兼容接口）",
                     "transformers": "本地大模型（transformers）"}
            st.selectbox("回答方式（由管理员配置 RAG_LLM）", [names[pipe.settings.llm]], index=0, disabled=True)
            show_scores = st.checkbox("显示检索得分", value=False)
        with st.expander("关于这些资料", expanded=False):
            for meta in docs.values():
                st.markdown(f"**{plain(meta.title)}**  \n{plain(meta.publisher)} · {plain(meta.date)}"
                            f"  \n{plain(meta.date_note)}  \n{plain(meta.note)}")
        answers = [t["answer"] for t in st.session_state.get("turns", [])]
        st.download_button("导出对话（Markdown）", conversation_markdown(answers),
                           file_name="问答记录.md", mime="text/markdown", disabled=not answers)
    return chosen, top_k, show_scores


def ask(pipe: Any, question: str, doc_ids: list[str], top_k: int) -> Answer | None:
    history = []
    for t in st.session_state.turns[-3:]:
        history += [Turn("user", t["answer"].question), Turn("assistant", t["answer"].as_said())]
    holder, pieces = st.empty(), []

    def on_token(piece: str) -> None:  # an LLM answer shows up as it is generated
        pieces.append(piece)
        holder.markdown(plain("".join(pieces)) + " ▌")

    try:
        answer = pipe.ask(question, top_k, doc_ids or None, history=history,
                          on_token=on_token if pipe.generator is not None else None)
        holder.empty()
        return answer  # type: ignore[no-any-return]
    except RagError as exc:
        st.warning(plain(exc.zh))
    except Exception:  # noqa: BLE001 - the chat must stay usable
        st.error("回答时出现意外错误，请稍后重试或换个问法。")
    return None


def main() -> None:
    """The chat page (问答)."""
    s = settings()
    st.title("宁波制造业冠军企业问答")
    st.caption("回答只摘自所收录的资料，并标注出处；资料中没有的内容会直接说明。")
    try:
        pipe = pipeline(s.model_dump_json())
        if pipe.store.active_tag() != pipe.info.tag:  # the index was rebuilt or updated: load it anew
            pipeline.clear()
            pipe = pipeline(s.model_dump_json())
    except IndexMissingError:
        build_index_ui(s)
        return
    except RagError as exc:
        st.error(plain(exc.zh))
        st.stop()
        return
    st.session_state.setdefault("turns", [])
    doc_ids, top_k, show_scores = sidebar(pipe)
    for i, turn in enumerate(st.session_state.turns):
        with st.chat_message("user"):
            st.text(turn["answer"].question)
        with st.chat_message("assistant"):
            show_answer(turn["answer"], i, s, show_scores)
    pending = st.session_state.pop("pending", None)
    examples = st.empty()
    if not st.session_state.turns and not pending:
        with examples.container():
            st.write("可以这样问：")
            for j, q in enumerate(pipe.knowledge.profile.examples):
                if st.button(plain(q), key=f"ex-{j}"):
                    st.session_state.pending = q
                    st.rerun()
    question = st.chat_input("请输入问题") or pending
    if not question or not question.strip():
        return
    examples.empty()
    with st.chat_message("user"):
        st.text(question)
    with st.chat_message("assistant"):
        answer = ask(pipe, question, doc_ids, top_k)
        if answer is None:
            return
        show_notices(answer)
        st.write_stream(stream(answer))
        idx = len(st.session_state.turns)
        st.session_state.turns.append({"answer": answer})
        show_sources(answer, idx, show_scores)
        show_feedback(answer, idx, s)


# The app's pages, one line each (a function or a file); adding a page is adding a line.
PAGES = [
    st.Page(main, title="问答", icon="💬", default=True),
    st.Page(eval_page.render, title="评测", icon="📊", url_path="eval"),
    *admin_page.pages(),  # 资料管理: only after an administrator logs in (RAG_ADMIN_KEYS)
]
st.navigation(PAGES).run()
