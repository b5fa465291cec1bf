"""Accessible charts drawn on the server as SVG: a title, a description, and labels.

Pages always show the same numbers in a table next to the chart. No JavaScript. Every
label is translated (Flask-Babel) and numbers are written as the reader's language writes
them; bars grow from the start side, so right-to-left pages read naturally.
"""

from __future__ import annotations

from flask_babel import format_decimal, gettext
from markupsafe import Markup, escape

WIDTH = 320
BAR = 22
GAP = 8
LABEL = 110
INK, BRAND, LIGHT = "#1b1f23", "#1d5c63", "#9ec5c9"


def _open(chart_id: str, title: str, description: str, height: int) -> list[str]:
    return [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def bar_chart(
    chart_id: str, title: str, description: str, bars: list[tuple[str, float, str]]
) -> Markup:
    """Horizontal bars: (label, value, value text). Values are scaled to the largest."""
    top = max((value for _, value, _ in bars), default=0) or 1
    height = len(bars) * (BAR + GAP) + GAP
    parts = _open(chart_id, title, description, height)
    for index, (label, value, text) in enumerate(bars):
        y = GAP + index * (BAR + GAP)
        width = max(0.0, (WIDTH - LABEL - 50) * value / top)
        parts.append(
            f'<text x="0" y="{y + 15}" font-size="11" fill="{INK}">{escape(label[:18])}</text>'
            f'<rect x="{LABEL}" y="{y}" width="{width:.1f}" height="{BAR}" fill="{BRAND}"/>'
            f'<text x="{LABEL + width + 4:.1f}" y="{y + 15}" font-size="11" '
            f'fill="{INK}">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every piece of text above is escaped


def paired_chart(
    chart_id: str,
    title: str,
    description: str,
    rows: list[tuple[str, int, int]],
    legend: tuple[str, str],
    top: int = 0,
) -> Markup:
    """Per row a light bar (the first number) and a dark one inside it (the second), both
    scaled to `top` or the largest first number, with a legend naming the two."""
    top = max([top] + [first for _, first, _ in rows]) or 1
    row = BAR + GAP
    height = GAP + len(rows) * row + 18
    label = 60
    span = WIDTH - label - 60
    parts = _open(chart_id, title, description, height)
    for index, (name, first, second) in enumerate(rows):
        y = GAP + index * row
        outer = span * first / top
        inner = span * second / top
        numbers = f"{format_decimal(first)} / {format_decimal(second)}"
        parts.append(
            f'<text x="0" y="{y + 15}" font-size="11" fill="{INK}">{escape(name[:10])}</text>'
            f'<rect x="{label}" y="{y}" width="{outer:.1f}" height="{BAR}" fill="{LIGHT}"/>'
            f'<rect x="{label}" y="{y + 5}" width="{inner:.1f}" height="{BAR - 10}" '
            f'fill="{BRAND}"/>'
            f'<text x="{label + max(outer, inner) + 4:.1f}" y="{y + 15}" font-size="11" '
            f'fill="{INK}">{escape(numbers)}</text>'
        )
    y = height - 6
    parts.append(
        f'<rect x="0" y="{y - 9}" width="10" height="10" fill="{LIGHT}"/>'
        f'<text x="14" y="{y}" font-size="10" fill="{INK}">{escape(legend[0])}</text>'
        f'<rect x="110" y="{y - 9}" width="10" height="10" fill="{BRAND}"/>'
        f'<text x="124" y="{y}" font-size="10" fill="{INK}">{escape(legend[1])}</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every piece of text above is escaped


def funnel_chart(report, enrolled: int | None = None) -> Markup:
    """Drop-off by day: those who reached each day, and inside that bar those who finished
    it, scaled to the number enrolled."""
    description = "; ".join(
        gettext(
            "Day %(day)s: %(reached)s reached, %(finished)s finished",
            day=format_decimal(s["day"]),
            reached=format_decimal(s["reached"]),
            finished=format_decimal(s["finished"]),
        )
        for s in report.funnel
    )
    rows = [
        (gettext("Day %(day)s", day=format_decimal(s["day"])), s["reached"], s["finished"])
        for s in report.funnel
    ]
    legend = (gettext("reached"), gettext("finished"))
    return paired_chart(
        "funnel", gettext("Drop-off by day"), description, rows, legend, enrolled or 0
    )


def distribution_chart(quiz: dict) -> Markup:
    bars = [
        (f"{d['range']}%", d["count"], format_decimal(d["count"])) for d in quiz["distribution"]
    ]
    description = ", ".join(
        gettext("%(count)s scored %(range)s%%", count=format_decimal(d["count"]), range=d["range"])
        for d in quiz["distribution"]
    )
    title = gettext("Best scores: %(quiz)s", quiz=quiz["title"])
    return bar_chart(f"dist-{quiz['key']}", title, description, bars)


def trend_chart(trend: list[dict]) -> Markup:
    """Per month: trainees who joined (light) and who completed (dark)."""
    description = "; ".join(
        gettext(
            "%(month)s: %(joined)s joined, %(completed)s completed",
            month=t["month"],
            joined=format_decimal(t["joined"]),
            completed=format_decimal(t["completed"]),
        )
        for t in trend
    )
    rows = [(t["month"], t["joined"], t["completed"]) for t in trend]
    legend = (gettext("joined"), gettext("completed"))
    top = max([t["completed"] for t in trend] + [0])
    return paired_chart("trend", gettext("Trend by month"), description, rows, legend, top)
