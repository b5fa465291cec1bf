"""The report as CSV (UTF-8 with BOM, formula-safe cells), JSON and a printable PDF."""

from __future__ import annotations

import csv
import io
import json

from flask import render_template

from lms.pdf import render_html_to_pdf
from lms.reports.charts import distribution_chart, funnel_chart
from lms.reports.services import Report

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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


def report_rows(report: Report) -> list[list[object]]:
    rows: list[list[object]] = [["section", "item", "measure", "value"]]
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
    for measure in ("trainees", "mean_pre", "mean_post", "mean_gain", "normalised_gain"):
        if measure in gain:
            rows.append(["knowledge gain", "all", measure, gain[measure]])
    for concept in gain.get("concepts", []):
        rows.append(["knowledge gain", concept["id"], "pre %", concept["pre"]])
        rows.append(["knowledge gain", concept["id"], "post %", concept["post"]])
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
        for key in ("enrolled", "started", "completed", "completion_rate", "certificates"):
            rows.append(["cohort", cohort["name"], key, cohort[key]])
    return rows


def report_csv(report: Report) -> str:
    return write_csv(report_rows(report))


def report_json(report: Report) -> str:
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str)


def report_pdf(report: Report) -> bytes:
    html = render_template(
        "reports/print.html",
        report=report,
        funnel_chart=funnel_chart(report) if report.funnel else None,
        distribution_chart=distribution_chart,
    )
    return render_html_to_pdf(html, {}, report.title.encode())
