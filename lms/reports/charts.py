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


def funnel_chart(report, enrolled: int | None = None) -> Markup:
    """Drop-off by day: per day a light bar for those who reached it and a dark one inside
    it for those who finished it, scaled to the number enrolled."""
    top = max([enrolled or 0] + [s["reached"] for s in report.funnel]) or 1
    row = BAR + GAP
    height = GAP + len(report.funnel) * row + 18
    label = 60
    span = WIDTH - label - 60
    description = "; ".join(
        gettext(
            "Day %(day)s: %(reached)s reached, %(finished)s finished",
            day=format_decimal(s["day"]),
            reached=format_decimal(s["reached"]),
            finished=format_decimal(s["finished"]),
        )
        for s in report.funnel
    )
    parts = _open("funnel", gettext("Drop-off by day"), description, height)
    for index, step in enumerate(report.funnel):
        y = GAP + index * row
        reached = span * step["reached"] / top
        finished = span * step["finished"] / top
        day = gettext("Day %(day)s", day=format_decimal(step["day"]))
        parts.append(
            f'<text x="0" y="{y + 15}" font-size="11" fill="{INK}">{escape(day)}</text>'
            f'<rect x="{label}" y="{y}" width="{reached:.1f}" height="{BAR}" fill="{LIGHT}"/>'
            f'<rect x="{label}" y="{y + 5}" width="{finished:.1f}" height="{BAR - 10}" '
            f'fill="{BRAND}"/>'
            f'<text x="{label + reached + 4:.1f}" y="{y + 15}" font-size="11" fill="{INK}">'
            f"{escape(format_decimal(step['reached']))} / "
            f"{escape(format_decimal(step['finished']))}</text>"
        )
    y = height - 6
    parts.append(
        f'<rect x="0" y="{y - 9}" width="10" height="10" fill="{LIGHT}"/>'
        f'<text x="14" y="{y}" font-size="10" fill="{INK}">{escape(gettext("reached"))}</text>'
        f'<rect x="90" y="{y - 9}" width="10" height="10" fill="{BRAND}"/>'
        f'<text x="104" y="{y}" font-size="10" fill="{INK}">{escape(gettext("finished"))}</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every piece of text above is escaped


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
    """Trainees who joined per month, with those who completed that month as the text."""
    bars = [
        (
            t["month"],
            t["joined"],
            gettext(
                "%(joined)s joined, %(completed)s completed",
                joined=format_decimal(t["joined"]),
                completed=format_decimal(t["completed"]),
            ),
        )
        for t in trend
    ]
    description = "; ".join(
        f"{t['month']}: {text}" for t, (_, _, text) in zip(trend, bars, strict=True)
    )
    return bar_chart("trend", gettext("Trend by month"), description, bars)
