"""Small statistics for the sponsor report, without scipy: Student's t and a paired mean.

Pure: no Flask, no database. The 95% two-sided critical values of Student's t come from
a table for 1..30 degrees of freedom and, above that, from the Cornish-Fisher expansion
of the normal quantile (error below 0.001 for df > 30).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# t(0.975, df) for df = 1..30 (Fisher & Yates; any statistics textbook).
T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip
Z975 = 1.959964


def t_critical_95(df: int) -> float:
    """The two-sided 95% critical value of Student's t with `df` degrees of freedom."""
    if df < 1:
        raise ValueError("degrees of freedom must be at least 1")
    if df <= len(T975):
        return T975[df - 1]
    z = Z975
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    return z + g1 / df + g2 / df**2 + g3 / df**3


@dataclass(frozen=True)
class PairedMean:
    """The mean of paired differences with its 95% confidence interval (None when n < 2)."""

    n: int
    mean: float | None
    low: float | None
    high: float | None


def paired_mean(n: int, total: float, total_squares: float) -> PairedMean:
    """From the count, sum and sum of squares of the differences (what SQL can aggregate)."""
    if n == 0:
        return PairedMean(0, None, None, None)
    mean = total / n
    if n < 2:
        return PairedMean(n, mean, None, None)
    variance = max(0.0, (total_squares - n * mean * mean) / (n - 1))
    half = t_critical_95(n - 1) * math.sqrt(variance / n)
    return PairedMean(n, mean, mean - half, mean + half)


def normalised_gain(mean_pre: float | None, mean_post: float | None) -> float | None:
    """Hake's class gain: (mean post - mean pre) / (100 - mean pre), scores in percent."""
    if mean_pre is None or mean_post is None or mean_pre >= 100:
        return None
    return (mean_post - mean_pre) / (100 - mean_pre)
