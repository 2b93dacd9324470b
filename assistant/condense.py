"""Turn an elliptical follow-up ('那养老呢？', '它的目标是多少？') into a standalone query.

Offline and deterministic: the earlier topic is carried over when the new question lacks
one of its own, and the earlier question's ask ('有什么规划', '目标是多少') is carried over
when the new question names only a new topic.
"""
from __future__ import annotations

import re

_LEADING = re.compile(r"^(那么|那|还有|另外|再问一下|再问|然后|以及|和|还|那请问|请问)[,，、\s]*")
_TRAILING = re.compile(r"(呢|吗|啊|呀|吧)?[?？。!！\s]*$")
_PRONOUN = re.compile(r"(它们|它|其|这个|那个|这些|那些|这方面|那方面|该项|该|上述|前者|后者|这)")
# What a question asks, as opposed to what it is about.
ASKS = ("有什么规划", "有哪些规划", "怎么规划", "有什么目标", "目标是多少", "目标是什么", "有哪些措施",
        "有什么措施", "有哪些", "有什么", "是多少", "多少", "是什么", "怎么样", "怎么办", "如何")
ASK_WORDS = ASKS + ("具体", "主要", "目标", "任务", "措施", "举措", "要求", "方面", "情况", "内容", "指标",
             "什么时候", "何时", "哪年", "为什么", "呢", "吗", "的", "是", "要", "会", "能", "达到",
             "什么", "哪些", "怎么", "规划", "计划", "打算", "桥西区", "桥西", "到2025年", "十四五")
MAX_FOLLOW_UP_CHARS = 16


def _topic_of(question: str) -> str:
    """The question minus its ask words: what it is about."""
    t = _TRAILING.sub("", _LEADING.sub("", question.strip()))
    for w in sorted(ASK_WORDS, key=len, reverse=True):
        t = t.replace(w, "")
    return re.sub(r"[在对于关于有\s,，、]+$|^[在对于关于\s,，、]+", "", t).strip()


def _ask_of(question: str) -> str:
    """The question's ask ('有什么规划'), or ''."""
    q = _TRAILING.sub("", question.strip())
    for w in sorted(ASKS, key=len, reverse=True):
        if w in q:
            return w
    return ""


def is_follow_up(question: str) -> bool:
    q = question.strip()
    if _LEADING.match(q) and len(q) <= MAX_FOLLOW_UP_CHARS + 4:
        return True
    if len(q) <= MAX_FOLLOW_UP_CHARS and (_PRONOUN.search(q) or re.search(r"呢[?？]?$", q)):
        return True
    return len(_topic_of(q)) == 0


def condense(question: str, history: list[dict] | None) -> str:
    """A standalone query for retrieval; the question itself when it already stands alone."""
    previous = ""
    for turn in history or []:
        if turn.get("role") == "user" and isinstance(turn.get("content"), str) and turn["content"].strip():
            previous = _condense_one(turn["content"], previous)
    return _condense_one(question, previous)


def _condense_one(question: str, previous: str) -> str:
    q = question.strip()
    if not previous or not is_follow_up(q):
        return q
    topic, prev_topic = _topic_of(q), _topic_of(previous)
    if not topic or _PRONOUN.fullmatch(topic or "x"):
        # '它的目标是多少？' → previous topic + this ask
        rest = _PRONOUN.sub("", _LEADING.sub("", q), count=1)
        return f"{prev_topic}{rest}"
    if _PRONOUN.search(q):
        return _PRONOUN.sub(prev_topic, _LEADING.sub("", q), count=1)
    # '那养老呢？' → new topic + previous ask
    ask = _ask_of(previous) or "有什么规划"
    return f"{topic}{ask}？"
