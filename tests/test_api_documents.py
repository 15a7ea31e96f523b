"""Document management over real HTTP on 127.0.0.1: POST /api/documents (multipart,
administrator key) and DELETE /api/documents/{id}; bad uploads get the documented
error shape and change nothing; the new document is answerable right after."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from rag.indexing import update_index
from rag.settings import Settings, load_settings

from .extract.files import scanned_pdf, text_pdf
from .test_api import serve

ADMIN = "admin-key-0123456789abcdef"
USER = "user-key-0123456789abcdef"


@pytest.fixture
def kb(tiny_corpus: Path, tmp_path: Path) -> Settings:
    settings = load_settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "idx", feedback_db=tmp_path / "fb.db",
                             api_keys=USER, admin_keys=ADMIN)
    update_index(settings)
    return settings


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_upload_then_ask_then_delete(kb: Settings):
    with serve(kb) as url:
        files = {"file": ("甲市报告.pdf", text_pdf(), "application/pdf")}
        form = {"publisher": "甲市经信局", "date": "2023-05"}
        added = httpx.post(f"{url}/api/documents", files=files, data=form, headers=_auth(ADMIN), timeout=120)
        assert added.status_code == 201, added.text
        body = added.json()
        assert body["id"] == "甲市报告" and body["index"]["docs_added"] == 1
        asked = httpx.post(f"{url}/api/ask", json={"question": "甲市有多少家国家级单项冠军企业？"},
                           headers=_auth(USER), timeout=60)
        assert asked.status_code == 200 and "37家" in asked.json()["text"]
        listed = httpx.get(f"{url}/api/documents", headers=_auth(USER), timeout=30).json()
        assert "甲市报告" in {d["id"] for d in listed}

        gone = httpx.delete(f"{url}/api/documents/甲市报告", headers=_auth(ADMIN), timeout=120)
        assert gone.status_code == 200 and gone.json()["index"]["docs_removed"] == 1
        again = httpx.delete(f"{url}/api/documents/甲市报告", headers=_auth(ADMIN), timeout=30)
        assert again.status_code == 404 and again.json()["error"]["code"] == "not_found"
        listed = httpx.get(f"{url}/api/documents", headers=_auth(USER), timeout=30).json()
        assert "甲市报告" not in {d["id"] for d in listed}


def test_uploads_need_the_admin_key_and_bad_files_are_refused(kb: Settings):
    before = sorted(p.name for p in kb.corpus_dir.iterdir())
    with serve(kb) as url:
        def post(name: str, data: bytes, key: str = ADMIN, **form: str) -> httpx.Response:
            return httpx.post(f"{url}/api/documents", files={"file": (name, data)}, data=form,
                              headers=_auth(key), timeout=60)

        assert post("x.txt", "丙公司成立于2010年。".encode(), key=USER).status_code == 401
        cases = [
            (post("scan.pdf", scanned_pdf()), 422, "no text layer"),
            (post("tool.exe", b"MZ\x90\x00"), 400, "unsupported file type"),
            (post("x.txt", "丙公司成立于2010年。".encode(), date="明年"), 400, "YYYY"),
            (post("a.txt", (kb.corpus_dir / "a.txt").read_bytes()), 409, "already in the knowledge base"),
            (post("big.txt", b"x" * int(kb.max_doc_mb * 1e6 + 70_000)), 413, "over"),
        ]
        for response, status, says in cases:
            assert response.status_code == status, (status, response.text)
            error = response.json()["error"]
            assert says in error["message"] and error["message_zh"]
    assert sorted(p.name for p in kb.corpus_dir.iterdir()) == before  # nothing written


def test_document_management_is_off_without_admin_keys(kb: Settings):
    settings = kb.model_copy(update={"admin_keys": load_settings().admin_keys})
    with serve(settings) as url:
        response = httpx.delete(f"{url}/api/documents/a", headers=_auth(USER), timeout=30)
    assert response.status_code == 403 and "RAG_ADMIN_KEYS" in response.json()["error"]["message"]
