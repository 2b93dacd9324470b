"""The 「数据与指标」 tab: the plan's figures table, filtered by topic words, year and kind, each row
opening its clause in the plan browser, downloadable as CSV and XLSX.

UI wiring only: the rows come from ``Assistant.figures`` (assistant/figures_table.py), the files are
written by ``figures_export``; every user string passes webapp.edge first.
"""
from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import gradio as gr

from assistant.figures_table import KIND_LABELS
from index.figures import Figure
from webapp import edge
from webapp.downloads import download_buttons
from webapp.exports import fresh_folder

ALL = "全部"
COLUMNS = ("指标", "数值", "单位", "比较", "年份/时期", "类型", "章节", "条款")
TOPIC_CHARS = 40  # a topic is a few words; a longer one is cut
SENTENCE_COLUMN = "原文"


def rows_of(figures: list[Figure]) -> list[list[str]]:
    """One table row per figure, in the plan's order, as a civil servant quotes it."""
    return [[f.indicator, f.value, f.unit, f.comparator, f.year or "—", KIND_LABELS.get(f.kind, f.kind),
             f.chapter, f.clause_id] for f in figures]


def select(bot, topic: str, year: str, kind: str) -> list[Figure]:
    """The rows the filters keep; the year list offers only years the table has, so no ValueError here."""
    kinds = {label: k for k, label in KIND_LABELS.items()}
    return bot.figures(topic=edge.field(topic, TOPIC_CHARS) or None, year=None if year in ("", ALL) else year,
                       kind=kinds.get(kind))


def figures_export(figures: list[Figure], folder: Path, now: datetime | None = None) -> tuple[Path, Path]:
    """The rows as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese) and as XLSX."""
    from openpyxl import Workbook  # local: only an export needs it
    from openpyxl.styles import Font

    now = now or datetime.now()
    stem = f"figures-{now:%Y%m%d-%H%M%S}"
    header = [*COLUMNS, SENTENCE_COLUMN]
    table = [[*row, f.sentence] for row, f in zip(rows_of(figures), figures)]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header, *table])
    csv_path, xlsx_path = folder / f"{stem}.csv", folder / f"{stem}.xlsx"
    csv_path.write_text("\ufeff" + buf.getvalue(), encoding="utf-8")
    book = Workbook()
    sheet = book.active
    sheet.title = "数据与指标"
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    book.save(xlsx_path)
    return csv_path, xlsx_path


def years_of(figures: list[Figure]) -> list[str]:
    """The years and periods the table holds, for the year filter."""
    return [ALL, *sorted({f.year for f in figures if f.year})]


def build_tab(bot, export_dir: Path | None):
    """The tab's components and events, inside the caller's Blocks and Tabs; returns the table (the caller
    opens a selected row's clause in its plan browser), the refresh step the caller runs on page load
    (then ``download_buttons``), the filters and the download buttons."""
    every = bot.figures()
    with gr.Row(elem_classes="qx-fig-filters"):
        topic = gr.Textbox(label="主题词", placeholder="如：教育、养老、金融", max_lines=1, scale=2, min_width=120)
        year = gr.Dropdown(years_of(every), value=ALL, label="年份/时期", scale=1, min_width=100)
        kind = gr.Dropdown([ALL, *KIND_LABELS.values()], value=ALL, label="类型", scale=1, min_width=90)
    table = gr.Dataframe(rows_of(every), headers=list(COLUMNS), interactive=False, wrap=True, max_height=520,
                         elem_id="qx-figures", show_search="none")
    with gr.Row():
        csv_btn = gr.DownloadButton("下载 CSV", size="sm", interactive=export_dir is not None)
        xlsx_btn = gr.DownloadButton("下载 Excel (.xlsx)", size="sm", variant="primary",
                                     interactive=export_dir is not None)

    def refresh(topic_text: str, year_text: str, kind_text: str) -> tuple[list[list[str]], str | None, str | None]:
        """The filtered rows and their CSV and XLSX files (none when nothing is left or nowhere to write)."""
        figures = select(bot, topic_text, year_text, kind_text)
        if export_dir is None or not figures:
            return rows_of(figures), None, None
        csv_path, xlsx_path = figures_export(figures, fresh_folder(export_dir))
        return rows_of(figures), str(csv_path), str(xlsx_path)

    for control in (topic, year, kind):
        event = control.submit if control is topic else control.change
        visibility = dict(api_name="figures") if control is topic else dict(api_visibility="private")
        event(refresh, [topic, year, kind], [table, csv_btn, xlsx_btn], concurrency_limit=4, **visibility).then(
            download_buttons, [csv_btn, xlsx_btn], [csv_btn, xlsx_btn], api_visibility="private")
    return table, refresh, (topic, year, kind), (csv_btn, xlsx_btn)
