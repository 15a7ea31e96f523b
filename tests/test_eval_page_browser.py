"""The 评测 page in a real browser: the app served on 127.0.0.1 (as in test_app_browser.py),
Debian's chromium through Playwright. Upload a small CSV, run it, see the per-item table,
download the per-item CSV and read it. Saves a screenshot to test-artifacts/."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from rag.item_table import HEADER, PASS

from .test_app_browser import ARTIFACTS, _launch, _need_chromium, _streamlit

pytestmark = pytest.mark.integration

QUESTIONS = [
    ["问题", "要点", "类别", "无答案"],
    ["天生密封件公司创建于哪一年？", "1998年12月", "数字", "否"],
    ["旭升集团派往墨西哥的技术骨干有多少人？", "25名", "企业与产品", "否"],
    ["杭州有多少家国家级制造业单项冠军企业？", "", "无答案", "是"],
]


def test_eval_page_runs_an_uploaded_csv_and_downloads_the_items(built_settings, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch):
    _need_chromium()
    from playwright.sync_api import sync_playwright

    sheet = tmp_path / "三个问题.csv"
    with sheet.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(QUESTIONS)
    runs = tmp_path / "runs"
    monkeypatch.setenv("RAG_EVAL_DIR", str(runs))  # the served app saves its runs here
    ARTIFACTS.mkdir(exist_ok=True)
    with _streamlit(built_settings.index_dir, built_settings.corpus_dir) as url, sync_playwright() as p:
        browser = _launch(p)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 2400}, accept_downloads=True)
            page.goto(url)
            page.wait_for_selector("textarea", timeout=60_000)  # the chat is the default page
            page.locator("[data-testid=stSidebarNav] a", has_text="评测").click()
            page.wait_for_selector("text=上传问题集并运行", timeout=60_000)
            page.locator("[data-testid=stFileUploader] input[type=file]").first.set_input_files(str(sheet))
            page.wait_for_selector("text=共 3 题", timeout=30_000)
            page.get_by_role("button", name="开始评测").click()
            page.wait_for_selector("text=显示 3 / 3 题", timeout=120_000)  # the per-item table's caption
            table = page.locator("[data-testid=stDataFrame]").nth(1)
            table.wait_for(timeout=30_000)
            assert table.bounding_box()["height"] > 100  # type: ignore[index]
            page.wait_for_selector("text=和哪一次比", timeout=30_000)  # the page has rendered to its end
            page.wait_for_timeout(1500)  # let the chart draw before the screenshot
            assert "最近一次评测已完成" in page.inner_text("body")
            page.screenshot(path=str(ARTIFACTS / "eval-page.png"), full_page=True)
            with page.expect_download(timeout=30_000) as download:
                page.get_by_role("button", name="下载逐题结果（CSV）").click()
            data = Path(download.value.path()).read_bytes()
            name = download.value.suggested_filename
        finally:
            browser.close()
    assert data.startswith(b"\xef\xbb\xbf") and name.endswith("-default-items.csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == HEADER
    by_question = {r[2]: dict(zip(HEADER, r, strict=True)) for r in rows[1:]}
    assert set(by_question) == {q[0] for q in QUESTIONS[1:]}
    assert by_question["天生密封件公司创建于哪一年？"]["结果"] == PASS
    assert "1998年12月" in by_question["天生密封件公司创建于哪一年？"]["回答"]
    assert by_question["杭州有多少家国家级制造业单项冠军企业？"]["拒答"] == "是"
    assert [p.name for p in runs.glob("*.json")] == [name.replace("-items.csv", ".json")]  # saved too
