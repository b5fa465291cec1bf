"""Item analysis on a small cohort, every figure computed by hand in the table below.

Day 1 quiz (all-or-nothing): A strong-password (right: choice 1), B phishing-signs
(right: {0, 1}), C otp-never (right: 0 "True"), D save-percent (= 3000), E second-factor.

    trainee  A  B      C  D     E      right  score
    T1       1  0,1    0  3000  2FA    5      100
    T2       1  0,1    0  3000  MFA    4       80
    T3       1  0      0  300   2FA    3       60
    T4       0  0,1    1  3000  -      2       40
    T5       2  0,2    0  300   MFA    1       20
    T6       0  2      1  30    mfa    0        0   (a second, perfect attempt is ignored)

Upper third T1, T2; lower third T5, T6; D = p(upper) - p(lower):
    A  3/6 = 50.0 %  wrong: "123456" x2 (T4, T6)              D = 1 - 0   = 1.0
    B  3/6 = 50.0 %  wrong: choice 2 x2 (T5, T6; T3 ticked none) D = 1 - 0 = 1.0
    C  4/6 = 66.7 %  wrong: "False" x2 (T4, T6)               D = 1 - 0.5 = 0.5
    D  3/6 = 50.0 %  wrong: "300" x2 (T3, T5), "30" x1        D = 1 - 0   = 1.0
    E  2/6 = 33.3 %  wrong: "mfa" x3 (T2, T5, T6; T4 blank)   D = 0.5 - 0 = 0.5
A withdrawn trainee's perfect attempt counts nowhere.
"""

from __future__ import annotations

import pytest
from conftest import sign_in_as
from werkzeug.datastructures import MultiDict

PLAN = {
    "T1": ("1", ["0", "1"], "0", "3000", "2FA"),
    "T2": ("1", ["0", "1"], "0", "3000", "MFA"),
    "T3": ("1", ["0"], "0", "300", "2FA"),
    "T4": ("0", ["0", "1"], "1", "3000", ""),
    "T5": ("2", ["0", "2"], "0", "300", "MFA"),
    "T6": ("0", ["2"], "1", "30", "mfa"),
}
PERFECT = ("1", ["0", "1"], "0", "3000", "2FA")
FIELDS = ("strong-password", "phishing-signs", "otp-never", "save-percent", "second-factor")
EXPECTED = {  # question: (answered, correct, share, top wrong, its count, discrimination)
    "strong-password": (6, 3, 50.0, "123456", 2, 1.0),
    "phishing-signs": (6, 3, 50.0, "It comes from a number saved in your contacts", 2, 1.0),
    "otp-never": (6, 4, 66.7, "False", 2, 0.5),
    "save-percent": (6, 3, 50.0, "300", 2, 1.0),
    "second-factor": (6, 2, 33.3, "mfa", 3, 0.5),
}


def _submit(app, user, cohort_id, answers):
    from lms.auth.models import User
    from lms.cohorts.access import learning_context
    from lms.extensions import db
    from lms.quizzes import services as quizzes

    with app.app_context(), app.test_request_context():
        context = learning_context(db.session.get(User, user.id), cohort_id)
        form = MultiDict()
        for field, value in zip(FIELDS, answers, strict=True):
            for item in value if isinstance(value, list) else [value]:
                form.add(f"q-{field}", item)
        payload = quizzes.new_attempt_form(context, "day-1", "en").payload
        attempt = quizzes.submit(context, "day-1", payload, form)
        db.session.commit()
        return float(attempt.score)


@pytest.fixture
def cohort(app, make_user, make_cohort, enrol):
    instructor = make_user("instructor")
    cohort_id, _ = make_cohort(instructor=instructor)
    people = {}
    for name, answers in PLAN.items():
        people[name] = make_user(name=name)
        enrol(people[name], cohort_id)
        _submit(app, people[name], cohort_id, answers)
    assert _submit(app, people["T6"], cohort_id, PERFECT) == 100.0  # a second attempt
    withdrawn = make_user(name="W")
    enrolment_id = enrol(withdrawn, cohort_id)
    _submit(app, withdrawn, cohort_id, PERFECT)
    with app.app_context():
        from lms.cohorts.models import Enrolment
        from lms.extensions import db

        db.session.get(Enrolment, enrolment_id).status = "withdrawn"
        db.session.commit()
    return cohort_id, instructor


def test_item_analysis_matches_the_hand_computation(app, cohort):
    from lms.cohorts.services import get_cohort
    from lms.courses.catalogue import get_catalogue
    from lms.permissions import SYSTEM
    from lms.reports.items import item_analysis

    cohort_id, _ = cohort
    with app.app_context():
        course = get_catalogue().get("online-safety-basics")
        stats = item_analysis(SYSTEM, get_cohort(cohort_id), course.quiz("day-1"))
    got = {
        s.question_id: (
            s.answered,
            s.correct,
            s.correct_share,
            s.top_wrong,
            s.top_wrong_count,
            s.discrimination,
        )
        for s in stats
    }
    assert got == EXPECTED
    assert [s.question_id for s in stats] == list(FIELDS)  # in the quiz's order


def test_item_analysis_page_for_the_cohort_instructor_only(app, cohort, make_user, make_cohort):
    cohort_id, instructor = cohort
    client = app.test_client()
    sign_in_as(client, instructor)
    html = client.get(f"/teach/cohorts/{cohort_id}/items").get_data(as_text=True)
    assert "66.7%" in html and "33.3%" in html
    assert "It comes from a number saved in your contacts" in html
    assert "1.00" in html and "0.50" in html
    assert "Nobody has taken this quiz yet." in html  # day 2 has no attempts
    for role in ("trainee", "sponsor"):
        other = app.test_client()
        sign_in_as(other, make_user(role, org="Bank" if role == "sponsor" else None))
        assert other.get(f"/teach/cohorts/{cohort_id}/items").status_code == 403
    stranger = app.test_client()
    sign_in_as(stranger, make_user("instructor"))
    assert stranger.get(f"/teach/cohorts/{cohort_id}/items").status_code == 403
    assert app.test_client().get(f"/teach/cohorts/{cohort_id}/items").status_code == 302


def test_typed_wrong_answers_are_escaped(app, make_user, make_cohort, enrol):
    instructor = make_user("instructor")
    cohort_id, _ = make_cohort(instructor=instructor)
    person = make_user(name="X")
    enrol(person, cohort_id)
    _submit(app, person, cohort_id, ("1", ["0", "1"], "0", "3000", "<script>x</script>"))
    client = app.test_client()
    sign_in_as(client, instructor)
    html = client.get(f"/teach/cohorts/{cohort_id}/items").get_data(as_text=True)
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
