"""The JSON API under ``/api/v1``: the same answers and citations as the chat app, for portals and
mini-programs. A FastAPI sub-application (mounted by webapp.server), so every path under the prefix,
an unknown one included, answers in one error shape: ``{"error": {"code", "message"}}``.

No endpoint takes a file path; every user string passes webapp.edge before it is used.
"""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Literal

from fastapi import FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from assistant.compare import CompareError
from assistant.plan_routing import UnknownPlan
from assistant.topic_brief import TopicError
from assistant.types import Answer, Citation
from index.figures import Figure
from webapp import edge
from webapp.docs import install_docs
from webapp.limits import BodyTooLarge

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
VERSION = "1.0.0"  # of the API contract below: bumped when a field changes meaning or goes away
MAX_K = 20  # search results per request: a page of clauses, not the whole plan
DEFAULT_K = 5
EXAMPLE_Q = "普惠性幼儿园覆盖率要达到多少？"  # OpenAPI example: no plan's year or name
ERROR_CODES = {400: "bad_request", 401: "unauthorized", 404: "not_found", 405: "method_not_allowed",
               413: "payload_too_large", 422: "invalid_request", 500: "internal_error"}


# -- models -----------------------------------------------------------------------------
class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt field is an error, not silently ignored


class HistoryTurn(Strict):
    role: Literal["user", "assistant"]
    content: str = Field(description="the turn's text (cleaned and cut to the question limit)")


class AskRequest(Strict):
    question: str = Field(description="the question, in any words; list numbering like 「1、」 is ignored",
                          examples=[EXAMPLE_Q])
    history: list[HistoryTurn] = Field(default_factory=list,
                                       description="earlier turns, oldest first; only the newest are read")
    plan: str | None = Field(None, max_length=40, description="answer from this plan (an id from /plans); "
                             "default: the plan the question names, else the primary plan")


class CitationOut(BaseModel):
    clause_id: str = Field(examples=["10.2.2"])
    label: str = Field(description="as a briefing cites it; another plan's clause has its plan's name first")
    text: str
    plan: str = Field(description="the id of the clause's plan (see /plans)")

    @classmethod
    def of(cls, c: Citation) -> "CitationOut":
        return cls(clause_id=c.clause_id, label=c.label, text=c.text, plan=c.plan)


class RelatedOut(BaseModel):
    clause_id: str
    label: str
    plan: str


class AskResponse(BaseModel):
    answer: str = Field(description="the answer; [n] marks cite citations[n-1]")
    citations: list[CitationOut]
    abstained: bool = Field(description="true when the plan does not answer the question")
    outcome: Literal["answered", "not_in_plan", "out_of_scope", "empty"]
    notice: str = Field(description="what to tell the user besides the answer ('' for nothing)")
    query: str = Field(description="the standalone question that was searched (a follow-up rewritten)")
    related: list[RelatedOut] = Field(description="clauses near the topic when the plan does not answer")

    @classmethod
    def of(cls, res: Answer) -> "AskResponse":
        return cls(answer=res.answer, citations=[CitationOut.of(c) for c in res.citations],
                   abstained=res.abstained, outcome=res.outcome, notice=res.notice, query=res.query,
                   related=[RelatedOut(clause_id=c.clause_id, label=c.label, plan=c.plan) for c in res.related])


class SearchHit(BaseModel):
    clause_id: str
    label: str
    text: str
    score: float = Field(description="fused relevance; only the order within one response means anything")


class SearchResponse(BaseModel):
    query: str
    hits: list[SearchHit]


class ClauseOut(BaseModel):
    clause_id: str
    kind: str = Field(description="title | heading | paragraph | glossary")
    label: str = Field(description="how a briefing cites it")
    title: str
    text: str
    path: list[str] = Field(description="the titles from the chapter down")
    parent_id: str | None
    previous: str | None = Field(description="the clause before it in the plan (null for the first)")
    next: str | None = Field(description="the clause after it in the plan (null for the last)")


class PlanOut(BaseModel):
    id: str
    name: str
    short_name: str
    level: str = Field(description="国家 | 省 | 市 | 区 …")
    parent_plan: str = Field(description="the plan above it ('' for none)")
    primary: bool = Field(description="questions are about this plan unless they name another")


class FiguresResponse(BaseModel):
    count: int
    figures: list[Figure]  # index.figures.Figure, a frozen dataclass: its fields are the JSON row


FILTER_CHARS = 16  # a year, a period or a kind is a short token


class StoreInfo(BaseModel):
    source_sha256: str
    built_at: str
    embedding_model: str
    clauses: int


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    uptime_s: float
    store: StoreInfo
    plans: list[str] = Field(description="the ids of the plans it answers from, the primary first")


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail


# -- errors -----------------------------------------------------------------------------
def error(status: int, message: str, code: str | None = None) -> JSONResponse:
    body = ErrorBody(error=ErrorDetail(code=code or ERROR_CODES.get(status, "error"), message=message))
    return JSONResponse(body.model_dump(), status_code=status)


def validation_message(exc: RequestValidationError) -> str:
    """One readable line per problem: 'question: Field required; k: Input should be less than or equal to 20'."""
    parts = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            parts.append("请求体不是有效的 JSON")
            continue
        loc = [str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path")]
        parts.append(f"{'.'.join(loc) or 'body'}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "请求无效"


def _install_error_handlers(api: FastAPI) -> None:
    @api.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        return error(exc.status_code, str(exc.detail))

    @api.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error(422, validation_message(exc))

    @api.exception_handler(BodyTooLarge)
    async def too_large(_: Request, exc: BodyTooLarge) -> JSONResponse:
        return error(413, str(exc))

    @api.exception_handler(Exception)
    async def crashed(_: Request, exc: Exception) -> JSONResponse:
        log.exception("API request failed")
        return error(500, f"服务器内部错误（{type(exc).__name__}），请稍后重试。")


# -- the app ------------------------------------------------------------------------------
def sse(event: str, data: dict) -> str:
    """One server-sent event; JSON data with \\uXXXX escapes stays on one line whatever the text holds."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=True)}\n\n"


def create_api(bot, started_at: float | None = None) -> FastAPI:
    """The /api/v1 sub-application around a loaded Assistant (mount it at :data:`PREFIX`)."""
    settings = bot.settings
    started = time.monotonic() if started_at is None else started_at
    manifest = bot.retriever.store.manifest
    store = StoreInfo(source_sha256=manifest["params"]["source_sha256"], built_at=str(manifest.get("built_at", "")),
                      embedding_model=manifest["params"]["embedding_model"], clauses=len(bot.tree.clauses))
    errors = {s: {"model": ErrorBody} for s in (413, 422, 500)}

    api = FastAPI(title=f"{bot.profile.assistant_name} API", version=VERSION, docs_url=None,
                  redoc_url=None, openapi_url="/openapi.json",
                  description="Answers about the plan, every sentence cited to its clauses. Errors: "
                              '`{"error": {"code", "message"}}`.')
    _install_error_handlers(api)
    install_docs(api)  # /docs with Swagger UI served from here, not a CDN

    def ask_once(body: AskRequest) -> tuple[str, list[dict], str]:
        q, cut = edge.question(body.question, settings)
        return q, edge.history([t.model_dump() for t in body.history], settings), cut

    @api.post("/ask", response_model=AskResponse, responses=errors, summary="Answer a question, with citations")
    def ask(body: AskRequest) -> AskResponse | JSONResponse:
        q, history, cut = ask_once(body)
        try:
            res = bot.ask(q, history, plan=body.plan)
        except UnknownPlan as e:
            return error(422, f"plan: {e}")
        return AskResponse.of(replace(res, notice=edge.with_notice(cut, res.notice)) if cut else res)

    @api.post("/ask/stream", responses={200: {"content": {"text/event-stream": {}}}, **errors},
              summary="Answer as server-sent events: `delta` {text} pieces, then `answer` (the /ask object)",
              description="Each `delta` extends the text drawn so far. With an LLM configured the deltas are its "
                          "draft, token by token, under a 「（正在核对出处…）」 line: not yet checked. The one "
                          "`answer` event then replaces whatever the deltas drew, with the verified answer or the "
                          "extractive answer and its `notice`.")
    def ask_stream(body: AskRequest) -> Response:
        q, history, cut = ask_once(body)
        try:
            bot.engine(body.plan)  # an unknown plan is a 422 here, before the stream starts
        except UnknownPlan as e:
            return error(422, f"plan: {e}")

        def events() -> Iterator[str]:
            shown = ""
            try:
                for text, final in bot.ask_stream(q, history, plan=body.plan):
                    if final is None:
                        delta, shown = text[len(shown):], text
                        if delta:
                            yield sse("delta", {"text": delta})
                    else:
                        final = replace(final, notice=edge.with_notice(cut, final.notice)) if cut else final
                        yield sse("answer", AskResponse.of(final).model_dump())
            except Exception as e:  # the stream has started: the error travels as an event
                log.exception("streamed answer failed")
                yield sse("error", ErrorBody(error=ErrorDetail(code="internal_error",
                                                               message=f"回答时出错（{type(e).__name__}）")).model_dump())

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @api.get("/search", response_model=SearchResponse, responses=errors, summary="Clauses for a query, best first")
    def search(q: str = Query(description="what to look for", examples=["普惠性幼儿园覆盖率"]),
               k: int = Query(DEFAULT_K, ge=1, le=MAX_K, description="how many clauses"),
               plan: str = Query("", max_length=40, description="a plan id from /plans (empty: the primary plan)")
               ) -> SearchResponse | JSONResponse:
        query, _ = edge.question(q, settings)
        if not query:
            return error(422, "q: 查询内容为空")
        try:
            hits = bot.retrieve(query, k=k, plan=plan or None)
        except UnknownPlan as e:
            return error(422, f"plan: {e}")
        return SearchResponse(query=query, hits=[SearchHit(clause_id=h.clause_id, label=h.label, text=h.text,
                                                           score=round(float(h.score), 6)) for h in hits])

    @api.get("/clauses/{clause_id}", response_model=ClauseOut, responses={404: {"model": ErrorBody}, **errors},
             summary="One clause with its path and neighbours")
    def clause(clause_id: str = Path(description="e.g. 10.2.2, G.4, 0.1"),
               plan: str = Query("", max_length=40, description="a plan id from /plans (empty: the primary plan)")
               ) -> ClauseOut | JSONResponse:
        cid = edge.field(clause_id, edge.CLAUSE_ID_CHARS)
        try:
            tree = bot.engine(plan).tree
        except UnknownPlan as e:
            return error(422, f"plan: {e}")
        c = tree.get(cid)
        if c is None:
            return error(404, f"没有编号为「{cid}」的条款。")
        clauses = tree.clauses
        i = tree.position[cid]
        return ClauseOut(clause_id=c.clause_id, kind=c.kind, label=c.label, title=c.title, text=c.text,
                         path=list(c.path), parent_id=c.parent_id,
                         previous=clauses[i - 1].clause_id if i > 0 else None,
                         next=clauses[i + 1].clause_id if i + 1 < len(clauses) else None)

    @api.get("/brief", response_model=None, responses={422: {"model": ErrorBody}, **errors},
             summary="The topic briefing (专题简报): review, figures, tasks, glossary lines, each with `ref` "
                     "(1-based) into `references`")
    def brief(topic: str = Query(description="a topic in everyday words", examples=["养老"])) -> dict | JSONResponse:
        try:
            return bot.brief(edge.field(topic, edge.TOPIC_CHARS)).to_dict()
        except TopicError as e:
            return error(422, f"topic: {e}")

    @api.get("/compare", response_model=None, responses={422: {"model": ErrorBody}, **errors},
             summary="对照上位规划: the plan above and the primary plan on one topic, clause beside clause, "
                     "aligned by meaning, every clause cited with its plan")
    def compare(topic: str = Query(description="a topic in everyday words", examples=["养老"])) -> dict | JSONResponse:
        try:
            return bot.compare(edge.field(topic, edge.TOPIC_CHARS)).to_dict()
        except (TopicError, CompareError) as e:
            return error(422, f"topic: {e}")

    @api.get("/plans", response_model=list[PlanOut], summary="The plans it answers from, the primary first")
    def plans() -> list[PlanOut]:
        return [PlanOut(id=pid, name=p.name, short_name=p.short_name, level=p.level, parent_plan=p.parent_plan,
                        primary=pid == bot.plan_id) for pid, p in bot.plans.profiles.items()]

    @api.get("/figures", response_model=FiguresResponse, responses=errors,
             summary="The figures table (数据与指标): every quantified statement, filtered")
    def figures(topic: str = Query("", description="topic words, e.g. 教育 (empty: all)"),
                year: str = Query("", description="a year 'YYYY' or a period 'YYYY-YYYY' (empty: all)"),
                kind: str = Query("", description="actual | target | vision | change (empty: all)")
                ) -> FiguresResponse | JSONResponse:
        try:
            rows = bot.figures(topic=edge.field(topic, edge.TOPIC_CHARS) or None,
                               year=edge.field(year, FILTER_CHARS) or None, kind=edge.field(kind, FILTER_CHARS) or None)
        except ValueError as e:
            return error(422, str(e))
        return FiguresResponse(count=len(rows), figures=rows)

    @api.get("/health", response_model=Health, summary="Liveness, the store it answers from, uptime")
    def health() -> Health:
        return Health(status="ok", version=VERSION, uptime_s=round(time.monotonic() - started, 3), store=store,
                      plans=list(bot.plans.ids))

    return api
