"""The course engine: reads `courses/<slug>/` folders into immutable objects.

Pure Python: no Flask and no database imports, so `lms courses check`, the web app and
the tests can all use it on its own. `load_course()` is the entry point.
"""

from lms.courses.engine.loader import load_course, load_courses
from lms.courses.engine.model import (
    Choice,
    Course,
    Day,
    Lesson,
    LessonText,
    Problem,
    Question,
    QuestionKind,
    Quiz,
)

__all__ = [
    "Choice",
    "Course",
    "Day",
    "Lesson",
    "LessonText",
    "Problem",
    "Question",
    "QuestionKind",
    "Quiz",
    "load_course",
    "load_courses",
]
