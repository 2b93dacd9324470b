"""The JSON API under /api/v1, in process: the real Assistant and the real combined app (FastAPI with the
Gradio app mounted), driven with FastAPI's TestClient. No server, no network."""
from __future__ import annotations

import copy
import json

import pytest
from fastapi.testclient import TestClient

KG_Q = "到2025年普惠性幼儿园覆盖率要达到多少？"
ERROR_KEYS = {"error"}


def make_server(bot, tmp_path, **settings):
    from webapp.server import build_server

    if settings:
        bot = copy.copy(bot)
        bot.settings = bot.settings.model_copy(update=settings)
    return build_server(bot, tmp_path)


@pytest.fixture(scope="module")
def api(bot, tmp_path_factory) -> TestClient:
    return TestClient(make_server(bot, tmp_path_factory.mktemp("exports")))


def assert_error(res, status: int, code: str) -> dict:
    assert res.status_code == status, res.text
    body = res.json()
    assert set(body) == ERROR_KEYS and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code and body["error"]["message"]
    return body["error"]


# -- /ask ------------------------------------------------------------------------------------
def test_ask_answers_with_citations(api, bot):
    res = api.post("/api/v1/ask", json={"question": KG_Q})
    assert res.status_code == 200
    body = res.json()
    assert set(body) == {"answer", "citations", "abstained", "outcome", "notice", "query", "related"}
    assert "85%" in body["answer"] and "[1]" in body["answer"] and not body["abstained"]
    assert body["outcome"] == "answered"
    assert body["citations"][0]["clause_id"] == "10.2.2"
    assert set(body["citations"][0]) == {"clause_id", "label", "text", "plan"}
    direct = bot.ask(KG_Q)
    assert body["answer"] == direct.answer
    assert body["citations"] == [c.to_dict() for c in direct.citations]


def test_ask_follow_up_uses_history(api):
    first = api.post("/api/v1/ask", json={"question": "桥西区在养老服务方面有什么规划？"}).json()
    history = [{"role": "user", "content": "桥西区在养老服务方面有什么规划？"},
               {"role": "assistant", "content": first["answer"]}]
    body = api.post("/api/v1/ask", json={"question": "那医养结合呢？", "history": history}).json()
    assert not body["abstained"] and any("医养" in c["text"] for c in body["citations"])


def test_ask_not_in_plan_has_related_clauses_only(api):
    body = api.post("/api/v1/ask", json={"question": "桥西区地铁3号线什么时候开通？"}).json()
    assert body["abstained"] and body["citations"] == [] and body["outcome"] == "not_in_plan"
    assert body["related"] and all(set(r) == {"clause_id", "label", "plan"} for r in body["related"])
    assert len({r["clause_id"] for r in body["related"]}) == len(body["related"])


def test_overlong_question_is_cut_with_notice(api, bot):
    body = api.post("/api/v1/ask", json={"question": KG_Q + "啊" * 5000}).json()
    assert "问题过长" in body["notice"] and "85%" in body["answer"]
    assert len(body["query"]) <= bot.settings.max_question_chars


def test_long_history_is_bounded_not_refused(api):
    history = [{"role": "user", "content": "问" * 50}] * 300
    body = api.post("/api/v1/ask", json={"question": KG_Q, "history": history}).json()
    assert "85%" in body["answer"]


@pytest.mark.parametrize("prefix", ["1、", "问题3：", "(2) ", "（二）", "3. ", "①"])
def test_list_numbering_answers_like_the_bare_question(api, prefix):
    bare = api.post("/api/v1/ask", json={"question": "普惠性幼儿园覆盖率是多少？"}).json()
    numbered = api.post("/api/v1/ask", json={"question": prefix + "普惠性幼儿园覆盖率是多少？"}).json()
    assert numbered["answer"] == bare["answer"] and "85%" in bare["answer"]
    assert numbered["citations"] == bare["citations"] and numbered["query"] == bare["query"]


def test_lone_surrogate_is_cleaned_not_a_crash(api):
    raw = b'{"question": "\\ud800\\u5e7c\\u513f\\u56ed\\u8986\\u76d6\\u7387", "history": [{"role": "user", "content": "\\udfff"}]}'
    res = api.post("/api/v1/ask", content=raw, headers={"Content-Type": "application/json"})
    assert res.status_code == 200, res.text
    body = res.json()
    assert "\ud800" not in body["query"] and "幼儿园覆盖率" in body["query"]
    res.content.decode("utf-8")  # strict: no surrogate made it into the response


# -- /ask/stream ------------------------------------------------------------------------------
def parse_sse(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_stream_sends_deltas_then_the_answer(api):
    res = api.post("/api/v1/ask/stream", json={"question": KG_Q})
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(res.text)
    kinds = [e for e, _ in events]
    assert kinds[-1] == "answer" and set(kinds[:-1]) == {"delta"} and len(kinds) >= 2
    final = events[-1][1]
    assert "".join(d["text"] for _, d in events[:-1]) == final["answer"]
    assert final == api.post("/api/v1/ask", json={"question": KG_Q}).json()


def test_stream_validates_like_ask(api):
    assert_error(api.post("/api/v1/ask/stream", json={}), 422, "invalid_request")


# -- /search, /clauses, /health ------------------------------------------------------------------
def test_search_returns_scored_hits(api, bot):
    res = api.get("/api/v1/search", params={"q": "普惠性幼儿园覆盖率", "k": 3})
    body = res.json()
    assert res.status_code == 200 and len(body["hits"]) == 3
    assert set(body["hits"][0]) == {"clause_id", "label", "text", "score"}
    assert body["hits"][0]["clause_id"] == "10.2.2"
    scores = [h["score"] for h in body["hits"]]
    assert scores == sorted(scores, reverse=True)
    assert [h["clause_id"] for h in body["hits"]] == [h.clause_id for h in bot.retrieve("普惠性幼儿园覆盖率", k=3)]


@pytest.mark.parametrize("params", [{}, {"q": "幼儿园", "k": 0}, {"q": "幼儿园", "k": 1000}, {"q": "幼儿园", "k": "x"},
                                    {"q": " \u200b "}])
def test_search_bad_parameters_are_422(api, params):
    err = assert_error(api.get("/api/v1/search", params=params), 422, "invalid_request")
    assert err["message"].startswith(("q", "k"))


def test_clause_with_path_and_neighbours(api, bot):
    body = api.get("/api/v1/clauses/10.2.2").json()
    assert body["clause_id"] == "10.2.2" and "85%" in body["text"] and body["path"][0].startswith("第十章")
    ids = [c.clause_id for c in bot.tree.clauses]
    i = ids.index("10.2.2")
    assert body["previous"] == ids[i - 1] and body["next"] == ids[i + 1]
    first = api.get(f"/api/v1/clauses/{ids[0]}").json()
    assert first["previous"] is None and first["next"] == ids[1]
    assert api.get(f"/api/v1/clauses/{ids[-1]}").json()["next"] is None


@pytest.mark.parametrize("cid", ["99.9.9", "..%2F..%2Fetc%2Fpasswd", "%00", "x" * 500])
def test_unknown_clause_is_404(api, cid):
    assert_error(api.get(f"/api/v1/clauses/{cid}"), 404, "not_found")


def test_health_names_the_store(api, bot):
    body = api.get("/api/v1/health").json()
    manifest = bot.retriever.store.manifest
    assert body["status"] == "ok" and body["version"]
    assert body["store"]["source_sha256"] == manifest["params"]["source_sha256"]
    assert body["store"]["built_at"] == manifest["built_at"] and body["uptime_s"] >= 0


def test_openapi_docs_under_the_prefix(api):
    assert api.get("/api/v1/docs").status_code == 200
    spec = api.get("/api/v1/openapi.json").json()
    assert {"/ask", "/ask/stream", "/search", "/clauses/{clause_id}", "/health"} <= set(spec["paths"])
    assert "AskResponse" in spec["components"]["schemas"]


# -- errors, limits, CORS ------------------------------------------------------------------------
@pytest.mark.parametrize("body, field", [({}, "question"), ({"question": 5}, "question"),
                                         ({"question": "q", "history": [{"role": "system", "content": "x"}]}, "history"),
                                         ({"question": "q", "extra": 1}, "extra")])
def test_bad_fields_are_422_with_a_readable_message(api, body, field):
    err = assert_error(api.post("/api/v1/ask", json=body), 422, "invalid_request")
    assert field in err["message"] and "{" not in err["message"]


def test_invalid_json_is_422(api):
    res = api.post("/api/v1/ask", content=b'{"question": ', headers={"Content-Type": "application/json"})
    assert "JSON" in assert_error(res, 422, "invalid_request")["message"]


def test_unknown_path_and_method_use_the_error_shape(api):
    assert_error(api.get("/api/v1/nothing-here"), 404, "not_found")
    assert_error(api.get("/api/v1/ask"), 405, "method_not_allowed")


def test_body_over_64kb_is_413(api):
    big = json.dumps({"question": "问" * 30_000}).encode()  # 180 KB of \u escapes
    assert len(big) > 64 * 1024
    assert_error(api.post("/api/v1/ask", content=big, headers={"Content-Type": "application/json"}),
                 413, "payload_too_large")


def test_chunked_body_over_64kb_is_413(api):
    def chunks():
        yield b'{"question": "'
        for _ in range(100):
            yield b"a" * 1024
        yield b'"}'

    res = api.post("/api/v1/ask", content=chunks(), headers={"Content-Type": "application/json"})
    assert_error(res, 413, "payload_too_large")


def test_gradio_routes_have_a_body_cap_and_a_file_cap(api):
    big = b"x" * (2 * 1024 * 1024)
    assert_error(api.post("/gradio_api/upload", files={"files": ("a.txt", big)}), 413, "payload_too_large")
    just_over_file_cap = b"x" * (1024 * 1024 + 10)  # under the body cap: Gradio's own max_file_size refuses it
    res = api.post("/gradio_api/upload", files={"files": ("a.txt", just_over_file_cap)})
    assert res.status_code == 413


def test_cors_is_off_by_default(api):
    res = api.options("/api/v1/ask", headers={"Origin": "https://portal.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in res.headers
    res = api.get("/api/v1/health", headers={"Origin": "https://portal.example"})
    assert "access-control-allow-origin" not in res.headers


def test_cors_for_configured_origins_only(bot, tmp_path):
    client = TestClient(make_server(bot, tmp_path, cors_origins=["https://portal.example"]))
    res = client.options("/api/v1/ask", headers={"Origin": "https://portal.example",
                                                 "Access-Control-Request-Method": "POST",
                                                 "Access-Control-Request-Headers": "content-type"})
    assert res.status_code == 200 and res.headers["access-control-allow-origin"] == "https://portal.example"
    res = client.get("/api/v1/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in res.headers


def test_cors_origins_from_the_environment(monkeypatch):
    from index.config import get_settings

    monkeypatch.setenv("QIAOXI_CORS_ORIGINS", "https://a.example, https://b.example")
    assert get_settings().cors_origins == ["https://a.example", "https://b.example"]


# -- basic auth -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def locked(bot, tmp_path_factory) -> TestClient:
    from webapp.server import build_server

    return TestClient(build_server(bot, tmp_path_factory.mktemp("locked"), auth="官员:s3cret:with-colon"))


@pytest.mark.parametrize("path", ["/", "/config", "/gradio_api/info", "/api/v1/health", "/api/v1/docs"])
def test_auth_guards_app_and_api(locked, path):
    res = locked.get(path)
    assert_error(res, 401, "unauthorized")
    assert res.headers["www-authenticate"].startswith("Basic ")
    assert_error(locked.get(path, auth=("官员", "wrong")), 401, "unauthorized")
    assert_error(locked.get(path, headers={"Authorization": "Basic !!notbase64"}), 401, "unauthorized")
    assert locked.get(path, auth=("官员", "s3cret:with-colon")).status_code == 200


def test_auth_from_the_settings(bot, tmp_path):
    client = TestClient(make_server(bot, tmp_path, auth="u:p"))
    assert client.post("/api/v1/ask", json={"question": KG_Q}).status_code == 401
    assert "85%" in client.post("/api/v1/ask", json={"question": KG_Q}, auth=("u", "p")).json()["answer"]


def test_no_auth_by_default(api):
    assert api.get("/").status_code == 200 and api.get("/api/v1/health").status_code == 200


def test_bad_credentials_setting_is_refused():
    from webapp.limits import parse_credentials

    for bad in ("nopassword", ":p", "u:", ""):
        with pytest.raises(ValueError):
            parse_credentials(bad)
    assert parse_credentials("u:p:q") == ("u", "p:q")


def test_brief_endpoint(api):
    res = api.get("/api/v1/brief", params={"topic": "养老"})
    assert res.status_code == 200
    body = res.json()
    assert body["topic"] == "养老" and body["references"] and body["tasks"]
    refs = [r["clause_id"] for r in body["references"]]
    assert all(refs[line["ref"] - 1] == line["clause_id"] for line in body["review"] + body["tasks"] + body["figures"])
    assert_error(api.get("/api/v1/brief", params={"topic": "  "}), 422, "invalid_request")
    assert_error(api.get("/api/v1/brief", params={"topic": "明天的天气预报"}), 422, "invalid_request")


@pytest.mark.parametrize("params, check", [
    ({"topic": "幼儿园", "year": "2025", "kind": "target"},
     lambda rows: any(r["indicator"] == "普惠性幼儿园覆盖率" and r["value"] == "85" for r in rows)
     and all(r["kind"] == "target" for r in rows)),
    ({}, lambda rows: len(rows) >= 100 and all(r["sentence"] and r["clause_id"] for r in rows)),
    ({"topic": "明天的天气预报"}, lambda rows: rows == []),
])
def test_figures_endpoint(api, params, check):
    res = api.get("/api/v1/figures", params=params)
    assert res.status_code == 200
    body = res.json()
    assert body["count"] == len(body["figures"]) and check(body["figures"])


@pytest.mark.parametrize("params", [{"year": "25年"}, {"kind": "guess"}])
def test_figures_endpoint_rejects_bad_filters(api, params):
    assert_error(api.get("/api/v1/figures", params=params), 422, "invalid_request")


def test_docs_page_loads_only_same_origin_assets(api):
    """/api/v1/docs works offline: every script, style, icon and the schema it names are served here."""
    import re

    page = api.get("/api/v1/docs")
    assert page.status_code == 200 and "SwaggerUIBundle" in page.text
    urls = re.findall(r'(?:src|href)="([^"]+)"', page.text) + re.findall(r"url: '([^']+)'", page.text)
    assert len(urls) >= 4 and "cdn" not in page.text and "validatorUrl" in page.text
    kinds = {}
    for url in urls:
        assert url.startswith("/api/v1/") and "//" not in url, url  # same origin, under the API's prefix
        res = api.get(url)
        assert res.status_code == 200 and res.content, url
        kinds[url.rsplit(".", 1)[-1]] = res
    assert kinds["js"].headers["content-type"].startswith("text/javascript") and b"SwaggerUIBundle" in kinds["js"].content
    assert kinds["css"].headers["content-type"].startswith("text/css") and b".swagger-ui" in kinds["css"].content
    assert kinds["png"].headers["content-type"] == "image/png"
    assert kinds["json"].json()["openapi"].startswith("3.")  # Swagger UI 5 reads FastAPI's OpenAPI 3.1
    assert_error(api.get("/api/v1/docs/assets/index.html"), 404, "not_found")  # only the page's own files


def test_chat_sessions_kept_in_memory_are_bounded(bot, tmp_path):
    """Gradio keeps 10,000 sessions by default (~0.3-0.5 MB each); the app keeps settings.max_sessions,
    dropping the least recently used."""
    app = make_server(bot, tmp_path, max_sessions=2)
    holder = next(r.app.state_holder for r in app.routes if hasattr(getattr(r, "app", None), "state_holder"))
    assert holder.capacity == 2
    for session in ("first", "second", "first", "third"):  # "first" used again: "second" is the oldest
        holder[session]
    assert set(holder.session_data) == {"first", "third"}
