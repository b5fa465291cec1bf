"""Issue 17 items 7 and 10: the SQLite file, backups, the queue and cached PDFs are the
owner's only (0600 files, 0700 folders); a cache that cannot be written never turns a
rendered certificate into an error."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ON_POSTGRES, sign_in_as

BIN = Path(sys.executable).parent


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(ON_POSTGRES, reason="the embedded SQLite database's own files")
def test_init_and_backup_create_private_files_whatever_the_umask(tmp_path):
    instance = tmp_path / "instance"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env["LMS_INSTANCE_PATH"] = str(instance)

    def lms(*args):
        done = subprocess.run(["sh", "-c", 'umask 022 && exec "$0" "$@"', BIN / "lms", *args],
                              env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done

    lms("init")
    assert mode(instance) == 0o700
    assert mode(instance / "lms.sqlite3") == 0o600
    assert mode(instance / "secret_key") == 0o600
    for name in ("lms.sqlite3-wal", "lms.sqlite3-shm", "queue.sqlite3"):
        if (instance / name).exists():
            assert mode(instance / name) == 0o600, name
    lms("backup")
    (backup,) = (instance / "backups").iterdir()
    assert mode(instance / "backups") == 0o700 and mode(backup) == 0o600


@pytest.mark.skipif(ON_POSTGRES, reason="the embedded SQLite database's own folder")
def test_init_narrows_an_instance_folder_an_older_version_left_open(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    os.chmod(instance, 0o755)  # noqa: S103 - what an older version left
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(LMS_INSTANCE_PATH=str(instance), LMS_SECRET_KEY="k")
    done = subprocess.run([BIN / "lms", "init"], env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert mode(instance) == 0o700


@pytest.fixture
def certificate_holder(app, make_user, make_cohort, enrol):
    from lms.certificates import services
    from lms.clock import utcnow_naive
    from lms.cohorts.models import Enrolment
    from lms.courses.catalogue import get_catalogue
    from lms.extensions import db

    trainee = make_user(name="Ayesha Khan")
    cohort_id, _ = make_cohort()
    enrolment_id = enrol(trainee, cohort_id)
    with app.app_context():
        enrolment = db.session.get(Enrolment, enrolment_id)
        enrolment.status, enrolment.completed_at = "completed", utcnow_naive()
        services.issue(enrolment, get_catalogue().get("online-safety-basics"))
        db.session.commit()
    return trainee, cohort_id


def test_cached_certificates_are_private(make_app, certificate_holder, tmp_path):
    app = make_app(PDF_ISOLATED=False)
    trainee, cohort_id = certificate_holder
    client = app.test_client()
    sign_in_as(client, trainee)
    assert client.get(f"/cohorts/{cohort_id}/certificate.pdf").status_code == 200
    cache = Path(app.instance_path) / "cache"
    (pdf,) = (cache / "certificates").iterdir()
    assert mode(cache) == mode(cache / "certificates") == 0o700 and mode(pdf) == 0o600


def test_an_unwritable_cache_still_serves_the_render(make_app, certificate_holder, caplog):
    """The cache folder's place is taken by a file: no user, root included, can create it."""
    app = make_app(PDF_ISOLATED=False)
    trainee, cohort_id = certificate_holder
    cache = Path(app.instance_path) / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    (cache / "certificates").write_text("not a folder")
    client = app.test_client()
    sign_in_as(client, trainee)
    with caplog.at_level(logging.WARNING, logger="lms.certificates.pdf"):
        response = client.get(f"/cohorts/{cohort_id}/certificate.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert any("certificate cache not" in record.getMessage() for record in caplog.records)
