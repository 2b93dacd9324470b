"""Turn an elliptical follow-up ('那养老呢？', '它的目标是多少？') into a standalone query.

Offline and deterministic. A question is a follow-up when it leans on the conversation:
it starts with 那/还有…, points back (它, 这个, 第一个…), or is too short to name a topic.
Then the earlier topic is carried over; an ordinal ('第二条带') is resolved to that item of
the previous answer; and a bare new topic ('那养老呢？') borrows the earlier question's ask.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.text import MARKER
from index.config import AnswerParams
from index.lexicon import (ASK_FRAME_WORDS, ASK_PHRASES, ASKING, CN_ORDINAL, COUNT_ASK, ENDS_ASKING, ITEM_SPLIT, LEADING,
                           LIST_LEAD, ORDINAL_PICK, REFERS_BACK, THEN, TIME_EXPR, TIME_ONLY, TIME_PREPOSITIONS, TRAILING, any_of)

_QUOTED_ITEM = re.compile(r"“([^”]{2,20})”")
_BARE_ELLIPSIS = re.compile(r"呢\s*[?？]\s*$")  # 「那X呢？」: asks what the earlier question asked
_LIST_TOTAL = re.compile(r"(?:\d+|[两三四五六七八九十]+)[种个类项大条].*$")
# With a conversation going on, a question this short leans on it (Settings.answer documents it).
SHORT_QUESTION = AnswerParams.model_fields["follow_up_max_chars"].default


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
    return TRAILING.sub("", LEADING.sub("", question.strip()))


def _topic_of(question: str, own_names: frozenset[str] = frozenset()) -> str:
    """The question minus its ask words and the plan's own names (its region, its periods): what it is about."""
    t = COUNT_ASK.sub("", _strip(question))
    for w in sorted((*ASK_FRAME_WORDS, *own_names), key=len, reverse=True):
        t = t.replace(w, "")
    return re.sub(r"[在对于关于有\s,，、“”]+$|^[在对于关于\s,，、]+", "", t).strip()


def _ask_of(question: str) -> str:
    """The longest ask phrase the question holds ('有什么目标' before '有什么'); '有什么规划' when it holds none."""
    return next((w for w in sorted(ASK_PHRASES, key=len, reverse=True) if w in question), "有什么规划")


def answer_items(answer: str) -> list[str]:
    """The items a previous answer listed, in order: quoted terms first, else enumerated phrases."""
    text = MARKER.sub("", answer)
    # The lead ('根据规划：', '规划在第五章…中提出：') introduces the items; it is not one of them.
    text = re.sub(r"^(根据规划|规划[^：:]{0,20}提出|[^\n：:]*[：:][ \t]*\n)[：:]?", "", text.strip())
    quoted = _QUOTED_ITEM.findall(text)
    if len(quoted) >= 2:
        return quoted
    items = [p.strip() for p in ITEM_SPLIT.split(text) if 2 <= len(p.strip()) <= 20]
    return [_without_total(LIST_LEAD.sub("", p)) for p in items]


def _without_total(item: str) -> str:
    """'夜经济5种类型城市经济业态' → '夜经济': the count that closes a list is not part of its last item."""
    bare = _LIST_TOTAL.sub("", item)
    return bare if len(bare) >= 2 else item


def is_follow_up(question: str, own_names: frozenset[str] = frozenset(), short: int = SHORT_QUESTION) -> bool:
    q = question.strip()
    if LEADING.match(q) or REFERS_BACK.search(q) or ORDINAL_PICK.search(q):
        return True
    topic = TIME_ONLY.sub("", _topic_of(q, own_names))
    return len(re.sub(r"[?？。!！\s]", "", q)) <= short or not topic


def condense(question: str, history: list[dict] | None, own_names: frozenset[str] = frozenset(),
             short: int = SHORT_QUESTION) -> Condensed:
    """A standalone query for retrieval; the question itself when it already stands alone.
    ``own_names``: the plan's region and period names (its profile), never a topic to carry over."""
    prev_q, prev_a = "", ""  # the earlier question, as condensed, and the earlier answer
    for turn in history or []:
        content = turn.get("content") if isinstance(turn, dict) else None
        if not isinstance(content, str) or not content.strip():
            continue
        if turn.get("role") == "user":
            prev_q = _condense_one(content, prev_q, prev_a, own_names, short).query
        elif turn.get("role") == "assistant":
            prev_a = content
    return _condense_one(question, prev_q, prev_a, own_names, short)


def _resolve_ordinal(question: str, prev_answer: str) -> tuple[str, bool]:
    m = ORDINAL_PICK.search(question)
    if not m or not prev_answer:
        return question, False
    items = answer_items(prev_answer)
    if m.group(2):  # '最后一条'
        n = len(items)
    else:
        n = int(m.group(1)) if m.group(1).isdigit() else CN_ORDINAL[m.group(1)]
    if not 1 <= n <= len(items):
        return question, False
    return question[:m.start()] + items[n - 1] + question[m.end():], True


def _condense_one(question: str, previous: str, prev_answer: str, own_names: frozenset[str], short: int) -> Condensed:
    q = question.strip()
    if not previous or not is_follow_up(q, own_names, short):
        return Condensed(q)
    q, resolved = _resolve_ordinal(q, prev_answer)
    prev_topic = _topic_of(previous, own_names)
    if resolved:
        return Condensed(f"{_strip(q)}？", prev_topic)
    then = THEN.search(q) and TIME_EXPR.search(previous)
    if then:  # '到那时候…' after a question that named a year ('到Y年…'): that year
        q = THEN.sub(lambda _: re.sub(f"^(?:{any_of(TIME_PREPOSITIONS)})", "", then.group(0)), q, count=1)
    own = own_topic(q, own_names)
    when = TIME_EXPR.search(q)
    if not own and when:
        # '那X年呢？' after 'Y年地区生产总值是多少？': the same question, another time
        earlier = _strip(previous)
        if TIME_EXPR.search(earlier):
            return Condensed(TIME_EXPR.sub(lambda _: when.group(0), earlier, count=1) + "？")
        return Condensed(f"{when.group(0)}{earlier}？")
    if not own:
        # '它的目标是多少？' → the earlier topic + this ask
        return Condensed(f"{prev_topic}{REFERS_BACK.sub('', _strip(q), count=1)}？")
    # '那养老呢？' / '教育这块有什么目标？' → this topic, the earlier ask, the earlier topic as context
    rest = _strip(q)  # a pronoun stays: it tells the answerer the earlier topic is meant
    ask = "" if _asks_itself(q) else _ask_of(previous)
    return Condensed(f"{rest}{ask}？", prev_topic)


def _asks_itself(question: str) -> bool:
    """Does the follow-up ask on its own (a question word, or a sentence ending in a question mark that is
    not the bare 「X呢？」 of an ellipsis: 「那X呢？提了没？」), rather than borrow the earlier question's ask?"""
    if ASKING.search(question):
        return True
    sentences = [s for s in re.split(r"(?<=[?？])", question.strip()) if s.strip()]
    return any(ENDS_ASKING.search(s) and not _BARE_ELLIPSIS.search(s) for s in sentences)


def own_topic(question: str, own_names: frozenset[str] = frozenset()) -> str:
    """What the question itself is about, without pointing-back words and times ('' for '还有别的吗'):
    a follow-up with a topic of its own is judged in or out of scope by its own words."""
    return TIME_ONLY.sub("", _topic_of(REFERS_BACK.sub("", question), own_names))
