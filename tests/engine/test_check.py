"""Every validation error, with the exact `path:line: message` an author sees."""

from __future__ import annotations

import pytest

from lms.courses.engine import load_course

QUIZ_HEAD = "---\ntitle: Q\n---\n"


def problems_of(folder) -> list[str]:
    return [str(p) for p in load_course(folder)[1]]


CASES = [
    pytest.param(
        {"course.md": "---\ntitle: T\ncolour: red\n---\n"},
        ["courses/tiny/course.md:3: unknown front-matter key 'colour'"],
        id="unknown-course-key",
    ),
    pytest.param(
        {"course.md": "---\ntitle: T\nlanguages: [en, ur\n---\n"},
        ["courses/tiny/course.md:3: bad YAML: expected ',' or ']', but got '<stream end>'"],
        id="bad-yaml",
    ),
    pytest.param(
        {"course.md": "---\nsummary: no title\n---\n"},
        ["courses/tiny/course.md:1: course.md needs a title"],
        id="missing-title",
    ),
    pytest.param(
        {"course.md": "---\ntitle: T\n"},
        ["courses/tiny/course.md:1: front matter starts with '---' but never ends"],
        id="unterminated-front-matter",
    ),
    pytest.param(
        {"course.md": None},
        ["courses/tiny/course.md:1: missing course.md"],
        id="missing-course-md",
    ),
    pytest.param(
        {"day-3-later/01-x.md": "---\ntitle: X\n---\n"},
        ["courses/tiny/day-3-later:1: day 3 follows day 1: day 2 missing"],
        id="day-gap",
    ),
    pytest.param(
        {"day-1-start/03-third.md": "---\ntitle: X\n---\n"},
        ["courses/tiny/day-1-start/03-third.md:1: lesson 3 follows lesson 1: lesson 2 missing"],
        id="lesson-gap",
    ),
    pytest.param(
        {"day-1-start/01-hello.md": "---\ntitle: Hello\nduration: 5\n---\n"},
        ["courses/tiny/day-1-start/01-hello.md:3: unknown front-matter key 'duration'"],
        id="unknown-lesson-key",
    ),
    pytest.param(
        {"day-1-start/01-hello.md": "---\nminutes: 5\n---\n"},
        ["courses/tiny/day-1-start/01-hello.md:1: lesson needs a title"],
        id="lesson-without-title",
    ),
    pytest.param(
        {"day-1-start/01-hello.md": "---\ntitle: H\nminutes: soon\n---\n"},
        ["courses/tiny/day-1-start/01-hello.md:3: minutes must be a whole number above 0"],
        id="bad-minutes",
    ),
    pytest.param(
        {"day-1-start/quiz.md": QUIZ_HEAD + "\n## Pick one\n- [ ] a\n- [ ] b\n"},
        ["courses/tiny/day-1-start/quiz.md:5: question has no correct answer (mark one [x])"],
        id="no-correct-answer",
    ),
    pytest.param(
        {"day-1-start/quiz.md": QUIZ_HEAD + "## How much?\n= lots ± 2\n"},
        ["courses/tiny/day-1-start/quiz.md:5: numeric answer 'lots' is not a number"],
        id="numeric-not-a-number",
    ),
    pytest.param(
        {"day-1-start/quiz.md": QUIZ_HEAD + "## How much?\n= 5 ± a bit\n"},
        ["courses/tiny/day-1-start/quiz.md:5: tolerance 'a bit' is not a number"],
        id="tolerance-not-a-number",
    ),
    pytest.param(
        {"day-1-start/quiz.md": QUIZ_HEAD + "## Empty question\n"},
        [
            "courses/tiny/day-1-start/quiz.md:4: question has no answers (add - [x] choices or an = line)"
        ],
        id="question-without-answers",
    ),
    pytest.param(
        {"day-1-start/quiz.md": QUIZ_HEAD + "## Lonely\n- [x] only\n"},
        ["courses/tiny/day-1-start/quiz.md:4: a choice question needs at least two choices"],
        id="one-choice",
    ),
    pytest.param(
        {"day-1-start/quiz.md": QUIZ_HEAD + "## Both\n- [x] a\n- [ ] b\n= 3\n"},
        ["courses/tiny/day-1-start/quiz.md:7: a question has choices or `=`, not both"],
        id="choices-and-answer",
    ),
    pytest.param(
        {"day-1-start/quiz.md": "---\ntitle: Q\npass_mark: 120\n---\n## a\n= 1\n"},
        ["courses/tiny/day-1-start/quiz.md:3: pass_mark must be a whole number from 0 to 100"],
        id="bad-pass-mark",
    ),
    pytest.param(
        {"day-1-start/quiz.md": "---\ntitle: Q\ntimer: 5\n---\n## a\n= 1\n"},
        ["courses/tiny/day-1-start/quiz.md:3: unknown front-matter key 'timer'"],
        id="unknown-quiz-key",
    ),
    pytest.param(
        {"day-1-start/quiz.md": QUIZ_HEAD + "Intro only.\n"},
        ["courses/tiny/day-1-start/quiz.md:4: quiz has no questions (one `## ` heading each)"],
        id="empty-quiz",
    ),
    pytest.param(
        {"day-1-start/quiz.md": QUIZ_HEAD + "## a {#same}\n= 1\n## b {#same}\n= 2\n"},
        ["courses/tiny/day-1-start/quiz.md:6: question id 'same' is also used on line 4"],
        id="duplicate-question-id",
    ),
    pytest.param(
        {"day-1-start/quiz.md": QUIZ_HEAD + "## a\n- [x] yes\n- [ ] no\nstray words\n"},
        [
            "courses/tiny/day-1-start/quiz.md:7: unexpected text after the answers (feedback lines start with >)"
        ],
        id="stray-text",
    ),
    pytest.param(
        {"day-1-start/01-hello.md": "---\ntitle: H\n---\nSee:\n\n![pic](../media/none.png)\n"},
        ["courses/tiny/day-1-start/01-hello.md:6: missing image '../media/none.png'"],
        id="missing-image",
    ),
    pytest.param(
        {"day-1-start/01-hello.md": "---\ntitle: H\n---\n![pic](https://example.com/a.png)\n"},
        [
            "courses/tiny/day-1-start/01-hello.md:4: remote image 'https://example.com/a.png': put the file in media/ instead"
        ],
        id="remote-image",
    ),
    pytest.param(
        {"day-1-start/01-hello.md": "---\ntitle: H\n---\nRead [this](02-missing.md).\n"},
        [
            "courses/tiny/day-1-start/01-hello.md:4: broken link '02-missing.md': no such lesson or file"
        ],
        id="broken-lesson-link",
    ),
    pytest.param(
        {"day-1-start/01-hello.md": "---\ntitle: H\n---\n[up](../../../etc/passwd)\n"},
        [
            "courses/tiny/day-1-start/01-hello.md:4: link '../../../etc/passwd' points outside the course"
        ],
        id="link-outside-course",
    ),
    pytest.param(
        {"day-1-start/01-hello.ur.md": "---\ntitle: H\n---\nUrdu.\n"},
        [
            "courses/tiny/day-1-start/01-hello.ur.md:1: language 'ur' is not listed in course.md languages"
        ],
        id="undeclared-language",
    ),
    pytest.param(
        {
            "course.md": "---\ntitle: T\nlanguages: [en, ur]\n---\n",
            "day-1-start/02-other.ur.md": "---\ntitle: H\n---\nUrdu.\n",
        },
        [
            "courses/tiny/day-1-start/02-other.ur.md:1: translation has no original lesson with the same number and name"
        ],
        id="orphan-translation",
    ),
    pytest.param(
        {
            "course.md": "---\ntitle: T\nlanguages: [en, ur]\n---\n",
            "day-1-start/quiz.md": QUIZ_HEAD + "## a\n- [x] yes\n- [ ] no\n## b\n= 4\n",
            "day-1-start/quiz.ur.md": QUIZ_HEAD + "## a\n- [ ] yes\n- [x] no\n## b\n= 4\n",
        },
        [
            "courses/tiny/day-1-start/quiz.ur.md:4: question differs from "
            "courses/tiny/day-1-start/quiz.md:4: same type, choices and correct answers expected"
        ],
        id="translation-differs",
    ),
    pytest.param(
        {
            "course.md": "---\ntitle: T\nlanguages: [en, id]\n---\n",
            "day-1-start/quiz.md": QUIZ_HEAD + "## a\n= 1\n## b\n= 4\n",
            "day-1-start/quiz.id.md": QUIZ_HEAD + "## a\n= 1\n",
        },
        [
            "courses/tiny/day-1-start/quiz.id.md:1: translation has 1 questions, "
            "the original courses/tiny/day-1-start/quiz.md has 2"
        ],
        id="translation-missing-question",
    ),
    pytest.param(
        {"day-2-more/01-hello.md": "---\ntitle: Again\n---\n"},
        [
            "courses/tiny/day-2-more/01-hello.md:1: lesson name 'hello' is used twice (courses/tiny/day-1-start/01-hello.md): names must be unique in a course"
        ],
        id="duplicate-lesson-slug",
    ),
    pytest.param(
        {"course.md": "---\ntitle: T\ncompletion:\n  quizzes: [1]\n---\n"},
        ["courses/tiny/course.md:3: completion.quizzes names days with no quiz: [1]"],
        id="completion-names-missing-quiz",
    ),
    pytest.param(
        {"course.md": "---\ntitle: T\ncertificate:\n  logo: media/nope.svg\n---\n"},
        ["courses/tiny/course.md:3: certificate logo 'media/nope.svg' must be a file in media/"],
        id="missing-logo",
    ),
    pytest.param(
        {"day-1-start/01-hello.md": b"---\ntitle: H\n---\n\xff\xfe bad bytes\n"},
        ["courses/tiny/day-1-start/01-hello.md:1: file is not UTF-8 text"],
        id="not-utf8",
    ),
]


@pytest.mark.parametrize(("files", "expected"), CASES)
def test_each_error_is_reported_with_path_and_line(write_course, files, expected):
    folder = write_course(files)
    course, problems = load_course(folder)
    assert [str(p) for p in problems] == expected
    assert course is None


def test_warnings_do_not_reject_the_course(write_course):
    big = b"<svg xmlns='http://www.w3.org/2000/svg'>" + b" " * (101 * 1024) + b"</svg>"
    folder = write_course(
        {
            "media/big.svg": big,
            "day-1-start/01-hello.md": "---\ntitle: H\n---\n![big](../media/big.svg)\n[x](javascript:alert(1))\n",
            "notes.txt": "scratch",
        }
    )
    course, problems = load_course(folder)
    assert course is not None
    assert [str(p) for p in problems] == [
        "courses/tiny/day-1-start/01-hello.md:4: warning: image '../media/big.svg' is 101 KB; keep images under 100 KB",
        "courses/tiny/day-1-start/01-hello.md:5: warning: unsafe link 'javascript:alert(1' will be removed",
        "courses/tiny/notes.txt:1: warning: ignored file in the course folder",
    ]
    assert "javascript" not in course.lesson("hello").text("en").html


def test_post_test_with_other_concepts_warns(write_course):
    folder = write_course(
        {
            "pre-test.md": QUIZ_HEAD + "## a {#one}\n= 1\n",
            "post-test.md": QUIZ_HEAD + "## a {#two}\n= 1\n",
        }
    )
    course, problems = load_course(folder)
    assert course is not None
    assert [p.severity for p in problems] == ["warning"]
    assert problems[0].path == "courses/tiny/post-test.md"
