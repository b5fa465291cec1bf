"""`make bench-load`: 2,000 simulated trainees against gunicorn + PostgreSQL + Redis + the
queue worker on this machine, over loopback (not part of `make bench`).

Budget (DESIGN.md "Budgets"): p99 under 500 ms, no error, nothing lost. Sign-ins come
first and are reported apart (Argon2 is meant to be slow): the first BENCH_LOAD_REAL_SIGNINS
trainees carry the default Argon2 hash, the rest a cheap one so that signing 2,000 in fits
the time cap; every one signs in through the real form with its classroom's
X-Forwarded-For address (LMS_PROXIES=1; 40 trainees share a classroom's NAT address).
Then the measured window ramps the active trainees in steps (2,000: 250, 500, 1,000,
1,500, 2,000; each step ramps for its first half and holds for its second), each walking
`bench/load_journey.py` with 20-60 s think time. The knee is the first step whose p99
(over its hold) passes 500 ms. The generator is this one asyncio process, and it shares
the machine's 2 cores with everything it measures.

Settings (environment): BENCH_LOAD_USERS (2000), BENCH_LOAD_SECONDS (600: the measured window
is three quarters of it; the sign-ins before it are capped at half, or at
BENCH_LOAD_SIGNIN_SECONDS: on a busy machine 2,000 took 267 s), BENCH_LOAD_THINK (20-60 seconds),
BENCH_LOAD_REAL_SIGNINS (20), BENCH_LOAD_CLASS (40), BENCH_LOAD_POSTGRES_URL (the local
`test` database; a schema of its own, BENCH_LOAD_SCHEMA, created and dropped),
BENCH_LOAD_REDIS_URL (redis://127.0.0.1:6379/13, flushed before and after),
BENCH_LOAD_PORT (5811), BENCH_LOAD_GUNICORN (extra gunicorn arguments, e.g. "-k gthread").
"""

from __future__ import annotations

import asyncio
import os
import random
import shlex
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from bench import load_report  # noqa: E402
from bench.load_journey import Visit, answer_keys, walk  # noqa: E402
from bench.load_setup import (  # noqa: E402
    COURSE,
    ROOT,
    WARM_UP,
    Sampler,
    gunicorn_settings,
    prepare,
    reset_schema,
    server_env,
    server_url,
    start,
)
from bench.load_stats import Recorder, activation_times, ramp_steps  # noqa: E402

STEP_FRACTIONS = (0.125, 0.25, 0.5, 0.75, 1.0)
SIGNIN_CONCURRENCY = 4


@dataclass
class Settings:
    users: int = 2000
    seconds: float = 600
    think: tuple[float, float] = (20.0, 60.0)
    real_signins: int = 20
    class_size: int = 40
    postgres_url: str = "postgresql+psycopg://postgres@127.0.0.1/test"
    schema: str = "bench_load"
    redis_url: str = "redis://127.0.0.1:6379/13"
    flush_redis: bool = True
    port: int = 5811
    gunicorn: list[str] = field(default_factory=list)
    signin_seconds: float | None = None  # the sign-ins' cap; half of `seconds` if None

    @classmethod
    def from_env(cls, env: dict[str, str]) -> Settings:
        low, _, high = env.get("BENCH_LOAD_THINK", "20-60").partition("-")
        return cls(
            users=int(env.get("BENCH_LOAD_USERS", "2000")),
            seconds=float(env.get("BENCH_LOAD_SECONDS", "600")),
            think=(float(low), float(high or low)),
            real_signins=int(env.get("BENCH_LOAD_REAL_SIGNINS", "20")),
            class_size=int(env.get("BENCH_LOAD_CLASS", "40")),
            postgres_url=env.get("BENCH_LOAD_POSTGRES_URL", cls.postgres_url),
            schema=env.get("BENCH_LOAD_SCHEMA", cls.schema),
            redis_url=env.get("BENCH_LOAD_REDIS_URL", cls.redis_url),
            port=int(env.get("BENCH_LOAD_PORT", "5811")),
            gunicorn=shlex.split(env.get("BENCH_LOAD_GUNICORN", "")),
            signin_seconds=float(env.get("BENCH_LOAD_SIGNIN_SECONDS", "0")) or None,
        )


@dataclass
class Run:
    """Everything measured, for the report."""

    settings: Settings
    gunicorn: dict[str, str]
    signins: Recorder
    signin_seconds: float
    signed_in: int
    warm: Recorder
    window: Recorder
    window_seconds: float
    steps: list
    lag: list[float]
    visits: list[Visit]
    sampler: Sampler
    cpu: dict[str, float]
    database: dict[str, int]
    server_times: dict[str, list[float]]
    load: tuple[float, float]


async def sign_in_all(visits: list[Visit], budget: float, recorder: Recorder) -> list[Visit]:
    """Sign everyone in, classroom by classroom, a few at a time; those signed in."""
    began = time.monotonic()
    gate = asyncio.Semaphore(SIGNIN_CONCURRENCY)
    signed: list[Visit] = []

    async def one(visit: Visit) -> None:
        async with gate:
            if time.monotonic() - began > budget:
                return
            visit.clock = lambda: time.monotonic() - began
            visit.recorder = recorder
            if await visit.sign_in("sign-in, Argon2" if visit.real_hash else "sign-in, cheap"):
                signed.append(visit)

    await asyncio.gather(*(one(visit) for visit in visits))
    return sorted(signed, key=lambda v: v.trainee.number)


async def warm_up(visits: list[Visit], recorder: Recorder) -> None:
    """A few more trainees walk the path without thinking, up to their certificates, which
    they then fetch at once (each gunicorn worker starts its PDF renderer on its first
    certificate): a server that has been running a while, not one that starts with the
    window. Reported apart."""
    began = time.monotonic()

    async def path(visit: Visit) -> None:
        visit.clock, visit.recorder = (lambda: time.monotonic() - began), recorder
        if await visit.sign_in():
            for _ in range(20):
                if visit.next == visit.certificate:
                    return
                await visit.act()

    await asyncio.gather(*(path(visit) for visit in visits))
    await asyncio.gather(*(visit.certificate() for visit in visits))


async def measure(visits: list[Visit], window: float, think, recorder: Recorder) -> tuple:
    """The ramp: each visit becomes active at its time and walks until the window ends."""
    steps = ramp_steps(len(visits), window, STEP_FRACTIONS)
    starts = activation_times(steps)
    began = time.monotonic()
    lag: list[float] = []
    done = asyncio.Event()

    def clock() -> float:
        return time.monotonic() - began

    async def ticker() -> None:
        while not done.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0.1)
            lag.append(time.perf_counter() - before - 0.1)

    for visit in visits:
        visit.clock, visit.recorder = clock, recorder
    tick = asyncio.create_task(ticker())
    await asyncio.gather(*(walk(v, s, window, think) for v, s in zip(visits, starts, strict=True)))
    done.set()
    await tick
    return steps, lag, clock()


def check_database(url: str, cohort_id: int, visits: list[Visit], lessons: list[str]) -> dict:
    """What the server acknowledged against what the database holds."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        stored = set(
            connection.execute(
                text(
                    "SELECT enrolment_id, quiz_key, number FROM quiz_attempts WHERE quiz_key = 'day-1'"
                )
            ).all()
        )
        done = set(
            connection.execute(
                text("SELECT enrolment_id, lesson_slug FROM lesson_completions")
            ).all()
        )
        certificates = connection.execute(text("SELECT count(*) FROM certificates")).scalar()
        outbox = dict(
            connection.execute(text("SELECT status, count(*) FROM outbox GROUP BY status")).all()
        )
        completed = connection.execute(
            text("SELECT count(*) FROM enrolments WHERE cohort_id = :c AND status = 'completed'"),
            {"c": cohort_id},
        ).scalar()
    engine.dispose()
    measured = {v.trainee.enrolment_id for v in visits}
    stored = {row for row in stored if row[0] in measured}
    done = {row for row in done if row[0] in measured}
    acked = {(v.trainee.enrolment_id, k, n) for v in visits for k, n in v.outcome.attempts}
    acked_done = {(v.trainee.enrolment_id, s) for v in visits for s in v.outcome.lessons_done}
    return {
        "submissions acknowledged": len(acked),
        "attempts stored": len(stored),
        "lost submissions": len(acked - stored),
        "stored without an answer": len(stored - acked),
        "lessons marked done": len(acked_done),
        "lost lesson completions": len(acked_done - done),
        "completed enrolments": completed,
        "certificates issued": certificates,
        "certificates downloaded": sum(1 for v in visits if v.outcome.certificate),
        "outbox delivered": outbox.get("sent", 0),
        "outbox waiting": sum(n for s, n in outbox.items() if s != "sent"),
    }


def run(settings: Settings) -> Run:
    """Set up, sign in, measure, check, tear down; what was measured."""
    import redis

    from lms import create_app
    from lms.courses.engine.loader import load_course

    course, _problems = load_course(ROOT / "courses" / COURSE)
    keys = answer_keys(course)
    lessons = [lesson.slug for lesson in course.days[0].lessons]
    store = redis.Redis.from_url(settings.redis_url)
    if settings.flush_redis:
        store.flushdb()
    reset_schema(settings.postgres_url, settings.schema)
    url = server_url(settings.postgres_url, settings.schema)
    with tempfile.TemporaryDirectory(prefix="bench-load-") as instance:
        try:
            app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": instance})
            began = time.monotonic()
            cohort_id, trainees = prepare(
                app, settings.users, settings.real_signins, settings.class_size
            )
            print(
                f"setup: {len(trainees)} trainees in one self-paced cohort in {time.monotonic() - began:.1f} s"
            )
            base = f"http://127.0.0.1:{settings.port}"
            env = server_env(url, settings.redis_url, instance, base)
            env["LMS_RATELIMIT_PREFIX"] = f"load{os.getpid()}"
            servers = start(env, settings.port, instance, settings.gunicorn)
            try:
                # A thread of its own: the caller may already run an event loop in this
                # thread (Playwright's sync API does, earlier in the same test process).
                with ThreadPoolExecutor(max_workers=1) as apart:
                    drive = _drive(settings, servers, cohort_id, trainees, lessons, keys, url)
                    return apart.submit(asyncio.run, drive).result()
            finally:
                servers.stop()
        finally:
            reset_schema(settings.postgres_url, settings.schema, drop_only=True)
            if settings.flush_redis:
                store.flushdb()


async def _drive(settings, servers, cohort_id, trainees, lessons, keys, url) -> Run:
    transport = httpx.AsyncHTTPTransport(
        limits=httpx.Limits(max_connections=None, max_keepalive_connections=200)
    )
    rng = random.Random(20)
    visits = []
    for trainee in trainees:
        client = httpx.AsyncClient(
            base_url=servers.base, transport=transport, timeout=30, trust_env=False
        )
        visit = Visit(client, trainee, cohort_id, lessons, keys, Recorder(), time.monotonic,
                      random.Random(rng.random()))  # fmt: skip
        visit.real_hash = trainee.number <= settings.real_signins
        visits.append(visit)
    sampler = Sampler(servers, settings.postgres_url.replace("+psycopg", ""))
    sampler.start()
    load_before = os.getloadavg()[0]
    signins = Recorder()
    began = time.monotonic()
    cap = settings.signin_seconds or settings.seconds / 2
    signed = await sign_in_all(visits[:-WARM_UP], cap, signins)
    signin_seconds = time.monotonic() - began
    warm = Recorder()
    await warm_up(visits[-WARM_UP:], warm)
    log_offset = servers.access_log.stat().st_size
    cpu_before = (*sampler.cpu(), time.process_time())
    window = Recorder()
    steps, lag, window_seconds = await measure(
        signed, settings.seconds * 3 / 4, settings.think, window
    )
    web, queue = sampler.cpu()
    cpu = {"gunicorn": web - cpu_before[0], "queue worker": queue - cpu_before[1],
           "generator": time.process_time() - cpu_before[2]}  # fmt: skip
    await transport.aclose()
    sampler.stopped.set()
    sampler.join(timeout=10)
    database = check_database(settings.postgres_url + f"?options=-csearch_path%3D{settings.schema}",
                              cohort_id, signed, lessons)  # fmt: skip
    return Run(
        settings=settings,
        gunicorn=gunicorn_settings(settings.gunicorn),
        signins=signins,
        signin_seconds=signin_seconds,
        signed_in=len(signed),
        warm=warm,
        window=window,
        window_seconds=window_seconds,
        steps=steps,
        lag=lag,
        visits=signed,
        sampler=sampler,
        cpu=cpu,
        database=database,
        server_times=load_report.server_times(servers.access_log, log_offset),
        load=(load_before, os.getloadavg()[0]),
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    figures = load_report.report(run(Settings.from_env(dict(os.environ))))
    missed = [row["name"] for row in figures if not row["ok"]]
    return 1 if "--check" in argv and missed else 0


if __name__ == "__main__":
    sys.exit(main())
