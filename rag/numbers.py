"""Number normalisation for comparing answers with key facts.

"1.35万亿元" = "13500亿元", full-width digits = ASCII digits, "第七" = "第7",
"三种" = "3种". Both sides of a comparison go through the same steps.
"""

from __future__ import annotations

import re
import unicodedata

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千]+(?=[家项名人个种位批年月日倍成条款%])|(?<=第)[零〇一二两三四五六七八九十百千]+")
_MULTIPLIERS = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3}
QUANTITY = re.compile(r"(\d+(?:\.\d+)?)(万亿|亿|万|千)?(元|美元|家|项|名|人|个|%|亩|台|套|种|位|批)?")


def cn_to_int(text: str) -> int:
    """Convert a simple Chinese numeral ("三", "十二", "一百零五") to an int."""
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
    return total + current


def normalise(text: str) -> str:
    """NFKC (full-width → ASCII), no whitespace, Chinese numerals before units → digits."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", "", text)
    return _CN_NUMBER.sub(lambda m: str(cn_to_int(m.group(0))), text)


def quantities(text: str) -> set[tuple[float, str]]:
    """(value in base units, unit) for every number in the text; "亿元" → (1e8·x, "元")."""
    out = set()
    for m in QUANTITY.finditer(normalise(text)):
        value = float(m.group(1)) * _MULTIPLIERS.get(m.group(2) or "", 1.0)
        out.add((round(value, 6), m.group(3) or ""))
    return out


def contains_fact(answer: str, fact: str) -> bool:
    """True if the answer states the fact: as text after normalisation, or as the same
    quantities (so "13500亿元" matches "1.35万亿元")."""
    a, f = normalise(answer), normalise(fact)
    if f in a:
        return True
    fq = {q for q in quantities(fact) if q[1]}
    return bool(fq) and fq <= quantities(answer)
