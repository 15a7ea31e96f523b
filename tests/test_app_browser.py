"""A real browser test: the app served on 127.0.0.1, driven in Debian's chromium
through Playwright (no browser download). Saves a screenshot to test-artifacts/.

Markdown typed in a question or written in a document stays text: a small HTTP
server on 127.0.0.1 records every request, and after the answer renders none has
reached it and no image or link on the page points to it."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from rag.plain_text import WORD_JOINER

from .conftest import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _need_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs it with apt-get)")
        pytest.skip("chromium not installed here")


def _launch(p):  # type: ignore[no-untyped-def]
    """Debian's chromium, headless, through Playwright."""
    return p.chromium.launch(
        executable_path=CHROMIUM,
        args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    )


@contextlib.contextmanager
def _streamlit(index_dir: Path, corpus_dir: Path) -> Iterator[str]:
    """app.py served on 127.0.0.1 over this index; stopped on exit."""
    port = _free_port()
    env = {**os.environ, "RAG_INDEX_DIR": str(index_dir), "RAG_CORPUS_DIR": str(corpus_dir),
           "RAG_FEEDBACK_DB": str(Path(index_dir) / "feedback.sqlite3")}
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.address", "127.0.0.1",
             "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.time() + 60
            while time.time() < deadline and proc.poll() is None:
                try:
                    urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
                    break
                except OSError:
                    time.sleep(0.5)
            else:
                log.seek(0)
                pytest.fail("streamlit did not start: " + log.read().decode(errors="replace")[-2000:])
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=20)


@pytest.fixture(scope="module")
def served_app(built_settings):
    _need_chromium()
    with _streamlit(built_settings.index_dir, built_settings.corpus_dir) as url:
        yield url


class _Sink:
    """An HTTP server on 127.0.0.1 that records every request it receives."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                sink.requests.append(f"{self.command} {self.path}")
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_HEAD = _record

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def sink() -> Iterator[_Sink]:
    server = _Sink()
    try:
        yield server
    finally:
        server.close()


def _ask(page, question: str, answers: int) -> None:  # type: ignore[no-untyped-def]
    """Ask and wait until the ``answers``-th answer has rendered (its feedback button is last)."""
    page.fill("textarea", question)
    page.keyboard.press("Enter")
    page.get_by_role("button", name="提交反馈").nth(answers - 1).wait_for(timeout=60_000)


def _tick(page, label: str) -> None:  # type: ignore[no-untyped-def]
    """Tick a Streamlit checkbox and wait until the page shows it ticked.

    A click that lands while the app is still rerunning (a busy machine) can be lost,
    so the label is clicked again until the box reads as checked."""
    from playwright.sync_api import expect

    box = page.get_by_role("checkbox", name=label)
    for _ in range(3):
        page.get_by_text(label).click()
        try:
            expect(box).to_be_checked(timeout=15_000)
            return
        except AssertionError:
            continue
    expect(box).to_be_checked(timeout=15_000)


def _assert_nothing_reached(page, sink: _Sink) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_timeout(1500)  # time for any image the page would fetch
    assert sink.requests == []
    assert page.locator(f"img[src*='127.0.0.1:{sink.port}']").count() == 0
    assert page.locator(f"a[href*='127.0.0.1:{sink.port}']").count() == 0


def test_ask_in_browser_shows_cited_answer(served_app):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = _launch(p)
        page = browser.new_page(viewport={"width": 1280, "height": 1100})
        page.goto(served_app)
        page.wait_for_selector("textarea", timeout=60_000)
        page.fill("textarea", "天生密封件公司创建于哪一年？")
        page.keyboard.press("Enter")
        page.wait_for_selector("text=1998年12月", timeout=60_000)
        source = page.locator("summary", has_text="[1] 《宁波制造业单项冠军企业技术追赶模式分析》")
        source.first.wait_for(timeout=30_000)
        source.first.click()
        page.wait_for_selector("mark", timeout=30_000)
        page.wait_for_timeout(1500)  # let the expander finish opening before the screenshot
        body = page.inner_text("body")
        assert "[1]" in body and "浙江万里学院" in body
        page.screenshot(path=str(ARTIFACTS / "chat-answer.png"), full_page=True)
        # the whole cleaned document, scrolled to the quote, in its own frame
        page.get_by_text("查看全文并定位").first.click()
        frame = page.frame_locator("iframe").first
        frame.locator("mark#hit").wait_for(state="attached", timeout=30_000)
        assert "1998年12月" in frame.locator("mark#hit").inner_text()
        assert "江丰电子" in frame.locator("body").inner_text()  # the rest of the document is there
        browser.close()
    assert (ARTIFACTS / "chat-answer.png").stat().st_size > 10_000


def test_widget_answers_in_browser(built_settings):
    """The widget test page served by the API, driven in chromium."""
    _need_chromium()
    from playwright.sync_api import sync_playwright

    from .test_api import serve

    ARTIFACTS.mkdir(exist_ok=True)
    with serve(built_settings) as url, sync_playwright() as p:
        browser = _launch(p)
        page = browser.new_page(viewport={"width": 1100, "height": 800})
        page.goto(f"{url}/widget/demo")
        page.click(".rqw-bubble")
        page.fill(".rqw-form input", "旭升集团派往墨西哥的技术骨干有多少人？<b>x</b>")
        page.click(".rqw-form button")
        page.wait_for_selector(".rqw-src", timeout=60_000)
        answer = page.inner_text(".rqw-a")
        assert "25名" in answer
        assert "产业丛林集群攀高" in page.inner_text(".rqw-src")
        assert page.locator(".rqw-log b").count() == 0  # typed HTML stays text
        page.screenshot(path=str(ARTIFACTS / "widget-answer.png"))
        browser.close()


def test_markdown_in_question_stays_text(served_app, sink):
    """The question is shown, in the refusal too, as typed: no image fetched, no link."""
    from playwright.sync_api import sync_playwright

    question = f"![q]({sink.url}/x.png)[点这里]({sink.url}/phish) {sink.url}/auto"
    with sync_playwright() as p:
        browser = _launch(p)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1100})
            page.goto(served_app)
            page.wait_for_selector("textarea", timeout=60_000)
            _ask(page, question, answers=1)
            _assert_nothing_reached(page, sink)
            answer = page.locator("[data-testid=stChatMessage]").last.inner_text().replace(WORD_JOINER, "")
            assert "资料中没有找到" in answer and question in answer
        finally:
            browser.close()


def _payload_corpus(folder: Path, url: str) -> None:
    """Two documents whose title, publisher and heading carry Markdown images and links."""
    folder.mkdir()
    (folder / "p.txt").write_text(
        f"# 丙公司技术报告 [t]({url}/t)\n\n## 一、丙公司概况 ![s]({url}/s.png)\n\n"
        "丙公司成立于2005年，主要生产高精度齿轮。\n\n截至2023年底，丙公司共有员工350名。\n",
        encoding="utf-8")
    (folder / "q.txt").write_text(
        f"# 丁报 [d]({url}/d)\n\n截至2024年底，丙公司共有员工420名，齿轮产量继续增长。\n", encoding="utf-8")
    (folder / "manifest.json").write_text(json.dumps({"documents": [
        {"id": "p", "file": "p.txt", "title": f"丙公司技术报告 [t]({url}/t)",
         "publisher": f"丙研究院 ![pub]({url}/pub.png)", "date": "2024", "date_note": f"见 {url}/note",
         "note": "**粗体** `代码`"}]}, ensure_ascii=False), encoding="utf-8")


def test_markdown_in_documents_stays_text(sink, tmp_path):
    """Titles, publishers, headings (章节), passages, the 简答, the figures and scores
    tables and the sidebar show a document's Markdown as text."""
    _need_chromium()
    from playwright.sync_api import sync_playwright

    from rag.indexing import build_index
    from rag.settings import load_settings

    _payload_corpus(tmp_path / "corpus", sink.url)
    settings = load_settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    build_index(settings)
    with _streamlit(settings.index_dir, settings.corpus_dir) as url, sync_playwright() as p:
        browser = _launch(p)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1400})
            page.goto(url)
            page.wait_for_selector("textarea", timeout=60_000)
            _ask(page, "丙公司成立于哪一年？", answers=1)
            page.locator("summary", has_text="丙公司技术报告").first.click()
            section = page.locator("[data-testid=stCaptionContainer]", has_text="章节：").first
            section.wait_for(timeout=30_000)
            _assert_nothing_reached(page, sink)
            shown = section.inner_text().replace(WORD_JOINER, "")
            assert f"一、丙公司概况 ![s]({sink.url}/s.png)" in shown
            summary = page.locator("summary", has_text="丙公司技术报告").first.inner_text()
            assert f"[t]({sink.url}/t)" in summary.replace(WORD_JOINER, "")
            assert f"![pub]({sink.url}/pub.png)" in summary.replace(WORD_JOINER, "")
            _ask(page, "丙公司共有多少名员工？", answers=2)
            table = page.locator("[data-testid=stTable]").first.inner_text().replace(WORD_JOINER, "")
            assert "420名" in table and f"丁报 [d]({sink.url}/d)" in table
            page.get_by_text("高级设置").click()
            _tick(page, "显示检索得分")
            page.get_by_text("关于这些资料").click()
            page.locator("[data-testid=stTable]").nth(2).wait_for(timeout=60_000)  # scores tables too
            sidebar = page.locator("[data-testid=stSidebar]").inner_text().replace(WORD_JOINER, "")
            assert "**粗体** `代码`" in sidebar and f"见 {sink.url}/note" in sidebar
            _assert_nothing_reached(page, sink)
        finally:
            browser.close()
