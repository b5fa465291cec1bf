"""Issue 17 item 6: every CLI error is one clear line and a non-zero exit code, never a
traceback and never a secret (the real `lms` script, in a subprocess)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ON_POSTGRES

BIN = Path(sys.executable).parent


def lms(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    return subprocess.run(
        [BIN / "lms", *args], env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


def unwritable_folder(tmp_path: Path) -> Path:
    """A folder nobody may create files in: 0555 for a normal user; root ignores modes, so
    for root a path under /sys, where even root cannot create anything."""
    if os.geteuid() == 0:
        return Path("/sys/lms-test-instance")
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o555)
    return folder / "instance"


def one_clear_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if not line.startswith("INFO ")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_init_in_an_unwritable_instance_folder(tmp_path):
    line = one_clear_line(lms("init", LMS_INSTANCE_PATH=str(unwritable_folder(tmp_path))))
    assert line.startswith("Error: cannot use /")
    assert "lms-test-instance" in line or "locked" in line


def test_init_with_a_database_it_cannot_create(tmp_path):
    folder = unwritable_folder(tmp_path)
    line = one_clear_line(
        lms(
            "init",
            LMS_INSTANCE_PATH=str(tmp_path),
            LMS_SECRET_KEY="k",
            LMS_DATABASE_URL=f"sqlite:///{folder}/lms.sqlite3",
        )
    )
    assert line == "Error: the database refused this: unable to open database file"


@pytest.mark.skipif(ON_POSTGRES, reason="the read-only SQLite file; PostgreSQL below")
def test_users_create_on_a_read_only_database_shows_no_hash(tmp_path, database_url):
    url = database_url.replace("sqlite:///", "sqlite:///file:", 1) + "?mode=ro&uri=true"
    result = lms(
        "users", "create", "--email", "ayesha@example.com", "--name", "Ayesha",
        "--password", "correct-horse-battery-9",
        LMS_INSTANCE_PATH=str(tmp_path), LMS_SECRET_KEY="k", LMS_DATABASE_URL=url,
    )  # fmt: skip
    line = one_clear_line(result)
    assert line == "Error: the database refused this: attempt to write a readonly database"
    assert "argon2" not in result.stderr and "ayesha" not in result.stderr


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's read-only transactions")
def test_users_create_on_read_only_postgresql_shows_no_hash(tmp_path, database_url):
    result = lms(
        "users", "create", "--email", "ayesha@example.com", "--name", "Ayesha",
        "--password", "correct-horse-battery-9",
        LMS_INSTANCE_PATH=str(tmp_path), LMS_SECRET_KEY="k",
        LMS_DATABASE_URL=database_url + "%20-cdefault_transaction_read_only%3Don",
    )  # fmt: skip
    line = one_clear_line(result)
    assert line.startswith("Error: the database refused this: cannot execute INSERT")
    assert "argon2" not in result.stderr and "ayesha" not in result.stderr


def test_developers_can_ask_for_the_traceback(tmp_path):
    result = lms("init", LMS_INSTANCE_PATH=str(unwritable_folder(tmp_path)), LMS_CLI_TRACEBACK="1")
    assert result.returncode == 1 and "Traceback" in result.stderr
