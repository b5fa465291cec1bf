"""`make bench-load`'s generator (bench/load*.py) stays working: its statistics, and its
whole run (setup, gunicorn + worker, sign-ins, the trainee path, the database check) for
three trainees over a few seconds against a live server. Nothing here is timed."""

from __future__ import annotations

import os
import socket

import pytest

from bench.load_report import page_kind
from bench.load_stats import Recorder, activation_times, knee, percentile, ramp_steps, summarise

POSTGRES_URL = os.environ.get(
    "LMS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1/test"
)
REDIS_URL = os.environ.get("LMS_TEST_LOAD_REDIS_URL", "redis://127.0.0.1:6379/13")


def test_percentile_is_nearest_rank():
    values = [float(n) for n in range(1, 101)]  # 1..100
    assert percentile(values, 50) == 50
    assert percentile(values, 99) == 99
    assert percentile(values, 100) == 100
    assert percentile([3.0, 1.0, 2.0], 50) == 2
    assert percentile([0.2], 99) == 0.2
    assert percentile([], 99) is None
    with pytest.raises(ValueError):
        percentile(values, 0)


def test_one_slow_request_in_a_hundred_is_the_p99_not_the_p95():
    recorder = Recorder()
    for n in range(100):
        recorder.add("lesson", started=n, seconds=0.9 if n == 42 else 0.01, ok=n != 7)
    summary = recorder.overall()
    assert (summary.count, summary.errors) == (100, 1)
    assert summary.p95 == 0.01 and summary.p99 == 0.01
    recorder.add("lesson", started=100, seconds=0.8, ok=True)  # two slow in 101: p99 is slow
    assert recorder.overall().p99 == 0.8
    assert recorder.between(40, 50).count == 10 and recorder.between(40, 50).p99 == 0.9


def test_ramp_steps_for_two_thousand_trainees():
    steps = ramp_steps(2000, 450, (0.125, 0.25, 0.5, 0.75, 1.0))
    assert [step.users for step in steps] == [250, 500, 1000, 1500, 2000]
    assert steps[0].start == 0 and steps[0].hold == 45 and steps[0].end == 90
    assert steps[-1].end == 450
    starts = activation_times(steps)
    assert len(starts) == 2000 and starts == sorted(starts)
    assert all(
        step.start <= t < step.hold for step, t in [(steps[1], starts[250]), (steps[4], starts[-1])]
    )
    assert [step.users for step in ramp_steps(3, 9, (0.125, 0.25, 0.5, 1.0))] == [1, 2, 3]


def test_knee_is_the_first_step_over_budget():
    fast, slow = summarise([]), Recorder()
    slow.add("home", 0, 0.7, True)
    over = slow.overall()
    assert knee([(250, fast), (500, over), (1000, over)], 0.5) == 500
    assert knee([(250, fast)], 0.5) is None


def test_access_log_paths_are_named_as_the_generator_names_them():
    assert page_kind("GET", "/cohorts/3/") == "home"
    assert page_kind("GET", "/cohorts/3/lessons/passwords") == "lesson"
    assert page_kind("POST", "/cohorts/3/lessons/passwords/done") == "done"
    assert page_kind("GET", "/cohorts/3/quizzes/day-1") == "quiz"
    assert page_kind("POST", "/cohorts/3/quizzes/day-1") == "submit"
    assert page_kind("GET", "/cohorts/3/quizzes/day-1/attempts/2") == "result"
    assert page_kind("GET", "/cohorts/3/certificate.pdf") == "certificate"
    assert page_kind("POST", "/login") == "sign-in"


def _reachable() -> str | None:
    """Why the live run cannot happen here, or None."""
    import redis
    from sqlalchemy import create_engine, text

    engine = create_engine(POSTGRES_URL)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001
        return f"PostgreSQL or Redis not reachable ({type(exc).__name__})"
    finally:
        engine.dispose()
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
@pytest.mark.redis
def test_three_trainees_walk_to_their_certificates_against_a_live_server(capsys):
    from bench import load

    why = _reachable()
    if why:
        pytest.skip(why)
    settings = load.Settings(
        users=3,
        seconds=24,  # an 18 s window
        signin_seconds=120,  # a busy machine must not leave a trainee out
        think=(0.1, 0.3),
        real_signins=1,
        postgres_url=POSTGRES_URL,
        schema=f"bench_load_test_{os.getpid()}",
        redis_url=REDIS_URL,
        flush_redis=False,  # db 13 is the benchmark's; its keys get a prefix of this run
        port=_free_port(),
    )
    run = load.run(settings)
    assert run.gunicorn["worker_class"] == "gthread"  # as deployed (deploy/gunicorn.conf.py)
    assert run.signed_in == 3 and run.signins.overall().errors == 0
    assert run.window.overall().errors == 0, run.window.errors()
    kinds = set(run.window.kinds())
    assert {"home", "lesson", "done", "quiz", "submit", "result", "certificate"} <= kinds
    db = run.database
    assert db["lost submissions"] == 0 and db["lost lesson completions"] == 0
    assert db["submissions acknowledged"] == db["attempts stored"] >= 3
    assert (
        db["certificates downloaded"] >= 1
        and db["certificates issued"] >= db["certificates downloaded"]
    )
    assert run.sampler.connections >= 1 and len(run.sampler.workers) == 2
    assert all(mb > 0 for mb in run.sampler.workers.values()) and run.sampler.queue_worker > 0
    assert sum(len(times) for times in run.server_times.values()) >= run.window.overall().count
    figures = load.load_report.report(run)
    by_name = {row["name"]: row for row in figures}  # latency rows are printed, not asserted
    assert by_name["load lost submissions"]["ok"] and by_name["load errors in the window"]["ok"]
    out = capsys.readouterr().out
    assert "shares this machine's" in out and "knee (p99 over 500 ms)" in out
