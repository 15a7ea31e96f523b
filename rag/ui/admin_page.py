"""The 资料管理 page: the documents in the index, adding a file with its metadata,
removing a document — for administrators only.

The page exists only for a browser session that logged in with one of RAG_ADMIN_KEYS
in the sidebar's 管理员登录 box (rag/ui/admin_auth.py); with RAG_ADMIN_KEYS empty there
is neither box nor page. Display only: rag/library.py adds, removes and lists (the
corpus folder stays the source of truth, then the index is updated in place). After
a change every cached pipeline is dropped, so the chat page answers from the new
index at once. Titles, file names and errors are shown as plain text: through plain()
in Markdown, or in st.dataframe cells and select options (never Markdown).
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

import pandas as pd
import streamlit as st

from rag.errors import IndexMissingError, RagError
from rag.extract import SUFFIXES
from rag.library import Listing, add_document, list_documents, remove_document
from rag.plain_text import plain_markdown as plain
from rag.settings import Settings, load_settings
from rag.ui.admin_auth import FAIL_DELAY_SECONDS, LIMITER, fingerprint, matches, still_valid

log = logging.getLogger(__name__)

TITLE = "资料管理"
LOGIN_KEY = "admin-login"  # session state: the fingerprint of the key this session logged in with
FLASH_KEY = "admin-flash"  # messages to show after the rerun that follows a change
ROUND_KEY = "admin-round"  # bumped after a change: the form and the choice start empty again
CONFIRM_KEY = "admin-confirm"  # the document id waiting for 确认删除
FIELDS = {"title": "标题", "publisher": "发布单位", "author": "作者", "date": "日期", "home_city": "本市指"}
HINTS = {"title": "不填则取文件属性或第一行标题", "publisher": "如：某市经济和信息化局", "author": "",
         "date": "2024、2024-05 或 2024-05-20", "home_city": "文中“我市”“本市”所指的城市"}
FLAG_NOTES = "标记：无日期 = 没有日期，其中的数字无法按时间先后排列；未登记 = 不在 manifest.json 中，信息由文件本身推断。"


def pages() -> list[Any]:
    """The 资料管理 page when this browser session has logged in as administrator (the
    sidebar's 管理员登录 box is drawn here, before the navigation); no page and no box
    when RAG_ADMIN_KEYS is empty."""
    try:
        keys = load_settings().admin_key_set
    except RagError:
        return []  # the chat page shows the settings error
    if not keys:
        return []
    with st.sidebar.expander("管理员登录", expanded=False):
        if logged_in(keys):
            st.caption("已以管理员身份登录，可使用“资料管理”页。")
            if st.button("退出登录", key="admin-logout"):
                del st.session_state[LOGIN_KEY]
        else:
            _login_form(keys)
    return [st.Page(render, title=TITLE, icon="🗂️", url_path="admin")] if logged_in(keys) else []


def logged_in(keys: frozenset[str]) -> bool:
    """Whether this session logged in with a key that is still configured."""
    kept = st.session_state.get(LOGIN_KEY)
    return isinstance(kept, str) and still_valid(kept, keys)


def _login_form(keys: frozenset[str]) -> None:
    with st.form("admin-login-form", clear_on_submit=True, border=False):
        password = st.text_input("管理员密码", type="password", key="admin-password")
        submitted = st.form_submit_button("登录")
    if not submitted:
        return
    wait = LIMITER.wait_seconds()
    if wait > 0:
        st.error(f"密码错误次数过多，请 {math.ceil(wait)} 秒后再试。")
    elif not password:
        st.error("请输入管理员密码。")
    elif matches(password, keys):
        st.session_state[LOGIN_KEY] = fingerprint(password)
        st.rerun()  # redraw the sidebar as logged in, with the page in the navigation
    else:
        LIMITER.failed()
        time.sleep(FAIL_DELAY_SECONDS)
        st.error("密码不正确。")


def render() -> None:
    """The whole page."""
    st.title(TITLE)
    st.caption("添加或删除问答所依据的资料。添加后立即更新索引，问答页马上就能回答新资料中的内容；"
               "删除的文件移到资料目录下的 .removed 文件夹，并未真正删除。")
    try:
        settings = load_settings()
    except RagError as exc:
        st.error(plain(exc.zh))
        return
    if not logged_in(settings.admin_key_set):
        st.error("请先在侧边栏的“管理员登录”中输入管理员密码。")
        return
    for kind, text in st.session_state.pop(FLASH_KEY, []):
        getattr(st, kind)(plain(text))
    round_ = st.session_state.setdefault(ROUND_KEY, 0)
    docs = _documents(settings)
    _add_form(settings, round_)
    _remove(settings, docs, round_)


def rows(docs: list[Listing]) -> list[dict[str, Any]]:
    """The documents as table rows with Chinese column names."""
    return [{"编号": d.doc_id, "标题": d.title, "发布单位": d.publisher, "日期": d.date, "段落数": d.chunks,
             "加入时间": d.added[:19].replace("T", " "), "标记": "、".join(d.flags)} for d in docs]


def _documents(settings: Settings) -> list[Listing]:
    st.subheader("现有资料")
    try:
        docs = sorted(list_documents(settings), key=lambda d: d.doc_id)
    except IndexMissingError:
        st.info("还没有索引：添加第一份资料时会同时建立索引。")
        return []
    except RagError as exc:
        st.error(plain(exc.zh))
        return []
    st.caption(f"共 {len(docs)} 份。{FLAG_NOTES}")
    st.dataframe(pd.DataFrame(rows(docs)), hide_index=True, key="admin-docs")
    return docs


def _add_form(settings: Settings, round_: int) -> None:
    st.subheader("添加资料")
    with st.form(f"admin-add-{round_}", border=True):
        upload = st.file_uploader(f"文件（{'、'.join(SUFFIXES)}，不超过 {settings.max_doc_mb:g} MB）",
                                  type=[s.lstrip(".") for s in SUFFIXES], key=f"admin-file-{round_}")
        cols = st.columns(len(FIELDS))
        meta = {name: col.text_input(label, key=f"admin-{name}-{round_}", placeholder=HINTS[name])
                for col, (name, label) in zip(cols, FIELDS.items(), strict=True)}
        submitted = st.form_submit_button("添加并更新索引", type="primary")
    if not submitted:
        return
    if upload is None:
        st.error("请先选择要添加的文件。")
        return
    _add(settings, upload.name, upload.getvalue(), meta)


def _add(settings: Settings, name: str, data: bytes, meta: dict[str, str]) -> None:
    bar = st.progress(0.0, text=plain(f"正在检查 {name} …"))

    def progress(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"正在更新索引：已处理 {done}/{total} 段")

    try:
        done = add_document(settings, name, data, meta, progress=progress)
    except RagError as exc:
        bar.empty()
        st.error(plain(exc.zh))
        return
    except Exception:  # noqa: BLE001 - the page says so in Chinese; the log keeps the details
        log.exception("Adding %s failed", name)
        bar.empty()
        st.error("添加资料时出现意外错误，请检查文件后重试，或联系技术人员查看服务日志。")
        return
    bar.progress(1.0, text="索引已更新")
    added = {d.doc_id: d for d in _listing(settings)}.get(done.doc_id)
    title = added.title if added else done.file
    flash = [("success", f"已添加《{title}》（编号 {done.doc_id}，{added.chunks if added else 0} 段）。"
                         "问答页现在就能回答其中的内容。")]
    if added and "无日期" in added.flags:
        flash.append(("warning", "这份资料没有日期，其中的数字无法按时间先后排列；建议删除后填写日期重新添加。"))
    _changed(flash)


def _remove(settings: Settings, docs: list[Listing], round_: int) -> None:
    st.subheader("删除资料")
    if not docs:
        st.caption("没有可删除的资料。")
        return
    by_id = {d.doc_id: d for d in docs}
    pick = st.selectbox("选择要删除的资料", list(by_id), format_func=lambda k: f"{k} · {by_id[k].title}",
                        index=None, placeholder="请选择", key=f"admin-pick-{round_}")
    if st.button("删除…", key="admin-remove", disabled=pick is None):
        st.session_state[CONFIRM_KEY] = pick
    if pick is None or st.session_state.get(CONFIRM_KEY) != pick:
        st.session_state.pop(CONFIRM_KEY, None)
        return
    doc = by_id[pick]
    st.warning(plain(f"确定删除《{doc.title}》（编号 {doc.doc_id}）吗？删除后问答不再引用它；"
                     "文件移到资料目录下的 .removed 文件夹。"))
    yes, no = st.columns([1, 6])
    if no.button("取消", key="admin-cancel"):
        st.session_state.pop(CONFIRM_KEY, None)
        st.rerun()
    if yes.button("确认删除", type="primary", key="admin-confirm-remove"):
        _delete(settings, doc)


def _delete(settings: Settings, doc: Listing) -> None:
    with st.spinner("正在删除并更新索引…"):
        try:
            remove_document(settings, doc.doc_id)
        except RagError as exc:
            st.error(plain(exc.zh))
            return
        except Exception:  # noqa: BLE001 - the page says so in Chinese; the log keeps the details
            log.exception("Removing %s failed", doc.doc_id)
            st.error("删除资料时出现意外错误，请稍后重试，或联系技术人员查看服务日志。")
            return
    st.session_state.pop(CONFIRM_KEY, None)
    _changed([("success", f"已删除《{doc.title}》（编号 {doc.doc_id}）。")])


def _listing(settings: Settings) -> list[Listing]:
    try:
        return list_documents(settings)
    except RagError:
        return []


def _changed(flash: list[tuple[str, str]]) -> None:
    """After an add or a removal: drop the cached pipelines (the chat page loads the new
    index on its next question), start the form afresh and show ``flash`` after the rerun."""
    st.cache_resource.clear()
    st.session_state[FLASH_KEY] = flash
    st.session_state[ROUND_KEY] = st.session_state.get(ROUND_KEY, 0) + 1
    st.rerun()
