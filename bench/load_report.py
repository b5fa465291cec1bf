"""What `bench/load.py` prints: sign-ins apart, latency by page (client side, and server
side from gunicorn's access log), per ramp step and the knee, memory, database
connections, CPU, what the database holds against what was acknowledged, and one table
of the figures with budgets (`bench.table`)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from bench.load_setup import CONFIG, WARM_UP
from bench.load_stats import HEADER, Recorder, knee, percentile
from bench.table import figure, render

P99_BUDGET_MS = 500
ACCESS_RE = re.compile(r"^(GET|POST) (\S+) (\d{3}) (\d+)$")


def page_kind(method: str, path: str) -> str:
    """The page kind of a request in gunicorn's access log, as the generator names it."""
    if path == "/login":
        return "sign-in page" if method == "GET" else "sign-in"
    if path.endswith("/certificate.pdf"):
        return "certificate"
    if "/attempts/" in path:
        return "result"
    if "/quizzes/" in path:
        return "submit" if method == "POST" else "quiz"
    if path.endswith("/done"):
        return "done"
    if "/lessons/" in path:
        return "lesson"
    return "home" if path.startswith("/cohorts/") else "other"


def server_times(access_log: Path, offset: int) -> dict[str, list[float]]:
    """Seconds the server spent on each request logged after `offset`, by page kind."""
    times: dict[str, list[float]] = {}
    with access_log.open() as log:
        log.seek(offset)
        for line in log:
            found = ACCESS_RE.match(line.strip())
            if found:
                method, path, _status, micros = found.groups()
                times.setdefault(page_kind(method, path), []).append(int(micros) / 1e6)
    return times


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.0f}"


def _pages(recorder: Recorder, server: dict[str, list[float]] | None) -> list[str]:
    lines = [f"  {HEADER}" + (f" {'server p50':>10} {'server p99':>10}" if server else "")]
    for kind, summary in recorder.by_kind().items():
        extra = ""
        if server is not None:
            times = server.get(kind, [])
            extra = f" {_ms(percentile(times, 50)):>10} {_ms(percentile(times, 99)):>10}"
        lines.append(f"  {summary.line(kind)}{extra}")
    everything = [t for kind in recorder.kinds() for t in (server or {}).get(kind, [])]
    extra = f" {_ms(percentile(everything, 50)):>10} {_ms(percentile(everything, 99)):>10}"
    lines.append(f"  {recorder.overall().line('all pages')}{extra if server else ''}")
    return lines


def report(run) -> list[dict]:
    """Print the run; the figures with their budgets."""
    s, g = run.settings, run.gunicorn
    cores = os.cpu_count() or 1
    print(f"== load: {s.users} simulated trainees (make bench-load)")
    print(
        f"server: gunicorn -c {CONFIG} -w {g.get('workers', '2')}, worker class "
        f"{g.get('worker_class', '?')} (threads {g.get('threads', '?')}) {' '.join(s.gunicorn)}"
        f"; LMS_PROXIES=1; Redis {s.redis_url} for limits and the queue; one `lms worker`; "
        f"PostgreSQL schema {s.schema}"
    )
    print(
        f"the generator (this one asyncio process, httpx) shares this machine's {cores} cores "
        "with gunicorn, the queue worker, PostgreSQL and Redis, and the machine is shared with "
        f"other jobs: load average {run.load[0]:.1f} at the start, {run.load[1]:.1f} at the end"
    )
    print(
        f"sign-ins (before the measured window, reported apart): {run.signed_in} of {s.users} "
        f"in {run.signin_seconds:.0f} s ({run.signed_in / max(run.signin_seconds, 1e-9):.1f}/s), "
        f"{s.class_size} trainees per classroom address, {min(s.real_signins, s.users)} with "
        "Argon2's default parameters, the rest with a cheap hash"
    )
    print("\n".join(_pages(run.signins, None)))
    print(
        f"warm-up ({WARM_UP} more trainees' paths without think time, then their certificates at once):"
    )
    print("\n".join(_pages(run.warm, None)))
    print(
        f"measured window: {run.window_seconds:.0f} s, think time {s.think[0]:g}-{s.think[1]:g} s, "
        f"steps of active trainees {', '.join(str(step.users) for step in run.steps)} "
        "(each ramps for its first half, holds for its second)"
    )
    print("per page (client side; server side from gunicorn's access log):")
    print("\n".join(_pages(run.window, run.server_times)))
    per_step = [(step.users, run.window.between(step.hold, step.end)) for step in run.steps]
    print("per step, over its hold:")
    print(f"  {HEADER.replace('page  ', 'active')}")
    for users, summary in per_step:
        print(f"  {summary.line(str(users))}")
    found = knee(per_step, P99_BUDGET_MS / 1000)
    print(
        f"knee (p99 over {P99_BUDGET_MS} ms): "
        + (f"at {found} active trainees" if found else f"not reached up to {run.steps[-1].users}")
    )
    if run.lag:
        lag_p99, lag_max = percentile(run.lag, 99), max(run.lag)
        print(f"generator's event-loop lag: p99 {_ms(lag_p99)} ms, max {_ms(lag_max)} ms")
    sampler = run.sampler
    workers = ", ".join(f"{mb:.0f}" for mb in sampler.workers.values())
    print(
        f"memory (peak RSS): gunicorn workers {workers} MB; their PDF renderers together "
        f"{sampler.renderers:.0f} MB; queue worker {sampler.queue_worker:.0f} MB"
    )
    print(f"database: peak {sampler.connections} connections of the server and the worker")
    busy = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in run.cpu.items())
    print(f"CPU in the window: {busy}, of {cores * run.window_seconds:.0f} s ({cores} cores)")
    print("after the window: " + ", ".join(f"{k} {v}" for k, v in run.database.items()))
    for error in run.window.errors() + run.signins.errors():
        print(f"  error: {error}")
    return _figures(run, per_step)


def _figures(run, per_step) -> list[dict]:
    def p99_ms(summary) -> float:
        return summary.p99 * 1000 if summary.p99 is not None else float("inf")

    first, last = per_step[0][1], per_step[-1][1]
    overall = run.window.overall()
    figures = [
        figure(
            f"load p99 ms, {per_step[-1][0]} active trainees",
            p99_ms(last),
            p99_ms(first),
            P99_BUDGET_MS,
            "max",
        ),  # fmt: skip
        figure("load p99 ms, all pages, whole window", p99_ms(overall), None, P99_BUDGET_MS, "max"),
        figure("load errors in the window", overall.errors, None, 0, "max"),
        figure(
            "load sign-in errors",
            run.signins.overall().errors + run.settings.users - run.signed_in,
            None,
            0,
            "max",
        ),  # fmt: skip
        figure("load lost submissions", run.database["lost submissions"], None, 0, "max"),
        figure(
            "load lost lesson completions", run.database["lost lesson completions"], None, 0, "max"
        ),  # fmt: skip
    ]
    print()
    print(render(figures))
    missed = [row["name"] for row in figures if not row["ok"]]
    if missed:
        print(f"budgets missed: {', '.join(missed)}")
    return figures
