"""PDF rendering reads nothing but our own files and makes no requests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from lms.pdf.fetcher import MissingResource, RefusedURL, resolve

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def canary():
    """A listener on 127.0.0.1 that records every connection made to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    hits: list[bytes] = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    hits.append(conn.recv(1024))
                except OSError:
                    hits.append(b"")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], hits
    stop.set()
    thread.join(timeout=2)
    server.close()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.png",
        "https://example.com/logo.png",
        "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=",
        "lms:/static/../../../etc/passwd",
        "lms:/static/%2e%2e/%2e%2e/etc/passwd",
        "lms:/media/online-safety-basics/../course.md",
        "lms:/media/other-course/logo.svg",
        "lms:/etc/passwd",
    ],
)
def test_fetcher_refuses_everything_outside_the_allow_list(url):
    media = {"online-safety-basics": ROOT / "courses" / "online-safety-basics" / "media"}
    with pytest.raises(RefusedURL):
        resolve(url, ROOT / "static", media)


def test_fetcher_allows_fonts_and_course_media_only():
    media = {"online-safety-basics": ROOT / "courses" / "online-safety-basics" / "media"}
    assert (
        resolve("lms:/static/fonts/NotoSans-Regular.ttf", ROOT / "static", media).name
        == "NotoSans-Regular.ttf"
    )
    assert (
        resolve("lms:/media/online-safety-basics/logo.svg", ROOT / "static", media).name
        == "logo.svg"
    )
    with pytest.raises(MissingResource):
        resolve("lms:/media/online-safety-basics/nope.svg", ROOT / "static", media)


HOSTILE_TEMPLATE = """<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="http://127.0.0.1:{port}/style.css">
<style>@import url("http://127.0.0.1:{port}/import.css");
body {{ background: url("file:///etc/passwd"); }}
@font-face {{ font-family: X; src: url("http://127.0.0.1:{port}/font.ttf"); }}
@font-face {{ font-family: "Noto Sans"; src: url("{{{{ font_url('NotoSans-Regular.ttf') }}}}"); }}
html {{ font-family: "Noto Sans"; }}</style></head><body>
<img src="file:///etc/passwd"><img src="http://127.0.0.1:{port}/img.png">
<img src="../../../../etc/passwd"><iframe src="file:///etc/shadow"></iframe>
<object data="file:///etc/passwd"></object><a href="file:///etc/passwd">x</a>
<p>{{{{ certificate.holder_name }}}} {{{{ code }}}}</p>
</body></html>"""


def render(app, certificate_id):
    from lms.certificates import pdf
    from lms.certificates.models import Certificate
    from lms.courses.catalogue import get_catalogue
    from lms.extensions import db

    with app.app_context(), app.test_request_context():
        certificate = db.session.get(Certificate, certificate_id)
        return pdf.certificate_pdf(
            certificate, get_catalogue().get(certificate.course_slug).path, use_cache=False
        )


@pytest.fixture
def certificate_for(app, make_user, make_cohort, enrol):
    def make(name: str, application=None):
        from lms.certificates import services
        from lms.cohorts.models import Enrolment
        from lms.courses.catalogue import get_catalogue
        from lms.extensions import db

        application = application or app
        cohort_id, _ = make_cohort()
        enrolment_id = enrol(make_user(name=name), cohort_id)
        with application.app_context():
            enrolment = db.session.get(Enrolment, enrolment_id)
            enrolment.status = "completed"
            certificate = services.issue(enrolment, get_catalogue().get("online-safety-basics"))
            db.session.commit()
            return certificate.id

    return make


def test_hostile_course_template_reads_and_requests_nothing(
    make_app, courses_dir, canary, certificate_for
):
    port, hits = canary
    (courses_dir / "online-safety-basics" / "certificate.html").write_text(
        HOSTILE_TEMPLATE.format(port=port)
    )
    app = make_app()
    data = render(app, certificate_for("Safe Name", app))
    assert hits == []
    passwd = Path("/etc/passwd").read_bytes()
    assert b"root:x:0:0" not in data and passwd[:40] not in data
    assert b"/EmbeddedFile" not in data and b"/Filespec" not in data
    import io

    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "Safe Name" in text and "root:" not in text


def test_course_templates_run_sandboxed(make_app, courses_dir, certificate_for):
    from lms.certificates.pdf import CertificateRenderError

    (courses_dir / "online-safety-basics" / "certificate.html").write_text(
        "<p>{{ certificate.__class__.__init__.__globals__ }}</p>"
    )
    app = make_app()
    with pytest.raises(CertificateRenderError, match="unsafe"):
        render(app, certificate_for("Ali", app))


def test_hostile_name_is_escaped_in_the_pdf(app, canary, certificate_for):
    port, hits = canary
    name = f'<img src="file:///etc/passwd"><link rel=stylesheet href="http://127.0.0.1:{port}/x.css"> Ali'
    data = render(app, certificate_for(name))
    assert hits == []
    assert b"root:x:0:0" not in data
    import io

    from pypdf import PdfReader

    assert "<img src=" in PdfReader(io.BytesIO(data)).pages[0].extract_text()  # shown as text


def test_missing_logo_is_a_clear_error(make_app, courses_dir, certificate_for):
    from lms.certificates.pdf import CertificateRenderError

    (courses_dir / "online-safety-basics" / "certificate.html").write_text(
        '<html><body><img src="lms:/media/online-safety-basics/missing.svg"></body></html>'
    )
    app = make_app()
    with pytest.raises(CertificateRenderError, match="missing file"):
        render(app, certificate_for("Ali", app))


def test_renders_with_no_system_fonts(tmp_path):
    """With an empty fontconfig, only our shipped fonts exist; rendering must still work."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<cachedir>{tmp_path}/cache</cachedir></fontconfig>"
    )
    script = """
import sys
from lms.certificates.pdf import render_html_to_pdf
html = '''<html><head><style>@font-face { font-family: "Noto Sans"; src: url("lms:/static/fonts/NotoSans-Regular.ttf"); }
@font-face { font-family: "Noto Naskh Arabic"; src: url("lms:/static/fonts/NotoNaskhArabic-Regular.ttf"); }
html { font-family: "Noto Sans", "Noto Naskh Arabic"; }</style></head><body><p>Ayesha عائشہ</p></body></html>'''
sys.stdout.buffer.write(render_html_to_pdf(html, {}))
"""
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, timeout=120
    )
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    import io

    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(result.stdout)).pages[0].extract_text()
    assert "Ayesha" in text and "عائشہ" in text.replace("\u202b", "").replace("\u202c", "")


def test_a_runaway_document_is_stopped_and_the_worker_replaced(make_app):
    from lms.certificates.pdf import CertificateRenderError, render_html_to_pdf

    app = make_app(PDF_TIMEOUT=2)
    heavy = (
        "<html><body>" + "<div style='page-break-after: always'>x</div>" * 4000 + "</body></html>"
    )
    with app.app_context():
        with pytest.raises(CertificateRenderError, match="longer than 2 s"):
            render_html_to_pdf(heavy, {})
        small = render_html_to_pdf("<html><body><p>ok</p></body></html>", {})
    assert small.startswith(b"%PDF")


def test_a_document_needing_too_much_memory_is_stopped(make_app):
    from lms.certificates.pdf import CertificateRenderError, render_html_to_pdf

    app = make_app(PDF_MEMORY_MB=160, PDF_TIMEOUT=60)
    huge = (
        "<html><body>"
        + "<table>"
        + "<tr><td>cell</td><td>cell</td></tr>" * 60000
        + "</table></body></html>"
    )
    with app.app_context():
        with pytest.raises(CertificateRenderError, match="more memory than allowed"):
            render_html_to_pdf(huge, {})
        assert render_html_to_pdf("<p>small</p>", {}).startswith(b"%PDF")  # same limit, fine
