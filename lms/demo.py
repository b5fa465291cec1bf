"""Demo data for `lms demo`: an organisation, a cohort, one user per role, and a programme
of three more cohorts with 120 trainees (`lms.demo_programme`). Idempotent.

Passwords are random passphrases made on the first run and kept in
`instance/demo_logins.txt` (readable by the owner only), so later runs print the same.
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from lms.auth import services as accounts
from lms.auth.models import User
from lms.clock import now
from lms.cohorts import services as cohorts
from lms.cohorts.codes import display_code
from lms.cohorts.models import Cohort
from lms.courses.catalogue import get_catalogue
from lms.demo_programme import load_programme
from lms.extensions import db
from lms.permissions import SYSTEM

WORDS = ("river", "lamp", "orbit", "sugar", "mango", "cloud")
WORDS += ("tiger", "seven", "maple", "stone", "lotus", "comet")
PEOPLE = [
    ("admin", "admin@demo.example", "Demo Admin"),
    ("instructor", "instructor@demo.example", "Demo Instructor"),
    ("sponsor", "sponsor@demo.example", "Demo Sponsor"),
    ("trainee", "trainee@demo.example", "عائشہ Demo Trainee"),
]
ORGANISATION = "Demo Bank"
COHORT = "Demo cohort"
PREFERRED_COURSES = ("money-smart-creators", "online-safety-basics")


def _passwords() -> dict[str, str]:
    path = Path(current_app.instance_path) / "demo_logins.txt"
    if path.is_file():
        return json.loads(path.read_text())
    passwords = {role: "-".join(secrets.choice(WORDS) for _ in range(4)) for role, _, _ in PEOPLE}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(passwords, handle)
    return passwords


def load_demo() -> list[str]:
    """Create what is missing, commit, and return the lines to print."""
    catalogue = get_catalogue()
    slug = next((s for s in PREFERRED_COURSES if catalogue.get(s)), None) or next(
        iter(catalogue.courses), None
    )
    if slug is None:
        return ["No valid course in the courses folder: run `lms courses check` to see why."]
    passwords = _passwords()
    organisation = accounts.get_or_create_organisation(ORGANISATION, SYSTEM)
    users = {}
    for role, email, name in PEOPLE:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = accounts.create_user(
                name=name,
                login=email,
                password=passwords[role],
                role=role,
                organisation=organisation if role == "sponsor" else None,
                actor=SYSTEM,
            )
        users[role] = user
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == COHORT))
    if cohort is None:
        cohort = cohorts.create_cohort(
            SYSTEM,
            cohorts.CohortData(
                name=COHORT,
                course_slug=slug,
                start_date=(now() - timedelta(days=1)).date(),
                timezone="Asia/Karachi",
                pacing="self",
                organisation=organisation,
            ),
        )
        cohorts.add_instructor(SYSTEM, cohort, users["instructor"])
        cohorts.join(users["trainee"], cohort.join_code)
    programme = load_programme(organisation, users["instructor"], catalogue.get(slug))
    db.session.commit()
    lines = [
        f"Demo cohort {cohort.id} '{cohort.name}' ({slug}), "
        f"join code {display_code(cohort.join_code)}",
        "Programme of "
        + ", ".join(f"{c.id} '{c.name}'" for c in programme)
        + f" for {ORGANISATION}: see /reports/organisation as the sponsor",
        "Demo logins (e-mail / password):",
    ]
    lines += [f"  {role:<10} {email}  {passwords[role]}" for role, email, _ in PEOPLE]
    return lines
