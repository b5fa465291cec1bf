"""Runs every benchmark and prints its figures: `make bench` (or `python bench/run.py NAME`)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import certificates, lesson_page, lighthouse, quiz_submissions, reports  # noqa: E402

BENCHMARKS = {
    "lesson_page": lesson_page.main,
    "quiz_submissions": quiz_submissions.main,
    "certificates": certificates.main,
    "reports": reports.main,
    "lighthouse": lighthouse.main,
}


def main(argv: list[str]) -> None:
    names = argv or list(BENCHMARKS)
    for name in names:
        print(f"== {name}")
        BENCHMARKS[name]()


if __name__ == "__main__":
    main(sys.argv[1:])
