"""Feedback storage under contention: a database locked by another writer gives a
clear busy error (503 with Retry-After over HTTP), never a 500 or a silent loss;
stored settings never include secrets. Real SQLite, real HTTP on 127.0.0.1."""

from __future__ import annotations

import sqlite3

import httpx
import pytest

from rag.errors import FeedbackBusyError
from rag.feedback import FeedbackStore
from rag.schema import Answer

from .test_api import serve


@pytest.fixture
def locked(tmp_path, monkeypatch):
    """A feedback database with an open write transaction in another connection;
    yields (path, release)."""
    import rag.feedback

    monkeypatch.setattr(rag.feedback, "BUSY_WAIT", 0.3)  # the lock outlasts the wait
    path = tmp_path / "fb.sqlite3"
    FeedbackStore(path)
    other = sqlite3.connect(path, check_same_thread=False)
    other.execute("BEGIN EXCLUSIVE")

    def release() -> None:
        other.rollback()

    yield path, release
    release()
    other.close()


def test_a_locked_database_is_a_busy_error(locked):
    path, _ = locked
    store = FeedbackStore.__new__(FeedbackStore)
    store.path = path
    with pytest.raises(FeedbackBusyError, match="not saved"):
        store.add(Answer("问题", "回答"), 1)


def test_the_api_answers_503_with_retry_after_and_a_retry_saves(built_settings, locked):
    path, release = locked
    settings = built_settings.model_copy(update={"feedback_db": path})
    body = {"question": "问题", "answer": "回答", "rating": 1}
    with serve(settings) as url:
        busy = httpx.post(f"{url}/api/feedback", json=body, timeout=30)
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "5"
        assert busy.json()["error"]["code"] == "feedback_busy"
        release()
        again = httpx.post(f"{url}/api/feedback", json=body, timeout=30)
        assert again.status_code == 200
    rows = FeedbackStore(path).all()
    assert len(rows) == 1 and rows[0]["question"] == "问题"  # the busy attempt left nothing behind


def test_stored_settings_carry_no_secrets(built_settings, tmp_path):
    settings = built_settings.model_copy(update={"api_keys": "k" * 32})
    public = settings.public()
    assert "api_keys" not in public and "llm_api_key" not in public and "k" * 32 not in str(public)
    store = FeedbackStore(tmp_path / "fb.sqlite3")
    store.add(Answer("问题", "回答"), -1, "", public)
    assert "k" * 32 not in str(store.all())
