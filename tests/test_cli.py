"""`lms courses check`: problems as `path:line: message`, exit 1 on errors."""

from __future__ import annotations

from conftest import SAMPLE_COURSE


def test_check_clean_course_exits_zero(runner):
    result = runner.invoke(args=["courses", "check", str(SAMPLE_COURSE)])
    assert result.exit_code == 0, result.output
    assert "1 of 1 course(s) valid; 0 error(s), 0 warning(s)" in result.output


def test_check_reports_errors_and_exits_one(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "bad-course"
    (folder / "day-1-x").mkdir(parents=True)
    (folder / "course.md").write_text("---\ntitle: Bad\n---\n")
    (folder / "day-1-x" / "01-a.md").write_text("---\ntitle: A\n---\n")
    (folder / "day-1-x" / "quiz.md").write_text("---\ntitle: Q\n---\n## Pick\n- [ ] a\n- [ ] b\n")
    result = runner.invoke(args=["courses", "check", "bad-course"])
    assert result.exit_code == 1
    assert (
        "bad-course/day-1-x/quiz.md:4: question has no correct answer (mark one [x])"
        in result.output
    )


def test_check_defaults_to_the_courses_folder(runner):
    result = runner.invoke(args=["courses", "check"])
    assert result.exit_code == 0, result.output
    assert "1 of 1 course(s) valid" in result.output


def test_check_missing_folder_fails(runner, tmp_path):
    result = runner.invoke(args=["courses", "check", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "courses folder not found" in result.output


def test_courses_list(runner):
    result = runner.invoke(args=["courses", "list"])
    assert (
        "online-safety-basics\tOnline Safety Basics\t2 days\t5 lessons\ten,ur,id" in result.output
    )
