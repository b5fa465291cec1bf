"""Runs the benchmarks and prints one table: `make bench`, `python bench/run.py [NAME...]`.

`--check` exits 1 when a figure misses its budget (DESIGN.md "Budgets"). The load test
(`make bench-load`) is not part of this run.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import (  # noqa: E402
    certificates,
    lesson_page,
    lighthouse,
    quiz_submissions,
    reports,
    startup,
    week_of_use,
)
from bench.table import render  # noqa: E402

BENCHMARKS = {
    "lesson_page": lesson_page.main,
    "quiz_submissions": quiz_submissions.main,
    "certificates": certificates.main,
    "reports": reports.main,
    "lighthouse": lighthouse.main,
    "week_of_use": week_of_use.main,
    "startup": startup.main,
}


def main(argv: list[str]) -> int:
    check = "--check" in argv
    names = [name for name in argv if name != "--check"] or list(BENCHMARKS)
    figures: list[dict] = []
    for name in names:
        print(f"== {name}")
        figures.extend(BENCHMARKS[name]() or [])
    print()
    print(render(figures))
    missed = [row["name"] for row in figures if not row["ok"]]
    if missed:
        print(f"budgets missed: {', '.join(missed)}")
    return 1 if check and missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
