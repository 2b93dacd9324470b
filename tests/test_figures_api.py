"""The figures table and named sets through the public API (``Assistant.figures``/``named_sets``) and the CLI."""
from __future__ import annotations

import csv
import io
import json

import pytest

from assistant.__main__ import main
from index.figures import KINDS, Figure


def test_figures_are_computed_once(bot):
    rows = bot.figures()
    assert rows and all(isinstance(r, Figure) for r in rows)
    table = bot.figures_table
    bot.figures(topic="教育")
    assert bot.figures_table is table


@pytest.mark.parametrize("kw, check", [
    ({"topic": "幼儿园", "year": "2025"},  # 2025 and the period it ends
     lambda rs: sorted(r.value for r in rs) == ["15", "50", "85"]),
    ({"kind": "target"}, lambda rs: rs and all(r.kind == "target" for r in rs)),
    ({"year": "2016-2020", "kind": "actual"}, lambda rs: rs and all(r.year.startswith(("2016", "2017", "2018", "2019", "2020")) for r in rs)),
    ({"topic": "金融机构"}, lambda rs: {r.value for r in rs} >= {"1700", "2500"}),
    ({"topic": "  "}, lambda rs: len(rs) > 80),                      # a blank topic filters nothing
    ({"topic": "天气预报"}, lambda rs: rs == []),
])
def test_figures_filters(bot, kw, check):
    assert check(bot.figures(**kw))


def test_topic_uses_the_thesaurus(bot):
    """An everyday word finds the plan's own term (the thesaurus maps 公立幼儿园 to 公办幼儿园)."""
    assert any("公办幼儿园" in r.indicator for r in bot.figures(topic="公立幼儿园"))


@pytest.mark.parametrize("kw, message", [
    ({"year": "明年"}, "year must be like"), ({"year": "2025-2021"}, "backwards"), ({"kind": "goal"}, "unknown kind")])
def test_bad_filters_say_why(bot, kw, message):
    with pytest.raises(ValueError, match=message):
        bot.figures(**kw)


def test_named_sets(bot):
    sets = {s.name: s for s in bot.named_sets()}
    assert sets["四个核心商圈"].members == ("北国", "新百华润", "万象海悦", "益友")
    assert all(k in KINDS for k in {r.kind for r in bot.figures()})


# -- CLI --------------------------------------------------------------------------------------------------
def test_cli_json(capsys):
    assert main(["figures", "--topic", "幼儿园", "--year", "2025", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["value"] for r in rows} == {"15", "85", "50"} and rows[0]["clause_id"] == "10.2.2"


def test_cli_csv_and_text(capsys):
    assert main(["figures", "--kind", "vision", "--csv"]) == 0
    header = next(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert header[:3] == ["indicator", "value", "unit"]
    assert main(["figures", "--topic", "普惠性幼儿园覆盖率"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("指标") and "85%" in out[1] and "10.2.2" in out[1]


def test_cli_errors(capsys):
    assert main(["figures", "--year", "20x5"]) == 1
    assert "year must be like" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        main(["figures", "--kind", "goal"])
    assert e.value.code == 2
    with pytest.raises(SystemExit):
        main(["figures", "--csv", "--json"])
    assert main(["figures", "--topic", "天气预报"]) == 0
    assert "没有符合条件的数据" in capsys.readouterr().err


def test_cli_sets(capsys):
    assert main(["sets", "--json"]) == 0
    sets = json.loads(capsys.readouterr().out)
    assert any(s["name"] == "六个百分百" and len(s["members"]) == 6 for s in sets)
