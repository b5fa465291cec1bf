"""The start-up baseline: a bare Flask app whose `/healthz` answers 200, nothing else.
Served by gunicorn as `bench.bare_health:app` (see bench/startup.py)."""

from __future__ import annotations

from flask import Flask

app = Flask("bare_health")


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
