"""The 资料管理 page in a real browser: the app served on 127.0.0.1 (as in
test_app_browser.py) over a temp two-document corpus with RAG_ADMIN_KEYS set, Debian's
chromium through Playwright. No page before the login; log in, upload a real PDF with
its publisher and date, watch it index, ask the chat about it, delete it. Saves a
screenshot to test-artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest

from .extract.files import text_pdf
from .test_app_browser import ARTIFACTS, _launch, _need_chromium, _streamlit

pytestmark = pytest.mark.integration

KEY = "browser-admin-key-0123456789"
TITLE = "甲市制造业发展报告"  # the PDF's own /Title
CELL = "[data-testid=stDataFrame] table td"
# set before the upload is sent: whether a progress bar showed up while indexing
WATCH_PROGRESS = """() => { window.sawProgress = false;
  new MutationObserver(() => { if (document.querySelector('[data-testid=stProgress]')) window.sawProgress = true; })
    .observe(document.body, {childList: true, subtree: true}); }"""


def _nav(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The page names in the sidebar's navigation (without their icons)."""
    return [t.split()[-1] for t in page.locator("[data-testid=stSidebarNav] a").all_inner_texts()]


def _rows(page) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """The 现有资料 table's rows (st.dataframe draws on a canvas; its accessible table has the cells)."""
    cells = page.locator(CELL).all_inner_texts()
    return [cells[i:i + 7] for i in range(0, len(cells), 7)]


def _go(page, name: str, ready: str) -> None:  # type: ignore[no-untyped-def]
    page.locator("[data-testid=stSidebarNav] a", has_text=name).click()
    page.wait_for_selector(f"text={ready}", timeout=60_000)


def test_admin_adds_a_pdf_the_chat_answers_from_it_then_removes_it(tiny_corpus: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch):
    _need_chromium()
    from playwright.sync_api import expect, sync_playwright

    from rag.indexing import update_index
    from rag.settings import load_settings

    settings = load_settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "index")
    update_index(settings)
    pdf = tmp_path / "甲市报告.pdf"
    pdf.write_bytes(text_pdf())
    monkeypatch.setenv("RAG_ADMIN_KEYS", KEY)  # the served app reads it
    ARTIFACTS.mkdir(exist_ok=True)
    with _streamlit(settings.index_dir, settings.corpus_dir) as url, sync_playwright() as p:
        browser = _launch(p)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1600})
            page.goto(f"{url}/admin")  # officials without the password see no such page
            page.wait_for_selector("textarea", timeout=60_000)
            page.get_by_role("dialog").get_by_text("Page not found").wait_for(timeout=30_000)
            page.keyboard.press("Escape")  # close Streamlit's notice; the chat page runs instead
            page.get_by_role("dialog").wait_for(state="detached", timeout=30_000)
            assert _nav(page) == ["问答", "评测"]

            sidebar = page.locator("[data-testid=stSidebar]")
            sidebar.get_by_text("管理员登录").click()
            sidebar.locator("input[type=password]").fill("not-the-admin-key-0123")
            sidebar.get_by_role("button", name="登录").click()
            page.wait_for_selector("text=密码不正确。", timeout=30_000)
            assert _nav(page) == ["问答", "评测"]
            sidebar.locator("input[type=password]").fill(KEY)
            sidebar.get_by_role("button", name="登录").click()
            page.locator("[data-testid=stSidebarNav] a", has_text="资料管理").wait_for(timeout=30_000)

            _go(page, "资料管理", "现有资料")
            page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(str(pdf))
            page.get_by_label("发布单位").fill("甲市经信局")
            page.get_by_label("日期").fill("2023-05")
            page.evaluate(WATCH_PROGRESS)
            page.get_by_role("button", name="添加并更新索引").click()
            page.wait_for_selector(f"text=已添加《{TITLE}》", timeout=120_000)
            assert page.evaluate("window.sawProgress")
            page.locator(CELL, has_text=TITLE).wait_for(state="attached", timeout=30_000)
            expect(page.locator(CELL)).to_have_count(3 * 7, timeout=30_000)  # the new row is listed
            [row] = [r for r in _rows(page) if r[1] == TITLE]
            doc_id = row[0]
            assert row[2:4] == ["甲市经信局", "2023-05"] and int(row[4]) >= 1 and row[6] == ""
            page.screenshot(path=str(ARTIFACTS / "admin-page.png"), full_page=True)

            _go(page, "问答", "可以这样问")
            page.fill("textarea", "甲市有多少家国家级单项冠军企业？")
            page.keyboard.press("Enter")
            page.wait_for_selector("text=37家", timeout=60_000)
            # the 简答 line renders before the answer and its sources: wait for them, not only the figure
            expect(page.locator("[data-testid=stChatMessage]").last).to_contain_text("甲市经信局", timeout=60_000)

            _go(page, "资料管理", "现有资料")
            page.locator("[data-testid=stSelectbox]").click()
            page.get_by_role("option", name=TITLE).click()
            page.get_by_role("button", name="删除…").click()
            page.wait_for_selector(f"text=确定删除《{TITLE}》", timeout=30_000)
            page.get_by_role("button", name="确认删除").click()
            page.wait_for_selector(f"text=已删除《{TITLE}》（编号 {doc_id}）", timeout=120_000)
            expect(page.locator(CELL)).to_have_count(2 * 7, timeout=30_000)  # two rows of seven cells
            assert [r[0] for r in _rows(page)] == ["a", "b"]  # it is gone from the list
        finally:
            browser.close()
    assert not (settings.corpus_dir / f"{doc_id}.pdf").exists()
