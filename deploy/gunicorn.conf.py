"""gunicorn for production, on each web server: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`
from the repository folder (docs/deploy.md; deploy/lms-web.service runs it).

gthread workers, chosen by measurement (docs/deploy.md "Worker class"): one process per
core, a few threads each, so a request waiting on PostgreSQL or a PDF render does not hold
a whole process. It refuses to start, saying why, without what several servers must
share: `LMS_REDIS_URL` (limits and the queue) and `LMS_SECRET_KEY` (sessions and CSRF
tokens signed on one server are read on another).
"""

import os
import sys

from lms.web.limits import SharedStoreMissing, check_shared_store

bind = os.environ.get("LMS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
worker_class = "gthread"
threads = int(os.environ.get("LMS_THREADS", "4"))
keepalive = 5  # nginx keeps its upstream connections open (deploy/nginx.conf)
timeout = 60  # a PDF render has its own limit (LMS_PDF_TIMEOUT, 30 s)
graceful_timeout = 30
max_requests = 5000  # recycle a worker now and then; jitter spreads the restarts
max_requests_jitter = 500
accesslog = "-"  # to the journal
errorlog = "-"
preload_app = False  # each worker loads courses itself, so a HUP reloads them


def on_starting(server):
    try:
        check_shared_store(server.cfg.workers, dict(os.environ))
        if not os.environ.get("LMS_SECRET_KEY"):
            raise SharedStoreMissing(
                "LMS_SECRET_KEY is not set: each server would make its own key, and a "
                "session signed on one would be refused by the others. Set the same "
                "LMS_SECRET_KEY on every server."
            )
    except SharedStoreMissing as refusal:
        server.log.error("refusing to start: %s", refusal)
        print(f"lms: refusing to start: {refusal}", file=sys.stderr)
        sys.exit(1)
