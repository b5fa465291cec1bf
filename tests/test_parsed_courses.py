"""The parsed-course cache (lms.courses.parsed): the same course as the parser gives, a
new parse after any change, and nothing trusted that the app did not write itself."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lms.courses import parsed
from lms.courses.engine import load_course

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "courses" / "money-smart-creators"
SECRET = "test-secret-key"


@pytest.fixture
def course(tmp_path) -> Path:
    folder = tmp_path / "courses" / "online-safety-basics"
    shutil.copytree(ROOT / "courses" / "online-safety-basics", folder)
    return folder


def cache_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.json"))


def test_the_cached_course_is_the_parsed_course(tmp_path):
    cache = tmp_path / "parsed"
    expected = load_course(FLAGSHIP)
    assert parsed.load(FLAGSHIP, cache, SECRET) == expected  # parsed, then written
    [written] = cache_files(cache)
    assert parsed.load(FLAGSHIP, cache, SECRET) == expected  # read back
    assert cache_files(cache) == [written]


def test_a_changed_file_is_parsed_again(course, tmp_path):
    cache = tmp_path / "parsed"
    before, _problems = parsed.load(course, cache, SECRET)
    lesson = course / "day-1-accounts" / "02-passwords.md"
    lesson.write_text(lesson.read_text().replace("\n\n", "\n\nA new paragraph.\n\n", 1))
    after, _problems = parsed.load(course, cache, SECRET)
    assert after.content_hash != before.content_hash
    assert "A new paragraph." in after.lesson("passwords").text("en").html
    assert after == load_course(course)[0]
    assert len(cache_files(cache)) == 1  # the old version's file is gone


def test_a_broken_course_is_cached_with_its_problems(course, tmp_path):
    cache = tmp_path / "parsed"
    lesson = course / "day-1-accounts" / "02-passwords.md"
    lesson.write_text(lesson.read_text().replace("---\n", "---\ncolour: blue\n", 1))
    expected = load_course(course)
    assert expected[0] is None and expected[1]
    assert parsed.load(course, cache, SECRET) == expected
    assert parsed.load(course, cache, SECRET) == expected


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],  # cut short
        lambda raw: b"not a signature\n{}",
        lambda raw: b"\x00\xff" * 100,
    ],
)
def test_a_corrupt_file_is_ignored_and_written_again(course, tmp_path, damage):
    cache = tmp_path / "parsed"
    expected = parsed.load(course, cache, SECRET)
    [path] = cache_files(cache)
    path.write_bytes(damage(path.read_bytes()))
    assert parsed.load(course, cache, SECRET) == expected
    signature, _, body = path.read_bytes().partition(b"\n")
    assert json.loads(body)["key"] == parsed.cache_key(course)  # rewritten whole


def test_a_file_signed_with_another_key_is_not_trusted(course, tmp_path):
    cache = tmp_path / "parsed"
    parsed.load(course, cache, "another-secret")
    [path] = cache_files(cache)
    signature, _, body = path.read_bytes().partition(b"\n")
    forged = body.replace(b"Passwords", b"Forged words")
    path.write_bytes(parsed._signature("another-secret", forged).encode() + b"\n" + forged)
    loaded, _problems = parsed.load(course, cache, SECRET)
    assert "Forged words" not in json.dumps(parsed._encode(loaded))
    assert loaded == load_course(course)[0]


def test_only_the_engines_own_classes_are_ever_built(course, tmp_path):
    """Even a correctly signed file cannot name another class: it is ignored."""
    cache = tmp_path / "parsed"
    parsed.load(course, cache, SECRET)
    [path] = cache_files(cache)
    _signature, _, body = path.read_bytes().partition(b"\n")
    data = json.loads(body)
    data["course"] = {"~c": "Popen", "f": {"args": ["touch", str(tmp_path / "owned")]}}
    forged = json.dumps(data).encode()
    path.write_bytes(parsed._signature(SECRET, forged).encode() + b"\n" + forged)
    assert parsed.load(course, cache, SECRET) == load_course(course)
    assert not (tmp_path / "owned").exists()


def test_the_app_keeps_parsed_courses_in_its_instance_folder(make_app, tmp_path):
    app = make_app()
    files = list((Path(app.instance_path) / "courses-parsed").glob("online-safety-basics-*.json"))
    assert len(files) == 1
    from lms.courses.catalogue import get_catalogue

    with app.app_context():
        assert get_catalogue().get("online-safety-basics") is not None
