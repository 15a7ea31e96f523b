"""A company's short name made its full one: 均胜 → 均胜电子, 舜宇 → 舜宇光学.

Officials say the first characters of a company's name; the corpus profile's
organisation terms (jieba POS ``nt``) end in a kind of business (电子, 科技,
集团…). A short name is made full when exactly one organisation has it and it is
no everyday word (天生 in 天生密封件 is "innate": never shortened)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from rag.tokenize import EVERYDAY_FREQ, general_frequency

# what follows a company's own name in the names the corpus uses
BUSINESS_TAIL = re.compile(r"(?:电子|科技|集团|股份|控股|光学|精密|新材料|材料|机械|智能|实业|电器|电气|汽车)$")


@lru_cache(maxsize=8)
def _short_names(organisations: tuple[str, ...]) -> dict[str, str]:
    """Short name → full name, for the organisations that have one short name of their own."""
    found: dict[str, list[str]] = {}
    for name in organisations:
        short = BUSINESS_TAIL.sub("", name)
        if short != name and len(short) >= 2 and general_frequency(short) < EVERYDAY_FREQ:
            found.setdefault(short, []).append(name)
    return {s: names[0] for s, names in found.items() if len(names) == 1 and s not in organisations}


def with_full_names(text: str, organisations: Iterable[str]) -> str:
    """The text with each short name not already followed by the rest of its full
    name replaced by the full name ("均胜属于哪种模式" → "均胜电子属于哪种模式")."""
    short = _short_names(tuple(sorted(set(organisations))))
    for s, full in short.items():
        text = re.sub(re.escape(s) + f"(?!{re.escape(full[len(s):])})", full, text)
    return text
