"""The corpus profile: what the answer code needs to know about *these* documents.

Nothing about a particular corpus is written in rag/ code. It comes from two places:

- ``corpus/domain.json`` (optional, hand-kept beside the manifest): domain terms
  for the tokenizer (company names, jargon), extra place names and districts that
  the tokenizer does not tag, and example questions for the chat page;
- the documents themselves, at index time: every place name jieba tags ``ns``
  (or that stands before 市/区/县), and each document's own city (the one its
  我市/本市 means) when the manifest does not say.

The profile is stored with the index and loaded with it, so a Chroma-server
deployment needs no corpus folder on the answering machine.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from rag.errors import CorpusError

log = logging.getLogger(__name__)

DOMAIN_FILE = "domain.json"
SELF_REFERENCES = ("我市", "本市")  # "our city": resolved to the document's own city
DISTRICT_REFERENCES = ("该区", "全区", "本区", "我区")
_ADMIN = ("市", "区", "县", "省")
_NOT_PLACES = {"全市", "我市", "本市", "该市", "各市", "城市", "都市", "超市", "股市", "上市", "门市", "县市",
               "全区", "该区", "本区", "我区", "城区", "园区", "社区", "景区", "街区", "片区", "辖区",
               "地区", "区县", "市区", "新区", "开发区", "示范区", "集聚区", "保税区", "特殊区", "全县"}


@dataclass(frozen=True)
class Profile:
    """Corpus knowledge derived at index time (plus domain.json)."""

    places: tuple[str, ...] = ()  # place names, longest first ("青岛市" before "青岛")
    districts: tuple[str, ...] = ()  # places below city level
    terms: tuple[tuple[str, str], ...] = ()  # (word, jieba POS) added to the tokenizer
    examples: tuple[str, ...] = ()  # example questions for the chat page
    main_city: str = ""  # the city most documents are written from
    doc_cities: dict[str, str] = field(default_factory=dict)  # doc id → its 我市 city
    aliases: dict[str, str] = field(default_factory=dict)  # another name → the place (甬城 → its city)
    definitions: dict[str, str] = field(default_factory=dict)  # a category's name → what it is

    def unaliased(self, text: str) -> str:
        """The text with each place's other names (domain.json ``aliases``) replaced by the place."""
        if not self.aliases:
            return text
        names = "|".join(re.escape(a) for a in sorted(self.aliases, key=len, reverse=True))
        return re.sub(names, lambda m: self.aliases[m.group(0)], text)  # at once: no alias inside a result

    def to_json(self) -> str:
        """Serialised for storage with the index."""
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Profile:
        """The inverse of ``to_json`` (missing fields take defaults)."""
        data = json.loads(text or "{}")
        return cls(
            places=tuple(data.get("places", ())),
            districts=tuple(data.get("districts", ())),
            terms=tuple((str(w), str(p)) for w, p in data.get("terms", ())),
            examples=tuple(data.get("examples", ())),
            main_city=str(data.get("main_city", "")),
            doc_cities=dict(data.get("doc_cities", {})),
            aliases={str(k): str(v) for k, v in data.get("aliases", {}).items()},
            definitions={str(k): str(v) for k, v in data.get("definitions", {}).items()},
        )

    def for_document(self, doc_id: str, text: str) -> Profile:
        """The part of the profile one document's figures depend on: the places its
        ``text`` (title and body) names, which of them are districts, and its own city.
        Figures extracted with it are the ones the whole profile gives, so a document's
        figures need extracting again only when this part changes, not whenever another
        document brings a new place."""
        grams = {text[i : i + 2] for i in range(len(text) - 1)}
        index = self._places_by_bigram
        present = {p for g in grams & index.keys() for p in index[g] if p in text}
        present |= {p for p in index.get("", ()) if p in text}  # one-character names
        city = self.doc_cities.get(doc_id, "")
        return Profile(places=tuple(p for p in self.places if p in present),
                       districts=tuple(d for d in self.districts if d in present), terms=self.terms,
                       doc_cities={doc_id: city} if city else {})

    @cached_property
    def _places_by_bigram(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for p in self.places:
            index.setdefault(p[:2] if len(p) > 1 else "", []).append(p)
        return index

    def city_of(self, place: str) -> str:
        """A place name without its 市/区/县 suffix when the short name is known too
        (青岛市 → 青岛, 黄岛区 → 黄岛)."""
        if place.endswith(("市", "区", "县")) and len(place) > 2 and (place.endswith("市") or place[:-1] in self.places):
            return place[:-1]
        return place

    def places_in(self, text: str) -> list[tuple[int, str]]:
        """(offset, place) for each place mention, in order; 我市 → that is not resolved here."""
        found: list[tuple[int, str]] = []
        taken: set[int] = set()
        for p in self.places:  # longest first, so 青岛市 wins over 青岛
            for m in re.finditer(re.escape(p), text):
                if not taken & set(range(m.start(), m.end())) and not _inside_a_word(text, m.start()):
                    found.append((m.start(), self.city_of(p)))
                    taken |= set(range(m.start(), m.end()))
        return sorted(found)


def _inside_a_word(text: str, start: int) -> bool:
    """Whether a place's first character ends an everyday word with the one before it
    (中国 in 其中国家级, in 集中国内): no mention of the place."""
    from rag.tokenize import EVERYDAY_FREQ, general_frequency

    return start > 0 and general_frequency(text[start - 1:start + 1]) >= EVERYDAY_FREQ


def load_domain(corpus_dir: Path) -> dict[str, Any]:
    """corpus/domain.json as a dict ({} when absent). Raises CorpusError when malformed."""
    path = corpus_dir / DOMAIN_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorpusError(f"{path}: not valid UTF-8 JSON ({exc})", f"{path} 格式有误：{exc}") from None
    if not isinstance(data, dict):
        raise CorpusError(f"{path}: the top level must be an object", f"{path} 顶层应为对象")
    for key in ("places", "districts", "examples", "terms"):
        if not isinstance(data.get(key, []), list):
            raise CorpusError(f"{path}: '{key}' must be a list", f"{path} 中 {key} 应为列表")
    aliases = data.get("aliases", {})
    if not isinstance(aliases, dict) or not all(isinstance(k, str) and isinstance(v, str) and k and v
                                                for k, v in aliases.items()):
        raise CorpusError(f"{path}: 'aliases' must map names to places (\"甲城\": \"甲市\")",
                          f"{path} 中 aliases 应为“别称: 地名”的对象")
    definitions = data.get("definitions", {})
    if not isinstance(definitions, dict) or not all(isinstance(k, str) and isinstance(v, str) and k and v
                                                    for k, v in definitions.items()):
        raise CorpusError(f"{path}: 'definitions' must map a category to what it is (\"甲类企业\": \"…的企业\")",
                          f"{path} 中 definitions 应为“名称: 释义”的对象")
    return data


@cache
def gazetteer() -> frozenset[str]:
    """General place names shipped in rag/data/places.txt (not about any corpus)."""
    text = (resources.files("rag") / "data" / "places.txt").read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


def places_named(text: str) -> set[str]:
    """Places one text names: gazetteer names it mentions, and words jieba tags as
    places that carry an administrative suffix (黄岛区, 青岛市) with their short form."""
    import jieba.posseg as pseg

    from rag.tokenize import jieba_tokenizer

    jieba_tokenizer()
    found = {p for p in gazetteer() if p in text}
    for word, flag in pseg.cut(text):
        if (flag == "ns" and len(word) >= 3 and word.endswith(_ADMIN) and word not in _NOT_PLACES
                and not word.endswith(("地区", "自治区"))):
            found |= {word, word[:-1]}
    return found


def infer_city(title: str, text: str, places: Sequence[str]) -> str:
    """The city a document speaks for: the place its title names, else the one its text
    names most often (cities and districts alike); '' when it names none."""
    prof = Profile(places=tuple(sorted(places, key=len, reverse=True)))
    in_title = [p for _, p in prof.places_in(title)]
    if in_title:
        return in_title[0]
    counts = Counter(p for _, p in prof.places_in(text[:20000]))
    return counts.most_common(1)[0][0] if counts else ""


def derive_profile(docs: Sequence[Any], domain: dict[str, Any],
                   named: Sequence[set[str]] | None = None) -> Profile:
    """Build the profile from cleaned documents (objects with .meta and .text) and
    domain.json. ``named``, when given, holds each document's ``places_named`` of its
    title and text (computed earlier, e.g. cached between builds)."""
    terms = tuple((str(t["word"]), str(t.get("pos", "n"))) if isinstance(t, dict) else (str(t), "n")
                  for t in domain.get("terms", []))
    if terms:
        from rag.tokenize import add_terms

        add_terms(terms)
    listed = [str(p) for p in domain.get("places", [])] + [str(p) for p in domain.get("districts", [])]
    if named is None:
        named = [places_named(f"{d.meta.title}\n{d.text}") for d in docs]
    names: set[str] = set().union(*named) if named else set()
    names |= set(listed) | {d.meta.home_city for d in docs if d.meta.home_city}
    districts = {str(p) for p in domain.get("districts", [])}
    districts |= {n for n in names if n.endswith(("区", "县")) and len(n) >= 3}
    districts |= {n[:-1] for n in districts if n.endswith(("区", "县")) and n[:-1] in names}
    places = tuple(sorted(names, key=lambda n: (-len(n), n)))
    doc_cities = {}
    for d in docs:
        city = d.meta.home_city or infer_city(d.meta.title, d.text, places)
        doc_cities[d.meta.doc_id] = city
    main = Counter(c for c in doc_cities.values() if c).most_common(1)
    return Profile(
        places=places,
        districts=tuple(sorted(districts)),
        terms=terms,
        examples=tuple(str(q) for q in domain.get("examples", [])),
        main_city=main[0][0] if main else "",
        doc_cities=doc_cities,
        aliases={str(k): str(v) for k, v in domain.get("aliases", {}).items()},
        definitions={str(k): str(v) for k, v in domain.get("definitions", {}).items()},
    )
