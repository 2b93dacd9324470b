"""Every word list the assistant reads questions and sentences with, and the patterns built from them.

One place for each concept: the question reader, the follow-up condenser, the answerer and the
tokenizer used to keep their own copies of the question words, measure words and pointing-back
words, and the copies drifted apart. Here each concept is listed once and each pattern is built from
its list once, at import. No plan fact lives here (no region, period name or year of a plan): those
come from the plan's profile (``index/profile.py``). Meaning, not these lists, decides whether the
plan answers (embeddings, hypothetical questions, the scope model); the lists only tell *how* a
question asks (a figure, a date, a list) from *what* it is about.
"""
from __future__ import annotations

import re
from collections.abc import Iterable


def any_of(words: Iterable[str]) -> str:
    """A regex alternation of literal words, longest first (so '这方面' wins over '这')."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _split(words: str) -> tuple[str, ...]:
    return tuple(words.split())


# -- numbers and dates -------------------------------------------------------------------------
YEAR = re.compile(r"(?:19|20)\d{2}")
# A year and its 年 as one word, captured: a question is split at it before segmentation, which would
# otherwise glue 年 to what follows (「到Y年定的」 → 「年定」).
YEAR_WORD = re.compile(rf"((?<!\d)(?:{YEAR.pattern})年)")
CN_DIGITS = "一二三四五六七八九十"
CN_ORDINAL = {c: i for i, c in enumerate(CN_DIGITS, start=1)}  # '第三条' → 3
# How Chinese names a five-year period ('十N五', quoted or not): the form, not any one plan's period.
FIVE_YEAR_NAME = r"“?十[一二三四五六七八九]五”?"

# A year said with two digits (「到25年」「从15年到20年」); not a span of years (「住了20年」「近20年」「20年来」
# 「20多年」「20年前」) nor a decade (「90年代」). A plan's profile tells which century and years are meant.
TWO_DIGIT_YEAR = re.compile(r"(?<![\d.年了过近这几多每十百])(\d{2})年(?![代来间多前后半以内])")

# What in a plan's sentence answers a date, a duration or an ordinal question.
WHEN_S = re.compile(rf"{YEAR.pattern}|\d+月|年底|年内")
# A paragraph that opens with its horizon ('展望Y年,…', '到Y年,…') dates every sentence in it.
LEAD_WHEN = re.compile(rf"^(?:展望|到|至|截至)?{YEAR.pattern}年")
DURATION_S = re.compile(rf"[{CN_DIGITS}两\d]+(?:个)?(?:年|月|周|星期|天|工作日|日|小时)")
ORDINAL_S = re.compile(rf"第[{CN_DIGITS}百\d]+")

# -- how a question asks -----------------------------------------------------------------------
# Words that make a sentence a question: a piece of text holding none asks nothing.
QUESTION_WORDS = _split("什么 啥 哪 多少 几 吗 怎么 咋 如何 怎样 是否 有没有 能否 会不会")
ASKING = re.compile(any_of(QUESTION_WORDS))
# A sentence that ends in a question mark asks, whatever its words (「…提了没？」).
ENDS_ASKING = re.compile(r"[?？]\W*$")
# Everyday and northern forms of the question words ('啥时候', '咋办', '多会儿'): how a question asks is read
# from its standard form, so that every pattern below is written once, in that form.
COLLOQUIAL_ASK = {"啥": "什么", "咋": "怎么", "多会儿": "什么时候", "多咱": "什么时候", "几时": "什么时候",
                  "哪会儿": "什么时候", "哪儿": "哪里", "哪旮旯": "哪里"}
COLLOQUIAL = re.compile(any_of(COLLOQUIAL_ASK))


def standard_ask(text: str) -> str:
    """``text`` with everyday question words in their standard form (for reading how it asks)."""
    return COLLOQUIAL.sub(lambda m: COLLOQUIAL_ASK[m.group(0)], text)


# How-long words: a duration, not a date, answers them.
HOW_LONG_WORDS = _split("多久 多长时间")
# Words that say *how* a question asks, never what about ('哪几个', '包括'): never a subject word.
ASK_FORM = re.compile(rf"哪|什么|啥|多少|多大|^几|^包[括含]|{any_of(HOW_LONG_WORDS)}")
# Measure words of a count ('几所', '多少家'); the units a figure question may ask in.
COUNT_MEASURES = _split("个 所 家 条 项 座 处 张 名 户 次 眼 支 件 台 辆 位 间 栋")
UNITS = COUNT_MEASURES + _split("亿元 万元 万平方米 平方米 平方公里 万人次 人次 万人 公里 千米 元 钱 人 亩 套 微克 吨 千瓦 "
                                "立方米")
# A magnitude between the ask and its unit ('多少亿吨', '几万元'): part of the asked unit.
MAGNITUDE = "[十百千万亿]*"
# A count asked in the plan's measure words counts the plan's other words for the same things.
SAME_UNIT = {"名": "名|人", "人": "人|名", "个": "个|家|所|座|处|项|条"}
RATE_WORDS = _split("百分之 比例 比重 占比 百分比 率")
# 「多大」 asks a size or an age (「做到多大」「管到多大岁数」) as 「多少」 asks an amount. The 几 of 「哪几」「第几」
# and of 「好几」 (several: 「好几百个」 tells, it does not ask) is no figure asked.
QUANTITY = re.compile(rf"多少|多大|(?<![哪第那这好])几(?:{any_of(COUNT_MEASURES + ('万', '亿', '成', '倍'))})"
                      rf"|{any_of(RATE_WORDS[:-1])}|(?:率|幅度)(?:是|为|要|能|会|达到|控制在)*(?:多少|几)")
ASKED_UNIT = re.compile(rf"(?:多少|(?<![哪第那这好])几)({MAGNITUDE}(?:{any_of(UNITS)}))")
# A figure asked per person, household or span of time ('每人每月', '人均'): a total does not answer it, and
# a sentence answers it only with a figure given per something (每…, 人均…, …/年).
PER_ASK = re.compile(rf"每(?:个)?(?:人|户|月|天|年|千人|万人|平方公里)|人均")
PER_S = re.compile(r"每|人均|[日月年]均|/|(?<![\d年月])[日月](?=[\u4e00-\u9fff]{1,3}\s*\d)")  # …, 「日处理N吨」
RATE = re.compile(any_of(RATE_WORDS))
# (not the 几 of an indefinite span of time: 「前几年」「这几年」 ask nothing, and 「前年」 would be another year)
COUNT_ASK = re.compile(rf"有?(多少|(?<![前近这那头好])几(?!年))[{''.join(COUNT_MEASURES)}万亿元人]?")
HOW_LONG = re.compile(any_of(HOW_LONG_WORDS))
TIME_ASK = re.compile(rf"{any_of(('什么时候', '何时', '几月', '期限', '时间表', '截止') + HOW_LONG_WORDS)}|哪[一两几]?年")
ORDINAL_ASK = re.compile("第几")
# Details finer than a plan states, asked in everyday words: each kind names the words that ask for it and
# the evidence a sentence must hold to answer it (a plan gives years and targets, rarely a phone number, a
# clock time, a day, a bus route or a street address: the question is then in scope but not in the plan).
DETAIL_ASKS: dict[str, tuple[tuple[str, ...], str, str]] = {
    # kind: (question words, evidence in the sentence, what the abstention says the plan does not give)
    "phone": (_split("电话 热线号码 联系方式 手机号 号码是多少"), r"\d{5,}", "联系电话"),
    "clock": (_split("几点 营业时间 开放时间 几点钟 上班时间"), r"\d{1,2}\s*(?:[:：]\d{2}|点|时)", "具体钟点"),
    "day": (_split("哪天 哪一天 几月份 哪个月 几月几号 几号开始 具体日期 具体哪天"), r"\d{1,2}\s*[月日]", "具体日期"),
    "route": (_split("几路 几号线 哪路车 坐什么车 坐几路 怎么坐车"), r"\d+\s*(?:路|号线)", "公交地铁线路"),
    # (not 「哪条路」: which road a named corridor follows is a road the plan may name)
    "address": (_split("门牌 地址 几号院 街几号 路几号 在哪里办 上哪里办 去哪里办 在哪办 去哪办 上哪办 去哪里申请 "
                       "去哪申请 上哪里申请"), r"\d+\s*号(?!线)|地址", "具体地址和办理地点"),
    "zone": (_split("划片 招生范围 对口学校 对口小学 对口初中 按片 片儿划 划到哪"), r"划片|招生范围|对口(?:学校|入学|小学|初中)", "学校招生划片范围"),
    "procedure": (_split("什么材料 哪些材料 什么手续 哪些手续 办理流程 申请流程 办事流程 怎么申请 如何申请 要带什么 "
                         "申请条件"), r"材料|手续|流程|申请条件", "办理手续和材料"),
}
DETAIL_ASK = {kind: re.compile(any_of(words)) for kind, (words, _, _) in DETAIL_ASKS.items()}
DETAIL_EVIDENCE = {kind: re.compile(evidence) for kind, (_, evidence, _) in DETAIL_ASKS.items()}
DETAIL_LABEL = {kind: label for kind, (_, _, label) in DETAIL_ASKS.items()}
WHO_ASK = re.compile(any_of(_split("谁 叫什么名字 姓名 哪位")))
# ('哪三条产业带': which N things, a list of a stated size)
LIST_ASK = re.compile(any_of(_split("有哪些 哪些 哪几 包括 包含 都有 分别 几个方面 主要任务 重点任务 几大"))
                      + rf"|哪[两{CN_DIGITS[1:]}]")
# A count a list question states (「哪三条」「九个…」「五种」): two or more of a kind, never an ordinal (第三个);
# and the characters of a set's name that only say how many (「九大」「5种」), not what kind of set it is.
SET_MEASURE_WORDS = COUNT_MEASURES + _split("大 种 类 样")
ASKED_SET_COUNT = re.compile(rf"(?<![\d第])([两{CN_DIGITS[1:]}]{{1,3}}|\d{{1,2}})(?:{any_of(SET_MEASURE_WORDS)})")
COUNT_CHARS = frozenset(CN_DIGITS + "两百千" + "".join(SET_MEASURE_WORDS))
# The kind of thing a list question asks for: '打造哪几类楼宇群' → '楼宇群', '紧盯哪些企业' → '企业'.
LIST_HEAD = re.compile(r"(?:哪些|哪几[类个项种条方面大]?|几大|哪[类种])([\u4e00-\u9fff]{2,6}?)(?:呢|吗|啊)?(?:[？?，,。；;、]|$)")
DEFINE_ASK = re.compile(any_of(_split("什么意思 啥意思 指什么 指啥 是指 含义 指的是 是什么 是啥 什么是 解释")))
# Phrases that ask about a topic in general (the ask a bare follow-up like '那养老呢？' borrows).
ASK_PHRASES = _split("有什么规划 有哪些规划 怎么规划 有什么目标 目标是多少 目标是什么 有哪些措施 有什么措施 "
                     "有哪些 有什么 是多少 多少 是什么 怎么样 怎么办 如何")
# ... and the words around them that frame the ask rather than name its topic.
ASK_FRAME_WORDS = ASK_PHRASES + _split("具体 主要 目标 任务 措施 举措 要求 方面 情况 内容 指标 什么时候 何时 哪年 "
                                       "为什么 达到 什么 哪些 怎么 规划 计划 打算 规划里")
# Words that tell a target from a result, in a question and in a plan's sentence; a plan's own period
# names and years are added from its profile.
FUTURE_WORDS_Q = _split("未来 今后 以后 将来 往后 要达到 目标 计划 打算")
PAST_WORDS_Q = _split("五年来 过去 以来 已经 建成了 新增了 了多少 了几 做到了 取得")
FUTURE_WORDS_S = _split("力争 将 预计 确保 计划 要 未来五年")
PAST_WORDS_S = _split("五年来 累计 先后 已 建成 完成 实现了 达到了")
FUTURE_S = rf"到20\d\d年|{any_of(FUTURE_WORDS_S)}"
PAST_S = any_of(PAST_WORDS_S)
# Words that ask or frame rather than name what a question is about.
GENERIC = frozenset(
    "多少 什么 哪些 哪个 哪里 哪儿 怎么 怎样 如何 是否 有没有 会不会 能不能 可不可以 吗 呢 目标 达到 要求 期间 时期 "
    "现在 以后 将来 未来 今后 往后 打算 计划 规划 提到 说 区里 区 我们 咱们 "
    "一下 具体 主要 情况 方面 问题 内容 举措 措施 有关 相关 一共 总共 大概 左右 以上 以内 之前 以前 分别 "
    "要 会 能 多 几 年 到 个 这块 那块 一些 哪年 哪一年 时候 何时 是 为 的 里 中 了 "
    "任务 工作 重点 建成 新建 达到 实现 完成 提出 展望 提供 打造 希望 想要 听说 觉得 知道 告诉 请问 需要 应该 还有 还要 有没有 "
    "全区 截至 截止 时期 时间 节点 时间节点 年份 起止 根据 按照 本规划 为何 说法 提法 表述 目标值 期末 "
    "增加 增加到 提高 提高到 增长 增长到 提升到 减少 下降 降低 降到 从 数量 数目 总数 涉及".split()
)

# -- conversation ------------------------------------------------------------------------------
# Words that point back at the earlier turn ('它的目标', '那些井', '到时候').
THEN_WORDS = _split("那时候 那时 到时候 届时")
POINTING_BACK = _split("它们 它 其 这个 那个 这些 那些 这块 那块 这方面 那方面 这一项 该项 该 上述 前者 后者 "
                       "同一时期 同期 这类 那类 这种 那种 此类 那边 那里 当时") + THEN_WORDS
REFERS_BACK = re.compile(f"({any_of(POINTING_BACK)})")
THEN = re.compile(any_of(THEN_WORDS))
# Words that open a follow-up ('那养老呢？', '还有呢？'); a bare 那 opens one, but 那边/那些/那个… point back.
FOLLOW_UP_OPENERS = _split("那么 还有 另外 再问一下 再问 然后 以及 其中 还 请问")
LEADING = re.compile(rf"^({any_of(FOLLOW_UP_OPENERS)}|那(?![边里儿个些块时样种类]))[,，、\s]*")
SENTENCE_PARTICLES = _split("呢 吗 啊 呀 吧")
TRAILING = re.compile(rf"({any_of(SENTENCE_PARTICLES)})?[?？。!！\s]*$")
# An ordinal that picks an item of the previous answer ('第二条', '你说的最后那个'); not one that picks a
# time ('最后那年', '第一年': a year, a day or a month of something).
ORDINAL_PICK = re.compile(rf"(?:你说的)?(?:第([{CN_DIGITS}\d])|(最后)一?)(?!一?[那这]?[年天月日周季期])[那这]?(?:个|条|项|点|种|类)?")
TIME_PREPOSITIONS = _split("到 在 截至 截止")  # '到Y年', '截至Y年底'
TIME_EXPR = re.compile(rf"(?:{any_of(TIME_PREPOSITIONS)})?(?:{YEAR.pattern}年?(?:末|底)?|{FIVE_YEAR_NAME}(?:末|期末|期间|时期)?)")
# What is left of a question that names only a time ('那到Y年呢？'): no topic of its own.
TIME_ONLY = re.compile(rf"到|在|{YEAR.pattern}年?|{FIVE_YEAR_NAME}|期间|时期|之前|以前|年底|年末|期末|末|的|要|是|呢")

# How a previous answer joins the items it lists, and the words that lead into the list.
ITEM_SPLIT = re.compile(rf"[、，,；;：:。]|{any_of(_split('和 及 以及 与'))}")
LIST_LEAD = re.compile(rf"^({any_of(_split('是 即 有 包括 分别是'))})")
# 「A和B分别是多少」「A、B各要降多少」: one ask of each of several things joined by these words; the ask
# applies to each (assistant/question.py reads each thing's own question).
EACH = re.compile(r"分别|各(?=[是有要为自占达定])")
COORDINATORS = _split("和 与 及 以及 、")
# Where one sentence may join two asks: a comma, or a connective ('…多少家增加到Y年的多少家',
# '…是多少以及…有哪些'); a question is split there only when every piece asks something.
PART_SPLIT = re.compile(rf"(?<=[，,])|(?=(?:{any_of(_split('增加到 提高到 提升到 增长到 以及 同时 并且'))})(?!$))")

# -- how a plan states figures (index/figures.py) ------------------------------------------------
# 所 is also the Chinese word for an institute (「54所电子信息研发中心」); as a count of schools it
# is followed by a school word or ends the phrase.
FIGURE_SUO_COUNT = re.compile(r"(?:学校|小学|中学|幼儿园|高校|大学|医院|[、,，。;；)）和及与])")
# A change (增长X%, 新增X个) states a difference, not a level; 「增加到」 states a level.
FIGURE_CHANGE_AT_END = re.compile(r"(?:新增|增加|增长|下降|减少|降低|缩减|提高|提升)(?:了)?(?:约|近|超过)?$")
FIGURE_CHANGE_AT_START = re.compile(r"^(?:新增|增加|下降|减少|降低)(?![到至值])")
FIGURE_WHEN_WHERE = re.compile(r"^(?:到?\d{4}年(?:度|底|末)?|五年来|五年|今后五年|全区|区内|累计|先后|[,，、])+")
FIGURE_LEVEL_VERB = re.compile(r"(?:增加|提高|提升|下降|降低|增长|延长|缩短|压缩)(?:到|至)")
# Words around an indicator that are not part of its name: where (全区), when (2020年), how (严格),
# the verb that links it to the number (达到) and a glossary entry's 「指…」/「即…」. Stripped repeatedly from both ends.
FIGURE_LEAD_NOISE = re.compile(
    r"^(?:[、和及与并且,，]|是指|即|指(?![标导数])|到\d{4}年(?:底|末)?|力争|\d{4}年(?:度|底|末)?|\d{4}、|五年来|今后五年|五年|期间|"
    r"全区|区内|辖区|其中|累计|先后|共|同时|确保|实现|每年|年均|各级各类|各类|用于|"
    r"新增|新建|建成|建设|完成|组建|设立|充实|投入|拥有|签约|引进|淘汰|拆除|种植|发放|保障|安排|"
    r"实施|接收|配建|推进|推动|改造|培育|打造|建立|成立|形成|增加|提供|开展|对|在|有|将|使|让)")
FIGURE_TAIL_NOISE = re.compile(
    r"(?:达到|达|为|是|突破|超过|超|完成|控制在|保持在|保持|稳定在|提高到|提升到|增加到|增长到|下降到|降至|"
    r"增至|(?:增加|提高|提升|下降|降低|增长|延长|缩短|压缩)(?:到|至)|增长|下降|新增|累计|占到|占|约|近|逾|分别|各|均|都|严格|基本|"
    r"占到?[^占,，、]{1,8}|由\d{4}年的?|从\d{4}年的?|[由从]|\d{4}年的?|年均|以上|、|和|的)$")
# Where a noun named after the number stops: a verb, a conjunction or a clause mark.
FIGURE_POST_STOP = re.compile(r"[、,，。;；]|\d|[两三四五六七八九十]+[个大项种]|以及|实施|进行|完成|安装|实现|入驻|投入|开展|得到|"
                              r"提供|的|等|为|达到|全部|按照|合作|聚集|所辖|建设|建成|深入|持续|不断|全面|加快")
FIGURE_REVIEW_WORDS = re.compile(r"五年来|成就|回顾|成效")
FIGURE_KEY_NOISE = re.compile(r"^(?:各级各类|各类|全区|区内|辖区)")

# A comparator or an approximation closing the words before a number (「以上」, 「多」, 「余」) ...
FIGURE_APPROX_TAIL = re.compile(r"(?:以上|多|余)$")
# ... and opening the words after it.
FIGURE_APPROX_HEAD = re.compile(r"^(?:以上|左右|多|余)")
# 「分别达到…」: several figures, each of the indicator named in the same order.
FIGURE_RESPECTIVE = re.compile(r"分别(达到|突破|超过)")

# -- how a plan names a set (index/named_sets.py) ------------------------------------------------
# A count that names a set: 三大, 四个, 5种, 八项 (一 is left out: 「一个」「一批」 are articles).
SET_COUNT = re.compile(rf"(?P<num>[两{CN_DIGITS[1:]}]+|\d+)(?P<measure>大|个|项|种|类|场|件|所|家|条)(?P<noun>[\u4e00-\u9fff]{{1,12}})")
SET_ITEM_SEP = re.compile(r"、|以及|和|及|与")
# A count of things in a plan's sentence, with 等 when the words before it are only examples (「A、B等5个X」,
# 「组建9个教育集团」): a question for all of them by that count may get fewer names than it asks for.
COUNTED_THINGS = re.compile(rf"(?P<etc>等)?(?P<num>[两{CN_DIGITS[1:]}]{{1,3}}|\d{{1,3}})(?:{any_of(SET_MEASURE_WORDS)})"
                            r"(?P<noun>[\u4e00-\u9fff]{2,12})")
# Words that ask what things are called (「叫啥名儿」「都是啥」), besides the list words.
NAME_ASK = re.compile(any_of(_split("叫什么 名字 名儿 名称 都是什么 是哪")))
# Verbs and adverbs that open the phrase holding a list: not part of its first member.
SET_VERB_LEAD = re.compile(
    r"^即?(?:[不断积极大力加快全面深入重点着力持续高水平高标准逐步先后顺利]{0,4})?"
    r"(?:培育发展|完成|接收|壮大|搭建|做强做优|提升|培育|发展|打造|建设|围绕|构建|推动|实施|推进|落实|坚持|形成|强化|加强|完善|聚焦|"
    r"实现|开展|推行|整合|建立|依托|以|加快|做好|重点推动|用好|抓好|打好|深化|着力)")
# Where a member named later by the set's noun starts: after a verb of making or a clause mark.
SET_LATER_START = re.compile(r"(?:打造|建设|培育|形成|发展|为一体的|[,，;；。])")
SET_DEFINE = re.compile(r"((?:“[^”]{1,20}”)+)\s*[,，:：]?\s*(?:即|是指|指)[:：]?(.+?)(?=[;；。]|“[^”]{1,20}”[,，:：]?\s*(?:即|是指|指)|$)")
# Section names made of nouns only (发展战略, 基本原则): their titled paragraphs are the set's members.
# A section opening with one of these verbs names an action, not a set.
SET_ACTION_TITLE = re.compile(r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）])?"
                           r"(?:[不断积极大力加快全面深入重点着力持续扎实倾力]{0,4})"
                           r"(?:提升|培育|培优|发展(?!战略|目标)|打造|建设|推进|推动|实施|加强|加快|完善|增强|促进|优化|深化|坚持|统筹|"
                           r"保障|构建|融入|扩大|对接|开展|强化|突出|夯实|繁荣|提高|深度|充分|对标|全力|做强|做优|"
                           r"聚焦|加大|实现|站在|谋划|维护|贯彻|全面|持续|大力|积极)")
# A section whose name ends in one of these names a set of the sections below it.
SET_SET_NOUN = re.compile(r"(?:格局|战略|体系|产业|工程)$")

# A set's name that opens with its count (「六个百分百」, 「四大商圈」).
SET_COUNT_IN_NAME = re.compile(rf"([两{CN_DIGITS[1:]}]+|\d+)(?:个|大|项|种|类|场|件)")

# Where a set's noun after its count stops: a particle, a preposition or a verb.
SET_NOUN_STOP = re.compile(r"[的为在是和与及以走]|建设|聚集|集聚|深入|发展")

# The words that introduce a list (「包括」, 「如下」), not part of its name.
SET_LIST_INTRO = re.compile(r"(?:是|为|有|如下|包括)$")

# -- how a question asks for a change (assistant/figure_pairs.py) --------------------------------
# What a change or both-ends question says: 增加了多少, 提高多少, 变化, 从…到…, 现状和目标.
CHANGE_ASK = re.compile(r"(?:增加|增长|提高|提升|减少|下降|降低|变化|差距|相差|差多少|多了|少了|翻了)"
                        r"|[从由].{1,20}[到至]|现状.{0,12}目标|目标.{0,12}现状|前后")

# -- tokenizer ---------------------------------------------------------------------------------
# Words BM25 ignores; the plan's own region names are added from its profile.
STOPWORDS = frozenset(
    "的 了 和 与 及 等 是 在 对 把 将 为 以 于 之 其 或 并 也 都 就 有 个 这 那 吗 呢 吧 啊 呀 么 "
    "我 你 他 她 它 我们 你们 他们 什么 怎么 怎样 如何 哪些 哪个 多少 几 请问 一下 一些 要 会 能 "
    "可以 里 中 上 下 说 讲 方面 问题 规划".split()
)

# -- how a plan lays itself out (index/layout.py) -----------------------------------------------
# Headings that open the plan's preface (a heading-less opening paragraph is a preface too).
PREFACE_HEADINGS = _split("前言 序言")
# Headings that open the glossary of terms: numbered entries 「1.term：definition」 follow.
GLOSSARY_HEADINGS = _split("名词解释")
# Words that open an appendix heading (「附表1 主要指标」, 「附件：重大项目」); each appendix runs to the
# next appendix, the glossary or a 篇/章 heading.
APPENDIX_WORDS = _split("附表 附件 附录")
# The word that opens a box (「专栏3 科技前沿领域攻关」), a framed list set inside a section.
BOX_WORD = "专栏"
# A line that opens a pasted table of contents: heading lines (often with page numbers) follow, then the body
# repeats them.
TOC_HEADINGS = _split("目录 目次")
# The administrative levels a plan's profile names (index/add_plan.py), top down.
PLAN_LEVELS = _split("国家 省 市 区 县")
