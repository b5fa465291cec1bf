"""Lesson markdown is sanitised: nothing that can run script survives."""

from __future__ import annotations

import subprocess
import sys

from lms.courses.engine import load_course
from lms.courses.engine.render import render_markdown

HOSTILE = """---
title: Hostile
---
<script>alert(1)</script>

<img src="../media/pic.svg" onerror="alert(2)" onload="alert(3)">

<a href="javascript:alert(4)">click</a> [md link](javascript:alert(5))

<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCg2KTwvc2NyaXB0Pg==">data</a>

<iframe src="https://evil.example"></iframe>

<svg onload="alert(7)"><circle r="5"/></svg>

<p style="background:url(javascript:alert(8))" onclick="alert(9)">styled</p>

<form action="https://evil.example"><input name="x"></form>

<object data="x.swf"></object><embed src="x.swf"><style>body{display:none}</style>

Safe **bold** text.
"""


def test_hostile_lesson_is_defused(write_course):
    folder = write_course(
        {
            "day-1-start/01-hello.md": HOSTILE,
            "media/pic.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
        }
    )
    course, _problems = load_course(folder)
    html = course.lesson("hello").text("en").html.lower()
    for needle in (
        "<script",
        "alert(",
        "onerror",
        "onload",
        "onclick",
        "javascript:",
        "data:",
        "<iframe",
        "<svg",
        "style=",
        "<form",
        "<input",
        "<object",
        "<embed",
        "<style",
    ):
        assert needle not in html, needle
    assert "<strong>bold</strong>" in html
    assert 'src="../media/pic.svg"' in html


def test_links_get_safe_rel():
    html = render_markdown("[site](https://example.org)")
    assert 'rel="noopener noreferrer"' in html


def test_rendering_is_memoised():
    text = "# Title\n\nSome *text* to render once."
    first = render_markdown(text)
    info = render_markdown.cache_info()
    assert render_markdown(text) is first
    assert render_markdown.cache_info().hits == info.hits + 1


def test_engine_imports_neither_flask_nor_sqlalchemy():
    code = (
        "import sys, lms.courses.engine as e; "
        "bad = [m for m in ('flask', 'sqlalchemy', 'flask_sqlalchemy') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_images_get_their_width_and_height(write_course):
    import struct

    png = (
        b"\x89PNG\r\n\x1a\n"
        + b"\x00\x00\x00\rIHDR"
        + struct.pack(">II", 640, 360)
        + b"\x08\x02\x00\x00\x00"
    )
    folder = write_course(
        {
            "media/photo.png": png,
            "media/icon.svg": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 12"></svg>',
            "day-1-start/01-hello.md": "---\ntitle: H\n---\n![p](../media/photo.png)\n\n![i](../media/icon.svg)\n\n"
            '![set](../media/photo.png){: width="10" height="5" }\n',
        }
    )
    html = load_course(folder)[0].lesson("hello").text("en").html
    assert 'height="360"' in html and 'width="640"' in html
    assert 'height="12"' in html and 'width="24"' in html
    assert 'width="10"' in html and html.count('width="640"') == 1  # the author's size wins
    assert html.count('loading="lazy"') == 3
