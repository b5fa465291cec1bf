"""Issue 17 item 12: a course's `certificate.html` runs in Jinja's sandbox and reaches
neither config, the request, Python builtins, files, nor the database behind the
certificate (the holder's password hash, other people)."""

from __future__ import annotations

import pytest

from lms.certificates.pdf import CertificateRenderError

# Each probe renders to nothing or raises CertificateRenderError; neither leaks.
PROBES = [
    "{{ config }}{{ config.SECRET_KEY }}",
    "{{ request }}{{ request.environ }}{{ session }}{{ g }}",
    "{{ url_for }}{{ get_flashed_messages }}{{ current_app }}",
    "{{ certificate.enrolment.user.password_hash }}{{ certificate.enrolment.cohort.join_code }}",
    "{{ certificate.query }}{{ certificate.registry }}{{ certificate.metadata }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ cycler.__init__.__globals__.os.environ }}",
    "{{ font_url.__globals__ }}",
    "{{ certificate.signatories.append(1) }}",
    "{% include '/etc/passwd' %}",
    "{% import 'os' as os %}",
    "{{ range.__self__ }}{{ dict.__base__ }}",
    "{{ open('/etc/passwd').read() }}{{ __import__('os') }}{{ eval('1') }}",
]


@pytest.fixture
def certificate(app, make_user, make_cohort, enrol):
    from lms.certificates import services
    from lms.clock import utcnow_naive
    from lms.cohorts.models import Enrolment
    from lms.courses.catalogue import get_catalogue
    from lms.extensions import db

    trainee = make_user(name="Ayesha Khan")
    cohort_id, _ = make_cohort()
    enrolment_id = enrol(trainee, cohort_id)
    with app.app_context():
        enrolment = db.session.get(Enrolment, enrolment_id)
        enrolment.status, enrolment.completed_at = "completed", utcnow_naive()
        certificate = services.issue(enrolment, get_catalogue().get("online-safety-basics"))
        db.session.commit()
        return certificate.id


def render_with(app, courses_dir, certificate_id, template: str) -> str:
    from lms.certificates.models import Certificate
    from lms.certificates.pdf import certificate_html
    from lms.extensions import db

    folder = courses_dir / "online-safety-basics"
    (folder / "certificate.html").write_text(f"<p>[{template}]</p>")
    with app.test_request_context():
        return certificate_html(db.session.get(Certificate, certificate_id), folder)


@pytest.mark.parametrize("probe", PROBES)
def test_template_cannot_reach_outside(app, courses_dir, certificate, probe):
    from lms.auth.models import User
    from lms.extensions import db

    with app.app_context():
        secrets = [app.config["SECRET_KEY"], "root:x:0", "uid="]
        secrets += [u.password_hash for u in db.session.scalars(db.select(User))]
    try:
        html = render_with(app, courses_dir, certificate, probe)
    except CertificateRenderError:
        return  # refused: fine
    assert not any(secret in html for secret in secrets)
    assert "<p>[" in html and "Config" not in html and "Request" not in html
    assert "class" not in html and "function" not in html and "module" not in html


def test_what_templates_may_use_still_works(app, courses_dir, certificate):
    html = render_with(
        app, courses_dir, certificate,
        "{{ certificate.holder_name }}|{{ certificate.course_title }}|{{ code }}"
        "|{% for s in certificate.signatories %}{{ s.name }}{% endfor %}|{{ issued_on }}",
    )  # fmt: skip
    assert "Ayesha Khan|Online Safety Basics|" in html


def test_the_row_behind_the_certificate_is_not_given_to_templates(app, courses_dir, certificate):
    html = render_with(app, courses_dir, certificate, "{{ certificate.enrolment }}")
    assert html == "<p>[]</p>"
