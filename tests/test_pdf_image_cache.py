"""The PDF engine keeps parsed images across renders (a course logo is parsed once per
worker), and never serves a stale one: an edited logo is read again."""

from __future__ import annotations

import io
import os

from pypdf import PdfReader

from lms.pdf import STATIC_DIR
from lms.pdf.engine import render_in_process

HTML = """<html><head><style>
@font-face { font-family: "Noto Sans"; src: url(lms:/static/fonts/NotoSans-Regular.ttf); }
body { font-family: "Noto Sans"; }
</style></head><body><p>Logo:</p><img src="lms:/media/course/logo.svg"></body></html>"""
LOGO = """<svg xmlns="http://www.w3.org/2000/svg" width="300" height="60">
<text x="5" y="40" font-family="Noto Sans" font-size="30">{word}</text></svg>"""


def text_of(pdf: bytes) -> str:
    return PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_an_edited_logo_is_read_again(tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    logo = media / "logo.svg"
    logo.write_text(LOGO.format(word="Sunrise"))
    folders = (STATIC_DIR, {"course": media})
    assert "Sunrise" in text_of(render_in_process(HTML, *folders))
    assert "Sunrise" in text_of(render_in_process(HTML, *folders))  # from the cache
    logo.write_text(LOGO.format(word="Harvest"))
    os.utime(logo, ns=(logo.stat().st_atime_ns, logo.stat().st_mtime_ns + 1_000_000))
    assert "Harvest" in text_of(render_in_process(HTML, *folders))


def test_another_folder_behind_the_same_url_is_read(tmp_path):
    """Two course folders of one slug (a test's copy, a new checkout): not mixed up."""
    texts = []
    for word in ("Monsoon", "Drought"):
        media = tmp_path / word / "media"
        media.mkdir(parents=True)
        (media / "logo.svg").write_text(LOGO.format(word=word))
        texts.append(text_of(render_in_process(HTML, STATIC_DIR, {"course": media})))
    assert "Monsoon" in texts[0] and "Drought" in texts[1]
