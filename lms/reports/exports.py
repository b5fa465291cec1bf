"""The report as CSV (UTF-8 with BOM, formula-safe cells), XLSX, JSON and a printable PDF.

CSV and XLSX carry the same rows and labels: `report_rows` gives (section, item,
measure, value); the XLSX has one sheet per section holding those rows, with numbers
written as numbers and every text cell written as a string (so nothing becomes a date
or a formula).
"""

from __future__ import annotations

import csv
import io
import json

from flask import render_template

from lms.pdf import render_html_to_pdf
from lms.reports.charts import distribution_chart, funnel_chart, trend_chart
from lms.reports.logos import logo_markup
from lms.reports.services import Report, organisation_logo

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = ["section", "item", "measure", "value"]


def safe_cell(value: object) -> object:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ tab or CR gets a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell("" if cell is None else cell) for cell in row])
    return "\ufeff" + buffer.getvalue()


def _summary_rows(report: Report) -> list[list[object]]:
    rows = []
    for key in (
        "enrolled",
        "withdrawn",
        "started",
        "completed",
        "completion_rate",
        "certificates",
        "median_days_to_complete",
    ):
        rows.append(["summary", report.title, key, getattr(report, key)])
    rows.append(["summary", report.title, "period_from", report.period.get("from")])
    rows.append(["summary", report.title, "period_to", report.period.get("to")])
    rows.append(["summary", report.title, "generated", report.generated])
    attendance = report.attendance or {}
    rows.append(["summary", report.title, "attendance_rate", attendance.get("rate")])
    for key in ("sessions", "attended", "places"):
        rows.append(["summary", report.title, f"attendance_{key}", attendance.get(key)])
    satisfaction = report.satisfaction or {}
    rows.append(["summary", report.title, "satisfaction_answers", satisfaction.get("answers")])
    rows.append(["summary", report.title, "satisfaction_rate", satisfaction.get("rate")])
    return rows


def report_rows(report: Report) -> list[list[object]]:
    rows: list[list[object]] = [HEADER, *_summary_rows(report)]
    for step in report.funnel:
        rows.append(["funnel", f"Day {step['day']}", "reached", step["reached"]])
        rows.append(["funnel", f"Day {step['day']}", "finished", step["finished"]])
    for quiz in report.quizzes:
        for measure in ("takers", "passed", "pass_rate", "mean_best"):
            rows.append(["quiz", quiz["key"], measure, quiz[measure]])
        for bucket in quiz["distribution"]:
            rows.append(["quiz", quiz["key"], f"best {bucket['range']}%", bucket["count"]])
        for question in quiz["hardest"]:
            rows.append(
                [
                    "hardest question",
                    f"{quiz['key']}/{question['id']}",
                    "correct %",
                    question["correct_rate"],
                ]
            )
    gain = report.gain or {}
    for measure in (
        "trainees",
        "mean_pre",
        "mean_post",
        "mean_gain",
        "ci_low",
        "ci_high",
        "normalised_gain",
    ):
        if measure in gain:
            rows.append(["knowledge gain", "all", measure, gain[measure]])
    for concept in gain.get("concepts", []):
        rows.append(["knowledge gain", concept["id"], "pre %", concept["pre"]])
        rows.append(["knowledge gain", concept["id"], "post %", concept["post"]])
    for question in (report.survey or {}).get("questions", []):
        rows.append(["survey", question["id"], "answers", question["answers"]])
        if question["too_few"]:
            continue
        if question["kind"] == "rating":
            rows.append(["survey", question["id"], "mean", question["mean"]])
            for count in question["counts"]:
                rows.append(["survey", question["id"], f"rated {count['value']}", count["count"]])
        elif question["kind"] == "choice":
            for count in question["counts"]:
                rows.append(["survey", question["id"], count["choice"], count["count"]])
        else:
            for text in question["texts"]:
                rows.append(["survey", question["id"], "comment", text])
    for dimension, groups in report.breakdowns.items():
        for group in groups:
            if group["hidden"]:
                rows.append(
                    ["breakdown", dimension, "hidden groups", group.get("hidden_groups", 1)]
                )
                continue
            rows.append(
                ["breakdown", f"{dimension}={group['group']}", "enrolled", group["enrolled"]]
            )
            rows.append(
                ["breakdown", f"{dimension}={group['group']}", "completed", group["completed"]]
            )
    for cohort in report.cohorts if report.scope == "organisation" else []:
        for key in (
            "enrolled",
            "started",
            "completed",
            "completion_rate",
            "certificates",
            "mean_gain",
            "satisfaction",
        ):
            rows.append(["cohort", cohort["name"], key, cohort[key]])
    for month in report.trend:
        rows.append(["trend", month["month"], "joined", month["joined"]])
        rows.append(["trend", month["month"], "completed", month["completed"]])
    return rows


def _write_cell(sheet, line: int, column: int, value: object) -> None:
    """Numbers as numbers; everything else as a string (never a date or a formula)."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        sheet.write_string(line, column, str(value))
    else:
        sheet.write_number(line, column, value)


def write_xlsx(rows: list[list[object]], title: str, sheet_name: str = "roster") -> bytes:
    """One sheet holding `rows` (the first one bold, as a header), like `write_csv`."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    workbook.set_properties({"title": title, "created": None})
    bold = workbook.add_format({"bold": True})
    sheet = workbook.add_worksheet(sheet_name[:31])
    for line, row in enumerate(rows):
        if line == 0:
            sheet.write_row(0, 0, [str(cell) for cell in row], bold)
            continue
        for column, value in enumerate(row):
            _write_cell(sheet, line, column, value)
    sheet.set_column(0, 1, 24)
    workbook.close()
    return buffer.getvalue()


def report_csv(report: Report) -> str:
    return write_csv(report_rows(report))


def report_xlsx(report: Report) -> bytes:
    """One sheet per section, each with the CSV's header and rows (XlsxWriter, in memory)."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    workbook.set_properties({"title": report.title, "created": None})
    bold = workbook.add_format({"bold": True})
    sheets: dict[str, tuple] = {}
    for row in report_rows(report)[1:]:
        section = row[0]
        if section not in sheets:
            sheet = workbook.add_worksheet(section[:31])
            sheet.write_row(0, 0, HEADER, bold)
            sheet.set_column(0, 1, 28)
            sheet.set_column(2, 2, 24)
            sheet.set_column(3, 3, 14)
            sheets[section] = (sheet, [1])
        sheet, line = sheets[section]
        for column, value in enumerate(row):
            _write_cell(sheet, line[0], column, value)
        line[0] += 1
    workbook.close()
    return buffer.getvalue()


def report_json(report: Report) -> str:
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str)


def report_context(report: Report) -> dict:
    """What the page and the PDF templates need beside the report itself."""
    return {
        "report": report,
        "logo": logo_markup(organisation_logo(report.organisation_id)),
        "funnel_chart": funnel_chart(report, report.enrolled) if report.funnel else None,
        "trend_chart": trend_chart(report.trend) if report.trend else None,
        "distribution_chart": distribution_chart,
    }


def report_pdf(report: Report) -> bytes:
    html = render_template("reports/print.html", **report_context(report))
    return render_html_to_pdf(html, {})
