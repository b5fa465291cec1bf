"""Issue 17 item 8: hostile course files are refused with `path:line` before the costly
work: a 50 MB lesson is never read into memory, lists nested 3,000 deep never reach the
markdown parser, YAML nested 10,000 deep never reaches the YAML parser (no RecursionError).
No timings: what is asserted is the work that was not done."""

from __future__ import annotations

import tracemalloc

import markdown
import pytest
import yaml

from lms.courses.engine import load_course

LESSON = "day-1-start/01-hello.md"


@pytest.fixture
def parsed(monkeypatch) -> list[str]:
    """Every text the markdown and YAML parsers are handed while the test runs."""
    texts: list[str] = []
    convert, compose = markdown.Markdown.convert, yaml.compose

    def recording_convert(self, source):
        texts.append(source)
        return convert(self, source)

    def recording_compose(stream, *args, **kwargs):
        texts.append(stream if isinstance(stream, str) else "")
        return compose(stream, *args, **kwargs)

    monkeypatch.setattr(markdown.Markdown, "convert", recording_convert)
    monkeypatch.setattr(yaml, "compose", recording_compose)
    return texts


def test_the_recorder_sees_what_the_parsers_are_handed(write_course, parsed):
    """What the tests below rely on: a sound course goes through both parsers."""
    folder = write_course({LESSON: "---\ntitle: Fine\n---\n- one item\n"})
    course, problems = load_course(folder)
    assert course is not None and problems == []
    assert any("- one item" in text for text in parsed)
    assert any("title: Fine" in text for text in parsed)


def refused(folder) -> list[str]:
    course, problems = load_course(folder)
    assert course is None
    return [str(p) for p in problems]


def test_a_50_mb_lesson_is_refused_before_it_is_read(write_course):
    folder = write_course({})
    with (folder / LESSON).open("r+b") as handle:
        handle.truncate(50 * 1024 * 1024)
    tracemalloc.start()
    try:
        problems = refused(folder)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert problems == [
        f"courses/tiny/{LESSON}:1: file is 52,428,800 bytes; the limit is 1,048,576"
    ]
    assert peak < 5 * 1024 * 1024  # the 50 MB were never read


def test_a_huge_media_file_is_refused(write_course):
    folder = write_course({"media/video.mp4": b"\0"})
    with (folder / "media" / "video.mp4").open("r+b") as handle:
        handle.truncate(11 * 1024 * 1024)
    problems = refused(folder)
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
def test_deeply_nested_lists_are_refused_before_markdown_sees_them(
    write_course, parsed, body, line
):
    folder = write_course({LESSON: "---\ntitle: Deep\n---\nIntro.\n\n" + body})
    problems = refused(folder)
    assert problems == [f"courses/tiny/{LESSON}:{line}: lists nest more than 20 levels deep"]
    assert parsed and not any(body in text for text in parsed)  # other files were parsed


def test_twenty_levels_of_list_are_fine(write_course):
    body = "".join("  " * n + "- item\n" for n in range(20))
    course, problems = load_course(write_course({LESSON: "---\ntitle: Ok\n---\n" + body}))
    assert course is not None and problems == []


def test_deeply_nested_block_quotes_are_refused(write_course):
    folder = write_course({LESSON: "---\ntitle: Q\n---\n" + ">" * 3000 + " deep\n"})
    problems = refused(folder)
    assert problems == [f"courses/tiny/{LESSON}:4: block quotes nest 3000 levels deep; at most 20"]


@pytest.mark.parametrize("flow", [True, False])
def test_yaml_nested_10000_deep_is_an_error_not_a_recursion_error(write_course, parsed, flow):
    if flow:
        meta = "title: T\nsummary: " + "[" * 10000 + "]" * 10000 + "\n"
        line = 3
    else:
        meta = "title: T\nsummary:\n" + "".join(" " * n + "- \n" for n in range(1, 400))
        line = 23
    folder = write_course({"course.md": f"---\n{meta}---\nOverview.\n"})
    problems = refused(folder)
    assert problems == [f"courses/tiny/course.md:{line}: YAML nests more than 20 levels deep"]
    assert not any("summary:" in text for text in parsed)  # refused before the YAML parser


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
