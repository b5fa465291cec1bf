"""The public address contract: every printed link starts with LMS_PUBLIC_URL, else the
request's address; commands without it refuse; never a guessed port 5000.

Certificates are read back as a person would: pdftotext for the printed link, and the QR
code rendered to an image (pdftoppm) and decoded by zbarimg.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from conftest import ROOT, sign_in_as

PUBLIC = "http://lms.example.test:8123"


def pdf_link_and_qr(data: bytes, tmp_path: Path) -> tuple[str, list[str]]:
    """(the PDF's text, the texts of every QR code zbarimg finds on page 1)."""
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", str(pdf), str(tmp_path / "p")])
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(tmp_path / "p.png")],
        capture_output=True,
        text=True,
    )
    return text, [line for line in decoded.stdout.splitlines() if line]


def sign_in_at(client, user, base_url: str) -> None:
    """Sign in with the session cookie set for the host of `base_url`."""
    with client.session_transaction(base_url=base_url) as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def completed_certificate(app, make_user, make_cohort, enrol, name="Ayesha Khan"):
    """A trainee with a valid certificate: (cohort id, user, code)."""
    from lms.certificates import services
    from lms.clock import utcnow_naive
    from lms.cohorts.models import Enrolment
    from lms.courses.catalogue import get_catalogue
    from lms.extensions import db

    cohort_id, _ = make_cohort(org="Demo Bank")
    user = make_user(name=name)
    enrolment_id = enrol(user, cohort_id)
    with app.app_context():
        enrolment = db.session.get(Enrolment, enrolment_id)
        enrolment.status, enrolment.completed_at = "completed", utcnow_naive()
        course = get_catalogue().get("online-safety-basics")
        code = services.issue(enrolment, course).code
        db.session.commit()
    return cohort_id, user, code


def test_certificate_link_and_qr_use_the_public_url(
    make_app, make_user, make_cohort, enrol, tmp_path
):
    from lms.certificates.codes import display

    app = make_app(PUBLIC_URL=PUBLIC + "/")
    cohort_id, user, code = completed_certificate(app, make_user, make_cohort, enrol)
    client = app.test_client()
    sign_in_as(client, user)
    response = client.get(f"/cohorts/{cohort_id}/certificate.pdf")
    assert response.status_code == 200
    text, qr = pdf_link_and_qr(response.data, tmp_path)
    assert f"{PUBLIC}/verify" in text
    assert "5000" not in text
    assert qr == [f"{PUBLIC}/verify/{display(code)}"]


def test_without_the_setting_pages_use_the_request_address(
    app, make_user, make_cohort, enrol, tmp_path
):
    from lms.certificates.codes import display

    cohort_id, user, code = completed_certificate(app, make_user, make_cohort, enrol)
    client = app.test_client()
    sign_in_at(client, user, "http://192.168.1.20:8080")
    response = client.get(
        f"/cohorts/{cohort_id}/certificate.pdf", base_url="http://192.168.1.20:8080"
    )
    assert response.status_code == 200
    text, qr = pdf_link_and_qr(response.data, tmp_path)
    assert "http://192.168.1.20:8080/verify" in text and "5000" not in text
    assert qr == [f"http://192.168.1.20:8080/verify/{display(code)}"]


def test_pdf_cache_is_keyed_by_the_printed_address(app, make_user, make_cohort, enrol, tmp_path):
    """The same certificate served at two addresses: each PDF carries its own."""
    cohort_id, user, code = completed_certificate(app, make_user, make_cohort, enrol)
    client = app.test_client()
    sign_in_at(client, user, "http://10.0.0.7:8001")
    first = client.get(f"/cohorts/{cohort_id}/certificate.pdf", base_url="http://10.0.0.7:8001")
    second = client.get(f"/cohorts/{cohort_id}/certificate.pdf", base_url="http://10.0.0.7:8002")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert "http://10.0.0.7:8001/verify" in pdf_link_and_qr(first.data, tmp_path / "a")[0]
    text, qr = pdf_link_and_qr(second.data, tmp_path / "b")
    assert "http://10.0.0.7:8002/verify" in text and qr[0].startswith("http://10.0.0.7:8002/")


def test_roster_join_link_and_password_links_use_the_public_url(make_app, make_user, make_cohort):
    from conftest import csrf_from

    app = make_app(PUBLIC_URL=PUBLIC)
    instructor = make_user("instructor")
    trainee = make_user(name="Budi")
    cohort_id, join_code = make_cohort(instructor=instructor)
    from lms.auth.models import User
    from lms.cohorts import services
    from lms.extensions import db

    with app.app_context():
        cohort = services.get_cohort(cohort_id)
        enrolment_id = services.enrol(cohort, db.session.get(User, trainee.id), None).id
        db.session.commit()
    client = app.test_client()
    sign_in_as(client, instructor)
    roster = client.get(f"/teach/cohorts/{cohort_id}/").get_data(as_text=True)
    assert f"{PUBLIC}/join/" in roster
    page = client.get(f"/teach/cohorts/{cohort_id}/enrolments/{enrolment_id}/")
    issued = client.post(
        f"/teach/cohorts/{cohort_id}/enrolments/{enrolment_id}/reset",
        data={"csrf_token": csrf_from(page.get_data(as_text=True))},
    ).get_data(as_text=True)
    assert f"{PUBLIC}/reset/" in issued and f"{PUBLIC}/reset/code" in issued, issued
    assert "localhost" not in issued


def test_commands_without_the_setting_refuse_naming_it(make_app, make_cohort, tmp_path):
    app = make_app()
    cohort_id, _ = make_cohort()
    roster = tmp_path / "roster.csv"
    roster.write_text("name,email\nAyesha,ayesha@example.test\n")
    result = app.test_cli_runner().invoke(args=["enrol", "--cohort", str(cohort_id), str(roster)])
    assert result.exit_code == 1
    assert "LMS_PUBLIC_URL" in result.output and "5000" not in result.output
    configured = make_app(PUBLIC_URL=PUBLIC)
    result = configured.test_cli_runner().invoke(
        args=["enrol", "--cohort", str(cohort_id), str(roster)]
    )
    assert result.exit_code == 0, result.output
    assert f"{PUBLIC}/" in result.output


def test_certificates_issue_without_the_setting_refuses_before_issuing(
    app, make_user, make_cohort, enrol
):
    from sqlalchemy import func, select

    from lms.certificates.models import Certificate
    from lms.clock import utcnow_naive
    from lms.cohorts.models import Enrolment
    from lms.extensions import db

    cohort_id, _ = make_cohort()
    enrolment_id = enrol(make_user(), cohort_id)
    with app.app_context():
        enrolment = db.session.get(Enrolment, enrolment_id)
        enrolment.status, enrolment.completed_at = "completed", utcnow_naive()
        db.session.commit()
    result = app.test_cli_runner().invoke(
        args=["certificates", "issue", "--cohort", str(cohort_id)]
    )
    assert result.exit_code == 1 and "LMS_PUBLIC_URL" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0


def test_make_run_sets_the_public_url_for_every_process(tmp_path):
    """`make run PORT=...` hands LMS_PUBLIC_URL to init, demo, the worker and the server
    (stand-in programs in BIN print what they were given)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ["lms", "pybabel"]:
        script = bin_dir / name
        # `lms run` waits a moment so the worker started beside it has printed too
        script.write_text(
            f'#!/bin/sh\necho "{name} $1 public=$LMS_PUBLIC_URL"\n[ "$1" = run ] && sleep 1\n'
            "exit 0\n"
        )
        script.chmod(0o755)
    stamp = tmp_path / "stamp"
    stamp.touch()
    env = {k: v for k, v in os.environ.items() if k != "LMS_PUBLIC_URL"}
    result = subprocess.run(
        ["make", "-s", "run", "PORT=8123", f"BIN={bin_dir}", f"STAMP={stamp}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = set(result.stdout.splitlines())
    for step in ["init", "demo", "worker", "run"]:
        assert f"lms {step} public=http://127.0.0.1:8123" in lines, result.stdout
