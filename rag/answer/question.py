"""Question analysis: key terms, explicit numbers, and what kind of answer is wanted."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from rag.errors import EmptyQuestionError, InvalidTextError, QuestionTooLongError
from rag.profile import SELF_REFERENCES, Profile
from rag.tokenize import (
    before_first_verb,
    dictionary_words,
    in_dictionary,
    is_adverbial,
    jieba_tokenizer,
    names_in,
    words,
)

# Answer kinds and the text patterns that satisfy them.
KIND_CUES: dict[str, tuple[str, ...]] = {
    "year": ("哪一年", "哪年", "何时", "什么时候", "几几年", "什么时间", "成立于", "创建于"),
    "rank": ("第几", "排名", "排第", "名列", "位居", "居全国", "什么位置", "什么名次", "哪个位置", "几名"),
    "percent": ("占比", "比重", "份额", "百分之", "比例", "几成", "增速", "增长多少", "增幅", "增长率", "贡献率", "占有率"),
    "count": ("多少", "几家", "几个", "几项", "几名", "几人", "几种", "数量", "规模", "金额", "多大", "几岁"),
    "list": ("哪些", "哪几", "有几种", "包括", "分别"),
}
KIND_PATTERNS: dict[str, re.Pattern[str]] = {
    "year": re.compile(r"\d{4}\s*年"),
    "rank": re.compile(r"第\s*[\d一二三四五六七八九十]+|前列|首位|榜首|全国第一|第一"),
    "percent": re.compile(r"\d+(?:\.\d+)?\s*%|百分之|[一二三四五六七八九十]成"),
    "count": re.compile(
        r"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百千]+)\s*[多余]?\s*(?:万|亿)?\s*[家项名人个台套亿万元%亩种类位批部岁年天场次届条所座]"
    ),
    "list": re.compile(r"[、；]|和|及|以及"),
}
NUMBER = re.compile(r"\d+(?:\.\d+)?")
YEAR = re.compile(r"(\d{4})\s*年")
MONTHS = re.compile(r"\d{1,2}\s*(?:[到至—\-~～]\s*\d{1,2}\s*)?月份?")

# When the asked figure should hold (rag/answer/figure_answers.py).
FROM_HOW_MANY = r"从(?:多少|几)\S{0,3}?(?:增至|增加到|增长到|增长至|扩增至|涨到|升至|升到|变成|变为|到了?)(?:多少|几)"  # 从几家涨到了几家: both ends
SINCE_RISE = re.compile(r"(?:以后|以来|之后)[^，,。？?]{0,8}(?:涨|增长|增加|翻)了?(?:多少|几)")  # 上市以后营收涨了多少
RATE_ASKED = re.compile(r"增速|增长率|增幅|同比|百分之|百分比|%")
TIME_CUES = {
    "target": re.compile(r"目标|力争|计划|规划|打算|争取|要达到|要培育|将达到|预期|给自己定|定下|要?冲到|冲刺|到\s*\d{4}\s*年(?:底)?(?:要|将|能|实现|达到)"),
    "trend": re.compile(r"变化|趋势|后来|这几年|近几年|那几年|这些年|一步步|历年|逐年|走势|演变|增长情况|从.{0,12}到.{0,12}(?:变|增)|"
                        r"(?:按|依)?时间(?:的)?(?:先后|顺序)|先后|(?:分别|各)是(?:啥|什么|哪个?)时候的(?:数字?|数据)?|"
                        + SINCE_RISE.pattern + "|" + FROM_HOW_MANY),
    "earliest": re.compile(r"最早|最初|起初|当初|一开始|刚开始|最开始|起步时|起步那会"),
    "latest": re.compile(r"现在|目前|当前|如今|截至目前|最新|至今|眼下|现有|累计|一共|总共|总数|到现在|到最近|迄今|最近一[期次]"),
}
MEASURE_KINDS = {
    "change": re.compile(r"新增|新入选|增加了?(?:多少|几)|多了(?:多少|几)|(?<![最重更全特创革])新[\u4e00-\u9fff]{0,3}?了?(?:多少|几)"
                         r"|新(?:引进|认定|培育|入围)[\u4e00-\u9fff]{0,8}?(?:是|有)?(?:多少|几)"  # 新引进大学生的规模是多少
                         r"|(?:引进|落户|招引|流入)[^？?。]{0,12}?(?:多少|几)"),  # 这几年引进的大学生，准数是多少
    "growth": re.compile(r"增速|增长率|增幅|同比|增长了?多少|增长了?百分之|涨了?多少"),
    "share": re.compile(r"占比|比重|份额|占有率|占.{0,12}(?:多少|百分之|几成)|百分之|比例"),
    "rank": re.compile(r"第几|排名|排第|名列|位居|居.{0,6}第|排在"),
}
RANK_ASKED = re.compile(r"第几|排第|排名(?:如何|怎样|多少)|排到|排在")
# "几个人": the classifier 个 before people counted (not 几个名额, 几个位置)
PEOPLE_COUNTED = r"(?:个(?=\s*(?:人|名(?![额单次])|位(?![置居列次]))))?"
UNIT_WORDS = (
    (re.compile(r"(?:多少|几)\s*个?\s*(?:万亿|亿|万)(?!\s*[家人名位个项种])"), "元"),  # 给多少万 / 几个亿: money
    (re.compile(r"(?:多少|几)\s*(?:万|亿)?\s*[家户]|几家"), "家"),  # 多少户: companies, as 户 counts them
    (re.compile(r"(?:多少|几)\s*(?:万)?\s*" + PEOPLE_COUNTED + r"\s*(?:人|名|位)"), "人"),
    (re.compile(r"(?:多少|几)\s*项"), "项"),
    (re.compile(r"(?:多少|几)\s*个"), "个"),
    (re.compile(r"(?:多少|几)\s*亩"), "亩"),
    (re.compile(r"(?:多少|几)\s*岁|年龄|岁数|多大年纪"), "岁"),
    (re.compile(r"数量|数目|多少\s*(?:家|个)?企业"), "#count"),
    (re.compile(r"多少\s*(?:万亿|亿|万)?\s*(?:元|钱)|一?笔钱|奖金|金额|营收|收入|利润|产值|GDP|增加值|货值|余额|资金|投资额|出口额|进口额|成交额|市值"), "元"),
)
QUESTION_WORDS = re.compile(r"这一?块|给?自己|是多少|有多少|多少|几家|几个|几项|几名|几人|几位|哪一年|哪年|什么时候|是什么|有哪些|哪些|哪几|"
                            r"实际上?|相差|差距有?多大|比一?比|比一下|两边|两地|双方|各自|能占|为什么|怎么样|怎么|如何|吗|呢|请问|一下|告诉我|情况|谁多|谁少|哪个多|哪个少|哪边多")


HOW_MANY = r"(?:多少|(?<![这那近前十好哪])几)"  # not 这几年/那几年/十几年/好几个: those ask nothing; 哪几位 asks who
ASKED_UNIT = re.compile(HOW_MANY + r"\s*" + PEOPLE_COUNTED + r"\s*(万亿元|亿元|万元|美元|元|钱|家|项|名|人|位|个|岁|年|天|亩|种|部|台)")
COUNT_ASKED = re.compile(r"(?:多少|几)\s*万?\s*[家项名人位个种部台所座条]|(?:企业|公司)的?(?:数量|总数|家数)(?!\s*占|的?(?:比重|占比|比例))")
# How a question asks for a number of things (有多少, 总数), not for a value (研发强度是多少).
COUNTING = re.compile(r"有多少|有几|各(?:自|是|为)?多少|总数|一共|总共|累计|多少[家个项名位]")
UNIT_CLASSES = {"人": "人名位", "名": "人名位", "位": "人名位",
                "家": "家个所座", "个": "个家所座",  # 多少家研发平台 is answered by "212个"
                "钱": "元"}  # 多少钱 is answered in 元
CN_NUM = "一二两三四五六七八九十百千"


# "第九批…有多少企业入围", "第四批名单里进了几家": a count within one batch of a list
BATCH_COUNT = re.compile(r"第\s*[\d一二三四五六七八九十]+\s*批.{0,20}(?:多少|几)")
ORDINAL = re.compile(r"第\s*([\d一二三四五六七八九十]+)\s*([批届次期轮])(?<!第一次)")  # 第一次: "first", said as 首次
GENERIC_NOUNS = {"企业", "公司", "数量", "家数", "个数", "数目", "称号", "头衔", "家", "个", "国家", "全国", "城市", "规模", "金额",
                 "比例", "总数", "全市", "我市", "本市"}


@dataclass(frozen=True)
class Part:
    """One sub-question ("…是什么？…占多大比例？" has two)."""

    text: str
    kinds: tuple[str, ...]
    unit: str | None
    counted: str | None = None  # what a "how many" part counts: 技术骨干 in 技术骨干有多少人


@dataclass(frozen=True)
class Question:
    """A question broken down for matching."""

    text: str
    words: tuple[str, ...]  # precise-mode words
    numbers: tuple[str, ...]  # explicit numbers (years etc.) the answer must match
    kinds: tuple[str, ...] = field(default_factory=tuple)
    places: tuple[str, ...] = field(default_factory=tuple)
    parts: tuple[Part, ...] = field(default_factory=tuple)
    time: str = ""  # latest | earliest | target | year | trend | "" (see TIME_CUES)
    years: tuple[int, ...] = ()
    unit: str = ""  # the unit a figure question asks in (家, 人, 元, %, 位), "" if not said
    measure_kind: str = ""  # change | growth | share | rank | "" (a plain count or amount)
    measure_words: tuple[str, ...] = ()  # what is measured: key words less places, time, question words
    shape: str = "fact"  # figure | compare | list | reason | fact
    frame_words: tuple[str, ...] = ()  # measure words of a leading scope ("规上工业中，…"): context, not the measure

    @property
    def key_words(self) -> tuple[str, ...]:
        """Words that carry meaning: two or more characters, or numbers."""
        return tuple(w for w in self.words if len(w) >= 2 or w.isdigit())


# How a question asks, never what it is about: 什么时候, 多大比例, 多少场 (cut before
# tokenising, or jieba glues the classifier to the next word: 多少场线上 → 场线).
ASKING = re.compile(r"讲[^，,。？?]{1,16}?(?:那|的)(?:部分|一段|一节|那块)[，,]?(?:提到|说到|里)?|最后(?=总结|归纳|提出|给出|概括)|(?:总结|归纳|概括|提炼)出?了?(?=哪|几|什么)|[那这该此][篇份组]|当时|那时候?|彼时|那会儿?|[这那][回次](?![数])|[前这]阵子|(?:统计)?口径|具体(?:来说|地|说)?|(?:都|主要)?(?:包括|包含)了?|"
                    r"(?:专家|学者|业内人士|有关人士)们?都?(?:给|提|出)了?(?:些|一些)?(?=(?:什么|哪些)?(?:建议|办法|对策|意见))|"
                    r"(?:专家|学者|业内人士|有关人士|负责人|领导)们?(?:是|都)?(?:怎么|如何|咋)(?:说|讲|看|解释|分析)的?|"
                    r"(?:排在|排|处在|处于|在)?(?:什么|哪个)(?:位置|名次)|排个?(?:榜|名)|"
                    r"(?:论文|文章|报告|专报|报道)(?:里|中)?(?:总结|提到|指出|认为|介绍|归纳|说|讲)?了?|"
                    r"为什么|为何|(?<=奖励|补贴|补助|资助|奖补|收费)标准|[这那哪每]一?[家款种台层个位件项]|(?<![唯第])一[家款种台个位件](?![\d一二三四五六七八九十])|[够算称]得上|"
                    r"百分之几|哪[一几][家个种位项类]|什么时候|什么时间|多长时间|多大(?:比例|比重|年纪|岁数)?|多少钱|哪一?(?:部分|方面)|"
                    r"(?:排|排名|排在|位居|居)?第几[位名]?|[这那此该本]一?[批次期届轮]|(?:按|据|根据)?(?:最新)?(?:的)?(?:数据|统计)(?:里|中|显示|来看)|"
                    r"(?:截至|截止|到|根据|按照|依据|按|据)(?:目前|现在|当前|最新)?[^，,。？?]{0,6}?(?:名单|榜单|数据|统计|资料|材料|口径)(?:为止|来看|显示|里|中|上)?|"
                    r"(?:最新|目前|现在)(?:一批|这批|公布|发布|掌握)?的?(?:名单|榜单|数据|统计)(?:里|中|上|显示)?|"
                    r"(?:多少|几)\s*(?:万亿|亿|万)?\s*[场次届个家项名人位种批台套亩岁年天元条所座]?")
CN_AMOUNT = re.compile(r"^[一二两三四五六七八九十百千]+(?=万亿|亿|万)")
MAGNITUDE_UNIT = re.compile(r"^(万亿|亿|万)元$")  # 万亿元 → 万亿: 万亿俱乐部 is about it too


TIME_SUFFIX = re.compile(r"(?<=..)[时后前里]$")


def _unglued(word: str) -> str:
    """高田时 → 高田: a time or place suffix jieba left on a word it does not know."""
    return word if in_dictionary(word) else TIME_SUFFIX.sub("", word)


CN_COUNT = re.compile(r"^([一二两三四五六七八九十百千]*[十百千][一二三四五六七八九十百千]*)([年个家项名位岁倍天])$")


def _digits(word: str) -> str:
    """十年 → 10年: documents write counts from ten up in digits (两家 stays)."""
    from rag.numbers import cn_to_int

    m = CN_COUNT.match(word)
    return f"{cn_to_int(m.group(1))}{m.group(2)}" if m else word


TREND_WORDS = re.compile(r"(?:是)?(?:怎么|怎样|如何)?(?:变化|演变|走势|趋势)(?:的|情况)?|(?:(?:上市|成立)(?=(?:以来|以后)[^，。？?]{0,12}(?:涨|增|变|降|多少|几|怎么|如何)))?(?:以来|以后)|历年|逐年|"
                         r"(?:一路|一步步|一步一步|逐步)?(?:变|涨|增|降|走|发展)(?:过来|上来|下来|起来)")


def key_words_of(text: str) -> tuple[str, ...]:
    """The question's words less its asking phrases and 现在/目前 (the time intent
    says those); 一万亿元 → 万亿 (a spelled-out
    round number matches the magnitude the documents write beside digits)."""
    return tuple(dict.fromkeys(_digits(_unglued(MAGNITUDE_UNIT.sub(r"\1", CN_AMOUNT.sub("", w))))
                               for w in _expanded(words(TREND_WORDS.sub(" ", TIME_CUES["latest"].sub(" ", ASKING.sub(" ", text)))))))


@lru_cache(maxsize=1)
def _colloquial() -> tuple[tuple[tuple[str, str], ...], dict[str, str]]:
    """(phrase replacements, longest first; one-character word expansions) from
    rag/data/colloquial.txt."""
    text = (resources.files("rag") / "data" / "colloquial.txt").read_text(encoding="utf-8")
    lines = [line.split() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    phrases = tuple(sorted(((p[0], p[1]) for p in lines if len(p) == 2), key=lambda p: -len(p[0])))
    return phrases, {p[0]: p[2] for p in lines if len(p) == 3 and p[1] == "="}


@lru_cache(maxsize=1)
def _measures() -> tuple[tuple[re.Pattern[str], str], ...]:
    """(description, measure name) pairs from rag/data/measures.txt."""
    text = (resources.files("rag") / "data" / "measures.txt").read_text(encoding="utf-8")
    lines = [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return tuple((re.compile(p[1].strip()), p[0].strip()) for p in lines if len(p) == 2)


def plain_wording(text: str) -> str:
    """The question in the documents' wording: 为啥 → 为什么, 排老几 → 排第几, 上的市 → 上市,
    跟国外做买卖 → 进出口额 (a measure described in everyday words)."""
    for a, b in _colloquial()[0]:
        text = text.replace(a, b)
    for rx, name in _measures():
        text = rx.sub(name, text)
    text = TENTHS.sub(lambda m: f"{CN_DIGITS.index(m.group(1))}0%", text)  # 九成以上 → 90%以上
    return in_digits(text)


# "九成以上": a share said in tenths, as the documents write it (90%); not 几成, which asks
TENTHS = re.compile(r"(?<![几多十])([一二三四五六七八九])成(?=以上|左右|多|的|[，,。？?]|$)")


def in_digits(text: str) -> str:
    """Years and months said in Chinese digits or by two digits written out in full
    (二〇二五年, 到二五年底, 那22年, 九月底 → 2025年, 2025年, 2022年, 9月底)."""
    text = CN_YEAR.sub(lambda m: _arabic(m.group(1)) + "年", text)
    text = CN_SHORT_YEAR.sub(lambda m: _arabic(m.group(1)), text)
    text = CN_MONTH.sub(lambda m: str(CN_MONTHS.index(m.group(1)) + 1), text)  # 2025年九月底 → 2025年9月底
    text = BARE_YEAR.sub(r"\1年", text)  # 2025前三季度
    return SHORT_YEAR.sub(lambda m: f"20{next(g for g in m.groups() if g)}年", text)


def _arabic(digits: str) -> str:
    """Chinese digits as Arabic ones: 二〇二五 (or 二零二五) → 2025."""
    return "".join(str(CN_DIGITS.index(c)) for c in digits.replace("零", "〇"))


# "2025前三季度": a year without 年 before a part of a year
BARE_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?=前三季度|上半年|下半年|[一二三四]季度|全年)")
# "到二〇二五年": a year in Chinese digits
CN_DIGITS = "〇一二三四五六七八九"
CN_YEAR = re.compile(r"([〇零一二三四五六七八九]{4})年")
# "2025年九月底": a month in Chinese digits after its year
CN_MONTHS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")
CN_MONTH = re.compile(r"(?<=年)(十[一二]|[一二三四五六七八九十])(?=月)")
# "到二五年底": a year said by its last two digits in Chinese (read as 25年, then as SHORT_YEAR)
CN_SHORT_YEAR = re.compile(r"(?:(?<=[到在至于])|^)([一二][〇零一二三四五六七八九])(?=年(?![来内间代前后多]))")
# "到25年要搞到多少家", "那22年的呢", "25年前三季度": a year said by its last two digits after 到/在/至/于/那 or
# before a part of a year (not 超过10年, 10年来, 25年前)
SHORT_YEAR = re.compile(r"(?<=[从到在至于那（(])\s*([123]\d)\s*年(?![来内间代前后多里])|^\s*([12]\d)\s*年(?![来内间代前后多里时])|"
                        r"(?<![\d.])([123]\d)\s*年(?=前三季度|上半年|下半年|[一二三四]季度|全年|底|末)|"
                        # "，17年到24年": the first year of a range, wherever it stands
                        r"(?<![\d.])([12]\d)\s*年(?=\s*(?:到|至|—|-|～|~)\s*(?:20)?[12]\d\s*年)|"
                        # "小巨人21年出口": after a noun, before what is measured (not 干了21年, 经营21年)
                        r"(?<=[\u4e00-\u9fff])(?<![了过近满达超共约有历干做用花营展立办])(1[5-9]|2\d)\s*年"
                        r"(?=[\u4e00-\u9fff])(?![来内间代前后多里时了的])")


LEVELS = ("国家级", "省部级", "省级", "市级", "区级", "县级", "乡镇级", "镇级", "部级")  # of a title or list


def _only_kinds_of_company(measure: Sequence[str], text: str, profile: Profile) -> bool:
    """Whether the measure words only name a kind of company (国家级, 小巨人: the corpus's
    terms, or words the question puts before 企业): nothing is measured of them but their number."""
    terms = [t for t, pos in profile.terms if pos == "n"]
    kinds = [w for w in measure if w in terms or re.search(re.escape(w) + r"[”\"’]?(?:企业|公司)", text)]
    return bool(kinds) and all(w in kinds or w in LEVELS for w in measure)


def document_wording(text: str) -> str:
    """The question as the documents would word it, for retrieval: everyday phrases
    replaced (为啥 → 为什么) and one-character words expanded (市里奖多少钱 → 市里奖励多少钱)."""
    return "".join(_expanded(list(jieba_tokenizer().cut(plain_wording(text)))))


def _expanded(tokens: Sequence[str]) -> list[str]:
    """One-character words that stand for a longer one (补 → 补贴 in 补多少钱)."""
    single = _colloquial()[1]
    out: list[str] = []
    for t in tokens:
        parts = [] if len(t) < 2 or in_dictionary(t) else dictionary_words(t)
        if any(p in single for p in parts):  # 能奖 glued from 能 + 奖 → 能, 奖励
            out += [single.get(p, p) for p in parts]
        else:
            out.append(single.get(t, t))
    return out


def analyse(text: str, profile: Profile | None = None) -> Question:
    """Break a question into words, numbers, places, wanted answer kinds, and for a
    figure question its unit, time intent and measure words."""
    profile = profile or Profile()
    text = plain_wording(text)
    text = QUOTED_FIGURES_WHEN.sub("历年是多少", text)  # "182、283、418，分别是啥时候的口径": the series, dated
    kept = [_without_sources(p) for p in re.split(r"(?<=[？?])", text) if p.strip()]
    text = "".join(kept) or text  # "…？几份材料说的数不一样": the remark asks nothing
    text = NEGATED_ASIDE.sub("", text) or text  # "（不光是重点那种）" names what is not asked
    text = RECALLED.sub("", text) or text  # "…是多少啊，我记得比乙市少": what the asker recalls asks nothing
    text = NOT_TO_MIX.sub("", text) or text  # "…，别和全国第一的搞混": what is not asked
    if SOURCES_DIFFER.search(text) or SOURCES_AROUND.search(text):  # "几篇材料说法不一样，分别是多少":
        text = SOURCES_DIFFER.sub("，", text).replace("分别", "")  # every source's figure, one measure
        text = SOURCES_AROUND.sub(r"\g<subject>", text)  # "几份材料里甲市小巨人的家数对不上": the subject
        text = WHEN_OF_FIGURE.sub("", EACH_SOURCE.sub("", text))  # each figure is dated anyway
    text = A_FEW_MORE.sub(r"\1", text)  # 想多孵几个独角兽: more of them, no number asked
    text = FIGURES_LISTED.sub("", text) or text  # "几个数都列一下": every figure, not a count of 个
    text = EITHER_FIGURE.sub("是多少", text)  # "目标到底是200家还是600家": which figure, so how many
    text = TARGET_MET_ASK.sub("离目标还差多少", text)  # "目标完成了吗": how far today's figure is from it
    if "目标" in text:  # "目标是多少家？到现在实际完成得怎么样了": the same
        text = DONE_HOW.sub("离目标还差多少", text)
    text = _one_gap_question(text)  # "现在实际有多少，离目标还差多少": the gap's answer gives both
    text = _names_undescribed(text, profile)  # "做溅射靶材的甲乙电子": the company, not what it makes
    wds = key_words_of(text)
    numbers = tuple(dict.fromkeys(NUMBER.findall(text)))
    places = tuple(dict.fromkeys(p for _, p in profile.places_in(text)))
    gone_to = tuple(p for p in places if p != profile.main_city and re.search(DESTINATION + re.escape(p), text))
    places = tuple(p for p in places if p not in gone_to)  # 去乙国建厂: where they went, not the figure's scope
    sources = tuple(p for p in places if len(re.findall(re.escape(p) + SOURCE_AFTER, text)) == text.count(p))
    if len(sources) < len(places):
        places = tuple(p for p in places if p not in sources)  # 乙市那份专报里提到甲市…: the scope is 甲市
    if not places and any(r in text for r in SELF_REFERENCES) and profile.main_city:
        places = (profile.main_city,)
    parts = tuple(_part(p) for p in _asked_parts(text)) or (_part(text),)
    kinds = tuple(dict.fromkeys(k for p in parts for k in p.kinds))
    years = tuple(int(y) for y in YEAR.findall(text))
    bare = ASIDE.sub("", text)  # "（即论文里说稳居全国第一那时候）" says which figure, asks no rank
    measure_kind = next((k for k, rx in MEASURE_KINDS.items() if rx.search(bare)), "")
    if measure_kind == "share" and COUNT_ASKED.search(text):
        measure_kind = ""  # 市场占有率第一的企业有多少家: companies are counted, no share asked
    if measure_kind in ("share", "growth") and RANK_ASKED.search(text):
        measure_kind = "rank"  # 市场份额排到第几: the rank of a share is asked, not the share
    time = next((k for k, rx in TIME_CUES.items() if rx.search(text)), "")
    if measure_kind == "growth" and time == "trend" and SINCE_RISE.search(text) and not RATE_ASKED.search(text):
        measure_kind = ""  # 上市以后营收涨了多少: the figure then and now, not a growth rate
    if time == "target" and TO_TARGET.search(text):
        time = "latest"  # 离目标还差几家: how far today's figure is from the target
    if not measure_kind and time != "latest" and BATCH_COUNT.search(bare):
        measure_kind = "change"  # 第九批有多少企业入围: that batch's entrants, not the total after it
    if len(years) > 1 and time == "trend" and re.search(FROM_HOW_MANY, text) \
            and not TIME_CUES["trend"].search(re.sub(FROM_HOW_MANY, "", text)):
        time = "year"  # "2017年到2024年营业额从几个亿涨到多少": the two years asked, not every figure
    if years and time in ("", "latest") and not TO_TARGET.search(text):  # 2025年离目标还差多少: today's
        time = "year"  # "2021年…一共多少": the year asked wins over 一共/累计
    unit = "%" if measure_kind in ("growth", "share") else "位" if measure_kind == "rank" else \
        next((u for rx, u in UNIT_WORDS if rx.search(bare)), "")
    for p in gone_to:  # 去乙国建厂那批人: what they went for is no measure either
        bare = re.sub(re.escape(p) + r"[\u4e00-\u9fff]{1,2}?(?=的|那|[，,]|$)", p, bare)
    measure = _measure_words(bare, places, profile, measure_kind, gone_to)
    if not unit and not measure_kind and _only_kinds_of_company(measure, bare, profile):
        unit = "#count"  # 小巨人最新数字是多少: how many of them, not a share of them
    framed = FRAME.match(text)
    frame = tuple(w for w in measure if framed and w in framed.group(1).lower() and w not in text[framed.end():].lower())
    if framed and SOURCE_NAMED.search(framed.group(1)):  # "某学院那篇论文里，…": which source, not a scope
        measure, frame = tuple(w for w in measure if w not in frame), ()
    return Question(text, wds, numbers, kinds, places, parts, time, years, unit, measure_kind,
                    measure, _shape(text, kinds, places, len(parts)), frame)


# A place that says whose source it is (乙市那份专报里, 乙市智库的报告): not the scope, when another is named.
SOURCE_AFTER = r"(?:的|那份|这份|那篇|这篇|那个|这个)?[\u4e00-\u9fff]{0,4}?(?:专报|报告|论文|文章|报道|智库|报纸)"

# A place gone to (去乙国建厂, 派往乙国的团队): where someone went, not the scope of the figure asked
# (but 跑到甲市工作的大学生, where the home city is gone to, are counted there).
DESTINATION = r"(?:去|赴|奔赴|前往|远赴|派往|派到|派去|出海到?|跑到)了?"

# "几份材料说的数不一样": a remark on the sources, not a question of its own.
SOURCE_REMARK = re.compile(r"(?:几份|几个|几篇|各份|不同|各个)(?:材料|资料|文件|报道|文章|来源|报告)|"
                           # figures the asker has seen quoted: "材料里有说51家的、83家的，咋回事"
                           r"(?:有的|有人|材料里|资料里|文章里|报道里|网上|一份|另一份|有份|有篇)[^？?，,]{0,6}(?:说|写|讲|提|记)[^？?]*?"
                           r"(?:\d|第[一二三四五六七八九十])|"
                           r"\d+\s*[家个项名人位%元]?\s*[、，,/]\s*\d+(?!\d*\s*年)|"  # "182、283、418" quoted side by side
                           r"都见过|[咋怎]么回事|哪个[对准]|"
                           r"^(?:请)?(?:给个|给出|说个|说说)?(?:具体|详细)(?:的)?(?:数|数字|点|些)?[？?。]?$")

# "几份材料里分别是多少": every source's figure is asked, which a figure answer gives anyway.
EACH_SOURCE = re.compile(r"[，,]?(?:在|按)?(?:几份|几个|几篇|各份|不同|各个|各)(?:材料|资料|文件|报道|文章|来源|报告)"
                         r"(?:里|中|上|里面)?(?:的数|的数字)?(?:分别|各自|各)?"
                         r"(?:的?(?:说法|口径|数字|数据|数)?(?:是否|是不是)?(?:一致|一样|相同|统一)吗?)?")
STILL_ASKS = re.compile(r"多少|(?<!好)几[家个项名人位种批年]|哪|什么|第几")  # 好几个说法 asks nothing


def _without_sources(part: str) -> str:
    """A part less its remark on the sources: dropped when nothing else in it asks;
    the figures quoted taken out when it asks which of them holds ("182、283、418，到底
    哪个是最新的" asks the latest figure)."""
    if not SOURCE_REMARK.search(part):
        return part
    if WHICH_FIGURE.search(part):
        unit = next((m.group(1) for m in QUOTED_FIGURE.finditer(part) if m.group(1)), "")
        plain = QUOTED_FIGURE.sub("", WHO_SAID.sub("", part))
        return WHICH_FIGURE.sub(lambda m: ("最新" if "最新" in m.group(0) else "") + "是多少" + unit, plain)
    rest = QUOTED_FIGURE.sub("", EACH_SOURCE.sub("", part))
    return rest if STILL_ASKS.search(rest) and len(rest) >= 6 else ""


TO_TARGET = re.compile(r"(?:离|距离?|比)目标.{0,8}差|目标.{0,8}还差")
# "目标完成了吗", "600家的目标实现了没有", "达标了吗": asked as the gap to the target (离目标还差多少)
# "（实际）完成得怎么样了", asked after a target
DONE_HOW = re.compile(r"(?:实际)?(?:完成|达成|实现)(?:得|的)?(?:情况)?(?:怎么样|如何|咋样)了?")
TARGET_MET_ASK = re.compile(r"(?:\d+(?:\.\d+)?\s*(?:万|亿)?[家个项名人位%元]*的?)?(?:这个|既定|规划)?目标"
                            r"[^，,。？?]{0,6}?(?:完成|实现|达到|达成|做到|达标)(?:了|得)?(?:吗|没有?|怎么样|如何)"
                            r"|(?:完成|实现|达到|达成)了?(?:这个|既定|规划)?目标了?(?:吗|没有?)|达标了?(?:吗|没有?)")

# Which of the figures the asker quotes holds: "以哪个为准", "哪个是最新的", "哪个对".
WHICH_FIGURE = re.compile(r"(?:到底|究竟)?(?:应该)?(?:以|按)?哪(?:一)?个(?:是|才是)?(?:最新的?|为准|对|准确?|正确|靠谱)")
QUOTED_FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:万|亿)?([家个项名人位%元]*)(?![年\d.])")
WHO_SAID = re.compile(r"(?:看到|听说|见到|见过)?(?:有的|有人|一份|另一份|有份|有篇|材料里|资料里|文章里)[^，,？?]{0,4}?说")

# What the asker recalls or has heard, after the question: "，我记得比乙市少" (not "我记得…是多少吗").
RECALLED = re.compile(r"[，,]\s*(?:我|我们)?(?:记得|印象中|印象里|好像|听说|感觉)(?:[^？?多几哪吗]|几年)*[。.！!]?$")

# "几篇材料说法不一样": a remark that sources differ (the answer lists each figure anyway)
# "182、283、418，分别是啥时候的口径": figures the asker lists, asking when (or where) each is from
QUOTED_FIGURES_WHEN = re.compile(r"(?:的数|的数字)?[：:，,]?\s*\d+(?:\.\d+)?[家个项亿万元%]*(?:\s*[、，,/和]\s*\d+(?:\.\d+)?[家个项亿万元%]*)+"
                                 r"[，,]?\s*(?:分别|各)(?:是|为)?(?:啥|什么|哪)(?:时候|年|一年|个时候)(?:的)?(?:口径|数|数字|数据)?"
                                 r"|(?:分别|各)(?:出自|来自)(?:哪|什么)")
SOURCES_DIFFER = re.compile(r"[，,]\s*(?:几|各|不同|好几|两|这几|那几)(?:篇|份|个)?(?:材料|资料|文章|报道|文件|来源)(?:里|中|上)?"
                            r"(?:的)?(?:说法|数字|数据|口径|写的|说的)?(?:都)?(?:不一样|不同|不一致|有出入|对不上)[，,]?")
# "几份材料里甲市小巨人的家数对不上": the remark around the subject of the figure
SOURCES_AROUND = re.compile(r"^(?:几|各|不同|好几|两|这几|那几)(?:篇|份|个)(?:材料|资料|文章|报道|文件|来源)(?:里|中|上)?"
                            r"(?P<subject>[^，,。？?]{2,20}?)(?:的)?(?:家数|数字|数据|说法|口径|数)(?:都)?"
                            r"(?:不一样|不同|不一致|有出入|对不上)")
# "，是什么时候的口径": when each figure is from, which a figure answer says of each
WHEN_OF_FIGURE = re.compile(r"[、，,]?(?:都|分别|各)?(?:是)?(?:什么时候|啥时候|哪一?年|哪个时间段?|何时)的(?:口径|数据|数字|数|统计)")
# "别和全国第一的搞混": a warning about what is not meant, asking nothing
NOT_TO_MIX = re.compile(r"[，,？?。]\s*(?:别|不要|可别|千万别)(?:和|跟|与|同)?[^，,。？?]{1,16}?(?:搞混|弄混|混淆|搞错|混了)"
                        r"[了吧啊呀哦]?[。？?！!]?$")
# An aside that says what is NOT meant: "一共有多少家（不光是重点那种）".
ASIDE = re.compile(r"（即[^（）]*）")  # what the asker added after the question (preamble.the_question)
QUOTED = re.compile(r"“[^“”]{2,30}”|「[^「」]{2,30}」|『[^『』]{2,30}』")  # a phrase the asker quotes
NEGATED_ASIDE = re.compile(r"[（(]\s*(?:不光|不只|不仅|不单|不是|不算|不含|不包括|除了|除去|并非)[^（）()]{0,30}[）)]")

# "，几个数都列一下", "把这几个数字都给出来": list the figures (a figure answer does), count nothing.
FIGURES_LISTED = re.compile(r"[，,]?(?:把|请)?(?:这|那)?几个(?:数字|数据|数)(?:都|分别|全)?(?:列|说|给|写)?(?:一下|出来|下|一列)?|"
                            r"[，,？?]?(?:按|照)?(?:材料|资料|文章)?里?的?(?:数字?|数据)?(?:给我|帮我)?"
                            r"(?:捋一捋|捋捋|理一理|理理|梳理一下|列一列)")
# Two figures offered to choose from: "是200家还是600家" asks which figure it is.
EITHER_FIGURE = re.compile(r"是?\d+(?:\.\d+)?\s*(?:万|亿)?[家个项名人位%元]+还是\d+(?:\.\d+)?\s*(?:万|亿)?[家个项名人位%元]+")

# "多孵几个", "多培育几家": a few more, not "how many".
A_FEW_MORE = re.compile(r"多([\u4e00-\u9fff]{1,2}?)几[个家项名位批]")

# A leading phrase that names a source ("某报那篇评论里"), not a scope of what is counted.
SOURCE_NAMED = re.compile(r"论文|评论|报告|专报|报道|文章|材料|资料|文件|版面|那篇|那份|这篇|这份")

# A leading scope: "2022年该市规上工业中，国有企业的增加值增长多少" asks about 国有企业.
FRAME = re.compile(r"^(?:在|从)?([^，,。？?]{2,24}?)(?:之中|当中|中|里|方面)(?:[，,]|(?=有?(?:多少|几)))")  # 甲里有多少家是乙


SCOPED_RANK = re.compile(r"(?:全国|全球|全省|全市|世界|国内|国际|行业)第[一二三四五六七八九十\d]+")


# the asker's word for the place's government (评上了市里奖多少) or for the figure itself (最新数字是多少):
# not what is measured
ASKERS_WORDS = re.compile(r"(?:市|省|区|县)里(?:面|头)?|当地(?:政府)?(?=给|奖|补|发|会|能|一次性|再)|咱们?(?:市|省|区)?|我们(?:市|省|区)?|(?<=[\u4e00-\u9fff])[那这]边"
                          r"|手(?:上|里|头)(?:有|握着?)?(?=\s*(?:到底|一共|总共|现在|目前)?\s*(?:有|是)?\s*(?:多少|几))"  # 手上有几家
                          r"|(?:数字|数据|准数|(?:准确|确切|精确)的?(?:数字?|数据)?|(?<=[值额入金补出])总[量额]"
                          r"|(?<=最新|最近|具体|实际|现在|目前)的?数)"
                          r"(?=\s*(?:是|有|为|达到?)?\s*(?:多少|几))"
                          # 最新数字是多少, 准数是多少, 增加值总量是多少: the figure asked (not 经济总量, a measure)
                          r"|(?<=年)全年|^全年"  # 2022年全年: the year's figure, said twice
                          r"|^(?:听说|据说|听人说)"  # hearsay that opens the question
                          r"|来着")  # 奖多少钱来着: the asker trying to recall, no measure


# An amount the asker recalls in Chinese numerals (七千多亿, 一万多亿, 三千八百亿), and the way it went
RECALLED_AMOUNT = re.compile(r"(?:一路)?(?:增至|涨到|增长到|升至)?[一二三四五六七八九十两][零〇一二三四五六七八九十两百千万亿]*"
                             r"[多几]?个?[多几]?[百千万亿]+(?:元|家|个)?")  # 七千多亿, 五个多亿, 三十几个亿


MONTH_SAID = re.compile(r"(?<![\d.])\d{1,2}\s*月(?:底|末|份|初|上旬|中旬|下旬)?"
                        r"|(?<=年)[底末初中]|那会儿?|那时候?")  # 2024年年末那会儿: when, not what


def _measure_words(text: str, places: Sequence[str], profile: Profile, kind: str = "",
                   kept: Sequence[str] = ()) -> tuple[str, ...]:
    """The question's words that say what is measured (less the asked kind's own
    words: 占比 in 占比多少, not 占有率 in 占有率第一的企业有多少家), less the places
    but those ``kept`` (where someone went: 去乙国的那批人 are measured by it)."""
    text = _without_apposition(text)
    core = QUESTION_WORDS.sub(" ", YEAR.sub(" ", ASKING.sub(" ", TREND_WORDS.sub(" ", ASKERS_WORDS.sub(" ", text)))))
    core = RECALLED_AMOUNT.sub(" ", core)  # "从七千多亿涨到一万多亿": the asker's recollection, not a measure
    core = MONTH_SAID.sub(" ", core)  # 9月底: when, not what
    for rx in (*TIME_CUES.values(), *([MEASURE_KINDS[kind]] if kind else [])):
        core = rx.sub(" ", core)
    scoped = SCOPED_RANK.findall(core)  # 全国第一 is not 全球第一: one word
    core = SCOPED_RANK.sub(" ", core)
    for p in sorted({*places, *profile.places} - set(kept), key=len, reverse=True):
        core = core.replace(p, " ")
    toks = [*scoped, *(w for seg in core.split() for w in _merge_singles(_expanded(words(seg))))]
    toks = [w[:-1] if len(w) > 1 and w.endswith("了") else w for w in toks]  # 一共发了多少: 发, no measure
    out = [w for w in toks if (len(w) >= 2 or w.isdigit()) and w not in GENERIC_NOUNS and w not in CHANGE_VERBS
           and w not in RECALLING and w not in DISAGREEING and not POINTING.match(w)]
    # GDP总量, 出口总额: the total of the measure before it, no measure of its own
    out = [w for i, w in enumerate(out) if not (w in TOTAL_WORDS and i and f"{out[i - 1]}{w}" in text.lower())]
    return tuple(dict.fromkeys(out))


# 甲乙科技那个做靶材的，营收多少: what the asker says of a company already named, not what is measured
APPOSITION = re.compile(r"(?:那个|那家|这个|这家)[^，,。？?；;！!]{1,14}?的(?=[，,？?；;！!])")


def _without_apposition(text: str) -> str:
    """The text less a description that follows a name (names_in: jieba's proper-noun tags)."""
    found = list(APPOSITION.finditer(text))
    names = names_in(text) if found else ()  # tagging only when there is something to drop
    for m in reversed(found):
        if any(text[: m.start()].endswith(n) for n in names):
            text = text[: m.start()] + text[m.end():]
    return text


FUNCTION_CHARS = set("的了在是有和与及说里把被对从到为以于就也都而且或很更最这那其之年月日家个项名人")
CHANGE_VERBS = {"增长", "增加", "变化", "发展", "提高", "提升", "达到", "实现", "变成", "拥有"}
# the asker remembering, hearing or reading (我记得是在报告里看到的, 我印象里是83家): never what is measured
RECALLING = {"记得", "记着", "记忆", "印象", "看到", "看过", "见过", "听说", "听到", "听过", "以为", "觉得", "感觉"}
# the asker saying the sources disagree (几篇文章说法不一样): about the sources, not the figure
DISAGREEING = {"说法", "一样", "不一样", "一致", "不一致", "对不上", "打架", "统一", "不统一", "矛盾"}
POINTING = re.compile(r"^[这那哪][个条些种类块项位]$")  # 这条产业链: which one, not what


def _merge_singles(tokens: Sequence[str]) -> list[str]:
    """Runs of single Han characters the tokenizer could not place (极/氪) as one word (极氪)."""
    out: list[str] = []
    run = ""
    for t in [*tokens, ""]:
        if len(t) == 1 and "\u4e00" <= t <= "\u9fff" and t not in FUNCTION_CHARS:
            run += t
            continue
        if len(run) >= 2:
            out.append(run)
        run = ""
        if t:
            out.append(t)
    return out


LIST_CUES = re.compile(r"有哪些|哪些|哪几|包括|包含|措施|做法|举措|建议|启示|经验|途径|路径|方面|几个方面|几种|列举")
REASON_CUES = re.compile(r"为什么|为何|原因|why|怎么做到|怎样做到|如何做到|靠什么|凭什么|得益于|关键|怎么|如何|怎样")
COMPARE_CUES = re.compile(r"各有|各自|各(?:是|为)?(?:多少|几)|分别|相比|比较|差了?多少|相差|多多少|少多少|高多少|[多少高低]了?几|对比|哪个多|谁多|差距|"
                          r"(?:和|跟|同|与).{1,8}比")


GROWS = re.compile(r"涨|增长|增加|减少|下降|变多|变少|多起来|翻番|翻了")
ASKS_NUMBER = re.compile(r"多少|(?<![哪这近前十好])几[家个项名人位种批次年岁]|第几|百分之|比重|占比|排名")
ASKS_FIGURE = re.compile(r"多少|(?<![哪这近前十好])几[家个项名人位种批次年成岁]|第几|百分之几")  # 为什么占比还很小 asks a reason
ITEMS_ASKED = re.compile(r"(?:分别|各)(?:是|有|为|指)(?:什么|啥|撒|哪些|哪几)|几大")
WHY = re.compile(r"为什么|为何|原因|怎么做到|怎样做到|如何做到|靠什么|凭什么|靠的是什么|凭的是什么")


def _shape(text: str, kinds: Sequence[str], places: Sequence[str], n_parts: int) -> str:
    if WHY.search(text) and not ASKS_FIGURE.search(text):
        return "reason"  # "小巨人数量为什么增长得快": a reason, though it names a count
    if (LIST_CUES.search(text) and re.search(r"哪些|哪几", text) or ITEMS_ASKED.search(text)) \
            and not ASKS_NUMBER.search(text):
        return "list"  # "有哪几种", "形成了几大特色，分别是啥": the items, not their number
    figure = any(k in kinds for k in ("count", "percent", "rank"))
    if figure and len(places) >= 2 and COMPARE_CUES.search(text):
        return "compare"
    if figure and n_parts == 1:
        return "figure"
    if TIME_CUES["trend"].search(text) and n_parts == 1 and (
            figure or any(rx.search(text) for rx, _ in UNIT_WORDS) or GROWS.search(text)):
        return "figure"  # "这几年数量怎么变化", "这些年是怎么一步步涨上来的": the series of a figure
    if REASON_CUES.search(text) and not figure:
        return "reason"
    if LIST_CUES.search(text) and not figure:
        return "list"
    return "fact"


def _kinds(text: str) -> tuple[str, ...]:
    kinds = tuple(k for k, cues in KIND_CUES.items() if any(c in text for c in cues))
    if "count" in kinds and MEASURE_KINDS["share"].search(text) and not COUNT_ASKED.search(text):
        kinds = tuple(dict.fromkeys("percent" if k == "count" else k for k in kinds))  # 占GDP多少: a share
    if "percent" in kinds and COUNT_ASKED.search(text) and not re.search(r"百分之|几成|多少%", text):
        kinds = tuple(k for k in kinds if k != "percent")  # 占有率第一的有多少家: a count
    if "rank" in kinds and "percent" in kinds and RANK_ASKED.search(text) \
            and not re.search(r"百分之|多少%|(?:多少|几成)(?![^，,。？?]*第几)", text):
        kinds = tuple(k for k in kinds if k != "percent")  # 市场份额排第几: the rank, not the share
    if SAID_ASK.search(text) and not re.search(r"多少|几", text):  # "…数量相对较少，是谁说的": a speaker
        kinds = tuple(k for k in kinds if k not in ("count", "percent", "rank"))
    if "year" in kinds and "count" in kinds and not re.search(r"多少|几(?!年)", text):
        kinds = tuple(k for k in kinds if k != "count")  # 哪一年经济规模上万亿: a year, not a count
    return kinds


SAID_ASK = re.compile(r"谁(?:说|讲|提出|表示|认为|指出|建议)")  # who said what the question quotes
PEOPLE_THEN_VERB = re.compile(r"(?:多少|几)\s*(?:名|个)?\s*(?:人|名|位)\s*(?:去|来|到|赴|在|参加|参与|从事|负责|前往|奔赴)")
SENT_PEOPLE = re.compile(r"(?:派|派出|选派|外派|招|招了|招聘|带|带了|组织|安排|抽调|动员)了?\s*$")  # who were sent
ASKED_PEOPLE = re.compile(HOW_MANY + r"\s*(?:个|名|位)?\s*(?:人|名|位)")
MONEY_ASK = re.compile(r"多少\s*(?:万亿|亿|万)?\s*(?:元|钱|资金|美元)")


TITLE_WORDS = {"称号", "头衔", "荣誉", "荣誉称号"}


def _counted(text: str) -> str | None:
    """The noun a count question counts: after "多少家…", else before "有/是多少"."""
    m = re.search(HOW_MANY + r"\s*[家项名人位个种部台亿万元]*([^，,。？?]*)", text)
    if not m or MONEY_ASK.match(text, m.start()):
        return None  # 拿出多少钱帮扶企业: an amount, not a count of 企业
    if PEOPLE_THEN_VERB.match(text, m.start()) or (SENT_PEOPLE.search(text[:m.start()])
                                                   and ASKED_PEOPLE.match(text, m.start())):
        return None  # 派了多少人去墨西哥建厂, 去墨西哥建厂派了多少人: people are counted; 建厂 says what for
    from rag.tokenize import is_content_word

    def nouns(part: str) -> list[str]:
        return [w for w in words(part) if len(w) >= 2 and w not in GENERIC_NOUNS and not w.isdigit()
                and is_content_word(w) and not is_adverbial(w)]

    following = words(m.group(1))[:1]
    if following and following[0] in ("企业", "公司"):
        return following[0]  # 组织了多少企业出海参展: companies are what is counted
    after = nouns(before_first_verb(m.group(1)))  # what is counted, not where they went
    if after and after[-1] in TITLE_WORDS:
        return None  # 多少块单项冠军的称号: the holders are counted, and the word before says which
    if after:
        return after[-1]  # the head noun comes last: 市级以上的研发平台 → 平台
    before = nouns(re.sub(r"[这那此该本]一?[批次期届轮]", " ", text[: m.start()]))  # 这一批 is no noun
    before = [w for w in before if w not in AMOUNT_WORDS  # 奖励标准是多少: the 奖励, not a count of 标准
              and w not in TOTAL_WORDS]  # 合计到多少家, GDP总量: the total counts nothing (评出来几家 says which)
    return before[-1] if before else None


AMOUNT_WORDS = {"标准", "额度", "金额", "数额", "力度"}
TOTAL_WORDS = {"合计", "总计", "共计", "累计", "加起来", "一共", "总共", "总数", "总量", "总额", "总值", "总规模"}


def ordinals(text: str) -> set[str]:
    """Normalised ordinals such as 第4批 (from 第四批 or 第 4 批)."""
    from rag.numbers import cn_to_int

    out = set()
    for num, unit in ORDINAL.findall(text):
        value = num if num.isdigit() else str(cn_to_int(num))
        out.add(f"第{value}{unit}")
    return out


# Where a clause stops naming whose figure it is and starts asking (目标数和实际数各是多少) or
# recalling (小巨人不是定了…600家嘛)
ASKING_STARTS = re.compile(r"不是|目标|实际|现在|目前|如今|当前|(?:的)?(?:是|有)?(?:多少|几)|各|分别")


# "做溅射靶材的", "生产光学镜头的": what a company named next does, said to point at it
DOES_WHAT = r"(?:做|生产|制造|造|搞|产|研发|主营)[^，,。？?的]{1,12}的"


def _names_undescribed(text: str, profile: Profile) -> str:
    """The question without what a company it names does ("做溅射靶材的甲乙电子，营收多少"
    asks 甲乙电子's turnover, not one of 溅射靶材)."""
    names = [re.escape(t) for t, pos in profile.terms if pos == "nt" and t in text]
    if not names:
        return text
    return re.sub(DOES_WHAT + f"(?=(?:{'|'.join(names)}))", "", text)


SHORT_BY = re.compile(r"还差(?:多少|几)|差(?:多少|几)(?:家|个|项)?[？?]?$")
SET_FOR = re.compile(r"(?:给|为|对)?(\d{4}年)?(?:定|定下|制定|提出|设定|设)的")


def _one_gap_question(text: str) -> str:
    """"甲市小巨人现在实际有多少，离目标还差多少？" as one question, "甲市小巨人离目标还差
    多少": its answer states the latest figure, the target and the gap, each cited."""
    clauses = [c for c in re.split(r"[，,？?；;]", text) if c.strip()]
    gap = next((i for i, c in enumerate(clauses) if TO_TARGET.search(c)
                or (i and "目标" in clauses[0] and SHORT_BY.search(c))), 0)  # "目标多少？跟实际数相比还差多少"
    if gap == 0 or not all(ASKS_FIGURE.search(c) or "嘛" in c for c in clauses[:gap]):
        return text
    cut = ASKING_STARTS.search(clauses[0])
    subject = clauses[0][: cut.start() if cut else len(clauses[0])].rstrip("的 ")
    subject = SET_FOR.sub(r"\1", subject)  # "甲市给2025年定的单项冠军" → "甲市2025年单项冠军"
    return f"{subject}离目标还差多少？" if len(subject) >= 2 else text


# "是多少、最新是多少": the same figure asked again, no part of its own
BARE_ASK = re.compile(r"[，,、\s]*(?:最新|现在|目前|到底)?(?:的)?(?:是|有)?(?:多少|几)[家个项]?[，,、？?\s]*")
# "…多少家？要最新的数": how the figure should be given, asked of the question before it
HOW_GIVEN = re.compile(r"[，,\s]*(?:请|麻烦)?(?:要|给(?:我|个)?|说|报)?(?:个|一下)?(?:最新|最近|准确|具体|确切|精确)"
                       r"(?:的|点|一点|些)?(?:数|数字|数据|口径)?(?:就行|就好|即可|吧)?[，,。.！!\s]*")


# a figure or a date asked: "哪年成立的，又是哪年上市的" asks two dates
FIGURE_OR_DATE = re.compile(ASKS_FIGURE.pattern + r"|哪一?年|什么时候|何时|几几年")


def _asked_parts(text: str) -> list[str]:
    """The sub-questions: split at ？ and ；, and at a comma with a figure or date asked on
    both sides ("GDP多少，增速多少", "哪年成立，哪年上市", not "截至去年底，有多少家")."""
    out = []
    for piece in re.split(r"[？?；;]+", text):
        run = ""
        for clause in re.split(r"(?<=[，,、])", piece):  # "多少家企业、几个国家": two figures
            if run and FIGURE_OR_DATE.search(run) and FIGURE_OR_DATE.search(clause) \
                    and not BARE_ASK.fullmatch(run.split("，")[-1]) and not BARE_ASK.fullmatch(clause):
                out.append(run.rstrip("，,、"))
                run = ""
            run += clause
        if run.strip() and out and HOW_GIVEN.fullmatch(run):
            out[-1] = f"{out[-1]}，{run.strip()}"
        elif run.strip():
            out.append(run)
    return [p for p in out if p.strip()]


def _part(text: str) -> Part:
    # "（即论文里说全国第一那时候）" says which figure, asks no rank; “几家抱团一起研发” that the
    # asker quotes describes something, it asks no count
    asked = QUOTED.sub("", ASIDE.sub("", text))
    m = ASKED_UNIT.search(asked)
    kinds = _kinds(asked)
    return Part(text.strip(), kinds, m.group(1) if m else None,
                _counted(asked) if "count" in kinds else None)


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # control characters, not \t or \n


def check_question(question: str, limit: int) -> str:
    """The question stripped of control characters (terminal escape codes among them);
    raises EmptyQuestionError, QuestionTooLongError or InvalidTextError."""
    try:
        (question or "").encode("utf-8")
    except UnicodeEncodeError:  # undecodable argv bytes arrive as lone surrogates
        raise InvalidTextError() from None
    q = CONTROL.sub("", question or "").strip()
    if not q:
        raise EmptyQuestionError()
    if len(q) > limit:
        raise QuestionTooLongError(len(q), limit)
    return q


def given_numbers(q: Question) -> tuple[str, ...]:
    """The question's numbers that are neither a year nor a month (119 in "119家是哪年的
    数"): a figure the asker gives, which the answer is about rather than one to look up
    ("2025年9月末…余额多少" gives none: its 9 is a time)."""
    years = {str(y) for y in q.years}
    return tuple(n for n in dict.fromkeys(NUMBER.findall(MONTHS.sub("", q.text))) if n not in years)
