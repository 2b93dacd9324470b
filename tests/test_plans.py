"""Several plans: where each lives (index/plans.py), which plan a question is about
(assistant/plan_routing.py), answers from the plan a question names, and the comparison with the plan
above (assistant/compare.py), through the library, the command line, the JSON API and the app."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant.plan_routing import UnknownPlan, named_plans, route
from index.plans import PLAN_FILE, plan_ids, plans_dir, primary_id, settings_for
from index.profile import PROFILE_FILE, PlanProfile

NATIONAL = "national_14th"
QIAOXI = "qiaoxi_14th"


def _follow_up(text: str) -> bool:  # the router's follow-up test, as the assistant would pass it
    return len(text) <= 8


@pytest.fixture(scope="module")
def profiles(settings) -> dict[str, PlanProfile]:
    return {pid: PlanProfile.load(settings_for(settings, pid).plan_path) for pid in plan_ids(settings)}


class TestPlanFolders:
    def test_the_configured_plan_comes_first_and_the_national_outline_is_shipped(self, settings):
        ids = plan_ids(settings)
        assert ids[0] == primary_id(settings) == QIAOXI
        assert NATIONAL in ids

    def test_another_plan_reads_its_folder_and_stores_beside_the_primary(self, settings):
        other = settings_for(settings, NATIONAL)
        assert other.plan_path == plans_dir(settings) / NATIONAL / PLAN_FILE
        assert other.store_dir.parent == settings.store_dir.parent / f"{settings.store_dir.name}.plans"
        assert settings_for(settings, QIAOXI) is settings

    @pytest.mark.parametrize("bad", ["../x", "A", "x", "a/b", "qiaoxi_14th/.."])
    def test_a_plan_id_that_is_no_folder_name_is_refused(self, settings, bad):
        with pytest.raises(ValueError):
            settings_for(settings, bad)

    def test_a_plan_copied_alone_brings_no_other_plan(self, settings, tmp_path):
        folder = tmp_path / "plans" / "only"
        folder.mkdir(parents=True)
        shutil.copy(settings.plan_path, folder / PLAN_FILE)
        shutil.copy(settings.plan_path.parent / PROFILE_FILE, folder / PROFILE_FILE)
        (tmp_path / "plans" / "junk").mkdir()  # no text, no profile: not a plan
        assert plan_ids(settings.model_copy(update={"plan_path": folder / PLAN_FILE})) == ["only"]


class TestRouting:
    @pytest.mark.parametrize("question, expected", [
        ("普惠性幼儿园覆盖率要达到多少？", (QIAOXI,)),
        ("国家规划里对养老是怎么要求的？", (NATIONAL,)),
        ("国家层面的城镇调查失业率控制在多少？", (NATIONAL,)),
        ("国家规划对托育怎么说的，桥西区又打算怎么做？", (NATIONAL, QIAOXI)),
        ("桥西区的养老和国家规划比起来怎么样？", (QIAOXI, NATIONAL)),
        ("桥西哪两家商场拿到了国家级的培育资格？", (QIAOXI,)),  # 国家级 names no plan
    ])
    def test_a_question_goes_to_the_plans_it_names(self, profiles, question, expected):
        assert route(question, [], profiles, QIAOXI).plan_ids == expected

    def test_the_plan_named_earlier_carries_through_follow_ups_only(self, profiles):
        national_turns = [{"role": "user", "content": "国家规划里常住人口城镇化率要提高到多少？"},
                          {"role": "assistant", "content": "提高到65%。"}]
        follow = route("那2035年呢？", national_turns, profiles, QIAOXI, is_follow_up=_follow_up)
        assert follow.plan_ids == (NATIONAL,) and follow.why == "conversation"
        standalone = route("普惠性幼儿园覆盖率要达到多少？", national_turns, profiles, QIAOXI, is_follow_up=_follow_up)
        assert standalone.plan_ids == (QIAOXI,)
        # a standalone district question in between ends the national conversation
        between = national_turns + [{"role": "user", "content": "普惠性幼儿园覆盖率要达到多少？"},
                                    {"role": "assistant", "content": "85%。"}]
        assert route("那2035年呢？", between, profiles, QIAOXI, is_follow_up=_follow_up).plan_ids == (QIAOXI,)

    def test_a_chosen_plan_wins_and_an_unknown_one_is_refused(self, profiles):
        assert route("普惠性幼儿园覆盖率？", [], profiles, QIAOXI, chosen=NATIONAL).plan_ids == (NATIONAL,)
        with pytest.raises(UnknownPlan, match="national_14th"):
            route("幼儿园", [], profiles, QIAOXI, chosen="nowhere")

    def test_the_longer_name_wins_where_two_overlap(self, profiles):
        national = profiles[NATIONAL]
        name = max(national.mentions, key=len)
        assert named_plans(f"{name}里说了什么", profiles, QIAOXI) == (NATIONAL,)


# -- the real assistant with both plans -------------------------------------------------------
URBAN_Q = "国家规划里，常住人口城镇化率要提高到多少？"
BOTH_Q = "国家规划对养老服务是怎么要求的，桥西区又打算怎么做？"


def _marker_plans(res) -> list[str]:
    import re

    return [res.citations[int(n) - 1].plan for n in re.findall(r"\[(\d+)\]", res.answer)]


class TestAnswersFromSeveralPlans:
    def test_a_question_naming_the_national_plan_is_answered_and_cited_from_it(self, bot):
        res = bot.ask(URBAN_Q)
        assert not res.abstained and "65%" in res.answer
        assert res.citations and {c.plan for c in res.citations} == {NATIONAL}
        short = bot.plans.profiles[NATIONAL].short_name
        assert all(c.label.startswith(f"《{short}》") for c in res.citations)
        national = bot.plans.get(NATIONAL).tree
        assert all(national.by_id[c.clause_id].text == c.text for c in res.citations)

    def test_a_district_question_stays_with_the_district_plan_and_its_labels(self, bot):
        res = bot.ask("到2025年普惠性幼儿园覆盖率要达到多少？")
        assert "85%" in res.answer and {c.plan for c in res.citations} == {QIAOXI}
        assert all(c.label == bot.tree.by_id[c.clause_id].label for c in res.citations)

    def test_a_question_naming_both_plans_is_answered_from_each_under_its_name(self, bot):
        res = bot.ask(BOTH_Q)
        names = [bot.plans.profiles[p].short_name for p in (NATIONAL, QIAOXI)]
        assert all(f"【{n}】" in res.answer for n in names)
        assert res.answer.index(names[0]) < res.answer.index(names[1])
        plans = _marker_plans(res)
        assert set(plans) == {NATIONAL, QIAOXI}
        # every marker after the district heading cites the district plan, every one before it the national
        cut = res.answer.index(f"【{names[1]}】")
        before = _marker_plans(type(res)(answer=res.answer[:cut], citations=res.citations))
        assert set(before) == {NATIONAL}

    def test_the_plan_can_be_chosen_and_an_unknown_one_is_an_error(self, bot):
        res = bot.ask("城镇调查失业率控制在多少？", plan=NATIONAL)
        assert "5.5%" in res.answer and {c.plan for c in res.citations} == {NATIONAL}
        with pytest.raises(UnknownPlan):
            bot.ask("幼儿园", plan="nowhere")
        hits = bot.retrieve("城镇调查失业率", k=3, plan=NATIONAL)
        assert "城镇调查失业率" in hits[0].text

    def test_a_follow_up_stays_with_the_plan_the_conversation_is_about(self, bot):
        first = bot.ask(URBAN_Q)
        history = [{"role": "user", "content": URBAN_Q}, {"role": "assistant", "content": first.answer}]
        res = bot.ask("那2035年呢？", history)
        shown = [*res.citations, *res.related]  # answered or not, what it shows is the national plan's
        assert shown and {c.plan for c in shown} == {NATIONAL}
        short = bot.plans.profiles[NATIONAL].short_name
        assert all(line.startswith(f"· 《{short}》") for line in res.answer.splitlines() if line.startswith("· "))


class TestCompare:
    @pytest.fixture(scope="class")
    def elderly(self, bot):
        return bot.compare("养老")

    def test_rows_pair_national_and_district_clauses_by_meaning(self, bot, elderly):
        assert elderly.aligned >= 2
        national, district = bot.plans.get(NATIONAL).tree, bot.tree
        for row in elderly.rows:
            for c in row.upper:
                assert c.citation.plan == NATIONAL and national.by_id[c.citation.clause_id].text == c.citation.text
            for c in row.local:
                assert c.citation.plan == QIAOXI and district.by_id[c.citation.clause_id].text == c.citation.text
            for c in (*row.upper, *row.local):
                assert c.sentences and all(s in c.citation.text for s in c.sentences)  # verbatim
            if row.upper and row.local:
                assert row.similarity >= bot.settings.brief.align_min
        text = " ".join(s for r in elderly.rows for c in (*r.upper, *r.local) for s in c.sentences)
        assert "养老" in text

    def test_upper_clauses_keep_their_plan_order(self, bot, elderly):
        order = {c.clause_id: i for i, c in enumerate(bot.plans.get(NATIONAL).tree.clauses)}
        upper = [order[r.upper[0].citation.clause_id] for r in elderly.rows if r.upper]
        assert upper == sorted(upper)

    def test_markdown_cites_every_clause_once_with_its_plan(self, elderly):
        md = elderly.to_markdown()
        assert md.startswith("# 对照上位规划：养老")
        refs = [line for line in md.splitlines() if line.startswith("[")]
        cited = {(c.citation.plan, c.citation.clause_id) for r in elderly.rows for c in (*r.upper, *r.local)}
        assert len(refs) == len(cited)
        assert any("《" in line for line in refs)

    @pytest.mark.parametrize("topic, error", [("  ", "请输入专题"), ("明天的天气预报", "没有")])
    def test_an_empty_or_uncovered_topic_is_refused(self, bot, topic, error):
        from assistant.topic_brief import TopicError

        with pytest.raises(TopicError, match=error):
            bot.compare(topic)

    def test_a_plan_without_a_parent_cannot_compare(self, bot):
        from assistant.compare import CompareError

        with pytest.raises(CompareError):
            bot.plans.get(NATIONAL).compare("养老")

    def test_cli(self, bot, monkeypatch, tmp_path, capsys):
        from assistant.__main__ import main

        monkeypatch.setattr("assistant.__main__._load", lambda args: bot)
        out = tmp_path / "cmp.md"
        assert main(["compare", "托育", "--md", str(out)]) == 0
        printed = capsys.readouterr().out
        assert printed.startswith("# 对照上位规划：托育") and out.read_text(encoding="utf-8") == printed
        assert main(["compare", "--json", "养老"]) == 0
        assert json.loads(capsys.readouterr().out)["rows"]
        assert main(["compare", " "]) == 2


class TestApi:
    @pytest.fixture(scope="class")
    def api(self, bot, tmp_path_factory):
        from fastapi.testclient import TestClient

        from webapp.server import build_server

        return TestClient(build_server(bot, tmp_path_factory.mktemp("exports")))

    def test_plans_and_health_list_both(self, api):
        plans = api.get("/api/v1/plans").json()
        assert [p["id"] for p in plans][:1] == [QIAOXI] and plans[0]["primary"]
        national = next(p for p in plans if p["id"] == NATIONAL)
        assert national["level"] == "国家" and not national["primary"]
        assert api.get("/api/v1/health").json()["plans"][:1] == [QIAOXI]

    def test_ask_search_and_clauses_take_a_plan(self, api):
        body = api.post("/api/v1/ask", json={"question": "城镇调查失业率控制在多少？", "plan": NATIONAL}).json()
        assert "5.5%" in body["answer"] and {c["plan"] for c in body["citations"]} == {NATIONAL}
        cid = body["citations"][0]["clause_id"]
        clause = api.get(f"/api/v1/clauses/{cid}", params={"plan": NATIONAL}).json()
        assert clause["text"] == body["citations"][0]["text"]
        hits = api.get("/api/v1/search", params={"q": "城镇调查失业率", "plan": NATIONAL, "k": 2}).json()["hits"]
        assert "城镇调查失业率" in hits[0]["text"]
        for bad in (api.post("/api/v1/ask", json={"question": "幼儿园", "plan": "nowhere"}),
                    api.get("/api/v1/search", params={"q": "幼儿园", "plan": "nowhere"}),
                    api.get("/api/v1/clauses/1.1", params={"plan": "nowhere"})):
            assert bad.status_code == 422 and "nowhere" in bad.json()["error"]["message"]

    def test_compare(self, api):
        body = api.get("/api/v1/compare", params={"topic": "养老"}).json()
        assert body["topic"] == "养老" and any(r["upper"] and r["local"] for r in body["rows"])
        assert api.get("/api/v1/compare", params={"topic": "明天的天气预报"}).status_code == 422


class TestQuestionAsked:
    @pytest.mark.parametrize("question, chosen, asked", [
        ("国家规划里森林覆盖率要达到多少？", None, "森林覆盖率要达到多少？"),
        ("国家规划里森林覆盖率要达到多少？", NATIONAL, "森林覆盖率要达到多少？"),  # chosen and named alike
        ("桥西区普惠性幼儿园覆盖率是多少？", None, ""),                        # the district's own: as asked
        ("桥西区普惠性幼儿园覆盖率是多少？", QIAOXI, ""),
        ("国家规划", None, ""),                                             # nothing left to ask
    ])
    def test_a_plan_is_asked_without_the_names_of_plans(self, profiles, question, chosen, asked):
        assert route(question, [], profiles, QIAOXI, chosen=chosen).question == asked
