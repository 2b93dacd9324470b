"""Download files: each export in its own folder, old ones pruned by age and count; the figures export."""
from __future__ import annotations

import csv
import os
import time

from webapp import exports
from webapp.figures_tab import COLUMNS, figures_export, rows_of, years_of


class TestExportFolders:
    def test_each_export_gets_a_fresh_folder(self, tmp_path):
        a, b = exports.fresh_folder(tmp_path), exports.fresh_folder(tmp_path)
        assert a != b and a.parent == b.parent == tmp_path and not any(a.iterdir())

    def test_old_exports_are_removed(self, tmp_path):
        old = exports.fresh_folder(tmp_path)
        (old / "f.md").write_text("x", encoding="utf-8")
        past = time.time() - exports.MAX_AGE_S - 10
        os.utime(old, (past, past))
        new = exports.fresh_folder(tmp_path)
        assert not old.exists() and new.exists()

    def test_the_number_of_exports_is_capped(self, tmp_path, monkeypatch):
        monkeypatch.setattr(exports, "MAX_FOLDERS", 3)
        made = [exports.fresh_folder(tmp_path) for _ in range(6)]
        assert len([p for p in tmp_path.iterdir()]) == 3 and made[-1].exists()


class TestFiguresExport:
    def test_csv_and_xlsx_hold_every_row_with_its_sentence(self, bot, tmp_path):
        from openpyxl import load_workbook

        figures = bot.figures(topic="养老")
        assert figures
        csv_path, xlsx_path = figures_export(figures, tmp_path)
        with open(csv_path, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        assert rows[0] == [*COLUMNS, "原文"] and len(rows) == len(figures) + 1
        assert rows[1][:8] == rows_of(figures)[0] and rows[1][8] == figures[0].sentence
        sheet = load_workbook(xlsx_path).active
        assert [c.value for c in sheet[2]][:8] == rows_of(figures)[0]

    def test_year_filter_offers_only_the_tables_years(self, bot):
        years = years_of(bot.figures())
        assert years[0] == "全部" and "2025" in years and all(bot.figures(year=y) for y in years[1:])
