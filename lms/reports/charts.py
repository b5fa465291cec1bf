"""Accessible bar charts drawn on the server as SVG: a title, a description, and labels.

Pages always show the same numbers in a table next to the chart. No JavaScript. Pure.
"""

from __future__ import annotations

from markupsafe import Markup, escape

WIDTH = 320
BAR = 22
GAP = 8
LABEL = 110


def bar_chart(
    chart_id: str, title: str, description: str, bars: list[tuple[str, float, str]]
) -> Markup:
    """Horizontal bars: (label, value, value text). Values are scaled to the largest."""
    top = max((value for _, value, _ in bars), default=0) or 1
    height = len(bars) * (BAR + GAP) + GAP
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for index, (label, value, text) in enumerate(bars):
        y = GAP + index * (BAR + GAP)
        width = max(0.0, (WIDTH - LABEL - 50) * value / top)
        parts.append(
            f'<text x="0" y="{y + 15}" font-size="11" fill="#1b1f23">{escape(label[:18])}</text>'
            f'<rect x="{LABEL}" y="{y}" width="{width:.1f}" height="{BAR}" fill="#1d5c63"/>'
            f'<text x="{LABEL + width + 4:.1f}" y="{y + 15}" font-size="11" '
            f'fill="#1b1f23">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every piece of text above is escaped


def funnel_chart(report) -> Markup:
    bars = []
    for step in report.funnel:
        bars.append((f"Day {step['day']} reached", step["reached"], str(step["reached"])))
        bars.append((f"Day {step['day']} finished", step["finished"], str(step["finished"])))
    description = "; ".join(
        f"Day {s['day']}: {s['reached']} reached, {s['finished']} finished" for s in report.funnel
    )
    return bar_chart("funnel", "Progress by day", description, bars)


def distribution_chart(quiz: dict) -> Markup:
    bars = [(f"{d['range']}%", d["count"], str(d["count"])) for d in quiz["distribution"]]
    description = ", ".join(f"{d['count']} scored {d['range']}%" for d in quiz["distribution"])
    return bar_chart(f"dist-{quiz['key']}", f"Best scores: {quiz['title']}", description, bars)
