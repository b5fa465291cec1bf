"""Read by gunicorn from the working folder (`gunicorn wsgi:app`): refuses several workers
whose sign-in and join limits would each be counted alone (no `LMS_REDIS_URL`)."""

import os
import sys

from lms.web.limits import SharedStoreMissing, check_shared_store


def on_starting(server):
    try:
        check_shared_store(server.cfg.workers, dict(os.environ))
    except SharedStoreMissing as refusal:
        server.log.error("refusing to start: %s", refusal)
        print(f"lms: refusing to start: {refusal}", file=sys.stderr)
        sys.exit(1)
