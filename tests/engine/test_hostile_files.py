"""Issue 17 item 8: hostile course files are refused with `path:line` within seconds: a
50 MB lesson, lists nested 3,000 deep, YAML nested 10,000 deep (no RecursionError)."""

from __future__ import annotations

import time

import pytest

from lms.courses.engine import load_course

LESSON = "day-1-start/01-hello.md"


def timed_problems(folder) -> tuple[float, list[str]]:
    start = time.perf_counter()
    course, problems = load_course(folder)
    assert course is None
    return time.perf_counter() - start, [str(p) for p in problems]


def test_a_50_mb_lesson_is_refused_before_it_is_read(write_course):
    folder = write_course({})
    with (folder / LESSON).open("r+b") as handle:
        handle.truncate(50 * 1024 * 1024)
    seconds, problems = timed_problems(folder)
    assert problems == [
        f"courses/tiny/{LESSON}:1: file is 52,428,800 bytes; the limit is 1,048,576"
    ]
    assert seconds < 2


def test_a_huge_media_file_is_refused(write_course):
    folder = write_course({"media/video.mp4": b"\0"})
    with (folder / "media" / "video.mp4").open("r+b") as handle:
        handle.truncate(11 * 1024 * 1024)
    _, problems = timed_problems(folder)
    assert problems == [
        "courses/tiny/media/video.mp4:1: file is 11,534,336 bytes; the limit is 10,485,760"
    ]


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("".join("  " * n + "- item\n" for n in range(21)), 26),  # indented, one per line
        ("- " * 3000 + "item\n", 6),  # 3,000 levels on one line (6 KB)
        ("- a\n  " + "1. " * 20 + "b\n", 7),  # both ways: 1 + 20 levels
    ],
)
def test_deeply_nested_lists_are_refused_quickly(write_course, body, line):
    folder = write_course({LESSON: "---\ntitle: Deep\n---\nIntro.\n\n" + body})
    seconds, problems = timed_problems(folder)
    assert problems == [f"courses/tiny/{LESSON}:{line}: lists nest more than 20 levels deep"]
    assert seconds < 2


def test_twenty_levels_of_list_are_fine(write_course):
    body = "".join("  " * n + "- item\n" for n in range(20))
    course, problems = load_course(write_course({LESSON: "---\ntitle: Ok\n---\n" + body}))
    assert course is not None and problems == []


def test_deeply_nested_block_quotes_are_refused(write_course):
    folder = write_course({LESSON: "---\ntitle: Q\n---\n" + ">" * 3000 + " deep\n"})
    _, problems = timed_problems(folder)
    assert problems == [f"courses/tiny/{LESSON}:4: block quotes nest 3000 levels deep; at most 20"]


@pytest.mark.parametrize("flow", [True, False])
def test_yaml_nested_10000_deep_is_an_error_not_a_recursion_error(write_course, flow):
    if flow:
        meta = "title: T\nsummary: " + "[" * 10000 + "]" * 10000 + "\n"
        line = 3
    else:
        meta = "title: T\nsummary:\n" + "".join(" " * n + "- \n" for n in range(1, 400))
        line = 23
    folder = write_course({"course.md": f"---\n{meta}---\nOverview.\n"})
    seconds, problems = timed_problems(folder)
    assert problems == [f"courses/tiny/course.md:{line}: YAML nests more than 20 levels deep"]
    assert seconds < 2


def test_courses_check_reports_them_and_exits_1(write_course, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    folder = write_course(
        {"course.md": "---\ntitle: T\nx: " + "[" * 10000 + "]" * 10000 + "\n---\n"}
    )
    done = subprocess.run([Path(sys.executable).parent / "lms", "courses", "check", str(folder)],
                          capture_output=True, text=True, timeout=60,
                          env={"LMS_INSTANCE_PATH": str(tmp_path / "i"), "PATH": "/usr/bin:/bin"})  # fmt: skip
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "courses/tiny/course.md:3: YAML nests more than 20 levels deep" in done.stdout
