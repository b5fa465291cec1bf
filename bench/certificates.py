"""Certificate rendering: cold and warm render, and 1,000 certificates issued in bulk.

The baseline is a bare WeasyPrint render of the same HTML (same fonts, default fetcher,
new FontConfiguration each time, as a naive caller would), measured in this run.
Budget (DESIGN.md): warm render within 1.2x the bare render, PDF under 100 KB, and
1,000 certificates in bulk with flat memory (peak RSS printed every 250).
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BULK = 1000


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    cold = subprocess.run(
        [sys.executable, "-c", COLD], capture_output=True, text=True, cwd=ROOT, check=True
    )
    print(cold.stdout.strip())
    with tempfile.TemporaryDirectory() as tmp:
        warm_and_bulk(tmp)


COLD = """
import time, tempfile
start = time.perf_counter()
from datetime import datetime
from lms import create_app
from lms.certificates import pdf
from lms.certificates.models import Certificate
tmp = tempfile.mkdtemp()
app = create_app({"INSTANCE_PATH": tmp, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/x.db", "PUBLIC_URL": "https://lms.example.org"})
with app.app_context():
    from lms.courses.catalogue import get_catalogue
    course = get_catalogue().get("online-safety-basics")
    c = Certificate(code="0123456789ABCDEQ", holder_name="Ayesha Khan", course_slug=course.slug, course_title=course.title(),
        content_hash="x", cohort_name="Karachi 1", sponsor_name="Demo Bank", issuer="Sample", title="Certificate of Completion",
        signatories=[], language="en", completed_at=datetime(2026, 11, 20), issued_at=datetime(2026, 11, 21))
    t = time.perf_counter()
    data = pdf.certificate_pdf(c, course.path, use_cache=False)
    print(f"cold render (new process, includes importing WeasyPrint): {time.perf_counter() - t:.3f} s; process start to PDF {time.perf_counter() - start:.2f} s; {len(data)} bytes")
"""


def warm_and_bulk(tmp: str) -> None:
    import weasyprint

    from lms import create_app
    from lms.auth import services as accounts
    from lms.certificates import pdf, services
    from lms.certificates.models import Certificate
    from lms.cohorts import services as cohorts
    from lms.cohorts.models import Enrolment
    from lms.courses.catalogue import get_catalogue
    from lms.extensions import db
    from lms.permissions import SYSTEM

    app = create_app(
        {
            "INSTANCE_PATH": tmp,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
            "PUBLIC_URL": "https://lms.example.org",  # printed on every certificate
        }
    )
    with app.app_context(), app.test_request_context():
        db.create_all()
        course = get_catalogue().get("online-safety-basics")
        sample = Certificate(
            code="0123456789ABCDEQ",
            holder_name="عائشہ خان",
            course_slug=course.slug,
            course_title=course.title(),
            content_hash="x",
            cohort_name="Karachi 1",
            sponsor_name="Demo Bank",
            issuer="Sample",
            title="Certificate of Completion",
            signatories=[{"name": "Director", "title": "School"}],
            language="en",
            completed_at=datetime(2026, 11, 20),
            issued_at=datetime(2026, 11, 21),
        )
        html = pdf.certificate_html(sample, course.path)
        bare_html = html.replace("lms:/static/", (ROOT / "static").as_uri() + "/")
        bare_html = bare_html.replace(
            f"lms:/media/{course.slug}/", (course.path / "media").as_uri() + "/"
        )

        def bare() -> bytes:
            from weasyprint.text.fonts import FontConfiguration

            return weasyprint.HTML(string=bare_html).write_pdf(font_config=FontConfiguration())

        ours_times, bare_times = [], []
        for _ in range(3):  # warm both
            pdf.certificate_pdf(sample, course.path, use_cache=False)
            bare()
        for _ in range(15):
            t = time.perf_counter()
            data = pdf.certificate_pdf(sample, course.path, use_cache=False)
            ours_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            bare()
            bare_times.append(time.perf_counter() - t)
        ours, base = statistics.median(ours_times), statistics.median(bare_times)
        print(
            f"warm render: ours {ours * 1000:.0f} ms, bare WeasyPrint {base * 1000:.0f} ms, ratio {ours / base:.2f} "
            f"(budget <= 1.20); PDF {len(data)} bytes (budget < 102400)"
        )
        t = time.perf_counter()
        pdf.certificate_pdf(sample, course.path)
        hit = time.perf_counter()
        pdf.certificate_pdf(sample, course.path)
        print(
            f"cached download: {(time.perf_counter() - hit) * 1000:.2f} ms (first {(hit - t) * 1000:.0f} ms)"
        )

        cohort = cohorts.create_cohort(
            SYSTEM,
            cohorts.CohortData(
                name="Bulk", course_slug=course.slug, start_date=date(2026, 1, 1), pacing="self"
            ),
        )
        for n in range(BULK):
            user = accounts.create_user(
                name=f"Trainee {n} نام", login=f"t{n}@bulk.example", password=None, actor=SYSTEM
            )
            enrolment = cohorts.enrol(cohort, user, actor=SYSTEM)
            enrolment.status, enrolment.completed_at = "completed", datetime(2026, 11, 20)
        db.session.commit()
        ids = services.due_enrolments(cohort)
        start, marks = time.perf_counter(), []
        for number, enrolment_id in enumerate(ids, start=1):
            certificate = services.issue(db.session.get(Enrolment, enrolment_id), course, SYSTEM)
            db.session.commit()
            pdf.certificate_pdf(certificate, course.path)
            if number % 50 == 0:
                db.session.expunge_all()
            if number % 250 == 0:
                marks.append(f"{number}: {rss_mb():.0f} MB")
        elapsed = time.perf_counter() - start
        print(
            f"bulk: {len(ids)} certificates issued and rendered in {elapsed:.1f} s "
            f"({len(ids) / elapsed:.1f}/s); peak RSS after " + ", ".join(marks)
        )
