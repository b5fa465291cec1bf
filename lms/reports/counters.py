"""Reading the report counters: one grouped query over a few small rows per cohort.

The counters themselves are kept by database triggers (`reports.counting`); here they are
summed over the cohorts (and slots) a report covers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select

from lms.extensions import db
from lms.reports.models import ReportCount


@dataclass
class Counters:
    """Totals by (name, label), and every (name, label, total) in the database's order of
    name, then label (so groups sort as the database sorts their values)."""

    totals: dict[tuple[str, str], int] = field(default_factory=dict)
    ordered: list[tuple[str, str, int]] = field(default_factory=list)

    def get(self, name: str, label: str = "") -> int:
        return self.totals.get((name, label), 0)

    def exact(self, name: str, label: str = "", scale: int = 100) -> Decimal:
        """A total kept in 1/`scale` units (scores in hundredths, points in 1/10,000)."""
        return Decimal(self.get(name, label)) / scale

    def labels(self, name: str) -> list[tuple[str, int]]:
        """(label, total) of `name` with a non-zero total, in the database's order."""
        return [(label, total) for n, label, total in self.ordered if n == name and total]


def load(cohort_ids: list[int]) -> Counters:
    """The counters summed over `cohort_ids`."""
    rows = db.session.execute(
        select(ReportCount.name, ReportCount.label, func.sum(ReportCount.total))
        .where(ReportCount.cohort_id.in_(cohort_ids))
        .group_by(ReportCount.name, ReportCount.label)
        .order_by(ReportCount.name, ReportCount.label)
    ).all()
    counters = Counters()
    for name, label, total in rows:
        counters.totals[(name, label)] = int(total)
        counters.ordered.append((name, label, int(total)))
    return counters


def load_by_cohort(cohort_ids: list[int]) -> dict[int, Counters]:
    """The counters of each cohort (every id present, empty when nothing was counted)."""
    rows = db.session.execute(
        select(
            ReportCount.cohort_id,
            ReportCount.name,
            ReportCount.label,
            func.sum(ReportCount.total),
        )
        .where(ReportCount.cohort_id.in_(cohort_ids))
        .group_by(ReportCount.cohort_id, ReportCount.name, ReportCount.label)
        .order_by(ReportCount.cohort_id, ReportCount.name, ReportCount.label)
    ).all()
    result = {cohort_id: Counters() for cohort_id in cohort_ids}
    for cohort_id, name, label, total in rows:
        counters = result.setdefault(int(cohort_id), Counters())
        counters.totals[(name, label)] = int(total)
        counters.ordered.append((name, label, int(total)))
    return result
