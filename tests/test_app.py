"""The Streamlit page logic, run with Streamlit's AppTest on the real session index."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from .conftest import ROOT
from .test_plain_text import GFM_URL, shown

APP = str(ROOT / "app.py")


@pytest.fixture
def app(built_settings, monkeypatch, tmp_path: Path) -> AppTest:
    monkeypatch.setenv("RAG_INDEX_DIR", str(built_settings.index_dir))
    monkeypatch.setenv("RAG_CORPUS_DIR", str(built_settings.corpus_dir))
    monkeypatch.setenv("RAG_FEEDBACK_DB", str(tmp_path / "fb.sqlite3"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    return at


def _markdown(at: AppTest) -> str:
    """The page's Markdown as the reader sees it (user and document text is escaped)."""
    return "\n".join(shown(m.value) for m in at.markdown)


def test_empty_chat_shows_examples_and_documents(app):
    assert not app.exception
    labels = [b.label for b in app.button]
    assert "宁波单项冠军企业的技术追赶模式有哪几种？" in labels
    assert any("苏州太湖智库" in m.value for m in app.sidebar.markdown)


def test_question_gets_cited_answer_and_sources(app):
    app.chat_input[0].set_value("天生密封件公司创建于哪一年？").run()
    assert not app.exception
    text = _markdown(app)
    assert "1998年12月" in text and "[1]" in text
    assert any("浙江万里学院" in e.label for e in app.expander)


def test_example_button_asks_it(app):
    app.button[0].click().run()
    assert "自主研发" in _markdown(app)


def test_conflicting_figures_table(app):
    app.chat_input[0].set_value("宁波有多少家单项冠军企业？").run()
    cells = str(app.table[0].value)
    assert "119家" in cells and "83家" in cells and "51家" in cells


def test_empty_and_long_input(app):
    app.chat_input[0].set_value("   ").run()
    assert not app.exception and not app.warning
    app.chat_input[0].set_value("长" * 2001).run()
    assert any("问题过长" in w.value for w in app.warning)


def test_html_in_question_is_text(app):
    app.chat_input[0].set_value("<script>alert(1)</script>宁波单项冠军").run()
    assert not app.exception
    assert any("<script>" in t.value for t in app.text)  # shown literally via st.text
    assert all("<script>" not in m.value for m in app.markdown)


def test_markdown_in_question_is_escaped_everywhere(app):
    question = "![q](http://127.0.0.1:9/x.png)[点这里](http://127.0.0.1:9/phish) http://127.0.0.1:9/auto"
    app.chat_input[0].set_value(question).run()
    assert not app.exception
    assert any(t.value == question for t in app.text)  # the question itself, via st.text
    shown_markdown = [m.value for m in [*app.markdown, *app.caption]] + [e.label for e in app.expander]
    assert any(question in shown(v) for v in shown_markdown)  # in the refusal, as text
    for value in shown_markdown:
        assert "](" not in value and not GFM_URL.search(value.replace("\\", ""))


def test_feedback_is_stored(app, tmp_path):
    from rag.feedback import FeedbackStore

    app.chat_input[0].set_value("旭升集团派往墨西哥的技术骨干有多少人？").run()
    assert app.button(key="fbs-0").disabled  # no rating yet
    app.session_state["fb-0"] = 1  # what clicking 👍 sets
    app.text_input(key="fbc-0").set_value("很准确").run()
    app.button(key="fbs-0").click().run()
    assert not app.exception
    rows = FeedbackStore(tmp_path / "fb.sqlite3").all()
    assert rows and rows[0]["rating"] == 1 and rows[0]["comment"] == "很准确"
    assert "25名" in rows[0]["answer"]


def test_missing_index_offers_to_build(monkeypatch, tmp_path):
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "none"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert any("索引尚未建立" in w.value for w in at.warning)
    assert any(b.label == "建立索引" for b in at.button)


def test_llm_backend_answer_and_fallback_notice(built_settings, monkeypatch, tmp_path):
    from . import stub_llm

    stub, server = stub_llm.start()
    try:
        for key, value in {"RAG_INDEX_DIR": str(built_settings.index_dir), "RAG_LLM": "openai",
                           "RAG_LLM_BASE_URL": stub.url, "RAG_LLM_MODEL": "stub", "RAG_LLM_MAX_RETRIES": "0",
                           "RAG_FEEDBACK_DB": str(tmp_path / "fb.sqlite3")}.items():
            monkeypatch.setenv(key, value)
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()
        stub.replies.append(stub_llm.Reply("旭升集团派出25名技术骨干[1]。"))
        at.chat_input[0].set_value("旭升集团派往墨西哥的技术骨干有多少人？").run()
        assert "派出25名技术骨干[1]" in _markdown(at)
        stub.replies.append(stub_llm.Reply(status=500))
        at.chat_input[0].set_value("天生密封件公司创建于哪一年？").run()
        assert any("大模型暂时无法回答" in i.value for i in at.info)
        assert "1998年12月" in _markdown(at)
        assert not at.exception
    finally:
        server.shutdown()
