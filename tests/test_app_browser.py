"""A real browser test: the app served on 127.0.0.1, driven in Debian's chromium
through Playwright (no browser download). Saves a screenshot to test-artifacts/."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served_app(built_settings):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs it with apt-get)")
        pytest.skip("chromium not installed here")
    port = _free_port()
    env = {**os.environ, "RAG_INDEX_DIR": str(built_settings.index_dir),
           "RAG_CORPUS_DIR": str(built_settings.corpus_dir)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("streamlit did not start: " + proc.stdout.read().decode(errors="replace")[-2000:])
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def test_ask_in_browser_shows_cited_answer(served_app):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
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
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs it with apt-get)")
        pytest.skip("chromium not installed here")
    from playwright.sync_api import sync_playwright

    from .test_api import serve

    ARTIFACTS.mkdir(exist_ok=True)
    with serve(built_settings) as url, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
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
