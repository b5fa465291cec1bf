"""Python function calls per signed-in lesson page against the bare route, in process.

A figure that does not swing with the machine's load (docs/benchmarks.md "lesson_page"):
cProfile over the Flask test client, the trainee signed in through the real form, 20
requests to warm the caches, then 300 counted; the bare app (`bench/bare_app.py`) the
same way. `--top N` also prints the N functions with the most cumulative time.

    PYTHONPATH=$PWD .venv/bin/python bench/lesson_calls.py [--top 40]
"""

from __future__ import annotations

import cProfile
import io
import pstats
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import lesson_page  # noqa: E402
from lms import create_app  # noqa: E402

REQUESTS = 300
WARM_UP = 20


def signed_in_client(instance: str):
    """(test client signed in as the benchmark's trainee, the lesson page's path)."""
    cohort_id = lesson_page._prepare_trainee(instance)
    app = create_app(
        {
            "INSTANCE_PATH": instance,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/bench.sqlite3",
        }
    )
    client = app.test_client()
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    data = {"login": lesson_page.TRAINEE, "password": lesson_page.PASSWORD, "csrf_token": token}
    assert client.post("/login", data=data).status_code == 302, "sign-in failed"
    return client, f"/cohorts/{cohort_id}/lessons/{lesson_page.LESSON}"


def profile(client, path: str) -> pstats.Stats:
    for _ in range(WARM_UP):
        response = client.get(path)
        assert response.status_code == 200, response.status_code
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(REQUESTS):
        client.get(path)
    profiler.disable()
    return pstats.Stats(profiler)


def main(argv: list[str]) -> None:
    top = int(argv[argv.index("--top") + 1]) if "--top" in argv else 0
    with tempfile.TemporaryDirectory() as instance:
        client, path = signed_in_client(instance)
        assert "Bench Trainee" in client.get(path).get_data(as_text=True), "not signed in"
        from bench.bare_app import app as bare

        for name, stats in (
            ("signed-in lesson page", profile(client, path)),
            ("bare route, same template", profile(bare.test_client(), "/bare-trainee-page")),
        ):
            print(f"{name}: {stats.total_calls / REQUESTS:.0f} Python function calls a request")
            if top:
                stats.stream = io.StringIO()
                stats.sort_stats("cumulative").print_stats(top)
                print(stats.stream.getvalue())


if __name__ == "__main__":
    main(sys.argv[1:])
