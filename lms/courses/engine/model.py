"""Immutable typed objects for a loaded course, and the `Problem` a check reports."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType


def frozen_map(items: Mapping | None = None) -> Mapping:
    """A read-only mapping, so loaded courses cannot be changed by accident."""
    return MappingProxyType(dict(items or {}))


@dataclass(frozen=True)
class Problem:
    """One finding of the checker, printed as `path:line: message`."""

    path: str
    line: int
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "warning: "
        return f"{self.path}:{self.line}: {prefix}{self.message}"


class QuestionKind(enum.StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    NUMERIC = "numeric"
    SHORT = "short"


@dataclass(frozen=True)
class Choice:
    text: str  # as written (markdown)
    correct: bool
    feedback_html: str = ""
    html: str = ""  # the text rendered inline and sanitised


@dataclass(frozen=True)
class Question:
    """A quiz question. `id` is stable across edits to its wording."""

    id: str
    kind: QuestionKind
    text: str  # the heading as written (markdown)
    body_html: str = ""
    text_html: str = ""  # the heading rendered inline and sanitised
    choices: tuple[Choice, ...] = ()
    value: Decimal | None = None  # numeric answer
    tolerance: Decimal = Decimal(0)
    accepted: tuple[str, ...] = ()  # short-answer alternatives
    feedback_html: str = ""
    line: int = 0

    @property
    def is_choice(self) -> bool:
        return self.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)

    def shape(self) -> tuple:
        """What a translation must keep: kind, choices and which are correct, the number."""
        return (
            self.kind,
            tuple(c.correct for c in self.choices),
            self.value,
            self.tolerance,
        )


@dataclass(frozen=True)
class Quiz:
    """A day quiz, pre-test or post-test, in one language."""

    key: str  # "day-1", "pre-test", "post-test"
    title: str
    pass_mark: int
    attempts: int  # 0 = unlimited
    shuffle: bool
    partial: bool
    questions: tuple[Question, ...]
    intro_html: str = ""
    language: str = "en"
    source: str = ""
    translations: Mapping[str, Quiz] = field(default_factory=frozen_map)

    def in_language(self, language: str) -> Quiz:
        return self.translations.get(language, self)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


@dataclass(frozen=True)
class LessonText:
    """A lesson's words in one language, rendered and sanitised."""

    language: str
    title: str
    html: str
    source: str
    words: int


@dataclass(frozen=True)
class Lesson:
    slug: str  # stable identity: the file name without number and extension
    number: int
    day: int
    minutes: int
    required: bool
    texts: Mapping[str, LessonText]  # by language; always holds the default language
    default_language: str

    @property
    def title(self) -> str:
        return self.texts[self.default_language].title

    def text(self, language: str) -> LessonText:
        """The lesson in `language`, falling back to the course's default language."""
        return self.texts.get(language) or self.texts[self.default_language]


@dataclass(frozen=True)
class Day:
    number: int
    folder: str
    titles: Mapping[str, str]
    intros: Mapping[str, str]
    lessons: tuple[Lesson, ...]
    quiz: Quiz | None
    default_language: str

    def title(self, language: str | None = None) -> str:
        return self.titles.get(language or "", self.titles[self.default_language])

    def intro_html(self, language: str | None = None) -> str:
        return self.intros.get(language or "", self.intros.get(self.default_language, ""))

    @property
    def minutes(self) -> int:
        return sum(lesson.minutes for lesson in self.lessons)


NUDGE_RULES = ("day_open", "not_started", "away", "one_quiz_left", "certificate_ready")


@dataclass(frozen=True)
class NudgeRule:
    """A course's tuning of one nudge rule (`nudges:` in course.md)."""

    enabled: bool = True
    days: int | None = None  # not_started: days after the start; away: days of absence


@dataclass(frozen=True)
class Completion:
    """Which lessons and quizzes a trainee must finish, and the default pass mark."""

    lessons: str = "all"  # "all": every lesson not marked `required: false`
    quizzes: tuple[int, ...] | str = "all"  # "all" or day numbers
    pass_mark: int = 70
    # "required": taking the post-test is part of completion (the default when the course
    # has one); "optional" (`completion: {post_test: optional}`); "none": no post-test.
    post_test: str = "none"


@dataclass(frozen=True)
class Signatory:
    name: str
    title: str = ""


@dataclass(frozen=True)
class CertificateSettings:
    title: str = "Certificate of Completion"
    issuer: str = ""
    approval: str = "auto"  # or "manual"
    logo: str = ""  # path inside the course folder
    signatories: tuple[Signatory, ...] = ()


@dataclass(frozen=True)
class SurveyQuestion:
    """One question: `kind` is "choice", "rating" or "text"."""

    id: str
    kind: str
    text: str
    text_html: str
    choices: tuple[str, ...] = ()
    low: int = 1
    high: int = 5
    line: int = 0

    def shape(self) -> tuple:
        return (self.kind, len(self.choices), self.low, self.high)


@dataclass(frozen=True)
class Survey:
    title: str
    questions: tuple[SurveyQuestion, ...]
    intro_html: str = ""
    language: str = "en"
    source: str = ""
    translations: Mapping[str, Survey] = field(default_factory=frozen_map)

    def in_language(self, language: str) -> Survey:
        return self.translations.get(language, self)

    @property
    def satisfaction_question(self) -> SurveyQuestion | None:
        """The first rating question: "satisfaction" is the share answering 4 or 5 on it."""
        return next((q for q in self.questions if q.kind == "rating"), None)


@dataclass(frozen=True)
class Course:
    slug: str
    path: Path
    content_hash: str
    language: str
    languages: tuple[str, ...]
    titles: Mapping[str, str]
    summaries: Mapping[str, str]
    overviews: Mapping[str, str]
    days: tuple[Day, ...]
    pre_test: Quiz | None
    post_test: Quiz | None
    completion: Completion
    certificate: CertificateSettings
    has_certificate_template: bool = False
    survey: Survey | None = None  # survey.md, the end-of-course feedback survey
    nudges: Mapping[str, NudgeRule] = field(default_factory=lambda: MappingProxyType({}))

    def nudge(self, rule: str) -> NudgeRule:
        return self.nudges.get(rule, NudgeRule())

    def title(self, language: str | None = None) -> str:
        return self.titles.get(language or "", self.titles[self.language])

    def summary(self, language: str | None = None) -> str:
        return self.summaries.get(language or "", self.summaries.get(self.language, ""))

    def overview_html(self, language: str | None = None) -> str:
        return self.overviews.get(language or "", self.overviews.get(self.language, ""))

    @property
    def lessons(self) -> tuple[Lesson, ...]:
        return tuple(lesson for day in self.days for lesson in day.lessons)

    def lesson(self, slug: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.slug == slug), None)

    def neighbours(self, slug: str) -> tuple[Lesson | None, Lesson | None]:
        """The lessons before and after `slug` in course order."""
        lessons = self.lessons
        for index, lesson in enumerate(lessons):
            if lesson.slug == slug:
                before = lessons[index - 1] if index > 0 else None
                after = lessons[index + 1] if index + 1 < len(lessons) else None
                return before, after
        return None, None

    def day(self, number: int) -> Day | None:
        return next((day for day in self.days if day.number == number), None)

    @property
    def minutes(self) -> int:
        return sum(day.minutes for day in self.days)

    def quizzes(self) -> tuple[Quiz, ...]:
        """Every quiz: pre-test, day quizzes in order, post-test."""
        found = [self.pre_test] + [day.quiz for day in self.days] + [self.post_test]
        return tuple(quiz for quiz in found if quiz is not None)

    def quiz(self, key: str) -> Quiz | None:
        return next((quiz for quiz in self.quizzes() if quiz.key == key), None)
