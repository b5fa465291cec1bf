"""With LMS_REDIS_URL, two server processes share their throttling counts (Redis)."""

from __future__ import annotations

import os
import uuid

import pytest
from conftest import csrf_from

REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
pytestmark = pytest.mark.redis


def test_two_processes_share_login_counts(make_app, make_user):
    email = f"{uuid.uuid4().hex[:10]}@example.com"  # a fresh account: fresh Redis keys
    make_user(email=email)
    prefix = f"test-{uuid.uuid4().hex}"  # counts of this test only
    first = make_app(REDIS_URL=REDIS_URL, RATELIMIT_PREFIX=prefix)
    second = make_app(REDIS_URL=REDIS_URL, RATELIMIT_PREFIX=prefix)
    statuses = []
    for n in range(12):
        client = (first if n % 2 else second).test_client()
        page = client.get("/login").get_data(as_text=True)
        statuses.append(client.post("/login", data={"login": email, "password": "wrong-password",
                                                    "csrf_token": csrf_from(page)}).status_code)  # fmt: skip
    assert statuses[:10] == [200] * 10 and statuses[10:] == [429, 429]
