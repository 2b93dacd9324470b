"""Turn an elliptical follow-up ('那养老呢？', '它的目标是多少？') into a standalone query.

Offline and deterministic. A question is a follow-up when it leans on the conversation:
it starts with 那/还有…, points back (它, 这个, 第一个…), or is too short to name a topic.
Then the earlier topic is carried over; an ordinal ('第二条带') is resolved to that item of
the previous answer; and a bare new topic ('那养老呢？') borrows the earlier question's ask.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# (那 opens a follow-up, but 那边/那些/那个… point back and stay.)
_LEADING = re.compile(r"^(那么|那(?![边里儿个些块时样种类])|还有|另外|再问一下|再问|然后|以及|其中|还|请问)[,，、\s]*")
_TRAILING = re.compile(r"(呢|吗|啊|呀|吧)?[?？。!！\s]*$")
REFERS_BACK = re.compile(r"(它们|它|其|这个|那个|这些|那些|这块|那块|这方面|那方面|这一项|该项|该|上述|前者|后者|同一时期|同期"
                         r"|这类|那类|这种|那种|此类|那边|那里"
                         r"|那时候|那时|到时候|届时|当时)")
_ORDINAL = re.compile(r"(?:你说的)?(?:第([一二三四五六七八九十\d])|(最后)一?)[那这]?(?:个|条|项|点|种|类)?")
_CN_ORD = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}
_ITEM_SPLIT = re.compile(r"[、，,；;：:。]|和|及|以及|与")
_QUOTED_ITEM = re.compile(r"“([^”]{2,20})”")
_LIST_TOTAL = re.compile(r"(?:\d+|[两三四五六七八九十]+)[种个类项大条].*$")
# What a question asks, as opposed to what it is about.
ASKS = ("有什么规划", "有哪些规划", "怎么规划", "有什么目标", "目标是多少", "目标是什么", "有哪些措施",
        "有什么措施", "有哪些", "有什么", "是多少", "多少", "是什么", "怎么样", "怎么办", "如何")
ASK_WORDS = ASKS + ("具体", "主要", "目标", "任务", "措施", "举措", "要求", "方面", "情况", "内容", "指标",
                    "什么时候", "何时", "哪年", "为什么", "达到", "什么", "哪些", "怎么", "规划", "计划",
                    "打算", "规划里")
_QUESTION_WORD = re.compile(r"什么|啥|哪|多少|几|吗|怎么|咋|如何|是否|有没有|能否|会不会")
_THEN = re.compile(r"那时候|那时|到时候|届时")
_TIME_ONLY = re.compile(r"到|在|(?:19|20)\d{2}年?|“?十[一二三四五六七八九]五”?|期间|时期|之前|以前|年底|年末|期末|末|的|要|是|呢")
_TIME_EXPR = re.compile(r"(?:到|在|截至|截止)?(?:(?:19|20)\d{2}年?(?:末|底)?|“?十[一二三四五六七八九]五”?(?:末|期末|期间|时期)?)")
SHORT_QUESTION = 10  # with a conversation going on, a question this short leans on it
_COUNT_ASK = re.compile(r"有?(多少|几)[个所家条项座处张名户次眼支万亿元人]?")


@dataclass(frozen=True)
class Condensed:
    """A standalone question and the earlier topic it leans on, as separate fields: the conversation
    never travels inside the query text, so a user who types '（上文：…）' has typed just text."""

    query: str
    background: str = ""

    @property
    def search_text(self) -> str:
        """What lexical search looks for: the question's words and the earlier topic's."""
        return f"{self.query} {self.background}".strip()


def _strip(question: str) -> str:
    return _TRAILING.sub("", _LEADING.sub("", question.strip()))


def _topic_of(question: str, own_names: frozenset[str] = frozenset()) -> str:
    """The question minus its ask words and the plan's own names (its region, its periods): what it is about."""
    t = _COUNT_ASK.sub("", _strip(question))
    for w in sorted((*ASK_WORDS, *own_names), key=len, reverse=True):
        t = t.replace(w, "")
    return re.sub(r"[在对于关于有\s,，、“”]+$|^[在对于关于\s,，、]+", "", t).strip()


def _ask_of(question: str) -> str:
    q = _TRAILING.sub("", question.strip())
    for w in sorted(ASKS, key=len, reverse=True):
        if w in q:
            return w
    return ""


def answer_items(answer: str) -> list[str]:
    """The items a previous answer listed, in order: quoted terms first, else enumerated phrases."""
    text = re.sub(r"\[\d+\]", "", answer)
    text = re.sub(r"^(根据规划|规划[^：:]{0,20}提出)[：:]", "", text.strip())
    quoted = _QUOTED_ITEM.findall(text)
    if len(quoted) >= 2:
        return quoted
    items = [p.strip() for p in _ITEM_SPLIT.split(text) if 2 <= len(p.strip()) <= 20]
    return [_without_total(re.sub(r"^(是|即|有|包括|分别是)", "", p)) for p in items]


def _without_total(item: str) -> str:
    """'夜经济5种类型城市经济业态' → '夜经济': the count that closes a list is not part of its last item."""
    bare = _LIST_TOTAL.sub("", item)
    return bare if len(bare) >= 2 else item


def is_follow_up(question: str, own_names: frozenset[str] = frozenset()) -> bool:
    q = question.strip()
    if _LEADING.match(q) or REFERS_BACK.search(q) or _ORDINAL.search(q):
        return True
    topic = _TIME_ONLY.sub("", _topic_of(q, own_names))
    return len(re.sub(r"[?？。!！\s]", "", q)) <= SHORT_QUESTION or not topic


def condense(question: str, history: list[dict] | None, own_names: frozenset[str] = frozenset()) -> Condensed:
    """A standalone query for retrieval; the question itself when it already stands alone.
    ``own_names``: the plan's region and period names (its profile), never a topic to carry over."""
    prev_q, prev_a = Condensed(""), ""
    for turn in history or []:
        content = turn.get("content") if isinstance(turn, dict) else None
        if not isinstance(content, str) or not content.strip():
            continue
        if turn.get("role") == "user":
            prev_q = _condense_one(content, prev_q, prev_a, own_names)
        elif turn.get("role") == "assistant":
            prev_a = content
    return _condense_one(question, prev_q, prev_a, own_names)


def _resolve_ordinal(question: str, prev_answer: str) -> tuple[str, bool]:
    m = _ORDINAL.search(question)
    if not m or not prev_answer:
        return question, False
    items = answer_items(prev_answer)
    if m.group(2):  # '最后一条'
        n = len(items)
    else:
        n = int(m.group(1)) if m.group(1).isdigit() else _CN_ORD[m.group(1)]
    if not 1 <= n <= len(items):
        return question, False
    return question[:m.start()] + items[n - 1] + question[m.end():], True


def _condense_one(question: str, prev: Condensed, prev_answer: str = "",
                  own_names: frozenset[str] = frozenset()) -> Condensed:
    q = question.strip()
    previous = prev.query
    if not previous or not is_follow_up(q, own_names):
        return Condensed(q)
    q, resolved = _resolve_ordinal(q, prev_answer)
    prev_topic = _topic_of(previous, own_names)
    if resolved:
        return Condensed(f"{_strip(q)}？", prev_topic)
    then = _THEN.search(q) and _TIME_EXPR.search(previous)
    if then:  # '到那时候…' after a question that named a year ('到Y年…'): that year
        q = _THEN.sub(lambda _: re.sub(r"^(?:到|在|截至|截止)", "", then.group(0)), q, count=1)
    own = own_topic(q, own_names)
    when = _TIME_EXPR.search(q)
    if not own and when:
        # '那X年呢？' after 'Y年地区生产总值是多少？': the same question, another time
        earlier = _strip(previous)
        if _TIME_EXPR.search(earlier):
            return Condensed(_TIME_EXPR.sub(lambda _: when.group(0), earlier, count=1) + "？")
        return Condensed(f"{when.group(0)}{earlier}？")
    if not own:
        # '它的目标是多少？' → the earlier topic + this ask
        return Condensed(f"{prev_topic}{REFERS_BACK.sub('', _strip(q), count=1)}？")
    # '那养老呢？' / '教育这块有什么目标？' → this topic, the earlier ask, the earlier topic as context
    rest = _strip(q)  # a pronoun stays: it tells the answerer the earlier topic is meant
    ask = "" if _QUESTION_WORD.search(q) else (_ask_of(previous) or "有什么规划")
    return Condensed(f"{rest}{ask}？", prev_topic)


def own_topic(question: str, own_names: frozenset[str] = frozenset()) -> str:
    """What the question itself is about, without pointing-back words and times ('' for '还有别的吗'):
    a follow-up with a topic of its own is judged in or out of scope by its own words."""
    return _TIME_ONLY.sub("", _topic_of(REFERS_BACK.sub("", question), own_names))
