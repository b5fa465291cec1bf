"""Figures across cohorts: one row per cohort and a trend by month, from the counters.

Used by the organisation report, so a sponsor with many cohorts costs one grouped query
over their counters, not a query per cohort.
"""

from __future__ import annotations

from lms.reports.counters import Counters

COUNTS = ("enrolled", "withdrawn", "started", "completed", "certificates")


def counts_by_cohort(by_cohort: dict[int, Counters]) -> dict[int, dict[str, int]]:
    """cohort id -> enrolled, withdrawn, started, completed, certificates."""
    return {
        cohort_id: {name: counters.get(name) for name in COUNTS}
        for cohort_id, counters in by_cohort.items()
    }


def trend_by_month(counters: Counters) -> list[dict]:
    """Per calendar month (UTC): trainees who joined, and who completed, that month."""
    months: dict[str, dict] = {}
    for month, count in counters.labels("joined"):
        months.setdefault(month, {"joined": 0, "completed": 0})["joined"] = count
    for month, count in counters.labels("done"):
        months.setdefault(month, {"joined": 0, "completed": 0})["completed"] = count
    return [{"month": month, **months[month]} for month in sorted(months)]
