"""The 资料管理 page (rag/ui/admin_page.py) and its password (rag/ui/admin_auth.py):
the login box and the page list with Streamlit's AppTest, and the page itself on a
temp copy of a two-document corpus (real PDF, real Chroma, real embedder)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from rag.pipeline import Pipeline
from rag.settings import Settings, load_settings
from rag.ui import admin_page
from rag.ui.admin_auth import AttemptLimiter, fingerprint, matches, still_valid

from .conftest import ROOT
from .extract.files import scanned_pdf, text_pdf
from .test_plain_text import GFM_URL, shown

KEY = "admin-key-0123456789abcdef"
OTHER = "another-key-0123456789abcdef"
NAV = ("import streamlit as st\nfrom rag.ui import admin_page\n"
       "st.text('pages=[' + ','.join(p.title for p in admin_page.pages()) + ']')\n")
PAGE = "from rag.ui.admin_page import render\nrender()\n"
PDF = "application/pdf"


# --- the password -------------------------------------------------------------------------

def test_password_matches_a_configured_key_only():
    keys = frozenset({KEY, OTHER})
    assert matches(KEY, keys) and matches(OTHER, keys)
    assert not matches(KEY[:-1], keys) and not matches("", keys) and not matches(KEY, frozenset())
    assert not matches("密码" + KEY, keys)  # non-ASCII input is compared, not an error


def test_a_login_ends_when_its_key_is_taken_out():
    kept = fingerprint(KEY)
    assert KEY not in kept and still_valid(kept, {KEY, OTHER})
    assert not still_valid(kept, {OTHER}) and not still_valid("", {KEY})


def test_failed_logins_are_limited_per_window():
    now = [0.0]
    limiter = AttemptLimiter(max_failures=3, window=60, clock=lambda: now[0])
    for t in (0, 10, 20):
        now[0] = t
        assert limiter.wait_seconds() == 0
        limiter.failed()
    now[0] = 30
    assert limiter.wait_seconds() == 30  # the first failure leaves the window at 60
    now[0] = 60
    assert limiter.wait_seconds() == 0


# --- the login box and the page list ------------------------------------------------------

@pytest.fixture
def fresh_limiter(monkeypatch: pytest.MonkeyPatch) -> AttemptLimiter:
    """A limiter of this test's own, and no pause after a wrong password."""
    limiter = AttemptLimiter(max_failures=2)
    monkeypatch.setattr(admin_page, "LIMITER", limiter)
    monkeypatch.setattr(admin_page, "FAIL_DELAY_SECONDS", 0)
    return limiter


def _pages(at: AppTest) -> str:
    return next(t.value for t in at.text if t.value.startswith("pages="))


def _log_in(at: AppTest, password: str) -> AppTest:
    at.text_input(key="admin-password").input(password)
    next(b for b in at.button if b.label == "登录").click().run()
    return at


def test_no_admin_keys_no_login_and_no_page(monkeypatch: pytest.MonkeyPatch):
    at = AppTest.from_string(NAV).run()
    assert not at.exception and _pages(at) == "pages=[]"
    assert not at.expander and not at.text_input


def test_login_shows_the_page_wrong_password_does_not(monkeypatch: pytest.MonkeyPatch, fresh_limiter):
    monkeypatch.setenv("RAG_ADMIN_KEYS", f"{OTHER},{KEY}")
    at = AppTest.from_string(NAV).run()
    assert [e.label for e in at.sidebar.expander] == ["管理员登录"] and _pages(at) == "pages=[]"
    _log_in(at, "wrong-password-0123456789")
    assert [e.value for e in at.sidebar.error] == ["密码不正确。"] and _pages(at) == "pages=[]"
    _log_in(at, KEY)
    assert not at.exception and _pages(at) == "pages=[资料管理]"
    assert KEY not in repr(at.session_state)  # the password itself is not kept
    next(b for b in at.button if b.label == "退出登录").click().run()
    assert _pages(at) == "pages=[]"


def test_guessing_is_stopped_for_a_while(monkeypatch: pytest.MonkeyPatch, fresh_limiter):
    monkeypatch.setenv("RAG_ADMIN_KEYS", KEY)
    at = AppTest.from_string(NAV).run()
    for _ in range(2):
        _log_in(at, "wrong-password-0123456789")
    _log_in(at, KEY)  # even the right one waits now
    assert "密码错误次数过多" in at.sidebar.error[0].value and _pages(at) == "pages=[]"


def test_a_removed_key_logs_the_session_out(monkeypatch: pytest.MonkeyPatch, fresh_limiter):
    monkeypatch.setenv("RAG_ADMIN_KEYS", KEY)
    at = _log_in(AppTest.from_string(NAV).run(), KEY)
    assert _pages(at) == "pages=[资料管理]"
    monkeypatch.setenv("RAG_ADMIN_KEYS", OTHER)
    assert _pages(at.run()) == "pages=[]"


# --- the page ------------------------------------------------------------------------------

A_TXT = "# 丙公司简介\n\n丙公司成立于2005年，主要生产高精度齿轮。\n\n丙公司产品出口到欧洲。\n"


def _indexed(folder: Path) -> Settings:
    """A two-document corpus in ``folder``/corpus, indexed in ``folder``/idx."""
    from rag.indexing import update_index

    corpus = folder / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(A_TXT, encoding="utf-8")
    (corpus / "b.md").write_text("# 丁市产业\n\n丁市共有单项冠军企业8家。\n", encoding="utf-8")
    settings = load_settings(corpus_dir=corpus, index_dir=folder / "idx")
    update_index(settings)
    return settings


@pytest.fixture(scope="module")
def shared_kb(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """One index for the tests that change nothing."""
    return _indexed(tmp_path_factory.mktemp("kb"))


def _page(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The page over ``settings``' corpus and index, logged in."""
    monkeypatch.setenv("RAG_CORPUS_DIR", str(settings.corpus_dir))
    monkeypatch.setenv("RAG_INDEX_DIR", str(settings.index_dir))
    monkeypatch.setenv("RAG_ADMIN_KEYS", KEY)
    at = AppTest.from_string(PAGE, default_timeout=120)
    at.session_state[admin_page.LOGIN_KEY] = fingerprint(KEY)
    return at.run()


@pytest.fixture
def page(shared_kb: Settings, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The page on the shared index: for tests that leave it as it was."""
    return _page(shared_kb, monkeypatch)


@pytest.fixture
def kb(tmp_path: Path) -> Settings:
    """An index of this test's own."""
    return _indexed(tmp_path)


@pytest.fixture
def own_page(kb: Settings, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The page on this test's own index: for tests that add documents."""
    return _page(kb, monkeypatch)


def _table(at: AppTest) -> dict[str, dict[str, object]]:
    return {r["编号"]: r for r in at.dataframe[0].value.to_dict("records")}


def _submit(at: AppTest, name: str, data: bytes, mime: str, **fields: str) -> AppTest:
    n = at.session_state[admin_page.ROUND_KEY]
    at.file_uploader(key=f"admin-file-{n}").set_value((name, data, mime))
    for field, value in fields.items():
        at.text_input(key=f"admin-{field}-{n}").input(value)
    next(b for b in at.button if b.label == "添加并更新索引").click().run()
    return at


def test_not_logged_in_sees_nothing(shared_kb: Settings, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("RAG_CORPUS_DIR", str(shared_kb.corpus_dir))
    monkeypatch.setenv("RAG_INDEX_DIR", str(shared_kb.index_dir))
    monkeypatch.setenv("RAG_ADMIN_KEYS", KEY)
    at = AppTest.from_string(PAGE).run()
    assert "请先在侧边栏" in at.error[0].value and not at.dataframe and not at.button


def test_lists_the_documents_with_flags(page: AppTest):
    assert not page.exception
    rows = _table(page)
    assert set(rows) == {"a", "b"} and rows["a"]["标题"] == "丙公司简介" and rows["a"]["段落数"] >= 1
    assert "未登记" in str(rows["a"]["标记"]) and "无日期" in str(rows["b"]["标记"])


def test_add_a_pdf_then_remove_it(own_page: AppTest, kb: Settings):
    page = own_page
    _submit(page, "甲市报告.pdf", text_pdf(), PDF, publisher="甲市经信局", date="2023-05")
    assert not page.exception and not page.error
    [done] = page.success
    assert "已添加《甲市制造业发展报告》" in shown(done.value)
    doc_id = next(k for k, r in _table(page).items() if r["标题"] == "甲市制造业发展报告")
    row = _table(page)[doc_id]
    assert (row["发布单位"], row["日期"], row["标记"]) == ("甲市经信局", "2023-05", "")
    assert "37家" in Pipeline.load(kb).ask("甲市有多少家国家级单项冠军企业？").text
    assert page.file_uploader(key="admin-file-1").value is None  # the form starts afresh

    page.selectbox(key="admin-pick-1").select(doc_id).run()
    page.button(key="admin-remove").click().run()
    assert "确定删除《甲市制造业发展报告》" in shown(page.warning[0].value)
    assert doc_id in _table(page)  # nothing happens before 确认删除
    page.button(key="admin-confirm-remove").click().run()
    assert not page.exception and "已删除《甲市制造业发展报告》" in shown(page.success[0].value)
    assert set(_table(page)) == {"a", "b"}
    assert "37家" not in Pipeline.load(kb).ask("甲市有多少家国家级单项冠军企业？").text


def test_cancel_keeps_the_document(page: AppTest):
    page.selectbox(key="admin-pick-0").select("b").run()
    page.button(key="admin-remove").click().run()
    page.button(key="admin-cancel").click().run()
    assert not page.warning and set(_table(page)) == {"a", "b"}


@pytest.mark.parametrize("name, data, fields, says", [
    ("scan.pdf", scanned_pdf(), {}, "没有文字层"),
    ("note.txt", "丙公司成立于2010年。".encode(), {"date": "去年"}, "日期“去年”格式不对"),
    ("copy.txt", A_TXT.encode(), {}, "已在资料库中（编号 a"),
])
def test_bad_uploads_say_why_in_chinese(page: AppTest, name: str, data: bytes, fields: dict[str, str],
                                        says: str):
    _submit(page, name, data, "text/plain", **fields)
    assert not page.exception and not page.success
    [error] = page.error
    assert says in shown(error.value) and "Traceback" not in error.value
    assert set(_table(page)) == {"a", "b"}


def test_no_file_chosen(page: AppTest):
    next(b for b in page.button if b.label == "添加并更新索引").click().run()
    assert page.error[0].value == "请先选择要添加的文件。"


def test_markdown_in_a_title_stays_text(own_page: AppTest):
    page = own_page
    title = "戊报告 ![x](http://127.0.0.1:9/x.png) **粗**"
    _submit(page, "c.txt", "# 戊报告\n\n戊公司2020年研发投入3亿元。\n".encode(), "text/plain",
            title=title, date="2020")
    message = page.success[0].value
    assert title in shown(message) and not GFM_URL.search(message.replace("\\", ""))
    assert title in {r["标题"] for r in _table(page).values()}  # a dataframe cell: plain text


def test_the_chat_works_with_admin_keys_set(shared_kb: Settings, monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path):
    """app.py's cached pipeline reads the settings again: its cache key masks secrets, and
    parsed back the masked admin key was too short to be valid (the chat page failed)."""
    monkeypatch.setenv("RAG_CORPUS_DIR", str(shared_kb.corpus_dir))
    monkeypatch.setenv("RAG_INDEX_DIR", str(shared_kb.index_dir))
    monkeypatch.setenv("RAG_FEEDBACK_DB", str(tmp_path / "fb.sqlite3"))
    monkeypatch.setenv("RAG_ADMIN_KEYS", KEY)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert [e.label for e in at.sidebar.expander][0] == "管理员登录"
    at.chat_input[0].set_value("丙公司成立于哪一年？").run()
    assert not at.exception and "2005年" in "\n".join(m.value for m in at.markdown)
