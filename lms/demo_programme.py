"""A believable programme for `lms demo`: three cohorts and 120 trainees with real drop-off.

Karachi (scheduled, Urdu and English), Tabalong (scheduled, Bahasa Indonesia) and a
self-paced online cohort, each with pre-test and post-test scores, day quizzes, lesson
completions, certificates, anonymous survey answers and, for the two in-person cohorts,
a session a day with its attendance. Written with bulk inserts and a
fixed random seed, then the report summaries are rebuilt from those raw facts, so a run
takes a second or two and gives the same programme every time.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from lms.attendance.models import Attendance, ClassSession
from lms.auth.models import Organisation, User
from lms.certificates import services as certificates
from lms.clock import now
from lms.cohorts import services as cohorts
from lms.cohorts.models import Cohort, Enrolment, EnrolmentStatus
from lms.courses.engine.model import Course, Quiz
from lms.extensions import db
from lms.nudges.demo import load_messages
from lms.permissions import SYSTEM
from lms.progress.models import LessonCompletion
from lms.quizzes.models import AttemptAnswer, QuizAttempt
from lms.quizzes.snapshot import snapshot
from lms.reports import summaries
from lms.surveys.models import SurveyAnswer, SurveySubmission

URDU_NAMES = ("عائشہ خان", "فاطمہ علی", "زینب احمد", "حرا بٹ", "سارہ شیخ",
              "مریم اقبال", "علی رضا", "حمزہ ملک", "عمر فاروق", "بلال حسین",
              "دانیال قریشی", "ثنا جاوید")  # fmt: skip
LATIN_PK = ("Ayesha Khan", "Hamza Malik", "Sana Javed", "Usman Tariq", "Mahnoor Siddiqui",
            "Fahad Anwar", "Iqra Saleem", "Zain Abbasi", "Rabia Nawaz", "Saad Mirza")  # fmt: skip
INDONESIAN = ("Siti Rahmawati", "Dewi Lestari", "Nur Aini", "Rina Handayani", "Budi Santoso",
              "Agus Setiawan", "Rizky Pratama", "Fitri Anggraini", "Yusuf Hidayat",
              "Putri Maharani", "Eko Saputra", "Wahyu Nugroho")  # fmt: skip
COMMENTS = {
    "ur": ("پاس ورڈ والا سبق بہت مفید تھا", "مزید ویڈیوز شامل کریں", "بجٹ کی مشق اچھی لگی"),
    "en": ("More examples about getting paid by foreign clients, please.",
           "The budgeting exercise changed how I price my work.", "Day 3 was too long."),
    "id": ("Materi QRIS sangat membantu usaha saya", "Tolong tambah contoh pinjol ilegal",
           "Kuisnya agak sulit tapi bermanfaat"),
}  # fmt: skip
LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 48" role="img" '
    'aria-label="Demo Bank"><rect x="0" y="0" width="48" height="48" rx="10" fill="#1d5c63"/>'
    '<path d="M10 34 L24 12 L38 34 Z" fill="#f2c14e"/><rect x="14" y="34" width="20" height="4" '
    'fill="#ffffff"/><text x="56" y="22" font-size="14" font-weight="bold" fill="#1b1f23">'
    'Demo</text><text x="56" y="40" font-size="14" fill="#1d5c63">Bank</text></svg>'
)


@dataclass(frozen=True)
class Plan:
    name: str
    country: str
    timezone: str
    pacing: str
    weeks_ago: int
    trainees: int
    languages: tuple[str, ...]
    districts: tuple[str, ...]
    keep_going: float  # the chance a trainee goes on from one day to the next


PLANS = (
    Plan("Karachi creators, cohort 1", "PK", "Asia/Karachi", "scheduled", 9, 46, ("ur", "ur", "en"),
         ("Saddar", "Korangi", "Gulshan-e-Iqbal", "Lyari"), 0.9),
    Plan("Tabalong creators, cohort 1", "ID", "Asia/Makassar", "scheduled", 5, 42, ("id",),
         ("Tanjung", "Murung Pudak", "Kelua"), 0.86),
    Plan("Self-paced online", "PK", "Asia/Karachi", "self", 12, 32, ("en", "ur", "id"),
         ("Lahore", "Islamabad", "Karachi"), 0.72),
)  # fmt: skip


def load_programme(organisation: Organisation, instructor: User, course: Course) -> list[Cohort]:
    """Create the programme's cohorts unless they exist; return them."""
    if not organisation.logo_svg:
        organisation.logo_svg = LOGO
    made = []
    for index, plan in enumerate(PLANS):
        cohort = db.session.scalar(select(Cohort).where(Cohort.name == plan.name))
        if cohort is None:
            cohort = _cohort(plan, organisation, instructor, course)
            _trainees(cohort, plan, course, random.Random(2026 + index))
            summaries.rebuild(cohort.id, course)
            for enrolment in db.session.scalars(
                select(Enrolment).where(
                    Enrolment.cohort_id == cohort.id,
                    Enrolment.status == EnrolmentStatus.COMPLETED,
                )
            ):
                certificates.issue(enrolment, course)
            load_messages(cohort, course, random.Random(3026 + index))
        made.append(cohort)
    return made


def _cohort(plan: Plan, organisation: Organisation, instructor: User, course: Course) -> Cohort:
    start = (now() - timedelta(weeks=plan.weeks_ago)).date()
    cohort = cohorts.create_cohort(
        SYSTEM,
        cohorts.CohortData(
            name=plan.name,
            course_slug=course.slug,
            start_date=start,
            timezone=plan.timezone,
            pacing=plan.pacing,
            organisation=organisation,
        ),
    )
    cohort.country = plan.country
    cohorts.add_instructor(SYSTEM, cohort, instructor)
    db.session.flush()
    return cohort


def _name(language: str, rng: random.Random) -> str:
    names = {"ur": URDU_NAMES, "id": INDONESIAN}.get(language, LATIN_PK)
    return rng.choice(names)


def _trainees(cohort: Cohort, plan: Plan, course: Course, rng: random.Random) -> None:
    start = datetime.combine(cohort.start_date, datetime.min.time()) + timedelta(hours=4)
    slug = "".join(ch for ch in plan.name.lower() if ch.isalnum())[:12]
    users = []
    for number in range(plan.trainees):
        language = rng.choice(plan.languages)
        consent = rng.random() < 0.8
        users.append(
            {
                "email": f"{slug}-{number + 1:03d}@demo.example",
                "name": _name(language, rng),
                "role": "trainee",
                "language": language,
                "active": True,
                "session_version": 1,
                "created_at": start - timedelta(days=3),
                "gender": rng.choice(("female", "female", "male")) if consent else None,
                "age_band": rng.choice(("18-24", "18-24", "25-34")) if consent else None,
                "district": rng.choice(plan.districts) if consent else None,
                "profile_consent": consent,
            }
        )
    db.session.execute(insert(User), users)
    emails = [u["email"] for u in users]
    ids = dict(db.session.execute(select(User.email, User.id).where(User.email.in_(emails))).all())
    days = len(course.days)
    enrolments, journeys = [], []
    for user in users:
        joined = start + timedelta(hours=rng.randint(0, 60))
        reached = 0  # days reached; the last one may be left half done
        if rng.random() < 0.9:
            reached = 1
            while reached < days and rng.random() < plan.keep_going:
                reached += 1
        finished_all = reached == days and rng.random() < 0.93
        journeys.append((user, joined, reached, finished_all))
        enrolments.append(
            {
                "cohort_id": cohort.id,
                "user_id": ids[user["email"]],
                "status": EnrolmentStatus.ACTIVE,
                "joined_at": joined,
                "last_active_at": joined + timedelta(days=reached),
            }
        )
    db.session.execute(insert(Enrolment), enrolments)
    enrolment_ids = dict(
        db.session.execute(
            select(Enrolment.user_id, Enrolment.id).where(Enrolment.cohort_id == cohort.id)
        ).all()
    )
    facts = _Facts()
    for user, joined, reached, finished_all in journeys:
        enrolment_id = enrolment_ids[ids[user["email"]]]
        _journey(facts, course, enrolment_id, user["language"], joined, reached, finished_all, rng)
    facts.write(cohort.id, course, rng)
    if plan.pacing == "scheduled":
        reached_by = [(enrolment_ids[ids[u["email"]]], reached) for u, _, reached, _ in journeys]
        _sessions(cohort, course, reached_by, rng)


PLACES = {"Asia/Karachi": "Training hall, Saddar", "Asia/Makassar": "Balai Desa Tanjung"}


def _sessions(cohort: Cohort, course: Course, reached_by, rng: random.Random) -> None:
    """One in-person session a day (10:00-12:00 local); most of those who reached the day
    came to it."""
    zone = ZoneInfo(cohort.timezone)
    for day in course.days:
        local = datetime.combine(cohort.start_date + timedelta(days=day.number - 1), time(10))
        starts = local.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
        session = ClassSession(
            cohort_id=cohort.id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            place=PLACES.get(cohort.timezone, "Community hall"),
            secret=secrets.token_hex(16),
        )
        db.session.add(session)
        db.session.flush()
        rows = [
            {"session_id": session.id, "enrolment_id": enrolment_id, "method": "code",
             "marked_at": starts + timedelta(minutes=rng.randint(0, 30))}
            for enrolment_id, reached in reached_by
            if reached >= day.number and rng.random() < 0.85
        ]  # fmt: skip
        if rows:
            db.session.execute(insert(Attendance), rows)


class _Facts:
    """The raw rows of every journey, inserted in a few bulk statements at the end."""

    def __init__(self) -> None:
        self.lessons: list[dict] = []
        self.attempts: list[tuple[dict, dict[str, Decimal]]] = []
        self.completed: list[tuple[int, datetime]] = []
        self.surveyed: list[tuple[int, str]] = []

    def attempt(self, enrolment_id, quiz: Quiz, language, when, skill, rng, number=1) -> bool:
        results = {q.id: Decimal(1 if rng.random() < skill else 0) for q in quiz.questions}
        points = sum(results.values())
        score = (100 * points / len(results)).quantize(Decimal("0.01"))
        passed = score >= quiz.pass_mark
        order = {q.id: list(range(len(q.choices))) for q in quiz.questions}
        row = {
            "enrolment_id": enrolment_id,
            "quiz_key": quiz.key,
            "number": number,
            "token": secrets.token_hex(16),
            "language": language,
            "content_hash": "demo",
            "questions": snapshot(quiz, order),
            "answers": {},
            "results": {k: str(v) for k, v in results.items()},
            "points": points,
            "max_points": len(results),
            "score": score,
            "pass_mark": quiz.pass_mark,
            "passed": passed,
            "started_at": when - timedelta(minutes=6),
            "submitted_at": when,
        }
        self.attempts.append((row, results))
        return passed

    def write(self, cohort_id: int, course: Course, rng: random.Random) -> None:
        if self.lessons:
            db.session.execute(insert(LessonCompletion), self.lessons)
        if self.attempts:
            db.session.execute(insert(QuizAttempt), [row for row, _ in self.attempts])
            tokens = [row["token"] for row, _ in self.attempts]
            attempt_ids = dict(
                db.session.execute(
                    select(QuizAttempt.token, QuizAttempt.id).where(QuizAttempt.token.in_(tokens))
                ).all()
            )
            answers = [
                {
                    "attempt_id": attempt_ids[row["token"]],
                    "enrolment_id": row["enrolment_id"],
                    "quiz_key": row["quiz_key"],
                    "question_id": question_id,
                    "first_attempt": row["number"] == 1,
                    "points": points,
                }
                for row, results in self.attempts
                for question_id, points in results.items()
            ]
            db.session.execute(insert(AttemptAnswer), answers)
        for enrolment_id, when in self.completed:
            enrolment = db.session.get(Enrolment, enrolment_id)
            enrolment.status = EnrolmentStatus.COMPLETED
            enrolment.completed_at = when
        self._surveys(cohort_id, course, rng)
        db.session.flush()

    def _surveys(self, cohort_id: int, course: Course, rng: random.Random) -> None:
        if course.survey is None or not self.surveyed:
            return
        db.session.execute(
            insert(SurveySubmission),
            [{"enrolment_id": e, "cohort_id": cohort_id} for e, _ in self.surveyed],
        )
        rows = []
        for _, language in self.surveyed:
            for question in course.survey.questions:
                if rng.random() < 0.1:  # every question is optional
                    continue
                entry = {"cohort_id": cohort_id, "question_id": question.id}
                if question.kind == "rating":
                    scale = range(question.low, question.high + 1)
                    weights = (1, 1, 3, 8, 9) if len(scale) == 5 else None
                    value = rng.choices(scale, weights)[0]
                    rows.append(entry | {"value": value, "text": None})
                elif question.kind == "choice":
                    value = rng.randrange(len(question.choices))
                    rows.append(entry | {"value": value, "text": None})
                elif rng.random() < 0.35:
                    text = rng.choice(COMMENTS.get(language, COMMENTS["en"]))
                    rows.append(entry | {"value": None, "text": text})
        if rows:
            db.session.execute(insert(SurveyAnswer), rows)


def _journey(facts, course, enrolment_id, language, joined, reached, finished_all, rng) -> None:
    """One trainee: pre-test, the days reached, and the post-test and survey at the end."""
    skill = rng.uniform(0.25, 0.65)
    when = joined + timedelta(minutes=20)
    if course.pre_test is not None and reached:
        facts.attempt(enrolment_id, course.pre_test, language, when, skill, rng)
    for day in course.days[:reached]:
        when += timedelta(days=1, minutes=rng.randint(0, 300))
        last = day.number == reached and not finished_all
        lessons = day.lessons[: max(1, len(day.lessons) // 2)] if last else day.lessons
        for lesson in lessons:
            when += timedelta(minutes=lesson.minutes + rng.randint(0, 8))
            facts.lessons.append(
                {"enrolment_id": enrolment_id, "lesson_slug": lesson.slug, "completed_at": when}
            )
        if day.quiz is not None and not last:
            learned = min(0.97, skill + 0.3 + rng.uniform(0, 0.15))
            if not facts.attempt(enrolment_id, day.quiz, language, when, learned, rng):
                when += timedelta(minutes=rng.randint(10, 90))  # a second try, after review
                facts.attempt(enrolment_id, day.quiz, language, when, 1.0, rng, number=2)
    if not finished_all:
        return
    when += timedelta(hours=rng.randint(2, 30))
    if course.post_test is not None:
        learned = min(0.98, skill + rng.uniform(0.15, 0.45))
        facts.attempt(enrolment_id, course.post_test, language, when, learned, rng)
    facts.completed.append((enrolment_id, when))
    if rng.random() < 0.75:
        facts.surveyed.append((enrolment_id, language))
