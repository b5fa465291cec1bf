"""Rendering a certificate to PDF with WeasyPrint, reproducibly, from the database alone.

The rendering itself (worker process, fetcher, fonts) is `lms.pdf`'s. Rendered
files are cached on local disk by certificate code and a key of everything else printed
(templates, fonts, page size, the public address); any machine can rebuild them, so no
shared disk is needed.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from pathlib import Path
from types import SimpleNamespace

import segno
from babel.dates import format_date
from flask import current_app, render_template
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from lms.certificates.codes import display
from lms.certificates.models import Certificate
from lms.config import ROOT
from lms.courses.catalogue import get_catalogue
from lms.pdf import STATIC_DIR, PdfRenderError, render_html_to_pdf
from lms.private import write_private
from lms.public import public_url

log = logging.getLogger(__name__)
DEFAULT_TEMPLATE = "certificates/default.html"
PAGE_SIZES = {"A4": "A4 landscape", "Letter": "letter landscape"}

# A broken course template or resource, as the certificate pages and CLI report it.
CertificateRenderError = PdfRenderError


def text_direction(text: str) -> str:
    """`rtl` when the first letter is in a right-to-left script (Urdu, Arabic)."""
    for char in text:
        bidi = unicodedata.bidirectional(char)
        if bidi in ("R", "AL"):
            return "rtl"
        if bidi == "L":
            return "ltr"
    return "ltr"


def name_size(name: str) -> float:
    """The holder's name in points: 30 pt, smaller for long names so that it fits its box
    (200 mm wide, about 30 mm high) on at most a few lines; never under 14 pt."""
    length = max(1, len(name or ""))
    return round(max(14.0, min(30.0, (54000 / length) ** 0.5)), 1)


def verify_url(code: str) -> str:
    """The verify link printed (and in the QR code): always the public address."""
    return f"{public_url()}/verify/{display(code)}"


# Choosing the best of the eight QR masks (ISO 18004 7.8.3) was 90% of building the HTML
# (11 of 12 ms); any mask decodes, and error correction "M" absorbs the rest.
QR_MASK = 4


def qr_svg(url: str) -> str:
    """The verify link as an inline SVG QR code, with a fixed mask."""
    return segno.make(url, error="m", mask=QR_MASK).svg_inline(scale=3, dark="#1b1f23")


def course_template(course_dir: Path | None) -> str | None:
    path = course_dir / "certificate.html" if course_dir else None
    return path.read_text(encoding="utf-8") if path and path.is_file() else None


def template_version(course_dir: Path | None) -> str:
    """A key of everything printed besides the certificate's own row: the templates,
    fonts, page size and the public address of the verify link. Computed again only when
    one of the files (or the fonts folder) changed since: every render asks."""
    files = (
        ROOT / "templates" / DEFAULT_TEMPLATE,
        course_dir / "certificate.html" if course_dir else None,
        STATIC_DIR / "fonts",
    )
    size = current_app.config.get("CERTIFICATE_PAGE_SIZE", "A4")
    key = (*(_stamp(path) for path in files), size, public_url())
    if key not in _VERSIONS:
        default = files[0].read_bytes()
        custom = (course_template(course_dir) or "").encode()
        fonts = b"".join(sorted(p.name.encode() for p in files[2].glob("*.ttf")))
        parts = [default, custom, fonts, size.encode(), key[-1].encode()]
        if len(_VERSIONS) > 1000:
            _VERSIONS.clear()
        _VERSIONS[key] = hashlib.sha256(b"\0".join(parts)).hexdigest()[:12]
    return _VERSIONS[key]


_VERSIONS: dict[tuple, str] = {}


def _stamp(path: Path | None) -> tuple | None:
    """Which file `path` is now: its name, modification time and size (None: missing)."""
    try:
        status = path.stat() if path is not None else None
    except OSError:
        return (str(path), None)
    return (str(path), status.st_mtime_ns, status.st_size) if status else None


# What a certificate template may read: plain copies, never the database row (whose
# relationships lead to the holder's account, password hash included, and other people).
TEMPLATE_FIELDS = ("holder_name", "course_title", "title", "issuer", "sponsor_name",
                   "cohort_name", "language", "completed_at", "issued_at")  # fmt: skip


def template_view(certificate: Certificate) -> SimpleNamespace:
    """The certificate as templates see it: the fields above and the signatories."""
    fields = {name: getattr(certificate, name) for name in TEMPLATE_FIELDS}
    signatories = tuple(
        SimpleNamespace(name=s.get("name", ""), title=s.get("title", ""))
        for s in certificate.signatories or ()
    )
    return SimpleNamespace(**fields, signatories=signatories, code=display(certificate.code))


def certificate_html(certificate: Certificate, course_dir: Path | None) -> str:
    """The certificate's HTML; user text is escaped (autoescaping, sandboxed course templates)."""
    qr = qr_svg(verify_url(certificate.code))
    logo = None
    if certificate.course_slug and course_dir is not None:
        course = get_catalogue().get(certificate.course_slug)
        if course and course.certificate.logo:
            name = course.certificate.logo.removeprefix("media/")
            logo = f"lms:/media/{certificate.course_slug}/{name}"
    custom = course_template(course_dir)
    # The default template's sentences are English: its date too (an Urdu month inside an
    # English line reads backwards); a course's own template gets the holder's language.
    date_language = (certificate.language or "en") if custom is not None else "en"
    context = {
        "certificate": template_view(certificate),
        "code": display(certificate.code),
        "verify_url": verify_url(certificate.code),
        "qr_svg": Markup(qr),  # noqa: S704 - generated locally from our own URL
        "logo_url": logo,
        "issued_on": format_date(certificate.issued_at.date(), "long", locale=date_language),
        "name_dir": text_direction(certificate.holder_name),
        "name_size": name_size(certificate.holder_name),
        "page_size": PAGE_SIZES.get(
            current_app.config.get("CERTIFICATE_PAGE_SIZE", "A4"), "A4 landscape"
        ),
        "font_url": lambda name: f"lms:/static/fonts/{name}",
        "created": certificate.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if custom is None:
        return render_template(DEFAULT_TEMPLATE, **context)
    environment = ImmutableSandboxedEnvironment(autoescape=True)
    try:
        return environment.from_string(custom).render(**context)
    except Exception as exc:  # noqa: BLE001 - any template error is the author's to fix
        raise CertificateRenderError(
            f"certificate.html of {certificate.course_slug}: {exc}"
        ) from exc


def cache_path(certificate: Certificate, version: str) -> Path:
    folder = Path(current_app.instance_path) / "cache" / "certificates"
    return folder / f"{certificate.code}-{version}.pdf"


def certificate_pdf(
    certificate: Certificate, course_dir: Path | None, use_cache: bool = True
) -> bytes:
    """The PDF bytes, from the cache when this certificate and template were rendered before."""
    version = template_version(course_dir)
    path = cache_path(certificate, version)
    if use_cache:
        try:
            return path.read_bytes()
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.warning("certificate cache not read (%s): %s", path.parent, exc.strerror or exc)
    media = {certificate.course_slug: course_dir / "media"} if course_dir else {}
    pdf = render_html_to_pdf(certificate_html(certificate, course_dir), media)
    try:
        write_private(path, pdf)
    except OSError as exc:  # a cache only: the render is served all the same
        log.warning("certificate cache not written (%s): %s", path.parent, exc.strerror or exc)
    return pdf


def download_name(certificate: Certificate) -> str:
    """`certificate-<course>-<holder>.pdf` in safe ASCII; the code when the name has none."""

    def slug(text: str) -> str:
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        cleaned = "".join(ch if ch.isalnum() else "-" for ch in ascii_text.lower())
        return "-".join(part for part in cleaned.split("-") if part)[:40]

    holder = slug(certificate.holder_name) or certificate.code.lower()
    return f"certificate-{slug(certificate.course_slug)}-{holder}.pdf"
