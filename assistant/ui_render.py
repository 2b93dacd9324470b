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

from assistant.brief_export import EMPTY_SECTION
from assistant.briefing import Draft, references, renumber
from assistant.topic_brief import FIGURE_COLUMNS, FIGURES, GLOSSARY, REFERENCES, REVIEW, TASKS, TopicBrief
from assistant.types import Answer, Citation
from index.clauses import Clause, ClauseTree

MARKER = re.compile(r"\[(\d+)\]")
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


def _open_href(clause_id: str) -> str:
    return f"#qx-open-{esc(clause_id)}"


# -- chat ------------------------------------------------------------------------
def user_html(question: str) -> str:
    """The question exactly as typed: escaped, one HTML block so Markdown never applies."""
    return f'<div class="qx-q">{_lines(question) or "&nbsp;"}</div>'


def linked_answer(text: str, citations: list[Citation]) -> str:
    """Escaped answer text whose valid [n] markers link to the cited clause."""

    def link(m: re.Match) -> str:
        n = int(m.group(1))
        if not 1 <= n <= len(citations):
            return m.group(0)
        c = citations[n - 1]
        return f'<a class="qx-cite" href="{_open_href(c.clause_id)}" title="{esc(c.label)}">[{n}]</a>'

    return "<br>".join(MARKER.sub(link, esc(line)) for line in text.splitlines() if line.strip())


def _notice(ans: Answer) -> str:
    if not ans.notice:
        return ""
    return f'<div class="qx-notice">提示：{esc(ans.notice)}</div>'


def answer_html(ans: Answer, turn: int) -> str:
    """An answer bubble: text with linked markers, its sources, and the pin/copy actions."""
    if ans.abstained:
        head = ans.answer.splitlines()[0] if ans.answer else "规划中没有明确提到这一内容。"
        related = "".join(f'<li><a href="{_open_href(c.clause_id)}">{esc(c.label)}</a></li>' for c in ans.related)
        related_html = (f'<div class="qx-related"><div>相关条款（仅供参考，并非答案）：</div><ul>{related}</ul></div>'
                        if related else "")
        return (f'<div class="qx-answer qx-abstain">{_notice(ans)}<span class="qx-badge">{ABSTAIN_BADGE}</span>'
                f'<div class="qx-text">{esc(head)}</div>{related_html}</div>')
    srcs = "".join(f'<li><a href="{_open_href(c.clause_id)}"><b>[{n}]</b> {esc(c.label)}</a></li>'
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


def _bigrams(s: str) -> set[str]:
    return {s[i:i + 2] for i in range(len(s) - 1)}


def _supports(clause_sentence: str, answer_sentences: list[str]) -> bool:
    cs = _norm(clause_sentence)
    if len(cs) < 2:
        return False
    for a in map(_norm, answer_sentences):
        if cs in a or (len(a) >= 6 and a in cs):
            return True
        grams = _bigrams(cs)
        if grams and len(grams & _bigrams(a)) / len(grams) >= 0.6:  # a paraphrase (LLM answers)
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
            f'<p class="qx-src-text">{body}</p><a class="qx-open" href="{_open_href(c.clause_id)}">'
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

    def __init__(self, tree: ClauseTree) -> None:
        self.tree = tree

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
            sections = "".join(f'<li><a href="{_open_href(s.clause_id)}">{esc(s.title or s.label)}</a></li>'
                               for s in self.tree.children(ch.clause_id) if s.kind == "heading")
            cls = ' class="qx-cur"' if ch.clause_id == current else ""
            items.append(f'<li{cls}><a href="{_open_href(ch.clause_id)}">{esc(ch.label)}</a>'
                         + (f"<ol>{sections}</ol>" if sections else "") + "</li>")
        cur = self.tree.get(current)
        now = f"：{esc(cur.label)}" if cur else ""
        attr = " open" if open_ else ""
        return (f'<details class="qx-toc"{attr}><summary>目录（章 › 节）{now}</summary>'
                f'<ol>{"".join(items)}</ol></details>')

    def _clause(self, c: Clause, focus: str | None) -> str:
        cls = " qx-focus" if c.clause_id == focus else ""
        cid = esc(c.clause_id)
        if c.kind == "title":
            return f'<div class="qx-c qx-title{cls}" data-cid="{cid}">{_lines(c.text)}</div>'
        if c.kind == "heading":
            text = c.label if c.level <= 1 else (c.path[-1] if c.path else c.title)
            return f'<div class="qx-c qx-h qx-h{c.level}{cls}" data-cid="{cid}">{esc(text)}</div>'
        m = re.search(r"¶(\d+)", c.label)
        title = f"{esc(c.label)}（条款 {cid}）"
        mark = f'<a class="qx-pn" href="{_open_href(c.clause_id)}" title="{title}">¶{m.group(1)}</a>' if m else ""
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
        prev_link = f'<a href="{_open_href(ids[i - 1])}">‹ 上一章</a>' if i > 0 else "<span></span>"
        next_link = f'<a href="{_open_href(ids[i + 1])}">下一章 ›</a>' if i + 1 < len(ids) else "<span></span>"
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
    ref_list = "".join(f'<li><a href="{_open_href(c.clause_id)}">[{n}] {esc(c.label)}</a></li>'
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
    refs = "".join(f'<li><a href="{_open_href(c.clause_id)}">[{n}] {esc(c.label)}</a></li>'
                   for n, c in enumerate(brief.references, start=1))
    return (f'<div class="qx-tb qx-scroll"><h2>{esc(brief.topic)}专题简报</h2>'
            f"{section(REVIEW, brief.review)}<h3>{FIGURES}</h3>{table}{section(TASKS, brief.tasks)}"
            f"{section(GLOSSARY, brief.glossary)}<h3>{REFERENCES}</h3><ul class=\"qx-tb-refs\">{refs}</ul></div>")


# -- page assets -------------------------------------------------------------------
BRIDGE_JS = """
// Installed once per page: turn our #qx-… links (chat, sources, plan, briefing) into server events.
if (!window.__qxBridge) {
  window.__qxBridge = true;
  const copyText = (node) => {
    const box = node.closest('.qx-answer');
    if (!box) return;
    const text = [...box.querySelectorAll('.qx-text, .qx-srcs')].map((n) => n.innerText.trim()).join('\\n');
    const fallback = () => { const t = document.createElement('textarea'); t.value = text;
      document.body.appendChild(t); t.select(); document.execCommand('copy'); t.remove(); };
    (navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.reject()).catch(fallback);
    node.textContent = '✓ 已复制'; setTimeout(() => { node.textContent = '复制'; }, 1500);
  };
  document.addEventListener('click', (e) => {
    const a = e.target.closest && e.target.closest('a[href^="#qx-"]');
    if (!a) return;
    e.preventDefault();
    e.stopPropagation();
    const h = decodeURIComponent(a.getAttribute('href').slice(4));
    let m;
    if (h === 'copy') { copyText(a); }
    else if (h === 'back') { document.querySelector('#qx-chat')?.scrollIntoView({behavior: 'smooth'}); }
    else if ((m = h.match(/^open-(.+)$/))) { props.value = m[1]; trigger('open'); }
    else if ((m = h.match(/^pin-(\\d+)$/))) { props.value = m[1]; trigger('pin'); }
    else if ((m = h.match(/^brief-(up|down|del)-(\\d+)$/))) { props.value = m[1] + ':' + m[2]; trigger('brief'); }
  }, true);
}
"""

SCROLL_JS = """
(clauseId) => {
  // Once the plan shows the opened clause: scroll the panel to it, and the page to the panel when
  // the panel is off screen (phones, where it sits below the chat). Polls: the re-render is async.
  const started = Date.now();
  const tick = () => {
    const panel = document.querySelector('#qx-plan .qx-scroll');
    const el = panel && [...panel.querySelectorAll('.qx-focus')].find((n) => n.dataset.cid === clauseId);
    if (!el) { if (Date.now() - started < 4000) setTimeout(tick, 100); return; }
    const head = panel.querySelector('.qx-plan-head');
    const top = el.getBoundingClientRect().top - panel.getBoundingClientRect().top + panel.scrollTop
      - (head ? head.offsetHeight : 0) - 12;
    panel.scrollTop = Math.max(0, top);
    const r = panel.getBoundingClientRect();
    if (r.top < 0 || r.top > window.innerHeight * 0.5) panel.scrollIntoView({block: 'start', behavior: 'smooth'});
  };
  tick();
  return [];
}
"""

# Raw <head> style: Gradio scopes `css` under .contain, which cannot reach the page padding outside it.
HEAD = "<style>@media (max-width: 640px) { .gradio-container > .main { padding: 10px 8px !important; } }</style>"

CSS = """
.gradio-container { max-width: 1400px !important; }
#qx-header h1 { margin: 0 0 2px; font-size: 1.55rem; }
#qx-header p { margin: 0; color: var(--body-text-color-subdued); font-size: .92rem; }
#qx-main { gap: 16px; align-items: stretch; }
#qx-main > .column { min-width: 0; }
@media (max-width: 900px) {
  #qx-main { flex-direction: column !important; }
  #qx-main > .column { width: 100% !important; flex: 1 1 auto !important; }
  #qx-header h1 { font-size: 1.3rem; }
  #qx-chat { height: 62vh !important; }
  .qx-scroll { max-height: 75vh; }
}
#qx-chat .placeholder-content { padding: 0 20px; text-align: center; }
.qx-ex-row { flex-wrap: wrap !important; gap: 6px !important; }
.qx-ex-row > button { flex: 0 1 auto !important; width: auto !important; min-width: 0 !important; font-size: .85rem;
  padding: 4px 10px; white-space: normal; text-align: left; }
#qx-examples .qx-ex-label { font-size: .8rem; color: var(--body-text-color-subdued); margin: 2px 0; }
.qx-q { white-space: normal; word-break: break-word; }
.qx-answer { line-height: 1.7; word-break: break-word; }
.qx-answer .qx-text { margin-bottom: 6px; }
a.qx-cite { text-decoration: none; font-weight: 600; font-size: .8em; vertical-align: super; padding: 0 1px;
  color: var(--color-accent) !important; cursor: pointer; }
a.qx-cite:hover { text-decoration: underline; }
.qx-srcs, .qx-related { font-size: .84rem; color: var(--body-text-color-subdued); padding-top: 4px; margin-top: 4px;
  border-top: 1px dashed var(--border-color-primary); }
.qx-srcs ol, .qx-related ul { margin: 2px 0 0; padding-left: 0; list-style: none; }
.qx-srcs a, .qx-related a { color: inherit !important; text-decoration: none; }
.qx-srcs a:hover, .qx-related a:hover { text-decoration: underline; }
.qx-actions { display: flex; gap: 14px; margin-top: 6px; font-size: .84rem; }
.qx-actions a { text-decoration: none; color: var(--color-accent) !important; }
.qx-abstain { border-left: 4px solid #d97706; padding-left: 10px; }
.qx-badge { display: inline-block; background: #fef3c7; color: #92400e; border: 1px solid #f59e0b; border-radius: 999px;
  font-size: .78rem; font-weight: 600; padding: 0 10px; margin: 0 8px 4px 0; }
.qx-notice { background: #eff6ff; color: #1e40af; border-radius: 6px; padding: 4px 8px; margin-bottom: 6px;
  font-size: .85rem; }
.qx-pending .qx-wait { color: var(--body-text-color-subdued); }
.qx-scroll { max-height: 640px; overflow-y: auto; overscroll-behavior: contain; padding: 0 6px 0 5px; }
.qx-empty { color: var(--body-text-color-subdued); padding: 12px 4px; line-height: 1.7; }
.qx-src-q { font-weight: 600; margin: 4px 0 10px; word-break: break-word; }
.qx-src-q > span { color: var(--body-text-color-subdued); font-weight: 400; }
.qx-query { font-weight: 400; font-size: .82rem; color: var(--body-text-color-subdued); }
.qx-src { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 10px 12px; margin-bottom: 10px;
  background: var(--block-background-fill); }
.qx-src header { display: flex; gap: 8px; align-items: baseline; font-weight: 600; font-size: .9rem; }
.qx-num { flex: none; display: inline-grid; place-items: center; width: 22px; height: 22px; border-radius: 50%;
  background: var(--color-accent); color: white; font-size: .78rem; }
.qx-src-text { margin: 6px 0; line-height: 1.75; font-size: .92rem; }
.qx-related-card { opacity: .85; border-style: dashed; }
.qx-src-none { margin-bottom: 10px; line-height: 1.7; }
mark.qx-hl { background: #fde68a; color: inherit; padding: 0 1px; border-radius: 2px; }
a.qx-open { font-size: .85rem; text-decoration: none; color: var(--color-accent) !important; }
.qx-plan-head { position: sticky; top: 0; z-index: 2; background: var(--background-fill-primary); padding-bottom: 4px; }
.qx-toc { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 6px 10px; font-size: .88rem;
  background: var(--block-background-fill); max-height: 60vh; overflow-y: auto; }
.qx-toc summary { cursor: pointer; font-weight: 600; }
.qx-toc ol { margin: 4px 0; padding-left: 1.2em; }
.qx-toc ol ol { font-size: .84rem; list-style: none; padding-left: .8em; }
.qx-toc a { text-decoration: none; color: inherit !important; }
.qx-toc a:hover { text-decoration: underline; }
.qx-toc .qx-cur > a { font-weight: 700; color: var(--color-accent) !important; }
.qx-crumb { font-size: .82rem; color: var(--body-text-color-subdued); margin: 4px 2px 0; }
.qx-doc { padding-top: 6px; }
.qx-crumb span { margin-left: 6px; }
.qx-back { display: none; margin-left: 10px; text-decoration: none; color: var(--color-accent) !important; }
@media (max-width: 900px) { .qx-back { display: inline; } }
.qx-doc { line-height: 1.85; font-size: .95rem; }
.qx-tb { line-height: 1.75; font-size: .92rem; word-break: break-word; }
.qx-tb h2 { font-size: 1.1rem; margin: 6px 0; }
.qx-tb h3 { font-size: 1rem; margin: 12px 0 4px; }
.qx-tb ul { margin: 0; padding-left: 1.1em; }
.qx-tb-refs { list-style: none; padding-left: 0 !important; font-size: .84rem; }
.qx-tb-refs a { color: inherit !important; text-decoration: none; }
.qx-tb-table { max-width: 100%; overflow-x: auto; }
.qx-tb-table table { border-collapse: collapse; font-size: .84rem; min-width: 100%; }
.qx-tb-table th, .qx-tb-table td { border: 1px solid var(--border-color-primary); padding: 2px 6px; word-break: keep-all; }
.qx-tb-table td:first-child { word-break: break-word; min-width: 8em; }
.qx-tb-error { color: #92400e; }
.qx-c { border-radius: 6px; scroll-margin: 60px; }
.qx-title { font-weight: 700; text-align: center; margin: 8px 0 12px; }
.qx-h1 { font-size: 1.12rem; font-weight: 700; margin: 10px 0 6px; }
.qx-h2 { font-size: 1.02rem; font-weight: 700; margin: 12px 0 4px; }
.qx-h3 { font-weight: 600; margin: 8px 0 2px; }
.qx-p { margin: 0 0 8px; text-indent: 0; }
a.qx-pn { font-size: .72rem; color: var(--body-text-color-subdued) !important; text-decoration: none; margin-right: 6px;
  border: 1px solid var(--border-color-primary); border-radius: 4px; padding: 0 4px; vertical-align: 1px; }
.qx-focus { background: #fef3c7; box-shadow: 0 0 0 3px #f59e0b; animation: qx-flash 1.8s ease-out; }
@keyframes qx-flash { 0% { box-shadow: 0 0 0 8px #f59e0b88; } 100% { box-shadow: 0 0 0 3px #f59e0b; } }
.qx-chnav { display: flex; justify-content: space-between; margin-top: 10px; font-size: .88rem; }
.qx-chnav a { text-decoration: none; color: var(--color-accent) !important; }
.qx-bi-list { padding-left: 0; list-style: none; margin: 0; }
.qx-bi { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 8px 12px; margin-bottom: 8px; }
.qx-bi-q { font-weight: 600; word-break: break-word; }
.qx-bi-a { font-size: .9rem; line-height: 1.7; margin: 4px 0; word-break: break-word; }
.qx-bi-tools { display: flex; gap: 14px; font-size: .84rem; }
.qx-bi-tools a { text-decoration: none; color: var(--color-accent) !important; }
.qx-bi-refs { font-size: .84rem; color: var(--body-text-color-subdued); }
.qx-bi-refs ul { list-style: none; padding-left: 0; margin: 2px 0; }
.qx-bi-refs a { color: inherit !important; text-decoration: none; }
.dark .qx-badge { background: #451a03; color: #fde68a; }
.dark mark.qx-hl, .dark .qx-focus { background: #78350f; }
.dark .qx-notice { background: #1e3a8a; color: #dbeafe; }
#qx-status { min-height: 0; }
footer { margin-top: 8px !important; }
"""
