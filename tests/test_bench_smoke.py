"""The benchmarks still run: each at a tiny size, on the real database, checking what it
prints and returns (not how fast: budgets live in bench/, never in tests). A benchmark
that broke unnoticed once (reports: the counter triggers created twice) is only found by
the next `make bench`, hours later."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_the_reports_benchmark_runs_and_counts_what_it_generated(tmp_path, monkeypatch, capsys):
    from bench import reports

    monkeypatch.setattr(reports, "SIZE", 300)
    monkeypatch.setattr(reports, "SMALL", 30)
    monkeypatch.setattr(reports, "ROUNDS", 1)
    figures = reports.run("SQLite", f"sqlite:///{tmp_path}/bench.sqlite3", str(tmp_path))
    out = capsys.readouterr().out
    assert "generated 300 enrolments" in out and "generated 30 enrolments" in out
    assert [row["name"] for row in figures] == [
        "report s at 30, SQLite",
        "report s <0.2 s at 300, SQLite",
        "report 300 <= 2x 30, SQLite",
    ]
    assert all(row["value"] > 0 for row in figures)


def test_the_quiz_phase_breakdown_runs(capsys, monkeypatch):
    from bench import quiz_phases

    monkeypatch.setattr(quiz_phases, "ROUNDS", 1)
    monkeypatch.setattr(quiz_phases, "PER_ROUND", 20)
    quiz_phases.main(postgres=False)
    out = capsys.readouterr().out
    assert "SQLite, one process: real path" in out
    for phase in ("read user and page data", "submit", "storage.store", "commit"):
        assert phase in out
