"""Adding a plan: reading .txt/.md/.docx (index/sources.py), `python -m index add --check` on both shipped
plans, `add` writing a plan folder (into a temporary plans dir), and the profiles' new `mentions`."""
from __future__ import annotations

import pytest

from index.__main__ import main
from index.config import PROJECT_ROOT
from index.parser import parse_plan
from index.profile import PlanProfile
from index import sources
from index.sources import PlanSourceError, markdown_to_text, read_plan_text

PLANS = PROJECT_ROOT / "data" / "plans"
NATIONAL = PLANS / "national_14th" / "plan.txt"
QIAOXI = PLANS / "qiaoxi_14th" / "plan.txt"
NATIONAL_NAME = "中华人民共和国国民经济和社会发展第十四个五年规划和2035年远景目标纲要"
NATIONAL_SHA256 = "601a98c3c4dee1572f213c9e6b2f149615b4416b1a83c6e4b13f4120ba71427e"
SMALL_PLAN = "示范县规划\n第一章 总体要求\n坚持稳中求进。\n一、发展目标\n到2025年，城镇化率达到65%。\n"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["add", *map(str, argv)])
    out = capsys.readouterr()
    return code, out.out, out.err


class TestCheck:
    @pytest.mark.parametrize("path, expected", [
        (QIAOXI, ["16 chapters (章)", "62 sections (一、 62)", "22 subsections ((一) 22)", "25 glossary entries",
                  "preface: 前言 (0), 2 paragraphs", "    1.1  第一章 一、全面建成小康社会取得决定性成就", "notes: none"]),
        (NATIONAL, ["19 parts (篇)", "65 chapters (章)", "192 sections (节 192)", "0 subsections",
                    "preface: a heading-less opening paragraph (0.1)", "    P1  第一篇 开启全面建设社会主义现代化国家新征程",
                    "    1.1  第一篇 第一章 第一节 决胜全面建成小康社会取得决定性成就",
                    "chapter ids: their numbers (unique in the document)"]),
    ])
    def test_prints_the_structure(self, capsys, path, expected):
        code, out, err = run(capsys, path, "--check")
        assert code == 0 and err == ""
        for piece in expected:
            assert piece in out, piece

    def test_a_layout_it_cannot_place_exits_1_naming_the_line(self, capsys, tmp_path):
        bad = tmp_path / "bad.txt"
        bad.write_text("示范县规划\n第一节 开头\n第一章 总则\n", encoding="utf-8")
        code, out, err = run(capsys, bad, "--check")
        assert code == 1 and out == ""
        assert err.startswith("error: line 2: a 第X节 before any 第X章") and err.count("\n") == 1

    def test_check_writes_nothing(self, capsys, tmp_path):
        code, _, _ = run(capsys, NATIONAL, "--check", "--plans-dir", tmp_path / "plans")
        assert code == 0 and not (tmp_path / "plans").exists()


class TestAdd:
    def test_writes_the_plan_and_its_profile(self, capsys, tmp_path):
        plans = tmp_path / "plans"
        code, out, err = run(capsys, NATIONAL, "--id", "nation_14th", "--name", NATIONAL_NAME, "--plans-dir", plans)
        assert (code, err) == (0, "")
        assert out.splitlines()[-1] == "added nation_14th; run `python -m index build` to index it"
        assert "taken from the name" in out and "level = 国家" in out
        folder = plans / "nation_14th"
        assert (folder / "plan.txt").read_bytes() == NATIONAL.read_bytes()
        profile = PlanProfile.load(folder / "profile.toml")
        assert (profile.id, profile.name, profile.level, profile.region) == ("nation_14th", NATIONAL_NAME, "国家", "全国")
        assert (profile.period.name, profile.period.start, profile.period.end) == ("十四五", 2021, 2025)
        assert (profile.previous_period.name, profile.previous_period.start) == ("十三五", 2016)
        assert profile.long_range_year == 2035 and profile.parent_plan == ""
        assert sorted(p.name for p in plans.iterdir()) == ["nation_14th"]  # nothing left aside

    def test_options_win_over_the_name(self, capsys, tmp_path):
        plan = tmp_path / "plan.txt"
        plan.write_text(SMALL_PLAN, encoding="utf-8")
        code, _, err = run(capsys, plan, "--id", "demo", "--name", "示范县发展规划", "--short-name", "示范县规划",
                           "--level", "县", "--region", "示范县", "--period", "十四五:2021-2025",
                           "--previous-period", "十三五：2016-2020", "--long-range-year", "2035",
                           "--parent", "national_14th", "--plans-dir", tmp_path / "plans")
        assert (code, err) == (0, "")
        profile = PlanProfile.load(tmp_path / "plans" / "demo" / "profile.toml")
        assert (profile.short_name, profile.level, profile.region, profile.parent_plan) == \
               ("示范县规划", "县", "示范县", "national_14th")
        assert profile.previous_period.end == 2020

    def test_refuses_to_overwrite_without_force_and_keeps_other_files_with_it(self, capsys, tmp_path):
        args = (NATIONAL, "--id", "nation_14th", "--name", NATIONAL_NAME, "--plans-dir", tmp_path)
        assert run(capsys, *args)[0] == 0
        (tmp_path / "nation_14th" / "questions.jsonl").write_text("{}\n", encoding="utf-8")
        code, out, err = run(capsys, *args)
        assert code == 1 and out == "" and "exists; pass --force" in err
        code, out, _ = run(capsys, QIAOXI, "--id", "nation_14th", "--name", NATIONAL_NAME, "--plans-dir", tmp_path,
                           "--force")
        assert code == 0 and "kept questions.jsonl" in out
        assert (tmp_path / "nation_14th" / "plan.txt").read_bytes() == QIAOXI.read_bytes()

    @pytest.mark.parametrize("argv, message", [
        (["--id", "Bad-Id", "--name", NATIONAL_NAME], "--id 'Bad-Id'"),
        (["--id", "x", "--name", NATIONAL_NAME], "--id 'x'"),
        (["--id", "demo"], "--id and --name are needed"),
        (["--id", "demo", "--name", "某某发展规划"], "pass --region"),
        (["--id", "demo", "--name", NATIONAL_NAME, "--period", "2021-2025"], "NAME:START-END"),
        (["--id", "demo", "--name", NATIONAL_NAME, "--level", "乡"], "--level '乡'"),
    ])
    def test_errors_are_one_line(self, capsys, tmp_path, argv, message):
        code, out, err = run(capsys, NATIONAL, *argv, "--plans-dir", tmp_path / "plans")
        assert code == 1 and out == "" and err.startswith("error: ") and message in err and err.count("\n") == 1
        assert not (tmp_path / "plans").exists()

    @pytest.mark.parametrize("suffix", [".md", ".docx"])
    def test_a_markdown_or_word_plan_is_written_as_its_plain_text(self, capsys, tmp_path, suffix):
        source = _markdown_plan(tmp_path) if suffix == ".md" else _docx_plan(tmp_path)
        code, _, err = run(capsys, source, "--id", "demo", "--name", "示范县发展规划", "--region", "示范县",
                           "--period", "十四五:2021-2025", "--previous-period", "十三五:2016-2020",
                           "--long-range-year", "2035", "--plans-dir", tmp_path / "plans")
        assert (code, err) == (0, "")
        text = (tmp_path / "plans" / "demo" / "plan.txt").read_text(encoding="utf-8")
        assert "#" not in text and "**" not in text
        tree = parse_plan(text)
        assert tree.get("1").label == "第一章 总体要求" and tree.get("1.1.1").text.startswith("到2025年")


def _markdown_plan(folder):
    path = folder / "plan.md"
    path.write_text("# 示范县规划\n\n## 第一章 总体要求\n\n**坚持**稳中求进。\n\n### 一、发展目标\n\n"
                    "到2025年，城镇化率达到*65%*。\n", encoding="utf-8")
    return path


def _docx_plan(folder):
    import docx

    document = docx.Document()
    document.add_heading("示范县规划", level=0)
    document.add_heading("第一章 总体要求", level=1)
    document.add_paragraph("坚持稳中求进。")
    document.add_heading("一、发展目标", level=2)
    document.add_paragraph("到2025年，城镇化率达到65%。")
    table = document.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "指标", (0, 1): "2025年", (1, 0): "城镇化率", (1, 1): "65%"}.items():
        table.cell(r, c).text = text
    path = folder / "plan.docx"
    document.save(str(path))
    return path


class TestSources:
    def test_text_is_read_as_is_without_a_byte_order_mark(self, tmp_path):
        path = tmp_path / "plan.txt"
        path.write_bytes("\ufeff".encode() + SMALL_PLAN.replace("\n", "\r\n").encode())
        assert read_plan_text(path) == SMALL_PLAN.replace("\n", "\r\n")

    @pytest.mark.parametrize("md, text", [
        ("## 第一章 总体要求 ##", "第一章 总体要求"),
        ("**坚持**稳中求进，__统筹__发展，*稳步*推进。", "坚持稳中求进，统筹发展，稳步推进。"),
        ("- 建设学校", "建设学校"),
        ("* 建设医院", "建设医院"),
        ("1. 材料实验室", "1. 材料实验室"),  # a numbered item keeps its number: a plan's 1. level
        ("> 引用的话", "引用的话"),
        ("见[国务院网站](https://www.gov.cn/)和`附表`。", "见国务院网站和附表。"),
        ("| 指标 | 2025年 |", "指标 | 2025年"),
        ("|---|---|", ""),
        ("增长5\\*2倍", "增长5*2倍"),
    ])
    def test_markdown(self, md, text):
        assert markdown_to_text(md) == text + "\n"

    def test_markdown_keeps_blank_lines(self):
        assert markdown_to_text("# 标题\n\n正文。\n") == "标题\n\n正文。\n"

    def test_docx_paragraphs_and_table_rows_in_order(self, tmp_path):
        text = read_plan_text(_docx_plan(tmp_path))
        assert text == ("示范县规划\n\n第一章 总体要求\n\n坚持稳中求进。\n\n一、发展目标\n\n到2025年，城镇化率达到65%。\n\n"
                        "指标 | 2025年\n\n城镇化率 | 65%\n")

    @pytest.mark.parametrize("name, data, message", [
        ("plan.pdf", b"%PDF-1.4", "convert it to .txt first"),
        ("plan.doc", b"\xd0\xcf", "save it as .docx"),
        ("plan.html", b"<p>x</p>", "unsupported file type '.html'"),
        ("plan.txt", b"  \n\n", "holds no text"),
        ("plan.txt", "第一章 总则".encode("gbk"), "not UTF-8"),
        ("plan.txt", b"a\x00b", "binary"),
        ("plan.docx", b"not a zip", "not a readable .docx"),
    ])
    def test_refusals(self, tmp_path, name, data, message):
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(PlanSourceError) as e:
            read_plan_text(path)
        assert message in str(e.value) and str(path) in str(e.value)

    def test_missing_file_and_size_cap(self, tmp_path, monkeypatch):
        with pytest.raises(PlanSourceError, match="no such file"):
            read_plan_text(tmp_path / "none.txt")
        path = tmp_path / "plan.txt"
        path.write_text(SMALL_PLAN, encoding="utf-8")
        monkeypatch.setattr(sources, "MAX_SOURCE_BYTES", 10)
        with pytest.raises(PlanSourceError, match="cap"):
            read_plan_text(path)


class TestProfiles:
    def test_national_profile(self):
        p = PlanProfile.load(PLANS / "national_14th" / "profile.toml")
        assert (p.id, p.name, p.short_name, p.level, p.region) == (
            "national_14th", NATIONAL_NAME, "国家“十四五”规划纲要", "国家", "全国")
        assert (p.period.start, p.period.end, p.previous_period.name, p.long_range_year, p.parent_plan) == (
            2021, 2025, "十三五", 2035, "")
        assert {"全国", "国家", "我国"} <= set(p.region_aliases)
        assert len(p.example_questions) == 3 and len(p.resident_questions) == 5 and len(p.briefing_questions) == 5

    def test_mentions_name_one_plan_only(self):
        """A phrase that names one plan must not occur in another's name or phrases: 「纲要」 would send a
        question about the district's own 纲要 to the national outline."""
        profiles = [PlanProfile.load(PLANS / p / "profile.toml") for p in ("national_14th", "qiaoxi_14th")]
        for p in profiles:
            assert p.mentions and len(set(p.mentions)) == len(p.mentions)
            for other in profiles:
                if other is not p:
                    assert not [m for m in p.mentions if m in other.name or any(m in o for o in other.mentions)]

    @pytest.mark.parametrize("said, read", [
        ("到25年那会儿", "到2025年那会儿"), ("从15年到20年", "从2015年到2020年"), ("等到35年，", "等到2035年，"),
        ("住了20年", "住了20年"), ("近20年", "近20年"), ("20年来", "20年来"), ("20多年", "20多年"), ("20年前", "20年前"),
        ("90年代", "90年代"), ("到14年", "到14年"), ("到36年", "到36年"), ("到2025年", "到2025年"),
    ])
    def test_two_digit_years_the_plan_speaks_of_are_read_in_full(self, said, read):
        """Only years from the base year of the previous period to the long-range year; spans of years stay."""
        assert PlanProfile.load(PLANS / "qiaoxi_14th" / "profile.toml").full_years(said) == read

    def test_mentions_default_to_none(self, tmp_path):
        text = (PLANS / "national_14th" / "profile.toml").read_text(encoding="utf-8")
        start = text.index("mentions = [")
        path = tmp_path / "profile.toml"
        path.write_text(text[:start] + text[text.index("]", start) + 1:], encoding="utf-8")
        assert PlanProfile.load(path).mentions == ()

    def test_the_shipped_national_text_is_the_shared_one_unchanged(self):
        import hashlib

        # sha256 of shared/plans/national_14th_fyp.txt (shared/plans/README.md says what it is)
        assert hashlib.sha256(NATIONAL.read_bytes()).hexdigest() == NATIONAL_SHA256
