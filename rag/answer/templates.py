"""Answer templates (rag/prompts/*.json) and how document dates are shown."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from rag.schema import DocMeta


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
