"""One row per measured figure, and the table `bench/run.py` prints and checks."""

from __future__ import annotations


def figure(name: str, value: float, baseline: float | None, budget: float, kind: str) -> dict:
    """kind "ratio": value / baseline must be >= budget; kind "max": value must be <= budget."""
    ratio = value / baseline if baseline else None
    ok = (ratio is not None and ratio >= budget) if kind == "ratio" else value <= budget
    return {
        "name": name,
        "value": value,
        "baseline": baseline,
        "ratio": ratio,
        "budget": budget,
        "kind": kind,
        "ok": ok,
    }


def render(figures: list[dict]) -> str:
    header = f"{'figure':<48} {'value':>10} {'baseline':>10} {'ratio':>6} {'budget':>10} ok"
    lines = [header, "-" * len(header)]
    for row in figures:
        baseline = f"{row['baseline']:.3g}" if row["baseline"] is not None else "-"
        ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else "-"
        budget = (">= " if row["kind"] == "ratio" else "<= ") + f"{row['budget']:g}"
        lines.append(
            f"{row['name']:<48} {row['value']:>10.4g} {baseline:>10} {ratio:>6} {budget:>10} "
            + ("yes" if row["ok"] else "NO")
        )
    return "\n".join(lines)
