"""Evaluate configurations: one, two side by side, or a grid (sweep).

A configuration is a set of setting overrides, written ``key=value,key=value``
(``default`` for none). Settings that change the index (chunking, embedder) get
a temporary index of their own, so the user's index is never touched.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from rag.errors import ConfigError
from rag.evaluate import QAItem, run_pipeline
from rag.settings import Settings, load_settings

INDEX_KEYS = {"chunk_size", "chunk_overlap", "embedder", "embedder_model", "corpus_dir"}


def parse_config(text: str) -> dict[str, str]:
    """'chunk_size=300,top_k=3' → {'chunk_size': '300', 'top_k': '3'}; 'default' → {}."""
    text = text.strip()
    if text in ("", "default"):
        return {}
    out = {}
    for part in text.split(","):
        if "=" not in part:
            raise ConfigError(f"configuration {text!r}: expected key=value, got {part!r}")
        key, value = part.split("=", 1)
        out[key.strip().replace("-", "_")] = value.strip()
    return out


def parse_sweep(specs: list[str]) -> list[dict[str, str]]:
    """['chunk_size=200,300', 'top_k=3,5'] → the grid of 4 configurations."""
    axes = []
    for spec in specs:
        if "=" not in spec:
            raise ConfigError(f"sweep axis {spec!r}: expected key=v1,v2,…")
        key, values = spec.split("=", 1)
        axes.append([(key.strip().replace("-", "_"), v.strip()) for v in values.split(",") if v.strip()])
    return [dict(combo) for combo in itertools.product(*axes)]


def label(config: dict[str, str]) -> str:
    """Short name of a configuration."""
    return ",".join(f"{k}={v}" for k, v in config.items()) or "default"


@contextmanager
def settings_for(base: Settings, config: dict[str, str], stack: ExitStack,
                 cache: dict[tuple[Any, ...], Path]) -> Iterator[Settings]:
    """Settings with ``config`` applied; builds a temporary index when needed."""
    from rag.indexing import build_index

    merged = {**base.model_dump(), **config}
    settings = load_settings(**merged)
    if any(k in INDEX_KEYS for k in config):
        key = tuple(getattr(settings, k) for k in sorted(INDEX_KEYS))
        if key not in cache:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="rag-eval-")))
            build_index(settings.model_copy(update={"index_dir": folder}))
            cache[key] = folder
        settings = settings.model_copy(update={"index_dir": cache[key]})
    yield settings


def evaluate_configs(
    base: Settings,
    configs: list[dict[str, str]],
    items: list[QAItem],
    progress: Callable[[str, int], None] | None = None,
    judge: Callable[[QAItem, Any], dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Run the QA set once per configuration; each result has 'label', 'config', 'settings'
    (and the LLM judge's fields and metrics when ``judge`` is given)."""
    from rag.pipeline import Pipeline

    results = []
    cache: dict[tuple[Any, ...], Path] = {}
    with ExitStack() as stack:
        for config in configs:
            name = label(config)
            with settings_for(base, config, stack, cache) as settings:
                pipe = Pipeline.load(settings)
                report = run_pipeline(pipe, items, partial(progress, name) if progress else None, judge)
            report.update(label=name, config=config, settings=_public(settings))
            results.append(report)
    return results


def _public(settings: Settings) -> dict[str, Any]:
    """The settings a report records: no API keys or passwords (Settings.public)."""
    return {k: str(v) for k, v in settings.public().items()}


RANK_KEYS = ("hit@3", "fact_recall", "hit@1", "mrr")


def rank_results(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Best first by hit@3, then key-fact recall, hit@1, MRR."""
    return sorted(results, key=lambda r: tuple(-r["overall"].get(k, 0.0) for k in RANK_KEYS))
