"""Lighthouse (mobile, simulated slow 4G/3G throttling) on the lesson page: performance and
accessibility scores, transfer size and request count. Needs `npm install` in bench/
(done by `make bench`) and Debian's chromium. The baseline is the same run on the bare
Flask page of `bench/bare_app.py`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from bench.lesson_page import _serve

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "bench" / "node_modules" / ".bin" / "lighthouse"
PAGE = "/courses/online-safety-basics/lessons/passwords"


def audit(url: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        env = {**os.environ, "CHROME_PATH": shutil.which("chromium") or "/usr/bin/chromium"}
        subprocess.run(
            [
                str(LIGHTHOUSE),
                url,
                "--quiet",
                "--output=json",
                f"--output-path={out}",
                "--only-categories=performance,accessibility",
                "--form-factor=mobile",
                "--throttling-method=simulate",
                "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --disable-sync --no-first-run",
            ],
            check=True,
            env=env,
            capture_output=True,
            timeout=300,
        )
        report = json.loads(out.read_text())
    audits = report["audits"]
    return {
        "performance": round(report["categories"]["performance"]["score"] * 100),
        "accessibility": round(report["categories"]["accessibility"]["score"] * 100),
        "bytes": audits["total-byte-weight"]["numericValue"],
        "requests": len(audits["network-requests"]["details"]["items"]),
        "fcp_ms": round(audits["first-contentful-paint"]["numericValue"]),
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
    }


def main() -> None:
    if not LIGHTHOUSE.exists():
        print("lighthouse not installed: run `npm install` in bench/ (make bench does)")
        return
    with tempfile.TemporaryDirectory() as instance:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
        env.update(LMS_INSTANCE_PATH=instance, LMS_DATABASE_URL=f"sqlite:///{instance}/lh.sqlite3")
        subprocess.run(
            [str(Path(os.sys.executable).parent / "lms"), "init"],
            env=env,
            check=True,
            capture_output=True,
        )
        ours = _serve("wsgi:app", 5811, env)
        bare = _serve("bench.bare_app:app", 5812, env)
        try:
            lesson = audit(f"http://127.0.0.1:5811{PAGE}")
            baseline = audit("http://127.0.0.1:5812/bare-page")
        finally:
            for process in (ours, bare):
                process.terminate()
                process.wait(timeout=10)
    for name, figures in (("lesson page", lesson), ("bare Flask page", baseline)):
        print(
            f"{name}: performance {figures['performance']}, accessibility {figures['accessibility']}, "
            f"{figures['bytes']:.0f} bytes over {figures['requests']} requests, "
            f"first contentful paint {figures['fcp_ms']} ms, largest {figures['lcp_ms']} ms (simulated mobile)"
        )
