"""Turning answers, clauses and the briefing draft into safe HTML for the Gradio app.

Every string that comes from a user, the plan or an LLM goes through :func:`esc` before it is
placed in markup; the only markup is built here. Interactive bits are plain ``<a href="#qx-…">``
links (they survive the chatbot's HTML sanitiser) that the page script in :data:`BRIDGE_JS` turns
into server events: ``#qx-open-<clause_id>``, ``#qx-pin-<turn>``, ``#qx-brief-<up|down|del>-<i>``
and ``#qx-copy``.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from assistant.brief_export import EMPTY_SECTION
from assistant.compare import Comparison
from assistant.briefing import Draft, references, renumber
from assistant.text import ABSTAIN_HEAD, MARKER, bigrams
from assistant.topic_brief import FIGURE_COLUMNS, FIGURES, GLOSSARY, REFERENCES, REVIEW, TASKS, TopicBrief
from assistant.types import Answer, Citation
from index.clauses import Clause, ClauseTree

_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]*")
_NOT_WORD = re.compile(r"[\W_]+")
ABSTAIN_BADGE = "规划未涉及"


@dataclass
class Turn:
    """One question and its answer, as the chat shows it (the raw question, never escaped)."""

    question: str
    answer: Answer
    vote: str | None = None  # the chatbot's feedback value: "Like", "Dislike" or None


def history_of(turns: list[Turn]) -> list[dict]:
    """The conversation in the form ``Assistant.ask(history=…)`` expects."""
    out: list[dict] = []
    for t in turns:
        out += [{"role": "user", "content": t.question}, {"role": "assistant", "content": t.answer.answer}]
    return out


def esc(text: object) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _lines(text: str) -> str:
    return "<br>".join(esc(line) for line in text.splitlines())


def _open_href(clause_id: str, plan: str = "") -> str:
    """The link that opens a clause in the plan browser: ``plan:clause_id`` (ids repeat across plans),
    or the bare id for the primary plan's clauses where no plan is known."""
    return f"#qx-open-{esc(plan_clause(clause_id, plan))}"


def plan_clause(clause_id: str, plan: str = "") -> str:
    return f"{plan}:{clause_id}" if plan else clause_id


# -- chat ------------------------------------------------------------------------
def user_html(question: str) -> str:
    """The question exactly as typed: escaped, one HTML block so Markdown never applies. Never empty: the chat
    skips an empty question (webapp.ui respond) and the edge's cleaning leaves no line break in one."""
    return f'<div class="qx-q">{_lines(question)}</div>'


def linked_answer(text: str, citations: list[Citation]) -> str:
    """Escaped answer text whose valid [n] markers link to the cited clause."""

    def link(m: re.Match) -> str:
        n = int(m.group(1))
        if not 1 <= n <= len(citations):
            return m.group(0)
        c = citations[n - 1]
        return f'<a class="qx-cite" href="{_open_href(c.clause_id, c.plan)}" title="{esc(c.label)}">[{n}]</a>'

    return "<br>".join(MARKER.sub(link, esc(line)) for line in text.splitlines() if line.strip())


def _notice(ans: Answer) -> str:
    if not ans.notice:
        return ""
    return f'<div class="qx-notice">提示：{esc(ans.notice)}</div>'


def answer_html(ans: Answer, turn: int) -> str:
    """An answer bubble: text with linked markers, its sources, and the pin/copy actions."""
    if ans.abstained:
        head = ans.answer.splitlines()[0] if ans.answer else f"{ABSTAIN_HEAD}。"
        related = "".join(f'<li><a href="{_open_href(c.clause_id, c.plan)}">{esc(c.label)}</a></li>' for c in ans.related)
        related_html = (f'<div class="qx-related"><div>相关条款（仅供参考，并非答案）：</div><ul>{related}</ul></div>'
                        if related else "")
        return (f'<div class="qx-answer qx-abstain">{_notice(ans)}<span class="qx-badge">{ABSTAIN_BADGE}</span>'
                f'<div class="qx-text">{esc(head)}</div>{related_html}</div>')
    srcs = "".join(f'<li><a href="{_open_href(c.clause_id, c.plan)}"><b>[{n}]</b> {esc(c.label)}</a></li>'
                   for n, c in enumerate(ans.citations, start=1))
    srcs_html = f'<div class="qx-srcs"><div>出处：</div><ol>{srcs}</ol></div>' if srcs else ""
    actions = (f'<div class="qx-actions"><a class="qx-act" href="#qx-pin-{turn}" title="把这条回答和出处收进简报草稿">'
               f'＋ 加入简报</a><a class="qx-act" href="#qx-copy" title="复制回答和出处">复制</a></div>')
    return (f'<div class="qx-answer">{_notice(ans)}<div class="qx-text">{linked_answer(ans.answer, ans.citations)}'
            f"</div>{srcs_html}{actions}</div>")


def pending_html(text: str) -> str:
    """The answer while it streams: plain escaped text, markers not yet linked."""
    body = _lines(text) if text else '<span class="qx-wait">正在检索规划条款…</span>'
    return f'<div class="qx-answer qx-pending"><div class="qx-text">{body}</div></div>'


def chat_messages(turns: list[Turn], pending: tuple[str, str] | None = None) -> list[dict]:
    """Chatbot messages: one user and one assistant message per turn (like/dislike index = 2·turn+1)."""
    msgs: list[dict] = []
    for i, t in enumerate(turns):
        msgs += [{"role": "user", "content": user_html(t.question)},
                 {"role": "assistant", "content": answer_html(t.answer, i)}]
    if pending is not None:
        question, partial = pending
        msgs += [{"role": "user", "content": user_html(question)},
                 {"role": "assistant", "content": pending_html(partial)}]
    return msgs


# -- sources panel ----------------------------------------------------------------
def _norm(s: str) -> str:
    return _NOT_WORD.sub("", MARKER.sub("", s))


def supporting_sentences(answer: str, n: int) -> list[str]:
    """The answer's sentences that carry marker [n], markers removed."""
    answer = re.sub(r"([。！？；!?;])((?:\[\d+\])+)", r"\2\1", answer)  # "…。[1]" belongs to the sentence before
    out = []
    for s in _SENTENCE.findall(answer):
        if f"[{n}]" in s:
            plain = MARKER.sub("", s).strip()
            if _norm(plain):
                out.append(plain)
    return out


def _supports(clause_sentence: str, answer_sentences: list[str]) -> bool:
    cs = _norm(clause_sentence)
    if len(cs) < 2:
        return False
    for a in map(_norm, answer_sentences):
        if cs in a or (len(a) >= 6 and a in cs):
            return True
        grams = bigrams(cs)
        if grams and len(grams & bigrams(a)) / len(grams) >= 0.6:  # a paraphrase (LLM answers)
            return True
    return False


def highlight(text: str, answer_sentences: list[str]) -> str:
    """Escaped clause text with the sentences that support the answer wrapped in <mark>."""
    parts = []
    for s in _SENTENCE.findall(text) or [text]:
        parts.append(f'<mark class="qx-hl">{esc(s)}</mark>' if _supports(s, answer_sentences) else esc(s))
    return "".join(parts)


def _source_card(n: int | None, c: Citation, body: str, kind: str = "") -> str:
    num = f'<span class="qx-num">{n}</span>' if n is not None else ""
    cls = f"qx-src {kind}".strip()
    return (f'<article class="{cls}"><header>{num}<span class="qx-label">{esc(c.label)}</span></header>'
            f'<p class="qx-src-text">{body}</p><a class="qx-open" href="{_open_href(c.clause_id, c.plan)}">'
            f"在规划原文中查看 ›</a></article>")


def sources_html(turn: Turn | None) -> str:
    """The cited clauses of one answer, supporting sentences highlighted; or why there are none."""
    if turn is None:
        return ('<div class="qx-empty">提问后，这里会列出回答所引用的每一条规划条款，并<mark class="qx-hl">高亮</mark>'
                "支持回答的句子。点击回答里的 [1]、[2] 可在「规划原文」中定位该条款。</div>")
    ans = turn.answer
    understood = f"{ans.query}（接上文：{ans.background}）" if ans.background else ans.query
    query = f'<div class="qx-query">理解为：{esc(understood)}</div>' if ans.query and understood != turn.question else ""
    head = f'<div class="qx-src-q"><span>问：</span>{esc(turn.question)}{query}</div>'
    if ans.abstained:
        cards = "".join(_source_card(None, c, esc(c.text), "qx-related-card") for c in ans.related)
        note = ('<div class="qx-src-none"><span class="qx-badge">规划未涉及</span>规划中没有能回答这个问题的条款。'
                + ("以下条款与问题相关，仅供参考，并非答案。" if cards else "") + "</div>")
        return f'<div class="qx-sources qx-scroll">{head}{note}{cards}</div>'
    cards = "".join(_source_card(n, c, highlight(c.text, supporting_sentences(ans.answer, n)))
                    for n, c in enumerate(ans.citations, start=1))
    return f'<div class="qx-sources qx-scroll">{head}{cards}</div>'


# -- plan browser ---------------------------------------------------------------
class PlanView:
    """The plan as chapters of clauses, rendered one chapter at a time with a table of contents."""

    def __init__(self, tree: ClauseTree, plan: str = "") -> None:
        self.tree = tree
        self.plan = plan  # the plan's id, carried by every link and clause mark ('' : the primary, bare ids)

    @cached_property
    def chapters(self) -> list[Clause]:
        return [c for c in self.tree.clauses if c.parent_id is None and c.kind == "heading"]

    @cached_property
    def chapter_of(self) -> dict[str, str]:
        """clause_id → the chapter it is read in (document order; a leading title joins chapter one)."""
        out: dict[str, str] = {}
        current = self.chapters[0].clause_id if self.chapters else ""
        for c in self.tree.clauses:
            if c.parent_id is None and c.kind == "heading":
                current = c.clause_id
            out[c.clause_id] = current
        return out

    def chapter_ids(self) -> list[str]:
        return [c.clause_id for c in self.chapters]

    def _toc(self, current: str, open_: bool) -> str:
        items = []
        for ch in self.chapters:
            sections = "".join(f'<li><a href="{_open_href(s.clause_id, self.plan)}">{esc(s.title or s.label)}</a></li>'
                               for s in self.tree.children(ch.clause_id) if s.kind == "heading")
            cls = ' class="qx-cur"' if ch.clause_id == current else ""
            items.append(f'<li{cls}><a href="{_open_href(ch.clause_id, self.plan)}">{esc(ch.label)}</a>'
                         + (f"<ol>{sections}</ol>" if sections else "") + "</li>")
        cur = self.tree.get(current)
        now = f"：{esc(cur.label)}" if cur else ""
        attr = " open" if open_ else ""
        return (f'<details class="qx-toc"{attr}><summary>目录（章 › 节）{now}</summary>'
                f'<ol>{"".join(items)}</ol></details>')

    def _clause(self, c: Clause, focus: str | None) -> str:
        cls = " qx-focus" if c.clause_id == focus else ""
        cid = esc(plan_clause(c.clause_id, self.plan))
        if c.kind == "title":
            return f'<div class="qx-c qx-title{cls}" data-cid="{cid}">{_lines(c.text)}</div>'
        if c.kind == "heading":
            text = c.label if c.level <= 1 else (c.path[-1] if c.path else c.title)
            return f'<div class="qx-c qx-h qx-h{c.level}{cls}" data-cid="{cid}">{esc(text)}</div>'
        m = re.search(r"¶(\d+)", c.label)
        title = f"{esc(c.label)}（条款 {esc(c.clause_id)}）"
        mark = f'<a class="qx-pn" href="{_open_href(c.clause_id, self.plan)}" title="{title}">¶{m.group(1)}</a>' if m else ""
        return f'<p class="qx-c qx-p{cls}" data-cid="{cid}">{mark}{esc(c.text)}</p>'

    def render(self, clause_id: str | None = None) -> str:
        """One chapter (the one holding ``clause_id``, else the first), that clause highlighted."""
        if not self.chapters:
            return '<div class="qx-empty">规划文本为空。</div>'
        focus = clause_id if clause_id in self.chapter_of else None
        chapter = self.chapter_of[focus] if focus else self.chapters[0].clause_id
        body = "".join(self._clause(c, focus) for c in self.tree.clauses if self.chapter_of[c.clause_id] == chapter)
        crumb = ""
        if focus and focus != chapter:
            c = self.tree.get(focus)
            crumb = (f'<div class="qx-crumb">已定位：{esc(c.label)} <span>条款 {esc(focus)}</span>'
                     '<a class="qx-back" href="#qx-back">↑ 回到对话</a></div>')
        ids = self.chapter_ids()
        i = ids.index(chapter)
        prev_link = f'<a href="{_open_href(ids[i - 1], self.plan)}">‹ 上一章</a>' if i > 0 else "<span></span>"
        next_link = f'<a href="{_open_href(ids[i + 1], self.plan)}">下一章 ›</a>' if i + 1 < len(ids) else "<span></span>"
        nav = f'<nav class="qx-chnav">{prev_link}{next_link}</nav>'
        head = f'<div class="qx-plan-head">{self._toc(chapter, open_=focus is None)}{crumb}</div>'
        return f'<div class="qx-plan qx-scroll">{head}<div class="qx-doc">{body}</div>{nav}</div>'


# -- briefing panel -----------------------------------------------------------
def briefing_html(draft: Draft) -> str:
    """The draft as the export will number it, each item with up / down / remove controls."""
    if not draft:
        return ('<div class="qx-empty">简报草稿为空。在回答下方点击「＋ 加入简报」，把回答及其出处收进来；'
                "可调整顺序、逐条移除，再导出为 Markdown 或 Word。</div>")
    refs = references(draft)
    items = []
    for i, it in enumerate(draft):
        up = f'<a href="#qx-brief-up-{i}" title="上移">↑ 上移</a>' if i > 0 else ""
        down = f'<a href="#qx-brief-down-{i}" title="下移">↓ 下移</a>' if i + 1 < len(draft) else ""
        tools = f'<div class="qx-bi-tools">{up}{down}<a href="#qx-brief-del-{i}" title="移除">✕ 移除</a></div>'
        items.append(f'<li class="qx-bi"><div class="qx-bi-q">{i + 1}. {esc(it.question)}</div>'
                     f'<div class="qx-bi-a">{_lines(renumber(it, refs))}</div>{tools}</li>')
    ref_list = "".join(f'<li><a href="{_open_href(c.clause_id, c.plan)}">[{n}] {esc(c.label)}</a></li>'
                       for n, c in enumerate(refs, start=1))
    return (f'<div class="qx-brief qx-scroll"><ol class="qx-bi-list">{"".join(items)}</ol>'
            f'<div class="qx-bi-refs"><div>参考条款（导出时附在文末）：</div><ul>{ref_list}</ul></div></div>')


# -- topic briefing (专题简报) ----------------------------------------------------------
def topic_brief_html(brief: TopicBrief | None, error: str = "") -> str:
    """The topic briefing as the exports lay it out: sections of cited lines (markers open the clause),
    the figures as a table that scrolls sideways on a phone, the reference list."""
    if error:
        return f'<div class="qx-empty qx-tb-error">{esc(error)}</div>'
    if brief is None:
        return ('<div class="qx-empty">输入一个专题（如「养老」「交通与停车」），生成专题简报：现状与成效、目标与指标、'
                "重点任务、相关名词，每条注明规划原文出处，可导出为 Markdown 或 Word。</div>")

    def cite(n: int, clause_id: str) -> str:
        return f'<a class="qx-cite" href="{_open_href(clause_id)}">[{n}]</a>'

    def section(title: str, lines) -> str:
        items = "".join(f"<li>{esc(x.text)}{cite(x.ref, x.clause_id)}</li>" for x in lines)
        return f"<h3>{esc(title)}</h3>" + (f"<ul>{items}</ul>" if items else f'<p class="qx-empty">{EMPTY_SECTION}</p>')

    head = "".join(f"<th>{esc(c)}</th>" for c in FIGURE_COLUMNS)
    rows = "".join(f"<tr><td>{esc(f.indicator)}</td><td>{esc(f.amount)}</td><td>{esc(f.year or '—')}</td>"
                   f"<td>{esc(f.kind_label)}</td><td>{cite(f.ref, f.clause_id)}</td></tr>" for f in brief.figures)
    table = (f'<div class="qx-tb-table"><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>'
             if rows else f'<p class="qx-empty">{EMPTY_SECTION}</p>')
    refs = "".join(f'<li><a href="{_open_href(c.clause_id, c.plan)}">[{n}] {esc(c.label)}</a></li>'
                   for n, c in enumerate(brief.references, start=1))
    return (f'<div class="qx-tb qx-scroll"><h2>{esc(brief.topic)}专题简报</h2>'
            f"{section(REVIEW, brief.review)}<h3>{FIGURES}</h3>{table}{section(TASKS, brief.tasks)}"
            f"{section(GLOSSARY, brief.glossary)}<h3>{REFERENCES}</h3><ul class=\"qx-tb-refs\">{refs}</ul></div>")


def compare_html(cmp: Comparison | None, error: str = "") -> str:
    """对照上位规划 as two columns per row: the plan above on the left, the district on the right, each
    clause's on-topic sentences with a marker that opens the clause in its plan; a side with nothing
    that lines up says so."""
    if error:
        return f'<div class="qx-empty qx-cmp-error">{esc(error)}</div>'
    if cmp is None:
        return ('<div class="qx-empty">输入一个专题（如「养老」「托育」「城市更新」），把上位规划（国家规划纲要）'
                "和本规划的相关条款按意思对齐、并排列出，每条注明出处。</div>")
    refs: dict[tuple[str, str], int] = {}

    def side(clauses) -> str:
        if not clauses:
            return '<p class="qx-empty">（未见相应表述）</p>'
        out = []
        for c in clauses:
            key = (c.citation.plan, c.citation.clause_id)
            n = refs.setdefault(key, len(refs) + 1)
            link = f'<a class="qx-cite" href="{_open_href(c.citation.clause_id, c.citation.plan)}" ' \
                   f'title="{esc(c.citation.label)}">[{n}]</a>'
            out.append(f"<p>{esc(''.join(c.sentences))}{link}</p>")
        return "".join(out)

    rows = "".join(f"<tr><td>{side(r.upper)}</td><td>{side(r.local)}</td></tr>" for r in cmp.rows)
    labels = {n: c.citation for r in cmp.rows for c in (*r.upper, *r.local)
              for n in [refs[(c.citation.plan, c.citation.clause_id)]]}
    ref_list = "".join(f'<li><a href="{_open_href(c.clause_id, c.plan)}">[{n}] {esc(c.label)}</a></li>'
                       for n, c in sorted(labels.items()))
    return (f'<div class="qx-cmp qx-scroll"><h2>对照上位规划：{esc(cmp.topic)}</h2>'
            f'<p class="qx-cmp-sum">{len(cmp.rows)} 组，其中 {cmp.aligned} 组两级规划均有表述</p>'
            f'<div class="qx-tb-table"><table><thead><tr><th>{esc(cmp.upper_plan)}</th>'
            f"<th>{esc(cmp.local_plan)}</th></tr></thead><tbody>{rows}</tbody></table></div>"
            f'<h3>{REFERENCES}</h3><ul class="qx-tb-refs">{ref_list}</ul></div>')


# -- page assets (webapp/static/) -------------------------------------------------------
STATIC = Path(__file__).resolve().parent / "static"
# The bridge between the rendered HTML and Gradio events (clicks on markers, pins, briefing edits).
BRIDGE_JS = (STATIC / "bridge.js").read_text(encoding="utf-8")
# Scroll the plan panel to an opened clause once it has re-rendered.
SCROLL_JS = (STATIC / "scroll.js").read_text(encoding="utf-8")
CSS = (STATIC / "app.css").read_text(encoding="utf-8")


# Raw <head> style: Gradio scopes `css` under .contain, which cannot reach the page padding outside it.
HEAD = "<style>@media (max-width: 640px) { .gradio-container > .main { padding: 10px 8px !important; } }</style>"

