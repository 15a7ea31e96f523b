"""Answer backends: one protocol, built-ins registered by name."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Protocol

from rag.schema import Answer, DocMeta, Hit


class Answerer(Protocol):
    """Writes a grounded answer from retrieved passages."""

    def answer(self, question: str, hits: Sequence[Hit]) -> Answer:
        """An answer whose claims cite the given hits."""
        ...


@cache
def template(name: str) -> dict[str, str]:
    """A JSON template file shipped in rag/prompts/."""
    text = (resources.files("rag") / "prompts" / f"{name}.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


def display_date(meta: DocMeta) -> str:
    """The document date as shown to users: '约2021' when inferred, '日期不详' when unknown."""
    t = template("extractive_zh")
    if not meta.date:
        return t["undated"]
    if "未注明" in meta.date_note:
        return t["approx_date"].format(date=meta.date)
    return meta.date
