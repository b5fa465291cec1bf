"""The sponsor's summary on a 360 px phone and a 1280 px desktop, in en/ur/id: axe clean,
no sideways scrolling, the summary on the first screen, every chart label translated."""

from __future__ import annotations

import pytest
from conftest import DEFAULT_PASSWORD
from test_sponsor_report import courses_dir, programme  # noqa: F401 - fixtures

from browser.conftest import axe_violations

pytestmark = pytest.mark.browser
WORDS = {"en": ("Day 1", "reached"), "ur": ("دن 1", "پہنچے"), "id": ("Hari 1", "sampai")}


@pytest.mark.parametrize("language", ["en", "ur", "id"])
def test_sponsor_summary_at_360_and_1280(live_server, browser, programme, language, tmp_path):  # noqa: F811
    sponsor = programme["sponsor"]
    problems = []
    for width, height in ((360, 740), (1280, 800)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.goto(live_server + "/login")
        page.locator("#login").fill(sponsor.email)
        page.locator("#password").fill(DEFAULT_PASSWORD)
        page.locator("form button[type=submit]").first.click()
        page.wait_for_load_state()
        page.goto(f"{live_server}/reports/cohorts/{programme['karachi']}")
        page.locator(f"footer button[value={language}]").click()
        page.wait_for_load_state()
        assert page.evaluate("document.documentElement.lang") == language
        problems += [f"{width}: {v}" for v in axe_violations(page)]
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => {const r ="
            " e.getBoundingClientRect(); return (r.right > innerWidth + 1 || r.left < -1)"
            " && e.className !== 'skip'})"
            ".slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 40))"
        )
        assert overflow <= 0, (width, overflow, wide)
        figures = page.locator(".figures").bounding_box()
        assert figures["y"] < height, "the headline figures are on the first screen"
        if width == 1280:  # wide: figures side by side, the summary fills the first screen
            tiles = page.locator(".figures > div").all()
            assert tiles[0].bounding_box()["y"] == tiles[3].bounding_box()["y"]
        chart = page.locator("svg#funnel, svg.chart").first.inner_html()
        day, reached = WORDS[language]
        assert day in chart and reached in chart, chart[:300]
        if language != "en":
            assert "reached" not in chart and "Drop-off" not in chart
        page.screenshot(path=str(tmp_path / f"summary-{language}-{width}.png"))
        context.close()
    assert problems == []
