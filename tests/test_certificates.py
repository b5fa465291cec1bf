"""Certificates: issued on completion, PDFs read back, verification, revocation, reissue, CLI."""

from __future__ import annotations

import io

import pytest
from conftest import csrf_from, sign_in_as
from pypdf import PdfReader

NAMES = ["Ayesha Khan", "عائشہ خان", "Ni Luh Putu Ayu Ñyoman"]


@pytest.fixture
def completed(app, make_user, make_cohort, enrol):
    """Enrolments already completed (status set as the completion rule would)."""

    def make(name="Ayesha Khan", cohort=None, **cohort_fields):
        from lms.clock import utcnow_naive
        from lms.cohorts.models import Enrolment
        from lms.extensions import db

        instructor = make_user("instructor")
        cohort_id = (
            cohort or make_cohort(instructor=instructor, org="Demo Bank", **cohort_fields)[0]
        )
        user = make_user(name=name)
        enrolment_id = enrol(user, cohort_id)
        with app.app_context():
            enrolment = db.session.get(Enrolment, enrolment_id)
            enrolment.status, enrolment.completed_at = "completed", utcnow_naive()
            db.session.commit()
        return cohort_id, enrolment_id, user, instructor

    return make


def issue(app, enrolment_id):
    from lms.certificates import services
    from lms.cohorts.models import Enrolment
    from lms.courses.catalogue import get_catalogue
    from lms.extensions import db

    with app.app_context():
        enrolment = db.session.get(Enrolment, enrolment_id)
        certificate = services.issue(enrolment, get_catalogue().get(enrolment.cohort.course_slug))
        db.session.commit()
        return certificate.id, certificate.code


def pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_completion_issues_the_certificate_automatically(
    app, client, make_user, make_cohort, enrol
):
    from quizhelpers import DAY1_RIGHT, DAY2_RIGHT, submit

    cohort_id, _ = make_cohort()
    user = make_user(name="Budi Santoso")
    enrol(user, cohort_id)
    sign_in_as(client, user)
    for slug in ["welcome", "passwords", "budget", "saving"]:
        page = client.get(f"/cohorts/{cohort_id}/lessons/{slug}").get_data(as_text=True)
        client.post(
            f"/cohorts/{cohort_id}/lessons/{slug}/done", data={"csrf_token": csrf_from(page)}
        )
    submit(client, cohort_id, "day-1", DAY1_RIGHT)
    submit(client, cohort_id, "day-2", DAY2_RIGHT)
    submit(client, cohort_id, "post-test", {"q-passphrase": "0", "q-percent": "500000"})
    home = client.get(f"/cohorts/{cohort_id}/").get_data(as_text=True)
    assert "Download your certificate (PDF)" in home, home[
        home.index("<main") : home.index("</main")
    ]
    response = client.get(f"/cohorts/{cohort_id}/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="certificate-online-safety-basics-budi-santoso.pdf"'
    )
    _, text = pdf_text(response.data)
    assert "Budi Santoso" in text


@pytest.mark.parametrize("name", NAMES)
def test_pdf_holds_the_name_as_text_the_code_and_metadata(app, completed, name):
    from lms.certificates import pdf
    from lms.certificates.codes import display
    from lms.certificates.models import Certificate
    from lms.extensions import db

    _, enrolment_id, *_ = completed(name)
    certificate_id, code = issue(app, enrolment_id)
    with app.app_context(), app.test_request_context():
        certificate = db.session.get(Certificate, certificate_id)
        data = pdf.certificate_pdf(certificate, pdf_course_dir(app))
    reader, text = pdf_text(data)
    assert len(reader.pages) == 1
    assert name in text.replace("\u202b", "").replace("\u202c", "") or name in text
    assert display(code) in text
    assert "Online Safety Basics" in text and "Demo Bank" in text
    meta = reader.metadata
    assert meta.title == f"Certificate of Completion: {name}"
    assert meta.author == "Literacy LMS sample programme"
    assert meta.subject == "Online Safety Basics"
    assert meta.creation_date is not None
    assert len(data) < 100 * 1024
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert width > height  # landscape


def pdf_course_dir(app):
    from lms.courses.catalogue import get_catalogue

    return get_catalogue().get("online-safety-basics").path


def test_pdf_is_reproducible_and_cached(app, completed):
    from lms.certificates import pdf
    from lms.certificates.models import Certificate
    from lms.extensions import db

    _, enrolment_id, *_ = completed()
    certificate_id, _ = issue(app, enrolment_id)
    with app.app_context(), app.test_request_context():
        certificate = db.session.get(Certificate, certificate_id)
        first = pdf.certificate_pdf(certificate, pdf_course_dir(app), use_cache=False)
        again = pdf.certificate_pdf(certificate, pdf_course_dir(app), use_cache=False)
        cached = pdf.certificate_pdf(certificate, pdf_course_dir(app))
        assert first == again == cached
        assert pdf.cache_path(certificate, pdf.template_version(pdf_course_dir(app))).is_file()


def test_the_template_version_follows_the_course_template(make_app, tmp_path):
    """Kept between renders, the version still changes the moment the course's own
    certificate.html appears, changes or goes (the cached PDF is then not reused)."""
    import os

    from lms.certificates import pdf

    app = make_app(PUBLIC_URL="https://lms.example.org")
    with app.app_context():
        plain = pdf.template_version(tmp_path)
        assert pdf.template_version(tmp_path) == plain
        template = tmp_path / "certificate.html"
        template.write_text("<p>{{ certificate.holder_name }}</p>")
        custom = pdf.template_version(tmp_path)
        template.write_text("<p>{{ certificate.holder_name }}!</p>")
        os.utime(template, ns=(1, 1))  # a new modification time, whatever the clock says
        edited = pdf.template_version(tmp_path)
        template.unlink()
        assert len({plain, custom, edited}) == 3
        assert pdf.template_version(tmp_path) == plain


def test_letter_size_by_setting(make_app, completed):
    app = make_app(CERTIFICATE_PAGE_SIZE="Letter")
    from lms.certificates import pdf
    from lms.certificates.models import Certificate
    from lms.extensions import db

    _, enrolment_id, *_ = completed()
    certificate_id, _ = issue(app, enrolment_id)
    with app.app_context(), app.test_request_context():
        data = pdf.certificate_pdf(db.session.get(Certificate, certificate_id), pdf_course_dir(app))
    box = PdfReader(io.BytesIO(data)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (792, 612)


def test_only_the_holder_downloads(app, completed, make_user):
    cohort_id, enrolment_id, user, instructor = completed()
    issue(app, enrolment_id)
    other = make_user()
    client = app.test_client()
    sign_in_as(client, other)
    assert client.get(f"/cohorts/{cohort_id}/certificate.pdf").status_code == 404
    sign_in_as(client, instructor)
    assert client.get(f"/cohorts/{cohort_id}/certificate.pdf").status_code == 404


def test_verification_states(app, client, completed):
    from lms.certificates.codes import display

    _, enrolment_id, _, instructor = completed()
    certificate_id, code = issue(app, enrolment_id)
    genuine = client.get(f"/verify/{display(code).lower()}")
    assert genuine.status_code == 200
    html = genuine.get_data(as_text=True)
    assert (
        "This certificate is genuine" in html
        and "Ayesha Khan" in html
        and "Online Safety Basics" in html
    )
    spaced = client.get(f"/verify/{code[:4]} {code[4:8]}.{code[8:]}")
    assert spaced.status_code == 200
    typo = code[:3] + ("1" if code[3] != "1" else "2") + code[4:]
    assert "typing mistake" in client.get(f"/verify/{typo}").get_data(as_text=True)
    forged_body = "ZZZZZZZZZZZZZZZ"
    from lms.certificates.codes import check_character

    forged = client.get(f"/verify/{forged_body}{check_character(forged_body)}")
    assert forged.status_code == 404 and "never issued" in forged.get_data(as_text=True)
    assert "not a certificate code" in client.get("/verify/hello").get_data(as_text=True)
    as_json = client.get(f"/verify/{code}.json")
    assert as_json.status_code == 200
    assert as_json.json["status"] == "genuine" and as_json.json["holder"] == "Ayesha Khan"
    assert (
        client.get("/verify", query_string={"code": display(code)}).headers["Location"]
        == f"/verify/{code}"
    )


def test_revoke_and_reissue(app, client, completed):
    cohort_id, enrolment_id, _, instructor = completed(name="Aisha Kahn")
    certificate_id, old_code = issue(app, enrolment_id)
    staff = app.test_client()
    sign_in_as(staff, instructor)
    page = staff.get(f"/teach/cohorts/{cohort_id}/enrolments/{enrolment_id}/").get_data(
        as_text=True
    )
    staff.post(
        f"/teach/certificates/{certificate_id}/reissue",
        data={"csrf_token": csrf_from(page), "name": "Ayesha Khan"},
    )
    superseded = client.get(f"/verify/{old_code}.json").json
    assert superseded["status"] == "superseded"
    from lms.certificates.models import Certificate
    from lms.extensions import db

    with app.app_context():
        new = db.session.scalars(db.select(Certificate).where(Certificate.status == "valid")).one()
        new_id, new_code = new.id, new.code
        assert (
            new.holder_name == "Ayesha Khan"
            and db.session.get(Certificate, certificate_id).superseded_by_id == new.id
        )
    assert client.get(f"/verify/{new_code}.json").json["status"] == "genuine"
    staff.post(
        f"/teach/certificates/{new_id}/revoke",
        data={"csrf_token": csrf_from(page), "reason": "Completed in error"},
    )
    revoked = client.get(f"/verify/{new_code}")
    assert "was revoked" in revoked.get_data(
        as_text=True
    ) and "Completed in error" in revoked.get_data(as_text=True)
    with app.app_context():
        from lms.audit.models import AuditEntry

        actions = list(
            db.session.scalars(
                db.select(AuditEntry.action).where(AuditEntry.action.like("certificate.%"))
            )
        )
        assert actions == ["certificate.issue", "certificate.reissue", "certificate.revoke"]


def test_manual_approval(app, completed, courses_dir, make_app):
    course = courses_dir / "online-safety-basics" / "course.md"
    course.write_text(course.read_text().replace("approval: auto", "approval: manual"))
    manual_app = make_app()
    cohort_id, enrolment_id, user, instructor = completed()
    with manual_app.app_context():
        from lms.certificates import services
        from lms.cohorts.models import Enrolment
        from lms.courses.catalogue import get_catalogue
        from lms.extensions import db

        enrolment = db.session.get(Enrolment, enrolment_id)
        assert (
            services.issue_if_automatic(enrolment, get_catalogue().get("online-safety-basics"))
            is None
        )
    trainee = manual_app.test_client()
    sign_in_as(trainee, user)
    assert "once your instructor approves it" in trainee.get(f"/cohorts/{cohort_id}/").get_data(
        as_text=True
    )
    staff = manual_app.test_client()
    sign_in_as(staff, instructor)
    page = staff.get(f"/teach/cohorts/{cohort_id}/enrolments/{enrolment_id}/").get_data(
        as_text=True
    )
    staff.post(
        f"/teach/cohorts/{cohort_id}/enrolments/{enrolment_id}/certificate",
        data={"csrf_token": csrf_from(page)},
    )
    assert trainee.get(f"/cohorts/{cohort_id}/certificate.pdf").status_code == 200


def test_verification_is_rate_limited(app, client):
    for _ in range(30):
        client.get("/verify/ABCD")
    response = client.get("/verify/ABCD")
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0


def test_cli_issues_due_certificates_with_progress_and_summary(make_app, completed):
    runner = make_app(PUBLIC_URL="https://lms.example.org").test_cli_runner()  # PDFs print it
    cohort_id, *_ = completed()
    completed(name="Second", cohort=cohort_id)
    result = runner.invoke(args=["certificates", "issue", "--cohort", str(cohort_id)])
    assert result.exit_code == 0, result.output
    assert "Issuing 2 certificate(s)" in result.output
    assert "2 certificate(s) issued for cohort" in result.output
    again = runner.invoke(args=["certificates", "issue", "--cohort", str(cohort_id)])
    assert "0 certificate(s) issued" in again.output
