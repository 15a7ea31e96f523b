"""Checks on an LLM answer: citations must name given passages, and numbers must
appear in the passages they cite."""

from __future__ import annotations

import re
from collections.abc import Mapping

from rag.metrics import claims
from rag.numbers import normalise, quantities

MARKER = re.compile(r"\[(\d+)\]")
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def strip_bad_citations(text: str, valid: set[int]) -> tuple[str, list[int]]:
    """Remove [n] markers that name no given passage; returns (text, removed numbers)."""
    removed: list[int] = []

    def repl(m: re.Match[str]) -> str:
        n = int(m.group(1))
        if n in valid:
            return m.group(0)
        removed.append(n)
        return ""

    return MARKER.sub(repl, text), removed


def unverified_numbers(text: str, passages: Mapping[int, str]) -> list[str]:
    """Numbers in the answer that none of the passages cited for them contains
    (for an uncited claim: none of all the passages)."""
    out: list[str] = []
    everything = "".join(passages.values())
    spans = claims(text) or [(text, [])]
    tail = MARKER.split(text)[-1] if MARKER.search(text) else ""
    if tail.strip():
        spans.append((tail, []))
    for claim, cited in spans:
        pool = "".join(passages[n] for n in cited if n in passages) or everything
        pool_norm = normalise(pool)
        pool_q = quantities(pool)
        for num in NUMBER.findall(normalise(claim)):
            if num in pool_norm:
                continue
            if any(abs(v - float(num)) < 1e-9 for v, _ in pool_q):
                continue
            out.append(num)
    return sorted(set(out), key=out.index)
