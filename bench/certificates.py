"""Certificate rendering: cold render, warm render against a careful bare WeasyPrint
render, and the PDF worker's own memory over 1,000 certificates issued in bulk.

Baseline: a bare WeasyPrint render of the same HTML (same fonts, WeasyPrint's default
fetcher over `file://`) that reuses one `FontConfiguration`, as a careful caller would,
in this process. Ours: `certificate_pdf` as the download route calls it (HTML, QR code,
the hand-over to the PDF worker process, the safe fetcher), cache off. Both are timed
in interleaved rounds (the order alternating) and compared by their medians.
Budget (DESIGN.md "Budgets"): ours at most 1.05x the bare render, PDF under 100 KB, and
the PDF worker's resident memory (VmRSS of its own process, read from /proc) flat over
1,000 renders: "flat" means it grows less than 5% from the 250th render to the 1,000th
(the first 250 warm caches up).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

from bench.table import figure

ROOT = Path(__file__).resolve().parent.parent
BULK = 1000
ROUNDS = 21
BUDGET_RATIO = 1.05
BUDGET_BYTES = 100 * 1024
BUDGET_GROWTH = 1.05  # RSS at render 1,000 over RSS at render 250


def worker_rss_mb() -> float:
    """Resident memory of the PDF worker process (not this one), from /proc."""
    from lms.pdf import worker

    pids = [process.pid for process in (worker._pool._processes or {}).values()]
    assert len(pids) == 1, f"expected one PDF worker, found {pids}"
    for line in Path(f"/proc/{pids[0]}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc")


def main() -> list[dict]:
    cold = subprocess.run(
        [sys.executable, "-c", COLD], capture_output=True, text=True, cwd=ROOT, check=True
    )
    print(cold.stdout.strip())
    with tempfile.TemporaryDirectory() as tmp:
        return warm_and_bulk(tmp)


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
    print(f"cold render (new process, includes starting the PDF worker and importing WeasyPrint): {time.perf_counter() - t:.3f} s; process start to PDF {time.perf_counter() - start:.2f} s; {len(data)} bytes")
"""


def sample_certificate(course):
    from lms.certificates.models import Certificate

    return Certificate(
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


def warm_render(course) -> tuple[float, float, int]:
    """(ours, bare) median seconds over interleaved rounds, and the PDF's size."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from lms.certificates import pdf

    sample = sample_certificate(course)
    html = pdf.certificate_html(sample, course.path)
    bare_html = html.replace("lms:/static/", (ROOT / "static").as_uri() + "/")
    bare_html = bare_html.replace(
        f"lms:/media/{course.slug}/", (course.path / "media").as_uri() + "/"
    )
    font_config = FontConfiguration()  # one, reused: the careful caller

    def ours() -> bytes:
        return pdf.certificate_pdf(sample, course.path, use_cache=False)

    def bare() -> bytes:
        return weasyprint.HTML(string=bare_html).write_pdf(font_config=font_config)

    for _ in range(3):  # warm both
        ours(), bare()
    times: dict = {ours: [], bare: []}
    for n in range(ROUNDS):
        for render in (ours, bare) if n % 2 == 0 else (bare, ours):
            start = time.perf_counter()
            data = render()
            times[render].append(time.perf_counter() - start)
            if render is ours:
                size = len(data)
    return statistics.median(times[ours]), statistics.median(times[bare]), size


def warm_and_bulk(tmp: str) -> list[dict]:
    from lms import create_app
    from lms.auth import services as accounts
    from lms.certificates import pdf, services
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
    figures = []
    with app.app_context(), app.test_request_context():
        db.create_all()
        course = get_catalogue().get("online-safety-basics")
        ours, base, size = warm_render(course)
        print(
            f"warm render ({ROUNDS} interleaved rounds, medians): ours {ours * 1000:.1f} ms, "
            f"bare WeasyPrint reusing one FontConfiguration {base * 1000:.1f} ms, ratio "
            f"{ours / base:.3f} (budget <= {BUDGET_RATIO}); PDF {size} bytes (budget < {BUDGET_BYTES})"
        )
        figures.append(
            figure(
                "certificate warm render ms",
                ours * 1000,
                base * 1000,
                BUDGET_RATIO * base * 1000,
                "max",
            )  # fmt: skip
        )
        figures.append(figure("certificate PDF bytes", size, None, BUDGET_BYTES, "max"))
        sample = sample_certificate(course)
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
        start, marks = time.perf_counter(), {}
        for number, enrolment_id in enumerate(ids, start=1):
            certificate = services.issue(db.session.get(Enrolment, enrolment_id), course, SYSTEM)
            db.session.commit()
            pdf.certificate_pdf(certificate, course.path)  # a new code: rendered
            if number % 50 == 0:
                db.session.expunge_all()
            if number % 250 == 0:
                marks[number] = worker_rss_mb()
        elapsed = time.perf_counter() - start
        growth = marks[BULK] / marks[250]
        print(
            f"bulk: {len(ids)} certificates issued and rendered in {elapsed:.1f} s "
            f"({len(ids) / elapsed:.1f}/s); PDF worker's own RSS (VmRSS) after "
            + ", ".join(f"{n}: {mb:.1f} MB" for n, mb in marks.items())
            + f"; 250 to {BULK}: {(growth - 1) * 100:+.1f}% (budget < +{(BUDGET_GROWTH - 1) * 100:.0f}%)"
        )
        figures.append(
            figure(
                f"PDF worker RSS MB at render {BULK}",
                marks[BULK],
                marks[250],
                BUDGET_GROWTH * marks[250],
                "max",
            )  # fmt: skip
        )
    return figures
