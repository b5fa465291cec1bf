"""Latency samples of the load test (`bench/load.py`) and what is read from them:
nearest-rank percentiles by page kind and overall, errors, and the knee (the first ramp
step whose p99 passes the budget). Pure: no HTTP, no database."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


def percentile(values: Sequence[float], p: float) -> float | None:
    """The nearest-rank p-th percentile (0 < p <= 100): the smallest value that at least
    p% of the values are at or below; None for no values."""
    if not values:
        return None
    if not 0 < p <= 100:
        raise ValueError("p must be in (0, 100]")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


@dataclass(frozen=True)
class Sample:
    kind: str  # "home", "lesson", "done", "quiz", "submit", "result", "certificate", ...
    started: float  # seconds since the measured window began
    seconds: float  # from sending the request to the last byte of the answer
    ok: bool  # the expected status (and body, where checked)
    detail: str = ""  # for errors: status and path


@dataclass(frozen=True)
class Summary:
    count: int
    p50: float | None
    p95: float | None
    p99: float | None
    errors: int

    def line(self, label: str) -> str:
        def ms(value: float | None) -> str:
            return "-" if value is None else f"{value * 1000:.0f}"

        return (
            f"{label:<18} {self.count:>7} {ms(self.p50):>7} {ms(self.p95):>7} {ms(self.p99):>7}"
            f" {self.errors:>6}"
        )


HEADER = f"{'page':<18} {'requests':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6}"


def summarise(samples: Iterable[Sample]) -> Summary:
    chosen = list(samples)
    times = [s.seconds for s in chosen]
    return Summary(
        count=len(chosen),
        p50=percentile(times, 50),
        p95=percentile(times, 95),
        p99=percentile(times, 99),
        errors=sum(1 for s in chosen if not s.ok),
    )


@dataclass
class Recorder:
    """Every request's sample, in the order they finished."""

    samples: list[Sample] = field(default_factory=list)

    def add(self, kind: str, started: float, seconds: float, ok: bool, detail: str = "") -> None:
        self.samples.append(Sample(kind, started, seconds, ok, detail))

    def kinds(self) -> list[str]:
        return sorted({s.kind for s in self.samples})

    def by_kind(self) -> dict[str, Summary]:
        return {kind: summarise(s for s in self.samples if s.kind == kind) for kind in self.kinds()}

    def overall(self) -> Summary:
        return summarise(self.samples)

    def between(self, start: float, end: float) -> Summary:
        """The requests that started in [start, end)."""
        return summarise(s for s in self.samples if start <= s.started < end)

    def errors(self, limit: int = 10) -> list[str]:
        return [f"{s.kind}: {s.detail}" for s in self.samples if not s.ok][:limit]


@dataclass(frozen=True)
class Step:
    users: int  # active trainees once this step's ramp is done
    start: float  # seconds into the window: the ramp from the previous step begins
    hold: float  # the ramp is done: all `users` are active until `end`
    end: float


def ramp_steps(users: int, window: float, fractions: Sequence[float]) -> list[Step]:
    """Steps of active trainees (e.g. 250, 500, 1000, 1500, 2000 for 2,000): each step's
    first half ramps up from the previous count, its second half holds the count."""
    counts = sorted({max(1, round(users * f)) for f in fractions} | {users})
    length = window / len(counts)
    return [
        Step(count, i * length, i * length + length / 2, (i + 1) * length)
        for i, count in enumerate(counts)
    ]


def activation_times(steps: Sequence[Step]) -> list[float]:
    """When each trainee becomes active: spread evenly over the ramp of its step."""
    times: list[float] = []
    previous = 0
    for step in steps:
        new = step.users - previous
        times += [step.start + (step.hold - step.start) * i / new for i in range(new)]
        previous = step.users
    return times


def knee(per_step: Sequence[tuple[int, Summary]], budget_s: float) -> int | None:
    """The active-user count of the first step whose p99 exceeds `budget_s`, or None."""
    for users, summary in per_step:
        if summary.p99 is not None and summary.p99 > budget_s:
            return users
    return None
