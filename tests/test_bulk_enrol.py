"""Bulk enrolment from spreadsheet exports: every bad row reported with its line."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import csrf_from, sign_in_as

from lms.cohorts.spreadsheet import read_rows

DATA = Path(__file__).parent / "data"


@pytest.fixture
def cohort(make_cohort, make_user):
    instructor = make_user("instructor")
    cohort_id, _ = make_cohort(instructor=instructor)
    return cohort_id, instructor


def run_bulk(app, cohort_id, data: bytes):
    from lms.cohorts import bulk, services
    from lms.extensions import db
    from lms.permissions import SYSTEM

    with app.app_context(), app.test_request_context():
        report = bulk.bulk_enrol(SYSTEM, services.get_cohort(cohort_id), data, send_messages=False)
        db.session.commit()
        return (
            [line for line, _ in report.enrolled],
            [line for line, _ in report.already],
            [line for line, *_ in report.created],
            [(e.line, e.message) for e in report.errors],
        )


def test_semicolons_bom_quotes_urdu_blank_lines_duplicates_and_bad_rows(app, cohort):
    cohort_id, _ = cohort
    enrolled, already, created, errors = run_bulk(
        app, cohort_id, (DATA / "roster-semicolon-bom.csv").read_bytes()
    )
    assert enrolled == [2, 3, 5]
    assert created == [2, 3, 5]
    assert already == []
    assert errors == [
        (6, "this is not a valid e-mail address"),
        (7, "same person as line 2"),
        (8, "the name is missing"),
        (9, "give an e-mail address or a phone number"),
        (10, "unknown language fr (use one of en, ur, id)"),
    ]
    with app.app_context():
        from lms.auth.services import find_user

        ayesha = find_user("ayesha@example.com")
        assert (
            ayesha.name == "Khan, Ayesha"
            and ayesha.language == "ur"
            and ayesha.password_hash is None
        )
        ali = find_user("+923001234567")
        assert ali.name == "علی رضا"
        budi = find_user("budi@example.com")
        assert budi.phone == "+6281234567890" and budi.language == "id"


def test_the_same_file_twice_enrols_no_one_twice(app, cohort):
    cohort_id, _ = cohort
    data = (DATA / "roster-semicolon-bom.csv").read_bytes()
    run_bulk(app, cohort_id, data)
    enrolled, already, created, errors = run_bulk(app, cohort_id, data)
    assert (enrolled, created) == ([], [])
    assert already == [2, 3, 5]
    assert len(errors) == 5
    with app.app_context():
        from lms.cohorts.models import Enrolment
        from lms.extensions import db

        assert db.session.scalar(db.select(db.func.count()).select_from(Enrolment)) == 3


def test_comma_separated_with_other_headings(app, cohort):
    cohort_id, _ = cohort
    enrolled, _, _, errors = run_bulk(app, cohort_id, (DATA / "roster-comma.csv").read_bytes())
    assert (enrolled, errors) == ([2, 3], [])
    with app.app_context():
        from lms.auth.services import find_user

        assert find_user("q@example.com").name == 'Quote "Q" Person'


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", [(1, "the file is empty")]),
        (
            b"who,where\nx,y\n",
            [(1, "the first line must name the columns: name, and email or phone")],
        ),
        (
            "name,email\nعلي,ali@example.com\n".encode("cp1256"),
            [(1, "the file is not UTF-8: save it as “CSV UTF-8” and try again")],
        ),
    ],
)
def test_unreadable_files_are_explained(app, cohort, data, expected):
    assert run_bulk(app, cohort[0], data)[3] == expected


def test_staff_accounts_are_not_enrolled_as_trainees(app, cohort, make_user):
    make_user("sponsor", email="boss@example.com", org="Bank")
    assert run_bulk(app, cohort[0], b"name,email\nBoss,boss@example.com\n")[3] == [
        (2, "this login belongs to a staff account")
    ]


def test_existing_trainee_is_enrolled_without_a_new_account(app, cohort, make_user):
    make_user(email="known@example.com")
    enrolled, _, created, _ = run_bulk(app, cohort[0], b"name,email\nKnown,known@example.com\n")
    assert (enrolled, created) == ([2], [])


def test_line_numbers_count_quoted_newlines(app, cohort):
    data = b'name,email\n"Two\nLines",two@example.com\nBad,bad\n'
    assert run_bulk(app, cohort[0], data)[3] == [(4, "this is not a valid e-mail address")]


def test_read_rows_is_pure():
    rows, errors = read_rows("nama;nomor hp\nSiti;0812 3456 7890\n")
    assert errors == [] and rows[0].name == "Siti" and rows[0].phone == "0812 3456 7890"


def test_upload_page(client, app, cohort):
    cohort_id, instructor = cohort
    sign_in_as(client, instructor)
    page = client.get(f"/teach/cohorts/{cohort_id}/enrol")
    response = client.post(
        f"/teach/cohorts/{cohort_id}/enrol",
        data={
            "csrf_token": csrf_from(page.get_data(as_text=True)),
            "file": ((DATA / "roster-semicolon-bom.csv").open("rb"), "roster.csv"),
        },
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "3 enrolled, 3 new accounts, 0 already enrolled, 5 rows with problems." in html
    assert (
        '<td data-label="Line">6</td><td data-label="Problem">'
        "this is not a valid e-mail address</td>" in html
    )
    everyone = html[html.index("Everyone in the file") :]  # each enrolled row, every column
    assert everyone.count("enrolled, new account") == 3
    assert "Khan, Ayesha" in everyone and 'data-label="Login"' in everyone
    roster = client.get(f"/teach/cohorts/{cohort_id}/").get_data(as_text=True)
    assert "Khan, Ayesha" in roster and "علی رضا" in roster


def test_cli_enrol(make_app, cohort, tmp_path):
    runner = make_app(PUBLIC_URL="https://lms.example.org").test_cli_runner()  # links printed
    cohort_id, _ = cohort
    result = runner.invoke(
        args=[
            "enrol",
            "--cohort",
            str(cohort_id),
            "--no-messages",
            str(DATA / "roster-semicolon-bom.csv"),
        ]
    )
    assert result.exit_code == 1
    assert "roster-semicolon-bom.csv:6: this is not a valid e-mail address" in result.output
    assert "3 enrolled (3 new accounts), 0 already enrolled, 5 rows with problems" in result.output
    assert "https://lms.example.org/reset/" in result.output
    again = runner.invoke(
        args=["enrol", "--cohort", str(cohort_id), "--no-messages", str(DATA / "roster-comma.csv")]
    )
    assert again.exit_code == 0, again.output
