"""A category described instead of named: "被主管部门认定的、细分产品做到全球领先的那种
企业" is read as the category's name, from the definitions the corpus profile keeps
(``corpus/domain.json`` ``definitions``: name → what it is, in general words).

A description is taken for a category only when it shares several words (two characters
or more, company words aside) with the category's definition, in one clause, says that a title is meant (认定, 称号, 牌子…), ends in what
is counted (企业, 称号…), names no category itself, and fits one definition better
than every other. The description, from its first shared word to that head noun, is
replaced by the name; the rest of the question stays as asked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from rag.answer.matching import spellings
from rag.tokenize import words

MIN_SHARED = 3  # words of the definition the description must use
TITLE = re.compile(r"认定|评定|评上|评为|评选|评的|授予|称号|牌子|头衔|名号|荣誉|名单|国字号|国家级")
COMPANY = r"企业|公司|厂家|厂子|厂商"
BEST_OF = r"(?:(?:里|中|当中)的?)?(?:排头兵|佼佼者|领头羊|尖子|尖儿|翘楚)"  # 中小企业里的尖子: still the companies
HEAD = re.compile(rf"(?:的)?(?:那种|那类|那批|这种|这类|那些|这些|那个|这个)?(?:制造业?)?"
                  rf"(?:({COMPANY}|冠军)(?:{BEST_OF})?|称号|牌子|头衔|名号|荣誉)")
OPENER = re.compile(r"(?:被|由|在|经|那种|那类|那个|这种|这类|某个|某一|国家|部里|上面)$")
CLAUSE_END = re.compile(r"[，,。？?！!；;]")
POINTER_END = re.compile(r"(?:那种|那类|这种|这类)$")


def named_category(text: str, definitions: Mapping[str, str], named: Iterable[str] = ()) -> str:
    """The text with a described category replaced by its name, or the text unchanged.
    ``named`` are words that already name a category (its name, its short name): a
    question using one is not describing."""
    if not definitions or not TITLE.search(text) or any(w in text for w in (*definitions, *named) if w):
        return text
    fits = sorted(((len(spans), name, spans) for name, d in definitions.items()
                   if len(spans := _shared(text, d)) >= MIN_SHARED), reverse=True)
    if not fits or (len(fits) > 1 and fits[1][0] == fits[0][0]):
        return text  # no definition fits, or two fit alike: not for the asker's words to decide
    _, name, spans = fits[0]
    start, end = min(a for a, _ in spans), max(a for a, _ in spans)  # the head may end the last word (中小企业)
    while (m := OPENER.search(text[:start])) is not None:
        start = m.start()
    clause = CLAUSE_END.search(text, end)
    head = HEAD.search(text, end, clause.start() if clause else len(text))
    if head is None:
        return text
    noun = "企业" if head.group(1) else "称号"
    return f"{text[:start]}{name}{'' if name.endswith(noun) else noun}{text[head.end():]}"


def _shared(text: str, definition: str) -> list[tuple[int, int]]:
    """Where the text uses a word of the definition (or its synonym), one span per word,
    of the clause that uses the most of them."""
    out = []
    for w in dict.fromkeys(words(definition)):
        if len(w) < 2 or re.fullmatch(COMPANY, w):  # the head noun is no description
            continue
        at = min(((i, i + len(s)) for s in spellings(w) if (i := text.find(s)) >= 0), default=None)
        if at is not None:
            out.append(at)
    clauses: dict[int, list[tuple[int, int]]] = {}  # a description is one clause ("、" inside it)
    for a, b in out:  # "工信部评的那种，…头一名的企业": a clause ending in 那种 goes on in the next
        ends = [m for m in CLAUSE_END.finditer(text, 0, a) if not POINTER_END.search(text, 0, m.start())]
        clauses.setdefault(len(ends), []).append((a, b))
    return max(clauses.values(), key=len, default=[])
