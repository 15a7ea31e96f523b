"""Rule-based rewrite of a follow-up question into a standalone one.

Used when no LLM is configured. "那乙市呢？" after a question about 甲市 becomes
that question about 乙市; "它是哪一年成立的？" after an answer about 天生密封件
becomes "天生密封件是哪一年成立的？"; an elliptic question ("占GDP的比重呢？")
is appended to the previous one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.answer.conjuncts import CONJUNCTION, RESPECTIVE
from rag.answer.matching import longest_shared
from rag.answer.question import ASKED_UNIT, TIME_CUES, in_digits
from rag.numbers import cn_to_int
from rag.profile import Profile, gazetteer
from rag.schema import Turn
from rag.tokenize import is_content_word, is_noun, jieba_tokenizer, pos_flags, words

PRONOUN = re.compile(r"它们|它|其(?![中他余实次])|他们|她们|该公司|该企业|这家公司|这家企业|这家|该集团|这个企业")
FIGURE_ANAPHOR = re.compile(r"(?:这个|这一|这些|该|此)(?:数字|数据|数量|比例|比重|数)")  # "这个数近几年的增速怎么样？"
DEMONSTRATIVE = re.compile(r"这一?[批次期届轮]|此次|同一份|同一篇|上述|前面说的")  # "最新这一批新增了几家？"
TIME_WORDS = re.compile(r"^(?:现在|目前|当前|如今|截至|累计|一共|总共|最新|至今|今年|去年)$")
TIME_FOLLOW = re.compile(r"(?:规划|计划)?目标(?:是多少)?|最早(?:的时候|那会儿?)?|一开始|刚开始|现在|目前|最新|如今|当时|那时候?"
                         r"|那?(?:[一二两三四五六七八九十\d]+年(?:以)?前|去年|前年|大前年|上一?年|当年|那一?年|早些年|以前|之前|过去|再?后来|之后)"
                         r"(?:的时候|那会儿?)?")
TIME_SAID = re.compile("(?:" + "|".join(rx.pattern for rx in TIME_CUES.values()) + ")(?:的时候|那会儿?)?")
APPENDED = re.compile(r" [^ ]*呢[？?]?$")  # a follow-up added to the question before it
FIGURE_ASK = re.compile(r"多少|几|比重|占比|份额")
ASKS = re.compile(r"多少|几[家个项名人位种批年]|第几|排名|哪|什么|是否|吗|比例|比重|占比|份额")
FOLLOW_START = re.compile(r"^(那么|那|还有|其中|另外|如果|此外|同时|然后)")
# "那最后那种…", "第二种呢": one item of the enumeration the last answer gave
ORDINAL = re.compile(r"第(?P<n>[一二三四五六七八九十\d]{1,2})[种类个项条点]|(?P<last>最后|最末)一?(?:那|这)?[种类个项条点]"
                     r"|(?P<first>头一|最前面?的?)(?:那|这)?[种类个项条点]")
ENUMERATION = re.compile(r"[：:](?P<items>[^：:。！？!?\n]+)"  # 三种：甲型、乙型和丙型
                         r"|(?:包括|包含|分为|分成|归纳为|概括为|主要有)(?P<counted>[^：:，,。！？!?；;\n]+?)"
                         r"(?:[两二三四五六七八九十\d]{1,2}[种类个项条点大]|等)")  # 包括甲式、乙式和丙型三种方式
ITEM_JOINS = re.compile(r"、|以及|和|及|与|，|,")
# "和乙市比呢？": the previous figure for both places
COMPARED_WITH = re.compile(r"^(?:那)?(?:和|跟|与|同)(?P<other>.{1,8}?)(?:比|相比|比较|对比)(?:一下|起来)?(?:呢|怎么样|如何)?[？?]?$"
                           r"|^(?:那)?(?:比|较)(?P<than>.{1,8}?)(?:多|少|高|低)了?(?:多少|几)[家个项名位]?[？?]?$")
# "差多少？" after the same figure asked of two places: the difference between them
BETWEEN_ASK = re.compile(r"^(?:那)?(?:两者|两地|两边|两个|它们|他们|双方)?(?:之间)?(?:相?差|差距|差了)(?:有|是)?"
                         r"(?:多少|几)?[家个项名位]?(?:多大)?[？?]?$|^(?:那)?(?:谁|哪个|哪边|哪家)(?:更)?(?:多|少|高|低)[？?]?$")
ASK_AT = re.compile(r"(?:有|是|排|为|达)?(?:多少|第几|几)")
YEAR = re.compile(r"\d{4}年")
NUMERAL_TIME = re.compile(r"[〇零一二三四五六七八九十百两]+[年月]?")  # 五年 of 二〇二五年: a year, no measure
YEAR_SAID = re.compile(r"\d{4}年(?:底|末|年底|年末)?")
ENTITY_FLAGS = {"nt"}
ASKS_WHICH = re.compile(r"哪家|哪个企业|哪个公司|哪一家|谁")


MEASURE_BEFORE = re.compile(r"(?:是|有|为|达|占)?(?:多少|几)")
# nouns that say where a rank or share holds, or which figure of the subject is asked
OF_THE_SUBJECT = re.compile(r"^(?:全球|全国|全省|全市|世界|国内|国际|行业|同行|实际|现在|目前|数量|数字|总数|"
                            r"比重|占比|比例|份额|增速|增幅|排名|名次)$")
# "…，算完成了没有": a check against the target after the figure asked
DONE_CHECK = re.compile(r"[，,]\s*(?:算|是否|有没有|到底)?(?:完成|达到|实现|达标|做到)(?:目标)?了?(?:没有|没|吗|了吗)?[？?]?$")


__all__ = ["Turn", "elided_subject", "is_followup", "rewrite"]


def elided_subject(part: str, first: str, profile: Profile) -> str | None:
    """A later part of one question that asks a figure of nothing it names ("…2025年的目标是
    多少家？现在实际做到多少了", "…哪一年收购的？收完以后在全球排第几") asks it of the first
    part's subject: the part rewritten as a follow-up of the first, or None when the part
    names a noun of its own ("手艺好的技术工人又新增了多少") or is no figure question."""
    if not ASKS.search(part) or not _names_nothing(part, profile):
        return None
    own = [w for w in words(part) if is_noun(w) and not OF_THE_SUBJECT.match(w)]
    if own:
        return None
    part = DONE_CHECK.sub("", part)  # 完成没有: the figure beside the target answers it
    rewritten = _rewrite_one(part, [Turn("user", first)], profile)
    return rewritten if rewritten != part else None


def _entity(text: str, places: tuple[str, ...] = ()) -> str | None:
    """The first organisation name in a text (jieba POS nt, domain dictionary included)."""
    import jieba.posseg as pseg

    jieba_tokenizer()  # loads the domain dictionary
    for word, flag in pseg.cut(text):
        if flag in ENTITY_FLAGS and len(word) >= 2 and word not in places:
            return str(word)
    return None


def is_followup(question: str, profile: Profile | None = None) -> bool:
    """Whether the question leans on the conversation before it; with the corpus
    ``profile``, also one that names no place, term or company ("占全省比重多少？")."""
    q = question.strip()
    return bool(PRONOUN.search(q) or FOLLOW_START.match(q) or re.split(r"[？?]", q)[0].strip().endswith("呢")
                or len(q) <= 6
                or DEMONSTRATIVE.search(q) or FIGURE_ANAPHOR.search(q) or COMPARED_WITH.match(q)
                or ALSO_ASKED.match(q)) \
        or (profile is not None and _names_nothing(q, profile))


def _compared(previous: str, question: str, profile: Profile) -> str:
    """"和乙市比呢？" after "甲市有多少家单项冠军？" → "甲市和乙市分别有多少家单项冠军？", or ""."""
    m = COMPARED_WITH.match(question.strip())
    other = (m.group("other") or m.group("than")) if m else ""
    mine = [p for _, p in profile.places_in(previous)]
    at = ASK_AT.search(previous)
    if not (other and profile.places_in(other) and mine and at) or other in previous:
        return ""
    both = f"{previous[:at.start()]}分别{previous[at.start():]}".replace(mine[-1], f"{mine[-1]}和{other}", 1)
    return f"{both.rstrip('？? ')}？相差多少？" if m and m.group("than") else both  # "比乙市多多少？"


GAP_FOLLOW = re.compile(r"^(?:那)?(?:现在|目前)?(?:实际)?(?:离目标)?还?差(?:多少|几)[家个项名位]?[？?]?$"
                        r"|^(?:那)?(?:目标)?(?:完成|实现|达到|达成|达标|做到)了?(?:吗|没有?)[？?，,]?"
                        r"(?:(?:那)?(?:现在|目前)?(?:实际)?(?:有|是)?(?:多少|几)[家个项名位]?[？?]?)?$")


def _gap_to_target(users: Sequence[str], question: str, profile: Profile) -> str:
    """"还差多少？" in a conversation that asked a target ("…2025年的目标是多少家？", "那现在
    实际有多少？"): "甲市2025年单项冠军离目标还差多少？"; "" otherwise."""
    if not GAP_FOLLOW.match(question.strip()):
        return ""
    asked = next((u for u in reversed(users) if TIME_CUES["target"].search(u)), "")
    subject = TIME_CUES["target"].sub("", _subject(asked, profile)) if asked else ""
    subject = re.sub(r"(?:要|将|能)?(?:达到|实现|完成|培育)$", "", subject)  # "…单项冠军要达到": the verb asks
    return f"{subject}离目标还差多少？" if subject else ""


# "小巨人又有几家？" after "…集聚了多少家单项冠军？": the same figure of another thing (那小巨人呢)
ALSO_ASKED = re.compile(r"^(?:那)?(?P<term>[^，,？?又]{1,12}?)又(?:有|是|为)?(?:多少|几)[家个项名人位]?(?=[？?，,]|$)")
THE_FIGURE_ITSELF = re.compile(r"(?:现在|目前|最新|如今|一共|总共|累计)?(?:的)?(?:有|是)?(?:多少|几)[家个项名人位]?[？?]?$")


def _with_place(fragment: str, previous: str, profile: Profile) -> str:
    """A fragment ("那国家级小巨人呢，") as a subject, with the previous question's place
    when it names none ("甲市国家级小巨人")."""
    core = FOLLOW_START.sub("", fragment).rstrip("呢，,？? ")
    places = [p for _, p in profile.places_in(previous)]
    return core if profile.places_in(core) or not places else f"{places[-1]}{core}"


def _between(users: Sequence[str], question: str, profile: Profile) -> str:
    """"差多少？" after "乙市…有多少？" and "甲市呢？" (made "甲市…有多少？"): the two places
    compared, "甲市和乙市…分别有多少，相差多少？"; "" unless the last two questions ask one
    figure of two places."""
    if len(users) < 2 or not BETWEEN_ASK.match(question.strip()):
        return ""
    last, before = users[-1], users[-2]
    mine = [p for _, p in profile.places_in(last)]
    theirs = [p for _, p in profile.places_in(before)]
    if not (mine and theirs) or mine[-1] == theirs[-1] or before.replace(theirs[-1], mine[-1], 1) != last:
        return ""
    return _compared(last, f"比{theirs[-1]}多多少", profile)


# "上市以后还另外有奖吗": more of what was just asked about, the subject left out
MORE_OF_IT = re.compile(r"还(?:另外|额外)|另外还?|此外还?|还有没有|还有(?=[^，。？?]{0,6}吗)|还会?再")


def _names_nothing(question: str, profile: Profile) -> bool:
    """A figure asked of nothing named, no place, term or company ("占全省比重多少？"): of
    what was asked before (a general list or reason question may stand alone)."""
    return bool(FIGURE_ASK.search(question) or MORE_OF_IT.search(question)) and not profile.places_in(question) \
        and not any(t in question for t, _ in profile.terms) and _entity(question, profile.places) is None


def _substitute(previous: str, current: str, profile: Profile) -> str:
    """Put the current question's places and years into the previous question."""
    out = previous
    places = [p for _, p in profile.places_in(current)]
    if places:
        before = [p for i, p in profile.places_in(out) if not _scope(out, i, p)]
        old = before[-1] if before else None  # the last place: earlier ones often name a source
        out = out.replace(old, places[0], 1) if old else f"{places[0]}{out}"
    years = YEAR.findall(current)
    if years:
        old_years = YEAR.findall(out)
        out = out.replace(old_years[0], years[0], 1) if old_years else f"{years[0]}{out}"
    return out


SCOPE_AFTER = re.compile(r"全省|全市|全国|全区|省内|市内")


def _scope(text: str, at: int, place: str) -> bool:
    """Whether the place at ``at`` is the whole a share is taken of ("占乙省全省的比例"),
    not what the question is about."""
    after = text[at + len(place):] if text.startswith(place, at) else ""
    return bool(SCOPE_AFTER.match(after)) or text[:at].endswith("占")


def _measure(text: str, profile: Profile) -> str | None:
    """The run of nouns just before 多少/几 in a question (营业收入 in
    "…企业的营业收入是多少"): what it asks about."""
    m = MEASURE_BEFORE.search(text)
    head = (text[: m.start()] if m else text).rstrip("的是有为达占 ")
    run: list[str] = []
    # whose figure it is, not what is measured: a company, or a kind before the measure (小巨人|营业收入)
    names = {t for t, pos in profile.terms if pos in ("nt", "nz", "nr")}
    kinds = {t for t, pos in profile.terms if pos == "n"}
    for w in reversed(list(jieba_tokenizer().cut(head))):
        if len(w) >= 2 and re.fullmatch(r"[\u4e00-\u9fffA-Za-z]+", w) and not profile.places_in(w) \
                and not NUMERAL_TIME.fullmatch(w) \
                and not TIME_WORDS.search(w) and w not in names and not (run and w in kinds):
            run.insert(0, w)
        elif run:
            break
    phrase = "".join(run)
    if len(phrase) < 2 and m:  # "…有多少家国家级小巨人企业": the counted phrase follows
        after = re.match(r"\s*[家个项名人位种批台套]?([^，,。？?；;]+)", text[m.end():])
        phrase = after.group(1).strip() if after else ""
    return phrase if len(phrase) >= 2 and phrase in text else None


def _swap_measure(previous: str, rest: str, profile: Profile) -> str | None:
    """"那出口额呢？" after "…营业收入是多少？" → the previous question asking about 出口额."""
    new = [w for w in words(rest) if len(w) >= 2 and is_content_word(w)
           and (pos_flags(w)[-1] != "ns" or w in gazetteer())]  # jieba tags 上市 ns, a place
    old = _measure(previous, profile)
    if not old or old not in previous:
        return None
    if len(new) == 1 and (new[0] not in previous or (new[0] in old and new[0] != old
                                                     and new[0] not in previous.replace(old, ""))):
        return previous.replace(old, new[0], 1)  # 出口呢 after 进出口额: a part of it is another measure
    sides = [x for x in CONJUNCTION.split(rest) if x]
    if len(sides) > 1 and all(_noun_phrase(x) for x in sides) and previous.index(old) > 0:
        at = previous.index(old) + len(rest)  # "那利润总额和出口额呢？": each of them, of the same subject
        swapped = previous.replace(old, rest, 1)
        ask = MEASURE_BEFORE.search(swapped, at)
        return swapped if not ask or RESPECTIVE.search(swapped) else f"{swapped[:ask.start()]}分别{swapped[ask.start():]}"
    if len(new) > 1 and _noun_phrase(rest):  # "市级的专精特新中小企业呢？": a whole noun phrase, kept
        at = previous.index(old)  # apart from a place before it (甲市网购… is tokenised 甲市网 + 购)
        glue = "的" if any(previous[:at].endswith(p) for _, p in profile.places_in(previous[:at])) else ""
        return previous.replace(old, glue + rest, 1)
    return None


def _noun_phrase(text: str) -> bool:
    """No verb (a verbal noun is a noun: 网购保税进口), preposition, pronoun or adverb in it:
    市级的专精特新中小企业."""
    import jieba.posseg as pseg

    jieba_tokenizer()
    flags = [f for w, f in pseg.cut(text) if w.strip() and w != "的"]
    return bool(flags) and not any(f[:1] in ("v", "p", "r", "d", "c") and f != "vn" for f in flags)  # 进口 (vn)


RESOLVED_TURNS = 12  # earlier turns read back: a follow-up leans on the last few, not on an hour of talk


OF_IT = re.compile(r"的呢(?=\s*(?:[？?，,]|$))")  # "那2022年的呢": that year's, as "那2022年呢"


def rewrite(question: str, history: Sequence[Turn], profile: Profile | None = None) -> str:
    """A standalone version of ``question`` given earlier turns (unchanged if not a follow-up).
    Earlier follow-ups are made standalone first, in order: after "甲市有多少家单项冠军？",
    "那小巨人呢？", the question "乙市呢？" is about 乙市's 小巨人."""
    profile = profile or Profile()
    resolved: list[Turn] = []
    for t in history[-RESOLVED_TURNS:]:  # years in digits first: "那22年的呢" replaces 2021年
        resolved.append(Turn(t.role, _rewrite_one(in_digits(t.content), resolved, profile))
                        if t.role == "user" else t)
    return _rewrite_one(ALSO_ASKED.sub(r"那\g<term>呢", OF_IT.sub("呢", in_digits(question)), count=1),
                        resolved, profile)


def _rewrite_one(question: str, history: Sequence[Turn], profile: Profile) -> str:
    """``rewrite`` against a history whose questions are standalone already."""
    users = [t.content for t in history if t.role == "user"]
    assistant = _last_answer(history)
    item = _ordinal_item(question, assistant) if users else ""
    if item:  # "第一种是拿哪家举例的": an item of the last answer's enumeration
        return item
    if not users or not is_followup(question, profile):
        return question
    fragment = re.match(r"(?P<head>[^，,？?]+呢)[，,？?]\s*(?P<rest>.+)$", question.strip())
    if fragment and THE_FIGURE_ITSELF.match(fragment.group("rest")):  # "那小巨人呢，最新有多少家？":
        subject = _with_place(fragment.group("head"), users[-1], profile)  # the rest asks the figure
        return subject + _in_unit_of(users[-1], fragment.group("rest"))  # itself, of the fragment whole
    if fragment and re.match(r"[^，,]+呢[，,]", question.strip()) and ASKS.search(fragment.group("rest")):
        # "那22年呢，规上工业的，增速多少" (after 呢？ the rest is a question of its own): the fragment
        whole = _rewrite_one(fragment.group("head") + "？", history, profile)  # made whole, the rest asked of it
        if whole != fragment.group("head") + "？":
            return _with_subject(whole, fragment.group("rest"), profile)
    pieces = [p for p in re.split(r"(?<=[？?])", question) if p.strip()]
    if len(pieces) > 1 and pieces[0].rstrip("？? ").endswith("呢"):  # "那小巨人呢？全国排第几？": the
        first = _rewrite_one(pieces[0], history, profile)  # fragment made whole, the rest asked of it
        if first != pieces[0]:
            return first.rstrip("？? ") + "？" + "".join(pieces[1:])
    previous = users[-1]
    if FIGURE_ANAPHOR.search(question):  # "这个数…" stands for the figure asked before
        subject = _asked_figure(previous) or _subject(previous, profile)
        if subject:
            return FIGURE_ANAPHOR.sub(subject, question, count=1)
    if PRONOUN.search(question):
        first, second = (assistant, previous) if ASKS_WHICH.search(previous) else (previous, assistant)
        entity = _entity(first, profile.places) or _entity(second, profile.places)
        if entity:
            topic = _topic(previous, question, entity, profile) if VAGUE_DOING.search(question) else ""
            return PRONOUN.sub(f"{entity}的{topic}" if topic else entity, question, count=1)
    gap = _gap_to_target(users, question, profile)
    if gap:
        return gap
    both = _between(users, question, profile) or _compared(previous, question, profile)
    if both:
        return both
    base = _substitute(previous, question, profile)
    rest = FOLLOW_START.sub("", question).strip()
    rest_core = re.sub(r"[\s？?。呢]|\d{4}年|到|(?:那|这)一?块|那边|这边", "", rest)  # 网购保税进口那块: the part
    for _, p in profile.places_in(rest_core):
        rest_core = rest_core.replace(p, "")
    if not rest_core:
        return base  # "那乙市呢？" → the previous question about 乙市
    if TIME_FOLLOW.fullmatch(rest_core):  # "目标呢？", "最早的时候呢？": the same figure at another time,
        return f"{TIME_SAID.sub('', APPENDED.sub('', base))} {rest}"  # not at the time asked before
    # a follow-up with its own question word ("最新这一批新增了几家？") is a question of its
    # own that lacks the subject: it is added to the previous one, not swapped into it
    if ASKS.search(rest) and not profile.places_in(rest):
        return _with_subject(base, rest, profile)
    return _swap_term(base, rest_core, profile) or _swap_measure(base, rest_core, profile) or f"{base} {rest}"


def points_at_item(question: str, history: Sequence[Turn]) -> bool:
    """Whether the question names an item of the last answer's enumeration by its place
    ("第一种是拿哪家举例的"), a follow-up even when it looks whole."""
    return bool(_ordinal_item(question, _last_answer(history)))


def _last_answer(history: Sequence[Turn]) -> str:
    """The last assistant turn's text ('' when there is none)."""
    return next((t.content for t in reversed(history) if t.role == "assistant"), "")


def _ordinal_item(question: str, answer: str) -> str:
    """The question with "最后那种" / "第二种" made the item it points at in the last
    answer's enumeration ("三种：甲型（例）、乙型和丙型"); '' when it points at none."""
    m = ORDINAL.search(question)
    items = items_listed(answer) if m else []
    if not m or not items:
        return ""
    at = -1 if m.group("last") else 0 if m.group("first") else cn_to_int(m.group("n")) - 1
    if not -len(items) <= at < len(items):
        return ""
    said = question[: m.start()].removesuffix("那") + items[at] + question[m.end():]
    return FOLLOW_START.sub("", said.strip(), count=1)


def items_listed(text: str) -> list[str]:
    """The items of a text's last enumeration (after a colon, or between 包括 and the count:
    "包括甲式、乙式和丙型三种"), asides in brackets dropped."""
    for m in reversed(list(ENUMERATION.finditer(text))):
        body = re.sub(r"（[^）]*）|\([^)]*\)|\[\d+\]", "", m.group("items") or m.group("counted"))
        items = [x.strip(" 。；;“”") for x in ITEM_JOINS.split(body) if x.strip(" 。；;“”")]
        if len(items) >= 2 and all(2 <= len(x) <= 14 for x in items):
            return items
    return []


FILLER = re.compile(r"的|企业|公司")


def _swap_term(previous: str, rest: str, profile: Profile) -> str | None:
    """"那小巨人呢？" after "…对成功创建单项冠军的企业给多少补贴？": a domain term (or
    company name) of the same kind as one in the previous question takes its place."""
    kinds = dict(profile.terms)
    named = sorted((w for w in kinds if w in rest), key=len, reverse=True)
    if not named or FILLER.sub("", _without(rest, named)):
        return None  # the follow-up says more than a term
    new = named[0]
    if new in previous:  # 独角兽 after a question on 潜在独角兽: the longer term gives way
        longer = [w for w in kinds if new in w and w != new and w in previous]
        return previous.replace(max(longer, key=len), new, 1) if longer else None
    peers = [w for w in kinds if w in previous and kinds[w] == kinds[new] and w not in new and new not in w
             and not profile.places_in(w)]
    if not peers:
        return None
    old = max(peers, key=lambda w: (len(w), previous.rfind(w)))
    return previous.replace(old, rest if rest.endswith(new) else new, 1)


def _without(text: str, terms: Sequence[str]) -> str:
    for t in terms:
        text = text.replace(t, "")
    return text


# "它从哪年开始弄的？" does not say what was done: the previous question does.
VAGUE_DOING = re.compile(r"[弄搞干办整做定]的|[弄搞干办整]了?(?:多久|多长|几年)|(?:这|那)(?:件事|事儿?)")
QUESTION_NOUNS = {"企业", "公司", "哪家", "单位", "机构", "哪个"}


def _topic(previous: str, question: str, entity: str, profile: Profile) -> str:
    """The previous question's nouns that the follow-up lacks ("救护车国际标准" from
    "哪家企业参与牵头定了救护车的国际标准？"), places and the answer's name left out."""
    import jieba.posseg as pseg

    jieba_tokenizer()
    nouns = [w for w, f in pseg.cut(previous) if f[:1] == "n" and f != "ns" and len(w) >= 2 and w not in question
             and w not in entity and w not in profile.places and w not in QUESTION_NOUNS]
    return "".join(dict.fromkeys(nouns))


ASKING_TAIL = re.compile(r"(?:的)?(?:一共|总共|累计|现在|目前)?(?:是|有|为|达)?(?:多少|几)[^，,。？?]*[？?]?$")


def _asked_figure(previous: str) -> str:
    """The previous question without its asking tail: "甲市的小巨人2021年营业额一共多少？"
    → "甲市的小巨人2021年营业额" (what "这个数" stands for); "" if it has no such tail."""
    if "，" in previous or "," in previous:
        return ""
    m = ASKING_TAIL.search(previous)
    head = previous[: m.start()].strip() if m else ""
    counted = re.match(r"(?:的)?(?:一共|总共|累计|现在|目前)?(?:是|有|为|达)?(?:多少|几)[家个项名人位种]([^，,。？?]+)",
                       m.group(0)) if m else None  # 有多少家单项冠军: what is counted comes after
    return f"{head}{counted.group(1)}" if counted and head else head if m and len(head) >= 2 else ""


def _subject(previous: str, profile: Profile) -> str:
    """The previous question's place, year and measure ("甲市高新技术企业总量"), or ""."""
    measure = _measure(previous, profile)
    if not measure:
        return ""
    places = [p for _, p in profile.places_in(previous) if p not in measure]
    years = "".join(y for y in YEAR.findall(previous) if y not in measure)
    kinds = "".join(t for t, pos in profile.terms if pos == "n" and t in previous and t not in measure
                    and not any(t in u for u, _ in profile.terms if u != t and u in previous))  # 小巨人's 利润
    return f"{places[-1] if places else ''}{years}{kinds}{measure}".replace("年年", "年")  # 2025年 + 年前三季度


def _where_and_when(previous: str, profile: Profile) -> str:
    """The previous question's last place and its years ("甲区2023年"), or ""."""
    places = [p for _, p in profile.places_in(previous)]
    return f"{places[-1] if places else ''}{''.join(YEAR.findall(previous))}"


def _with_subject(previous: str, rest: str, profile: Profile) -> str:
    """The previous question's place and measure put before the new question:
    "甲市有多少家单项冠军？" + "最新这一批新增了几家？" → "甲市单项冠军最新这一批新增了几家？"."""
    entity = _entity(previous, profile.places)
    subject = entity or _subject(previous, profile)  # a company's, else the place's
    if not entity and any(t in rest for t, pos in profile.terms if pos == "n"):
        subject = _where_and_when(previous, profile)  # "重点小巨人跟市级专精特新各有几家": its own categories
    if entity and GROWTH_ONLY.match(rest) and entity not in (measured := _subject(previous, profile)):
        subject += measured  # "同比增长多少" after "江丰电子…净利润多少": the growth of that figure
    if any(rx.search(rest) for rx in TIME_CUES.values()):  # "现在完成了多少" after "…目标是多少": its own time
        for rx in (*TIME_CUES.values(), YEAR_SAID):
            subject = rx.sub("", subject)
    rest = _in_unit_of(previous, rest)
    return f"{subject}{rest}" if subject else f"{previous} {rest}"


def _in_unit_of(previous: str, rest: str) -> str:
    """The follow-up asking in the previous question's unit when it names none:
    "比前年多了多少" after "…有多少家" counts 家 still."""
    unit = ASKED_UNIT.search(previous)
    if unit and not ASKED_UNIT.search(rest) and not UNITLESS_ASK.search(rest):
        rest = re.sub(r"(?<!第)(多少|几)(?![\u4e00-\u9fff]*[？?]?\S*[家项名人位个种元])", rf"\1{unit.group(1)}", rest,
                      count=1)
    return rest


GROWTH_ONLY = re.compile(r"^(?:那)?(?:同比|环比|比上年|比去年)?(?:增长|增速|增幅|涨|下降|降)了?(?:多少|几)")
UNITLESS_ASK = re.compile(r"百分之|比重|占比|比例|增速|[^，,\s]率|增幅|%|第几|排名|名次")  # a share, a rate or a rank


# "同一份材料里怎么说": the source the previous answer named
SAME_SOURCE = re.compile(r"[，,]?(?:在|按|照)?(?:同一份|同一篇|同一个|这份|那份|这篇|那篇|上面那份|刚才那份|刚才那篇)"
                         r"(?:材料|报告|专报|文章|资料|报道|文件)(?:里|中|上|里面)?(?:是)?(?:怎么说的?|咋说的?|说的|的说法|的数)?[？?]?")
NAMED_AT_LEAST = 4  # characters of a publisher's name the answer must use


def with_named_source(rewritten: str, question: str, history: Sequence[Turn], publishers: Sequence[str]) -> str:
    """A follow-up asking what "the same source" says, with that source named as the
    previous answer named it ("据乙市某某智库的专报…" → "乙市某某智库那份材料里，…")."""
    if not SAME_SOURCE.search(question):
        return rewritten
    said = _last_answer(history)
    named = {phrase for p in publishers if len(phrase := longest_shared(p, said)) >= NAMED_AT_LEAST}
    if len(named) != 1:
        return rewritten  # no source named, or several: not for the rules to choose
    rest = SAME_SOURCE.sub("", rewritten).strip() or rewritten
    return f"{named.pop()}那份材料里，{rest}"
