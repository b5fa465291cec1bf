"""Issue 17 item 11: enrolment uploads in formats not tried before (a binary file, UTF-16,
Windows-1256, 100,000 rows) get a clear error or a correct import, through the real
upload page: never a 500 and never half a file."""

from __future__ import annotations

import gc
import io

import pytest
from conftest import csrf_from, sign_in_as

NOT_UTF8 = "the file is not UTF-8: save it as “CSV UTF-8” and try again"


@pytest.fixture
def upload(client, make_cohort, make_user):
    instructor = make_user("instructor")
    cohort_id, _ = make_cohort(instructor=instructor)
    sign_in_as(client, instructor)

    def send(data: bytes, name: str = "roster.csv"):
        page = client.get(f"/teach/cohorts/{cohort_id}/enrol").get_data(as_text=True)
        return client.post(
            f"/teach/cohorts/{cohort_id}/enrol",
            data={"csrf_token": csrf_from(page), "file": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
        )

    return send, cohort_id


def enrolled(app, cohort_id) -> int:
    from sqlalchemy import func, select

    from lms.cohorts.models import Enrolment
    from lms.extensions import db

    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(Enrolment).where(Enrolment.cohort_id == cohort_id)
        )


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (PNG, NOT_UTF8),
        (b"name,email\nAli,ali@example.com\n\0\0\0binary\0", NOT_UTF8),
        ("name,email\nعلي رضا,ali@example.com\n".encode("cp1256"), NOT_UTF8),
    ],
    ids=["binary", "utf8-with-nul", "windows-1256"],
)
def test_unreadable_files_get_a_clear_error_and_enrol_nobody(app, upload, data, message):
    send, cohort_id = upload
    response = send(data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert enrolled(app, cohort_id) == 0


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_unicode_text_from_excel_imports_correctly(app, upload, encoding):
    send, cohort_id = upload
    text = "name\temail\nعلی رضا\tali@example.com\nSiti Rahayu\tsiti@example.com\n"
    data = text.encode(encoding) if encoding == "utf-16" else b"\xfe\xff" + text.encode(encoding)
    html = send(data).get_data(as_text=True)
    assert "2 enrolled, 2 new accounts" in html
    assert enrolled(app, cohort_id) == 2
    from lms.auth.services import find_user

    with app.app_context():
        assert find_user("ali@example.com").name == "علی رضا"


# Werkzeug's test client spools a large request body to a temporary file it never closes;
# collect it here so that its ResourceWarning is not blamed on the next test.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_100000_row_file_is_refused_whole(app, upload):
    send, cohort_id = upload
    rows = "".join(f"Trainee {n},t{n}@example.com\n" for n in range(100_000))
    data = ("name,email\n" + rows).encode()
    assert len(data) < 5 * 1024 * 1024  # within the upload limit
    response = send(data)
    assert response.status_code == 200
    assert "more than 5000 rows: split the file" in response.get_data(as_text=True)
    assert enrolled(app, cohort_id) == 0  # not the first 5,000
    del response
    gc.collect()


def test_an_unreadable_csv_line_is_reported(app, upload):
    send, cohort_id = upload
    response = send(b'name,email\n"' + b"x" * 200_000 + b'",a@example.com\n')
    assert response.status_code == 200
    assert "not readable CSV" in response.get_data(as_text=True)
    assert enrolled(app, cohort_id) == 0
