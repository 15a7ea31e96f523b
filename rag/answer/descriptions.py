"""Things asked about by description instead of by name: "那家做超高纯金属溅射靶材的
甲市半导体材料企业，现在一年能挣多少钱" asks about the company the passages describe
that way, and "估值过1亿美元、算独角兽后备军的甲市企业有多少家" about the category the
passages define that way (潜在独角兽).

The description is the noun phrase that ends in a company word (企业, 公司, 厂家, …). Each
name the retrieved passages use — the corpus profile's terms for kinds of companies and
its organisations, and organisation names found in the passages — is scored by how much
of the description (weighted by rarity) one of the sentences naming it says. A clear
winner replaces the description; the question names nothing otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from rag.answer.matching import loosely_has, overlap
from rag.answer.question import plain_wording
from rag.answer.sentences import ANAPHOR, SPEAKER_VERB, split_sentences
from rag.profile import Profile
from rag.schema import Hit
from rag.tokenize import ORG_SUFFIX, in_dictionary, is_content_word, is_verb, words

HEAD = (r"(?:制造|中小|科技|工业)?(?:企业|公司|厂家|厂商|厂子|供应商|龙头|巨头|厂|(?:(?<=那家.|这家.|一家.)|(?<=的.))企|(?<=那个|这个)[区县])"
        r"(?:(?:里|中|当中)的)?(?:排头兵|佼佼者|领头羊|尖子|尖儿|翘楚)?")  # …中小企业(里的)排头兵: the best of them, still the companies
# "它把一家乙国搞电子的企业买下来": what the asked-about company acted on, not that company
ACTED_ON = re.compile(r"^[^，,的]{0,4}?[把将](?:一|那|这)[家个间所]")  # not 把乙国某公司收进来的那家企业
# 那家甬企, 做甲的甬企 (not 那个高企, a kind); "…排全市第一的那个区": a district described
PLACE_HEAD = re.compile(r"(?:那个|这个)[区县]$")
# "那家做…的甲市半导体材料企业", "被…认定为…领先的制造企业": a clause's phrase ending in a
# company word, after an optional pointer (那家, 那种, 被), holding at least one 的
TITLE = r"[^，。？！?!；;的]{0,4}?(?:称号|头衔|牌子|荣誉)"  # …中小企业排头兵称号: the title they hold
POINTER = r"(?:那家|那种|那些|那批|这家|这种|这类|那类|一家|被)"
DESCRIPTION = re.compile(rf"{POINTER}?"
                         rf"(?P<desc>[^，。？！?!；;]{{4,60}}的[^，。？！?!；;的]{{0,14}}?{HEAD})"
                         rf"(?:{TITLE})?")
# "拿到国家级“专业化、精细化…”中小企业排头兵称号的": a kind of company named by the title it holds
TITLE_HELD = re.compile(rf"(?:拿到|获得|评上|获评|取得|被评为|被认定为)(?P<desc>[^，。？！?!；;]{{4,60}}?{HEAD}{TITLE})的")
# a count of companies asked ("…的企业数量是多少", "从几家涨到了几家"), and the rank a
# description sets as its bar ("份额做到世界第一的"), which the passages may count apart
COUNTED = re.compile(r"(?:多少|几)\s*家|数量|家数|有多少")
RANKED = re.compile(r"(全球|全国|全省|全市|世界|国内|行业)[^，。的]{0,8}?第([一二三四五])")  # 全球市场占有率排第一
# A clause after the description that ends in 的 (…的那个) and names nothing it heads: more
# of the same description ("…的老厂，跟好几位院士一直合作的那个，是哪年办起来的")
MORE_DESCRIPTION = re.compile(r"^[，,][^，。？！?!；;]{2,40}?的(?:那个|那家|那位|这个|这家)?(?=[，,])")
ASKING = re.compile(r"多少|(?<![好这])几(?!乎)|哪|什么|怎么|如何|为何|为什么|是否|是不是|有没有|吗|呢")
MIN_SUPPORT = 0.4  # share of the description's weight one sentence about the name must say
MIN_LEAD = 1.5  # the winner's support over the runner-up's


@dataclass(frozen=True)
class Resolved:
    """The description found in the question and the name it stands for."""

    description: str
    name: str
    support: float
    hit: Hit | None = None  # the passage whose sentence says most of the description of the name
    span: tuple[int, int] = (0, 0)  # that sentence's span in the passage

    def rewrite(self, question: str, places: Sequence[str]) -> str:
        """The question with the description replaced by the name, the places it says the
        company is in kept ("做…的甲市企业", "甲市那种…的企业"), not those of what it did
        (收购德国…的企业)."""
        head = self.description.rsplit("的", 1)[-1]
        # "做…的甲市企业", "甲市那种专注…的企业": where the company is, at either end
        kept = "".join(p for p in places if (p in head or self.description.startswith(p)) and p not in self.name)
        m = re.search(POINTER + "?" + re.escape(self.description), question)
        if m is None:
            return question
        rest = question[m.end():]
        more = MORE_DESCRIPTION.match(rest)
        while more and not ASKING.search(more.group(0)):  # "，跟好几位院士一直合作的那个": the same company
            rest = rest[more.end():]
            more = MORE_DESCRIPTION.match(rest)
        return question[:m.start()] + kept + self.name + rest


TITLES = (r"院长|副院长|所长|总裁|董事长|总经理|负责人|局长|主任|专家|教授|研究员|书记|市长|区长|院士|总监|"
          r"会长|秘书长|经济学家|分析师|创始人")
# "长城某咨询那个院长": a person pointed at by their organisation and title
PERSON = re.compile(rf"(?P<org>[\u4e00-\u9fffA-Za-z]{{2,16}}?)的?(?:那个|那位|这位|这个|一位|某位)(?P<title>{TITLES})")


def resolve_person(question: str, hits: Sequence[Hit]) -> Resolved | None:
    """The name of the person a question points at by organisation and title
    ("某研究院那个院长说了什么" → the passages' "某研究院院长张三说"), or None."""
    m = PERSON.search(question)
    if m is None:
        return None
    org, title = m.group("org"), m.group("title")
    for k in range(len(org) - 1):  # "我想问问某研究院": the organisation is the question's tail
        said = re.compile(rf"{re.escape(org[k:])}[^，。；“”]{{0,16}}?{title}(?P<name>[\u4e00-\u9fff]{{2,3}}?){SPEAKER_VERB}")
        for hit in hits:
            found = said.search(hit.chunk.text)
            if found:
                return Resolved(m.group(0), found.group("name"), 1.0, hit, found.span())
    return None


def speaker(sentence: str) -> str:
    """The person a sentence says said something ("…院长张三说" → 张三), or ""."""
    said = re.search(rf"(?:{TITLES})(?P<name>[\u4e00-\u9fff]{{2,3}}?){SPEAKER_VERB}", sentence)
    return said.group("name") if said else ""


def description_in(question: str) -> str:
    """The description of a company or kind of company the question asks about, or ""
    (厂 in 厂房 is no company word)."""
    found = [m for m in DESCRIPTION.finditer(question) if not in_dictionary(question[m.end() - 1:m.end() + 1])
             and not ACTED_ON.match(m.group("desc"))]
    found += list(TITLE_HELD.finditer(question))
    if not found:
        return ""
    # of descriptions in separate clauses the first is what is asked about ("那家做甲的企业，当年
    # 把一家乙国的公司买下来是哪年": the company bought is not); of overlapping ones, the longest
    first = min(found, key=lambda m: m.start("desc"))
    return max((m for m in found if m.start("desc") < first.end("desc")), key=lambda m: len(m.group("desc"))).group("desc")


def resolve(question: str, hits: Sequence[Hit], profile: Profile,
            weight: Callable[[str], float], naming: bool = False) -> Resolved | None:
    """The name the retrieved passages give to what the question describes, or None
    when the question names what it asks about, uses the passages' own wording for it
    (市场占有率全球第一的企业 has its own figure), or no name wins clearly. With ``naming``
    the name is what is asked (…的甲市公司叫什么), else a question asking for a name
    (是哪家) is left alone."""
    if ONE_NAME.search(question) is None if naming else ASKS_NAME.search(question):
        return None  # checked first: most questions stop here, before any tokenising
    desc = description_in(question) or (_all_but_the_ask(question) if naming else "")
    if not desc:
        return None
    place = bool(PLACE_HEAD.search(desc))  # "…的那个区": the district the passages say it of
    kinds = list(profile.districts) if place else _company_kinds(profile, hits)
    orgs = {t for t, pos in profile.terms if pos in ("nt", "nz")}
    if any(n in question and (n not in desc or n in orgs) for n in kinds) \
            or any(_names_the_head(desc, t) for t, _ in profile.terms):
        return None  # the question names what it asks about
    if not naming and _worded_by_the_passages(_bare(desc, profile), hits, orgs):
        return None  # a group the passages count in these words is what is asked (not so for a name)
    terms = [(w, weight(w)) for w in dict.fromkeys(words(plain_wording(re.sub(POINTER, "", desc))))
             if (is_content_word(w) or is_verb(w)) and w not in profile.places
             and not re.search(HEAD + "$", w)]  # tokenised once per question; 甬企 is the company word
    scores, where = _support(terms, hits, kinds, {k for k in kinds if k not in orgs})
    known = set(kinds)
    # best support first; then a known name, then the longer (潜在独角兽 over the 独角兽 inside it)
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0] not in known, -len(kv[0])))
    if not ranked or ranked[0][1] < MIN_SUPPORT:
        return None
    best, support = ranked[0]
    if place and best not in profile.districts:
        return None
    if (best in orgs or best not in known) and SEVERAL.search(question):
        return None  # one company's name for a description of several
    if best in desc:
        return None  # the description already says it (…专精特新名单的集成电路企业 is no 专精特新)
    if COUNTED.search(question) and (best in orgs or _counted_by_the_passages(desc, hits)):
        return None  # "…的企业有多少家": a group is counted, not one company, nor a kind it resembles
    # a name inside or around the winner (独角兽 in 潜在独角兽, 以甲乙电子) is the same thing, and a
    # known name's rivals are known names (not a run of text ending like one: …有关汽车)
    rival = next((s for n, s in ranked[1:] if n not in best and best not in n and n not in desc  # a title it
                  and (best not in known or n in known)), 0.0)  # holds (拿到单项冠军称号) is not what it is
    if rival and support < MIN_LEAD * rival:
        return None
    hit, a, b = where[best]
    return Resolved(desc, best, support, hit, (a, b))


def _worded_by_the_passages(bare: str, hits: Sequence[Hit], orgs: Iterable[str] = ()) -> bool:
    """Whether a clause of the passages words the description itself, company word and
    what comes before it too (…主导产品市场占有率全球第一的企业有110家), as a group's
    wording: not when an organisation's name follows it in its sentence (…半导体龙头企业甲乙
    电子便是典型; 作为…的领军企业，甲乙集团…), as the passage then describes that one company."""
    tail = bare[-4:]
    for sent in _sentences(hits):  # the name may follow in the next clause (作为…的领军企业，甲乙集团…)
        for c in CLAUSE_BREAK.split(sent):
            if overlap(bare, c) >= OWN_WORDING and tail in c \
                    and not any(o in sent[sent.index(c) + c.index(tail):] for o in orgs):
                return True
    return False


def _clauses(hits: Sequence[Hit]) -> Iterator[str]:
    """The clauses of the passages' sentences (split at ，；：)."""
    for s in _sentences(hits):
        yield from CLAUSE_BREAK.split(s)


def _counted_by_the_passages(desc: str, hits: Sequence[Hit]) -> bool:
    """Whether a clause of the passages counts companies of the rank the description sets
    ("…全球第一的企业有110家" for "份额做到世界第一的企业"): a group of its own, not a kind
    of company (a kind's own definition sets its bar without counting: 估值超过1亿美元…)."""
    ranks = [re.compile(rf"{m.group(1)}[^，。的]{{0,8}}?第{m.group(2)}") for m in RANKED.finditer(plain_wording(desc))]
    return bool(ranks) and any(r.search(c) and re.search(r"\d+\s*家", c) for c in _clauses(hits) for r in ranks)


def _support(terms: Sequence[tuple[str, float]], hits: Sequence[Hit], kinds: Sequence[str],
             categories: set[str]) -> tuple[dict[str, float], dict[str, tuple[Hit, int, int]]]:
    """Per name, the most of the description one sentence about it says, and where
    (``categories``: the names of kinds of company, whose own words say nothing)."""
    scores: dict[str, float] = {}
    where: dict[str, tuple[Hit, int, int]] = {}
    for hit, a, b, names in _named_sentences(hits, kinds):
        for name in names:
            said = _said(terms, name, _about(hit.chunk.text[a:b], name, names), name in categories)
            if said > scores.get(name, -1.0):
                scores[name], where[name] = said, (hit, a, b)
    return scores, where


# "是哪家", "叫什么": the question asks for the name the description stands for
ASKS_NAME = re.compile(r"哪[一几]?[家个位些]|叫什么|是谁|什么名字|名称")
ONE_NAME = re.compile(r"哪一?家|叫什么|什么名字|是谁")
# "那些…的企业", "三种模式各自的代表企业": several companies, never one company's name
SEVERAL = re.compile(r"那些|这些|各自|各个|(?<![咱我你他她])们")  # not 咱们, 我们: the asker
CLAUSE_BREAK = re.compile(r"[，；,;：:]")
OWN_WORDING = 0.5  # trigram overlap from which a clause words the description itself


def _all_but_the_ask(question: str) -> str:
    """For "甲市哪家公司做到了全球老大" the whole question less the asking words is what
    describes the company asked for."""
    return re.sub(r"是?哪一?家(?:企业|公司|厂家)?|是哪|叫什么|什么名字|是谁|[？?。！!]", "", question)


def _names_the_head(desc: str, name: str) -> bool:
    """The name is what the description's company word is (…单项冠军的企业, 小巨人”企业)."""
    return bool(re.search(re.escape(name) + r"[”\"’]?的?" + HEAD + "$", desc))


def _bare(desc: str, profile: Profile) -> str:
    """The description less its places and pointer words, as a passage might word it."""
    for p in profile.places:
        desc = desc.replace(p, "")
    return re.sub(r"^(?:那家|那种|那些|这家|这种|被)", "", desc)


def _company_kinds(profile: Profile, hits: Sequence[Hit]) -> list[str]:
    """The profile's names of organisations, and its terms the passages use as a kind of
    company (单项冠军企业, 小巨人”企业)."""
    text = "".join(h.chunk.text for h in hits)
    out = [t for t, pos in profile.terms if pos in ("nt", "nz")]
    terms = [t for t, pos in profile.terms if pos == "n"]
    return out + [t for t in terms + _compounds(terms, text) if re.search(re.escape(t) + r"[”\"’]?" + HEAD, text)]


def _compounds(terms: Sequence[str], text: str) -> list[str]:
    """Two terms written one after the other name one thing (专精特新“小巨人”), as written."""
    present = [t for t in terms if t in text]
    pairs = [re.escape(a) + r"[“\"‘]?" + re.escape(b) for a in present for b in present if a not in b and b not in a]
    return list(dict.fromkeys(m for p in pairs for m in re.findall(p + r"[”\"’]?", text)))


def _sentences(hits: Sequence[Hit]) -> list[str]:
    return [h.chunk.text[a:b] for h in hits for a, b in split_sentences(h.chunk.text)]


def _named_sentences(hits: Sequence[Hit], kinds: Sequence[str]) -> list[tuple[Hit, int, int, set[str]]]:
    """Each sentence (passage, start, end) with the names it speaks of: its own, or for a
    sentence that starts by pointing back (该公司, 公司的主要产品…) those of the one before."""
    out: list[tuple[Hit, int, int, set[str]]] = []
    for h in hits:
        text = h.chunk.text
        last: set[str] = set()
        for a, b in split_sentences(text):
            sentence = text[a:b]
            if text[max(0, a - 2):a].count("\n") >= 1:
                last = set()  # a new paragraph points back to nothing
            names = _names(sentence, kinds) or (last if ANAPHOR.match(sentence) else set())
            out.append((h, a, b, names))
            last = names or last
    return out


def _names(sentence: str, kinds: Sequence[str]) -> set[str]:
    """The names a sentence uses: known kinds and organisations, and the organisations
    it spells out (…有限公司, …科技)."""
    spelled: list[list[int]] = []  # spans; one right after another is one name (甲乙股份|有限公司)
    for m in ORG_SUFFIX.finditer(sentence):
        if spelled and spelled[-1][1] == m.start():
            spelled[-1][1] = m.end()
        else:
            spelled.append([m.start(), m.end()])
    return {n for n in kinds if loosely_has(sentence, n)} | {sentence[a:b] for a, b in spelled}


def _about(sentence: str, name: str, names: set[str]) -> str:
    """The sentence less its clauses that name another name and not this one: in
    "自主研发型甲乙电子、技术联盟型丙丁密封件", 技术联盟型 says nothing of 甲乙电子."""
    others = [n for n in names if n not in name and name not in n]
    if not others:
        return sentence
    clauses = re.split(r"(?<=[，；、,;：:])", sentence)
    return "".join(c for c in clauses if loosely_has(c, name) or not any(loosely_has(c, n) for n in others))


def _said(terms: Sequence[tuple[str, float]], name: str, sentence: str, category: bool) -> float:
    """Share of the description's weight (``terms``: its words and weights) the sentence
    says. A company's own name says what it is (丙丁密封件 for 做静密封产品的企业); a
    category's does not (a description of 潜在独角兽 that says 独角兽 gives no credit for it)."""
    own = [(w, x) for w, x in terms if not category or w not in name]
    total = sum(x for _, x in own)
    if not total:
        return 0.0
    return sum(x for w, x in own if loosely_has(sentence, w) or w in name) / total
