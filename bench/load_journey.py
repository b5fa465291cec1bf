"""One simulated trainee of the load test (`bench/load.py`): sign-in through the real form,
then the day's path as a phone would walk it, over HTTP with its own cookies and its
classroom's `X-Forwarded-For` address.

The path: course home, the lessons of Day 1 (each marked done, following the redirect to
the next page), the Day 1 quiz, submit, result, the course home again and the certificate
once the home page offers it; then revisiting lessons and the home page until the window
ends. Each attempt answers everything right, or (one in five) two questions wrong, which
fails the pass mark and leads to another attempt while attempts are left. Every request
is one sample; a redirect followed is a sample of the page it leads to.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from bench.load_stats import Recorder
from lms.courses.engine.model import Course, Question, QuestionKind

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
ATTEMPT_RE = re.compile(r'name="attempt" value="([^"]+)"')
QUESTION_RE = re.compile(r'name="q-([^"]+)"')
RESULT_RE = re.compile(r"/quizzes/([^/]+)/attempts/(\d+)$")
QUIZ_KEY = "day-1"
FAIL_SHARE = 0.2  # attempts that answer two questions wrong (fails a 70% pass mark of 5)


@dataclass(frozen=True)
class Trainee:
    number: int
    login: str
    password: str
    address: str  # X-Forwarded-For: the classroom's address
    language: str
    enrolment_id: int


@dataclass
class Outcome:
    """What the server acknowledged for one trainee, checked against the database after."""

    attempts: list[tuple[str, int]] = field(default_factory=list)  # (quiz key, number)
    lessons_done: set[str] = field(default_factory=set)
    passed: bool = False
    certificate: bool = False


def answer_keys(course: Course, quiz_key: str = QUIZ_KEY) -> dict[str, dict[str, tuple]]:
    """Per language: question id -> (right form values, wrong form values)."""
    quiz = next(day.quiz for day in course.days if day.quiz and day.quiz.key == quiz_key)
    return {
        language: {q.id: (_right(q), _wrong(q)) for q in quiz.in_language(language).questions}
        for language in course.languages
    }


def _right(question: Question) -> list[str]:
    if question.is_choice:
        return [str(i) for i, choice in enumerate(question.choices) if choice.correct]
    if question.kind == QuestionKind.NUMERIC:
        return [str(question.value)]
    return [question.accepted[0]]


def _wrong(question: Question) -> list[str]:
    if question.is_choice:
        return [next(str(i) for i, c in enumerate(question.choices) if not c.correct)]
    return ["-1" if question.kind == QuestionKind.NUMERIC else "no idea"]


class Visit:
    """One trainee's browser: a cookie jar, an address, and the pages it has seen."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        trainee: Trainee,
        cohort_id: int,
        lessons: list[str],
        keys: dict[str, dict[str, tuple]],
        recorder: Recorder,
        clock: Callable[[], float],
        rng: random.Random,
    ) -> None:
        self.client, self.trainee, self.recorder, self.clock = client, trainee, recorder, clock
        self.home_path = f"/cohorts/{cohort_id}/"
        self.lessons, self.keys, self.rng = lessons, keys, rng
        self.outcome = Outcome()
        self.csrf = ""
        self.quiz_page = ""
        self.tries = 0
        self.real_hash = False  # its password hash has Argon2's default (slow) parameters
        self.next: Callable[[], object] = self.home

    async def request(
        self, kind: str, method: str, path: str, expect: int, data: dict | None = None
    ) -> httpx.Response | None:
        """Send one request, record its sample; the response when its status is `expect`."""
        headers = {"X-Forwarded-For": self.trainee.address}
        started = self.clock()
        begun = time.perf_counter()
        try:
            response = await self.client.request(method, path, data=data, headers=headers)
        except httpx.HTTPError as error:
            seconds = time.perf_counter() - begun
            self.recorder.add(kind, started, seconds, False, f"{type(error).__name__} {path}")
            return None
        seconds = time.perf_counter() - begun
        ok = response.status_code == expect
        if ok and kind == "certificate":
            ok = response.headers.get("content-type", "").startswith("application/pdf")
        self.recorder.add(kind, started, seconds, ok, f"{response.status_code} {method} {path}")
        if ok and "text/html" in response.headers.get("content-type", ""):
            found = CSRF_RE.search(response.text)
            self.csrf = found.group(1) if found else self.csrf
        return response if ok else None

    async def sign_in(self, kind: str = "sign-in") -> bool:
        """The sign-in page, then the form posted; True when it led away from /login."""
        if await self.request("sign-in page", "GET", "/login", 200) is None:
            return False
        form = {"login": self.trainee.login, "password": self.trainee.password}
        answer = await self.request(kind, "POST", "/login", 302, {**form, "csrf_token": self.csrf})
        return answer is not None and "/login" not in answer.headers.get("location", "/login")

    async def follow(self, response: httpx.Response) -> httpx.Response | None:
        """GET the page a redirect leads to, as a browser does, recorded as that page."""
        path = urlsplit(response.headers["location"]).path
        kind = "lesson" if "/lessons/" in path else "quiz" if "/quizzes/" in path else "home"
        kind = "result" if RESULT_RE.search(path) else kind
        page = await self.request(kind, "GET", path, 200)
        if page is not None and kind == "quiz":
            self.quiz_page = page.text
        return page

    async def act(self) -> None:
        """The trainee's next action (one page, or a form and the page it leads to)."""
        await self.next()

    def _after_home(self, html: str) -> None:
        todo = [slug for slug in self.lessons if slug not in self.outcome.lessons_done]
        if "/certificate.pdf" in html and not self.outcome.certificate:
            self.next = self.certificate
        elif todo:
            self.next = lambda: self.lesson(todo[0])
        elif not self.outcome.passed and self.tries < 3:
            self.next = self.quiz
        else:
            self.next = self.revisit

    async def home(self) -> None:
        page = await self.request("home", "GET", self.home_path, 200)
        if page is not None:
            self._after_home(page.text)

    async def lesson(self, slug: str) -> None:
        if await self.request("lesson", "GET", f"{self.home_path}lessons/{slug}", 200):
            self.next = lambda: self.done(slug)

    async def done(self, slug: str) -> None:
        path = f"{self.home_path}lessons/{slug}/done"
        answer = await self.request("done", "POST", path, 302, {"csrf_token": self.csrf})
        if answer is None:
            self.next = self.home
            return
        self.outcome.lessons_done.add(slug)
        page = await self.follow(answer)
        location = urlsplit(answer.headers["location"]).path
        if page is None:
            self.next = self.home
        elif "/lessons/" in location:
            following = location.rsplit("/", 1)[1]
            self.next = lambda: self.done(following)
        elif "/quizzes/" in location:
            self.next = self.submit
        else:
            self._after_home(page.text)

    async def quiz(self) -> None:
        page = await self.request("quiz", "GET", f"{self.home_path}quizzes/{QUIZ_KEY}", 200)
        if page is not None:
            self.quiz_page = page.text
            self.next = self.submit

    def _answers(self) -> tuple[dict, bool]:
        keys = self.keys.get(self.trainee.language) or next(iter(self.keys.values()))
        asked = list(dict.fromkeys(QUESTION_RE.findall(self.quiz_page)))
        wrong = set(self.rng.sample(asked, 2)) if self.rng.random() < FAIL_SHARE else set()
        form: dict = {"csrf_token": self.csrf, "attempt": ATTEMPT_RE.search(self.quiz_page)[1]}
        for question in asked:
            right, bad = keys[question]
            form[f"q-{question}"] = bad if question in wrong else right
        return form, not wrong

    async def submit(self) -> None:
        form, passes = self._answers()
        path = f"{self.home_path}quizzes/{QUIZ_KEY}"
        answer = await self.request("submit", "POST", path, 302, form)
        self.tries += 1
        if answer is None:
            self.next = self.home
            return
        found = RESULT_RE.search(urlsplit(answer.headers["location"]).path)
        if found:
            self.outcome.attempts.append((found.group(1), int(found.group(2))))
            self.outcome.passed = self.outcome.passed or passes
        await self.follow(answer)
        self.next = self.home if passes or self.tries >= 3 else self.quiz

    async def certificate(self) -> None:
        pdf = await self.request("certificate", "GET", f"{self.home_path}certificate.pdf", 200)
        self.outcome.certificate = pdf is not None or self.outcome.certificate
        self.next = self.revisit

    async def revisit(self) -> None:
        """Done for today: read a lesson again, or look at the course home."""
        if self.rng.random() < 0.5:
            await self.request("home", "GET", self.home_path, 200)
        else:
            slug = self.rng.choice(self.lessons)
            await self.request("lesson", "GET", f"{self.home_path}lessons/{slug}", 200)


async def walk(visit: Visit, start_at: float, stop_at: float, think: tuple[float, float]) -> None:
    """Become active at `start_at` (window seconds), act, think, act... until `stop_at`."""
    await asyncio.sleep(max(0.0, start_at - visit.clock()))
    while visit.clock() < stop_at:
        await visit.act()
        pause = visit.rng.uniform(*think)
        if visit.clock() + pause >= stop_at:
            return
        await asyncio.sleep(pause)
