"""What an asker says around the question: "我们下周要给领导写个材料，之前开会有人说…
是两百八十多家，我有点搞不清了（可能是不同年份的数），按最新的口径，…到底有多少家？"
asks only its last part. The story before it (who asks, why, what someone said)
and a hedged aside are dropped before retrieval and answering, so their words and
the hearsay figures in them neither steer retrieval nor look like what is measured.
"""

from __future__ import annotations

import re

from rag.answer.question import TIME_CUES
from rag.tokenize import is_everyday, is_noun, words

# A clause that tells the asker's story, not what is asked: the asker (我, not 我市),
# hearsay (有人说, 听说), the occasion (开会, 写材料), doubts, politeness.
NARRATIVE = re.compile(r"我(?![市省国区县])|咱们?|有人(?:说|讲|提)|听说|据说|[给向跟]领导|开会|写个?材料|"
                       r"搞不清|弄不清|不太清楚|记不清|拿不准|想问|请问|麻烦|帮忙|帮我|谢谢|领导(?:要|交代|让)|汇报|要用")
# A request after the question for the answer's order (能不能按时间帮我捋一下): a trend asked.
IN_TIME_ORDER = re.compile(r"按(?:时间|年份|年度|年)|时间顺序|逐年|一年一年")
# An aside in brackets that only hedges: "（可能是不同年份的数）".
HEDGED_ASIDE = re.compile(r"[（(][^（）()]{0,40}?(?:可能|大概|应该|好像|估计|也许|不确定)[^（）()]{0,40}[）)]")
ASKS = re.compile(r"多少|几[家个项名人位种批年成]|哪|什么|怎么|怎样|如何|为何|为什么|是否|是不是|有没有|吗|呢|？|\?")
CLAUSE = re.compile(r"[^，。；！,;!？?：:]+[，。；！,;!？?：:]*")
MIN_CLAUSES = 3  # a short question is never cut
# After the question, what the asker adds to make it plain: "我问的是目标，不是现在的数".
CLARIFIES = re.compile(r"^\s*(?:我(?:问|说|指|要|想问|想要)的是|我是(?:问|说|指)|也?就是(?:说)?|指的是|说的是|是指)")
# "领导问…", "领导让我查一下，…", "…对不上，领导问哪个是最新的": who wants to know, before the question
ASKED_BY = re.compile(r"(?:^|(?<=[，,。；;]))\s*(?:领导|上级|老板|同事|有人)(?:(?:问|想知道|让我查|让我问|要我查|叫我查)(?:一下|我)?[，,：:]?"
                      r"|[让要叫]我[\u4e00-\u9fff]{1,5}[，,：:])\s*")  # "领导让我核个数，…"
POLITE = re.compile(r"^\s*(?:麻烦|谢谢|多谢|辛苦|拜托|急用|在线等)[^\d]{0,8}$"
                    r"|^\s*(?:具体|实在|确实|真)?(?:记不清|记不太清|不太确定|不确定|拿不准|想不起来|忘了)[了啦]?[。！!？?]*$")
# "我想知道那一年也就是2022年，…": what follows the asker's wish is part of the question
# "那份专报里应该有对比吧": what the asker supposes, after the question, asks nothing more
SUPPOSED = re.compile(r"(?:应该|估计|可能|大概|想必|肯定)[^？?]*吧[。！!]*$")
WISH = re.compile(r"(?:想知道|想问问?|想了解|想查|请问)(?:一下)?")
# "…多少钱？对不对": a check of the figure the question asks, after it, asks nothing more
CHECK_TAG = re.compile(r"^\s*(?:对不对|对吗|对吧|是吗|是不是|是这样吗|没错吧|没记错吧)[吧啊呀呢]?[？?。！!]*\s*$")
NOT_ASKED = re.compile(r"^\s*(?:而|并)?(?:不是|并非|不要|别|不用|不包括)")
FIGURE_WORD = re.compile(r"(?:的|那个|这个)?(?:数|数字|数据|那个)?[，。；！,;!？?]*$")


# A figure the asker half-remembers ("…大概七千亿左右？具体多少", "…多少？好像三千八百亿？"):
# what is asked, not what the answer must contain.
HEDGE = r"(?:大概|大约|好像|好象|似乎|应该|估计|差不多)"
_GUESS_NUMBER = (r"[零〇一二三四五六七八九十两\d][零〇一二三四五六七八九十两百千万亿几多来\d.]*个?[万亿千]*"
                 r"(?:元|家|个|人|名|张|项|成|%|亩|年代|年)?")
_ABOUT = r"(?:左右|上下|出头|来|以上|多(?!少))"  # 三成多
# "…好像是七千亿出头还是不到七千亿": the other figure the asker offers
_OR_GUESS = rf"(?:[？?]?\s*(?:还是|或者|或是)(?:不到|超过|多于|少于|将近|接近)?{_GUESS_NUMBER}{_ABOUT}?)*"
_MOVED = r"(?:涨|增长|增加|提高|降|下降|减少|翻)了?"  # "好像涨了四成多": how much it grew, guessed
_WHETHER = r"(?<![哪第几])(?:是不是|是否)?(?:有|是|到|能到|能有|超过|过|上)"  # 有九成吗 (not 哪一年？)
GUESSED = re.compile(rf"[，,]?\s*(?:(?:我?(?:印象(?:里|中)?|记得){HEDGE}?|{HEDGE})(?:是|有|在|{_MOVED})?{_GUESS_NUMBER}{_ABOUT}?"
                     rf"|(?:是|有)?{_GUESS_NUMBER}(?<!年){_ABOUT}?吧"  # "六十多万吧", "一百家出头吧"
                     # "有九成吗", "是不是过半了": a figure offered to be confirmed
                     rf"|(?:{_WHETHER}{_GUESS_NUMBER}{_ABOUT}?|(?:是不是|是否)?(?:过半|一半|过百|上百|上千|破千|破万))"
                     r"了?(?=吗|没有?[？?]|[？?])"
                     # "182、283还是多少", "10年还是11年": the figures the asker has heard, offered as choices
                     rf"|{_GUESS_NUMBER}(?:、{_GUESS_NUMBER})+(?=还是(?:多少|几|别的|其他))(?:还是(?:多少|几|别的|其他)[个家]?)?"
                     rf"|{_GUESS_NUMBER}(?=还是{_GUESS_NUMBER}[？?]))"
                     rf"{_OR_GUESS}(?:吧|吗|呢|啊|没有?)?(?:[？?]\s*)?")
# "准确数字帮我确认下", "给个准数": the exact figure asked (or, after a question, nothing more)
CONFIRM = re.compile(r"(?:准确|具体|确切)?的?(?:数字|数据|数)?(?:帮我|帮忙|麻烦|帮)?(?:确认|核实|核对|核)一?下"
                     r"|(?:给|说|报)(?:我|咱)?(?:个|一个)(?:准数|准确数字?|具体数字?|确切数字?|实数)")  # 给个准数
# "是11年还是12年？" with nothing else asking: the figures offered are the choices, which one is asked
CHOICE = re.compile(rf"(?P<a>{_GUESS_NUMBER})(?:还是|或者|或是)(?P<b>{_GUESS_NUMBER})")


def _confirmed(text: str) -> str:
    """A request to check the figure ("帮我确认下") asks it when nothing else does, and is
    dropped when the question asks already ("…占多少份额？…帮核一下")."""
    m = CONFIRM.search(text)
    if m is None:
        return text
    rest = text[:m.start()] + text[m.end():]
    return rest if _asks(GUESSED.sub("", rest)) else text[:m.start()] + "是多少" + text[m.end():]


# "是不是2018年那会儿？": one figure offered to be confirmed, with no other question word
OFFERED = re.compile(rf"(?:是不是|是否)\s*(?P<n>{_GUESS_NUMBER})(?:那会儿?|那时候?|左右|前后)?(?:来着)?"  # 是不是七千多亿来着
                     r"(?=\s*(?:[？?吗]|$))")
ASKS_WORD = re.compile(r"多少|几[家个项名人位种批年成]|哪|什么|怎么|怎样|如何|为何|为什么|有没有|多大|多久")


def _offered(text: str) -> str:
    """A figure offered for a yes or no, when nothing else asks, asks the figure: "均胜…那个，
    是不是2018年那会儿？" asks which year, "…是不是119家？" how many (the answer says it)."""
    m = OFFERED.search(text)
    if m is None or ASKS_WORD.search(text[:m.start()] + text[m.end():]):
        return text
    return text[:m.start()] + ("是哪一年" if m["n"].endswith("年") else "是多少") + text[m.end():]


# "听说甲评上给奖500万？": a figure heard, offered with a question mark, asks the figure
HEARD = re.compile(rf"^(?:听说|据说|听人说|听别人说)(?P<said>[^？?，,。]*?)(?P<n>{_GUESS_NUMBER})(?P<end>\s*[？?])")


def _heard(text: str) -> str:
    """"听说…给奖500万？小巨人又给多少？" → "…给奖多少？小巨人又给多少？" (the heard figure is what is asked)."""
    m = HEARD.search(text)
    if m is None or not m["said"].strip():
        return text
    return f"{m['said']}{'哪一年' if m['n'].endswith('年') else '多少'}{m['end']}{text[m.end():]}"


def _asks(text: str) -> bool:
    """Some clause asks something (a check of a figure after the question, 对不对, does not)."""
    return any(ASKS.search(c) and not CHECK_TAG.match(c) for c in CLAUSE.findall(text))


def _chosen(text: str) -> str:
    """"是11年还是12年" asking nothing else asks which year; "两百万还是三百万" asks how much."""
    m = CHOICE.search(text)
    if m is None:
        return text
    which = "哪一年" if m["a"].endswith("年") and m["b"].endswith("年") else "多少"
    return text[:m.start()] + which + text[m.end():]


def _unguessed(text: str) -> str:
    """The text less the figures the asker guesses; a guess between two asking clauses
    leaves a comma ("…增加值大概七千亿左右？具体多少" → "…增加值，具体多少")."""
    def cut(m: re.Match[str]) -> str:
        asked_before = text[:m.start()].rstrip().endswith(("？", "?"))  # "…哪年？我印象里是零几年"
        after = text[m.end():].strip()
        return "，" if after and not after.startswith(("，", ",", "。", "？", "?")) and not asked_before else ""
    out = GUESSED.sub(cut, text).strip("， ")
    if ASKS.search(out):
        return out
    chosen = _chosen(text)
    return _unguessed(chosen) if chosen != text else text


# A rank the asker states before asking the figure ("…出口货值名列全国首位，具体是多少？"):
# what they know, not what they ask.
RANK_CLAIM = re.compile(r"(?:名列|位列|位居|排名|排在|居于?|稳居)(?:全国|全省|全市|全球|世界|全国城市)?"
                        r"(?:第[一二三四五六七八九十\d]+(?:位|名)?|首位|榜首|前列|前茅)")
ASKS_AMOUNT = re.compile(r"多少|多大|几")


def _without_claimed_rank(text: str) -> str:
    """The rank the asker states in a clause that asks nothing dropped, when a later
    clause asks an amount and no rank (第几, 排名)."""
    clauses = CLAUSE.findall(text)
    asking = [i for i, c in enumerate(clauses) if ASKS.search(c)]
    if not asking or not ASKS_AMOUNT.search(clauses[asking[-1]]) or RANK_CLAIM.search(clauses[asking[-1]]) \
            or re.search(r"第几|排名|名次|排第", clauses[asking[-1]]):
        return text
    kept = [RANK_CLAIM.sub("", c) if i < asking[-1] and not ASKS.search(c) else c for i, c in enumerate(clauses)]
    return "".join(c for c in kept if c.strip("，,、 "))


def the_question(text: str) -> str:
    """The text less the story clauses before its last asking clause, the asides after it
    and hedged asides, with what the asker adds after it folded in ("…多少家？我问的是目标，
    不是现在的数" → "…多少家（即目标）？"; "…？麻烦按年份说一下" → "…（即按时间先后）？");
    unchanged when that would leave nothing that asks."""
    text = _without_claimed_rank(_unguessed(_offered(_heard(_confirmed(text)))))
    out = _asked(text)
    if IN_TIME_ORDER.search(text) and not TIME_CUES["trend"].search(out):
        out = out.rstrip("，,。；;！!？? ") + "（即按时间先后）？"
    return out


def _asked(text: str) -> str:
    """The clauses of the text that ask (see ``the_question``)."""
    short = len(CLAUSE.findall(text)) < MIN_CLAUSES
    plain = _clarified(HEDGED_ASIDE.sub("", ASKED_BY.sub("", text)))
    clauses = CLAUSE.findall(plain)
    asking = [i for i, c in enumerate(clauses) if _asks(c)]
    if not asking:
        return plain if plain.strip() else text
    last = asking[-1]
    rest = "".join(clauses[last:])
    kept = [c for i, c in enumerate(clauses) if i == last or (i < last and (short or not _story(c, rest)))
            or (i > last and not _aside_after(c))]
    out = "".join(kept).strip().rstrip("，,、")
    return out if ASKS.search(out) and len(out) >= 4 else text


def _aside_after(clause: str) -> bool:
    """After the question, a clause that asks nothing and tells the asker's story ("我记得从五十来家
    涨到一百多家", "我们区想学一学", "能不能按时间帮我捋一下"), supposes ("应该有对比吧") or asks
    to check the answer (对不对) is an aside; a wish that names
    what else is asked ("我想了解乙市的情况") is not."""
    if CHECK_TAG.match(clause):
        return True  # 对不对: a check of what was asked
    return not ASKS.search(clause) and bool(NARRATIVE.search(clause) or SUPPOSED.search(clause)) \
        and not _wishes_more(clause)


def _wishes_more(clause: str) -> bool:
    """The clause says what the asker wants to know (我想了解乙市的情况): part of the question."""
    wish = WISH.search(clause)
    return wish is not None and len(re.findall(r"[\u4e00-\u9fff\d]", clause[wish.end():])) >= 2


def _story(clause: str, rest: str) -> bool:
    """A story clause names no noun the question after it lacks: "我们要给领导写个材料"
    and "有人说甲市小巨人是两百八十多家" are stories; "我想了解甲市的小巨人" holds what is asked."""
    if not NARRATIVE.search(clause) or _wishes_more(clause):
        return False
    told = NARRATIVE.sub(" ", clause)
    return not any(len(w) >= 2 and is_noun(w) and not is_everyday(w) and w not in rest for w in words(told))


def _clarified(text: str) -> str:
    """Clauses after the last asking one that say what is (我问的是目标) or is not (不是现在的数)
    asked: the first become an aside in the question, the second are dropped."""
    clauses = CLAUSE.findall(text)
    asking = [i for i, c in enumerate(clauses) if ASKS.search(c) and not CLARIFIES.match(c)]
    if not asking:
        return text
    last = asking[-1]
    after = clauses[last + 1:]
    if not after or not all(CLARIFIES.match(c) or NOT_ASKED.match(c) or POLITE.match(c) for c in after):
        return text  # "麻烦给个准数", "谢谢" after the question: politeness, dropped below
    said = [FIGURE_WORD.sub("", CLARIFIES.sub("", c)) for c in after if CLARIFIES.match(c)]
    said = [c for c in said if c.strip()]
    question = clauses[last]
    core = question.rstrip("，。；！,;!？? ")
    aside = f"（即{'，'.join(said)}）" if said else ""  # 即: an aside the asker added, see question.ASIDE
    tail = question[len(core):].rstrip(" ，,")
    return "".join(clauses[:last]) + core + aside + (tail if tail.strip() else "？")
