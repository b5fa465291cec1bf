"""Certificates that look finished: a 200-character name (Urdu or Latin) shrinks, then
wraps within its box, clear of the QR code, the signatures and the frame; the flagship
course prints no placeholder. Read back with pdftotext's word boxes and zbarimg."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from conftest import ROOT, sign_in_as

URDU_NAME = " ".join(["عائشہ", "خان", "بنت", "محمد", "اکرم", "صدیقی", "کراچی", "والی"] * 6)[:200]
LATIN_NAME = ("Ni Luh Putu Ayu Ñyoman Kusumawardhani Setiawati Pratiwi Dewi Lestari " * 4)[:200]
PUBLIC = "https://lms.example.org"
FRAME_BOTTOM = (12 + 170) * 72 / 25.4  # the page margin and the frame's height, in points
WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


def words(pdf: Path) -> list[tuple[float, float, float, float, str]]:
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in WORD.findall(out)]


def qr_codes(pdf: Path) -> list[str]:
    image = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", str(pdf), str(image)])
    found = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", f"{image}.png"],
        capture_output=True,
        text=True,
    )
    return found.stdout.split()


def overlap(a, b, slack: float = 0.5) -> bool:
    return (
        a[0] + slack < b[2] and b[0] + slack < a[2] and a[1] + slack < b[3] and b[1] + slack < a[3]
    )


@pytest.fixture
def flagship(make_app, tmp_path, make_user):
    folder = tmp_path / "all-courses"
    shutil.copytree(ROOT / "courses", folder)
    return make_app(COURSES_DIR=str(folder), PUBLIC_URL=PUBLIC)


def certificate_of(app, make_user, name: str, tmp_path: Path) -> tuple[Path, str]:
    """A completed trainee of the flagship course with a Demo Bank cohort: the PDF they download."""
    from lms.auth import services as accounts
    from lms.auth.models import User
    from lms.certificates import services as certificates
    from lms.certificates.codes import display
    from lms.clock import utcnow_naive
    from lms.cohorts import services
    from lms.courses.catalogue import get_catalogue
    from lms.extensions import db
    from lms.permissions import SYSTEM

    user = make_user(name=name)
    with app.app_context():
        data = services.CohortData(
            name="Karachi creators, spring 2026",
            course_slug="money-smart-creators",
            start_date=date(2026, 1, 5),
            pacing="self",
            organisation=accounts.get_or_create_organisation("Demo Bank", SYSTEM),
        )
        cohort = services.create_cohort(SYSTEM, data)
        enrolment = services.enrol(cohort, db.session.get(User, user.id), actor=None)
        enrolment.status, enrolment.completed_at = "completed", utcnow_naive()
        code = certificates.issue(enrolment, get_catalogue().get("money-smart-creators")).code
        db.session.commit()
        cohort_id = cohort.id
    client = app.test_client()
    sign_in_as(client, user)
    response = client.get(f"/cohorts/{cohort_id}/certificate.pdf")
    assert response.status_code == 200
    path = tmp_path / f"certificate-{len(list(tmp_path.glob('*.pdf')))}.pdf"
    path.write_bytes(response.data)
    return path, f"{PUBLIC}/verify/{display(code)}"


@pytest.mark.parametrize("name", [URDU_NAME, LATIN_NAME], ids=["urdu", "latin"])
def test_a_200_character_name_fits_its_box(flagship, make_user, tmp_path, name):
    assert len(name) == 200
    pdf, verify_url = certificate_of(flagship, make_user, name, tmp_path)
    boxes = words(pdf)
    texts = [box[4] for box in boxes]
    start = texts.index("that") + 1  # "This certifies that" ... the name ... "has successfully"
    end = texts.index("has")
    name_boxes = boxes[start:end]
    lines = {round(box[1]) for box in name_boxes}
    assert 2 <= len(lines) <= 4, lines  # shrunk, then wrapped: not six lines
    assert max(box[3] for box in name_boxes) < boxes[end][1]  # above the next line
    # nothing else touches the name (its own lines may share the font's tall line boxes)
    others = boxes[:start] + boxes[end:]
    for first in name_boxes:
        for second in others:
            assert not overlap(first, second), (first, second)
    for i, first in enumerate(others):
        for second in others[i + 1 :]:
            assert not overlap(first, second), (first, second)
    assert all(box[3] <= FRAME_BOTTOM for box in boxes), [b for b in boxes if b[3] > FRAME_BOTTOM]
    assert qr_codes(pdf) == [verify_url]  # nothing runs into the QR code


def test_the_flagship_certificate_prints_no_placeholder(flagship, make_user, tmp_path):
    pdf, _ = certificate_of(flagship, make_user, "Ayesha Khan", tmp_path)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Programme partners" not in text
    assert text.count("Demo Bank") >= 1  # the sponsor issues it
    assert "Programme Director" in text and "Lead Trainer" in text
