"""Demo data for `lms demo`: idempotent, so running it twice changes nothing."""

from __future__ import annotations

from lms.courses.catalogue import get_catalogue


def load_demo() -> list[str]:
    """Load demo data and return the lines to print."""
    catalogue = get_catalogue()
    lines = [f"Courses loaded: {', '.join(sorted(catalogue.courses)) or 'none'}"]
    errors = [p for p in catalogue.problems if p.severity == "error"]
    if errors:
        lines.append(f"{len(errors)} course problem(s); run `lms courses check` to see them.")
    return lines
