"""The files docs/deploy.md installs: gunicorn's production config refuses what several
servers cannot share, and nginx accepts the site configuration."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

BIN = Path(sys.executable).parent
DEPLOY = ROOT / "deploy"


def start(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    base.update(LMS_INSTANCE_PATH=str(tmp_path / "instance"), **env)
    return subprocess.run(
        [BIN / "gunicorn", "-c", "deploy/gunicorn.conf.py", "-b", "127.0.0.1:0", "wsgi:app"],
        cwd=ROOT, env=base, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


@pytest.mark.slow
def test_without_a_shared_secret_it_refuses_to_start(tmp_path):
    done = start({"LMS_REDIS_URL": "redis://127.0.0.1:6379/15"}, tmp_path)
    assert done.returncode != 0
    assert "refusing to start" in done.stderr and "LMS_SECRET_KEY" in done.stderr


@pytest.mark.slow
def test_several_workers_without_redis_refuse_to_start(tmp_path):
    done = start({"LMS_SECRET_KEY": "x" * 64, "WEB_CONCURRENCY": "2"}, tmp_path)
    assert done.returncode != 0
    assert "refusing to start" in done.stderr and "set LMS_REDIS_URL" in done.stderr


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed (make system-deps)")
def test_nginx_accepts_the_site(tmp_path):
    """`nginx -t` on deploy/nginx.conf, with a throwaway certificate and local paths."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=lms.example.org", "-keyout", tmp_path / "key.pem",
         "-out", tmp_path / "cert.pem"],
        check=True, capture_output=True,
    )  # fmt: skip
    site = (DEPLOY / "nginx.conf").read_text()
    site = site.replace(
        "/etc/letsencrypt/live/lms.example.org/fullchain.pem", str(tmp_path / "cert.pem")
    )
    site = site.replace(
        "/etc/letsencrypt/live/lms.example.org/privkey.pem", str(tmp_path / "key.pem")
    )
    site = site.replace("/srv/lms/static/", f"{ROOT}/static/")
    (tmp_path / "site.conf").write_text(site)
    brotli = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
    if not brotli.exists():  # the module is optional: without it, the line goes
        site = site.replace("brotli_static on;", "")
        (tmp_path / "site.conf").write_text(site)
    load = f"load_module {brotli};\n" if brotli.exists() else ""
    (tmp_path / "nginx.conf").write_text(
        f"{load}pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{ include /etc/nginx/mime.types; access_log off; "
        f"include {tmp_path}/site.conf; }}\n"
    )
    done = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
