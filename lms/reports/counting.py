"""The report counters' SQL: what each fact contributes, as triggers and as a rebuild.

`report_counts` holds, per cohort, integer totals under a name and a label (the enrolled,
per day the trainees who reached and finished it, per quiz the takers and a histogram of
best scores, the sums behind the knowledge gain and its confidence interval, per concept
the sums of pre/post points, per month the joined and completed, per profile group the
enrolled and completed). Each total is split over SLOTS rows (enrolment id modulo SLOTS)
so concurrent writers of one cohort rarely wait for the same row; a report sums them.

The database keeps them exact: a row trigger on each source table (enrolments, users,
day_progress, quiz_results, certificates) adds what the new row contributes and takes
away what the old one did, in the same statement as the write, so no write path gains a
statement and withdrawals, erasures (profile cleared, certificates revoked) and rebuilds
are counted like any other change. `rebuild_statements` computes the same totals from
scratch (the migration's backfill, and `summaries.rebuild` / `summaries.rebuild_counts`,
which `lms init` runs for cohorts with progress but no summaries).

Not counted here, because they are small or need the rows themselves: per-question rates
(`question_stats`), attendance and survey answers (their own tables, a few rows per
session or respondent), and the exact median days to complete (`completion_days`, one
narrow indexed row per completer, read at the middle). Deleting a single enrolment is no
write path of the app (erasure keeps the rows); a cohort's deletion takes its counters
with it.

Pure: SQL text only (no Flask, no session), so the migration can use it as well.
Scores are counted in hundredths and points in ten-thousandths, so sums stay exact integers.
"""

# ruff: noqa: S608 - SQL text built only from this module's constants, never from input.
from __future__ import annotations

SLOTS = 8
PRE, POST = "pre-test", "post-test"
BUCKET_EDGES = (20, 40, 60, 80)  # best scores in [0,20), [20,40), ..., [80,100]
DIMENSIONS = ("language", "gender", "age_band", "district")  # only language needs no consent
TABLE = "report_counts"
# PostgreSQL: `SET LOCAL lms.counts_paused = on` skips the triggers for a transaction that
# recomputes the counters from scratch anyway (a rebuild); SQLite's triggers always run.
PAUSE = "lms.counts_paused"
DAYS_TABLE = "completion_days"

ENROLMENT_COLUMNS = ("id", "cohort_id", "user_id", "status", "joined_at", "completed_at",
                     "started_at")  # fmt: skip
USER_COLUMNS = ("id", "language", "gender", "age_band", "district", "profile_consent")
DAY_COLUMNS = ("enrolment_id", "cohort_id", "day", "finished")
QUIZ_COLUMNS = ("enrolment_id", "cohort_id", "quiz_key", "best", "first_score", "passed")
CERTIFICATE_COLUMNS = ("enrolment_id", "status")


def _row(ref: str, columns: tuple[str, ...], alias: str) -> str:
    """The trigger's NEW or OLD row as a one-row table, so contributions are plain joins."""
    return "(SELECT " + ", ".join(f"{ref}.{c} AS {c}" for c in columns) + f") {alias}"


def _month(dialect: str, column: str) -> str:
    if dialect == "sqlite":
        return f"strftime('%Y-%m', {column})"
    return f"to_char({column}, 'YYYY-MM')"


def _hundredths(expr: str) -> str:
    return f"CAST(ROUND(({expr}) * 100) AS BIGINT)"


def _flag(condition: str) -> str:
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


def _active(enrolment_id: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM enrolments ea WHERE ea.id = {enrolment_id} "
        "AND ea.status <> 'withdrawn')"
    )


def _select(cohort: str, enrolment: str, name: str, label: str, value: str, rest: str) -> str:
    return (
        f"SELECT {cohort} AS c, {enrolment} % {SLOTS} AS s, {name} AS n, {label} AS k, "
        f"{value} AS v {rest}"
    )


# What one source row contributes. `e`, `u`, `d`, `q`, `pre`, `post`, `cert` are FROM items
# (a table with an alias, or a trigger row); `where` narrows them.

ACTIVE = _flag("e.status <> 'withdrawn'")
COMPLETED = _flag("e.status = 'completed'")


def enrolment_parts(dialect: str, e: str, where: str) -> list[str]:
    """enrolled, withdrawn, completed, started; joined and completed per month."""
    rest = f"FROM {e} WHERE {where}"
    return [
        _select("e.cohort_id", "e.id", "'enrolled'", "''", ACTIVE, rest),
        _select("e.cohort_id", "e.id", "'withdrawn'", "''", _flag("e.status = 'withdrawn'"), rest),
        _select("e.cohort_id", "e.id", "'completed'", "''", COMPLETED, rest),
        _select("e.cohort_id", "e.id", "'started'", "''",
                _flag("e.status <> 'withdrawn' AND e.started_at IS NOT NULL"), rest),
        _select("e.cohort_id", "e.id", "'joined'", _month(dialect, "e.joined_at"), ACTIVE, rest),
        _select("e.cohort_id", "e.id", "'done'", _month(dialect, "e.completed_at"), COMPLETED,
                rest + " AND e.completed_at IS NOT NULL"),
    ]  # fmt: skip


def group_parts(e: str, u: str, where: str) -> list[str]:
    """Per profile group (language; gender, age band, district with consent): the
    enrolled (name = the dimension) and completed (name = dimension + '.done')."""
    parts = []
    for dimension in DIMENSIONS:
        consent = "" if dimension == "language" else " AND u.profile_consent"
        rest = f"FROM {e} JOIN {u} ON u.id = e.user_id WHERE {where} AND u.{dimension} IS NOT NULL"
        rest += consent
        label = f"u.{dimension}"
        parts.append(_select("e.cohort_id", "e.id", f"'{dimension}'", label, ACTIVE, rest))
        parts.append(_select("e.cohort_id", "e.id", f"'{dimension}.done'", label, COMPLETED, rest))
    return parts


def day_parts(d: str, where: str) -> list[str]:
    """Per day: reached (has a day row) and finished."""
    rest = f"FROM {d} WHERE {where}"
    day = "CAST(d.day AS VARCHAR(12))"
    return [
        _select("d.cohort_id", "d.enrolment_id", "'reached'", day, "1", rest),
        _select("d.cohort_id", "d.enrolment_id", "'finished'", day, _flag("d.finished"), rest),
    ]


def quiz_parts(q: str, where: str) -> list[str]:
    """Per quiz: takers, passed, the sum of best scores, and the best score's bucket."""
    rest = f"FROM {q} WHERE {where}"
    bucket = " ".join(f"WHEN q.best < {edge} THEN '{i}'" for i, edge in enumerate(BUCKET_EDGES))
    bucket = f"CASE {bucket} ELSE '{len(BUCKET_EDGES)}' END"
    return [
        _select("q.cohort_id", "q.enrolment_id", "'takers'", "q.quiz_key", "1", rest),
        _select("q.cohort_id", "q.enrolment_id", "'passed'", "q.quiz_key", _flag("q.passed"), rest),
        _select("q.cohort_id", "q.enrolment_id", "'best'", "q.quiz_key", _hundredths("q.best"),
                rest),
        _select("q.cohort_id", "q.enrolment_id", "'bucket'", f"q.quiz_key || ':' || {bucket}",
                "1", rest),
    ]  # fmt: skip


def gain_parts(pre: str, post: str, where: str) -> list[str]:
    """Per trainee with both tests (first attempts): n, sums of pre, post, post - pre and
    its square (in hundredths), for the mean, the interval and the normalised gain."""
    rest = (
        f"FROM {pre} JOIN {post} ON post.enrolment_id = pre.enrolment_id "
        f"WHERE pre.quiz_key = '{PRE}' AND post.quiz_key = '{POST}' AND {where}"
    )
    a, b = _hundredths("pre.first_score"), _hundredths("post.first_score")
    diff = f"({b} - {a})"
    return [
        _select("pre.cohort_id", "pre.enrolment_id", f"'gain.{name}'", "''", value, rest)
        for name, value in (
            ("n", "1"),
            ("pre", a),
            ("post", b),
            ("diff", diff),
            ("diff2", f"{diff} * {diff}"),
        )
    ]


def _has_both(enrolment_id: str) -> str:
    return " AND ".join(
        f"EXISTS (SELECT 1 FROM quiz_results qp WHERE qp.enrolment_id = {enrolment_id} "
        f"AND qp.quiz_key = '{key}')"
        for key in (PRE, POST)
    )


def _partner(ref: str) -> str:
    """`ref` (NEW or OLD) is a pre- or post-test row and the trainee has the other one."""
    return (
        f"{ref}.quiz_key IN ('{PRE}', '{POST}') AND EXISTS (SELECT 1 FROM quiz_results qp "
        f"WHERE qp.enrolment_id = {ref}.enrolment_id AND qp.quiz_key IN ('{PRE}', '{POST}') "
        f"AND qp.quiz_key <> {ref}.quiz_key)"
    )


def concept_parts(where: str) -> list[str]:
    """Per question of the pre- and post-test, over trainees with both (first attempts):
    answers and the sum of their points (in ten-thousandths)."""
    rest = (
        "FROM attempt_answers a JOIN enrolments e ON e.id = a.enrolment_id "
        f"WHERE a.first_attempt AND a.quiz_key IN ('{PRE}', '{POST}') AND {where}"
    )
    test = f"CASE WHEN a.quiz_key = '{PRE}' THEN 'pre' ELSE 'post' END"
    points = "CAST(ROUND(a.points * 10000) AS BIGINT)"
    return [
        _select("e.cohort_id", "a.enrolment_id", f"{test} || '.n'", "a.question_id", "1", rest),
        _select("e.cohort_id", "a.enrolment_id", f"{test} || '.points'", "a.question_id", points,
                rest),
    ]  # fmt: skip


def certificate_parts(cert: str, where: str) -> list[str]:
    rest = f"FROM {cert} JOIN enrolments e ON e.id = cert.enrolment_id WHERE {where}"
    return [
        _select("e.cohort_id", "cert.enrolment_id", "'certificates'", "''",
                _flag("cert.status = 'valid'"), rest),
    ]  # fmt: skip


def enrolment_children(dialect: str, enrolment_id: str, where: str) -> list[str]:
    """What an active enrolment's progress contributes (removed while it is withdrawn)."""
    return [
        *day_parts("day_progress d", f"d.enrolment_id = {enrolment_id} AND {where}"),
        *quiz_parts("quiz_results q", f"q.enrolment_id = {enrolment_id} AND {where}"),
        *gain_parts("quiz_results pre", "quiz_results post",
                    f"pre.enrolment_id = {enrolment_id} AND {where}"),
        *concept_parts(f"a.enrolment_id = {enrolment_id} AND {_has_both(enrolment_id)} "
                       f"AND {where}"),
    ]  # fmt: skip


def add(plus: list[str], minus: list[str] = ()) -> str:
    """One statement: the net change of every (cohort, slot, name, label), in a fixed
    order (so concurrent writers lock counter rows in the same order)."""
    parts = list(plus) + [f"SELECT c, s, n, k, -v AS v FROM ({part}) m" for part in minus]
    union = "\nUNION ALL ".join(parts)
    return (
        f"INSERT INTO {TABLE} (cohort_id, slot, name, label, total)\n"
        f"SELECT x.c, x.s, x.n, x.k, SUM(x.v) FROM (\n{union}\n) x WHERE 1 = 1\n"
        "GROUP BY x.c, x.s, x.n, x.k HAVING SUM(x.v) <> 0 ORDER BY x.c, x.s, x.n, x.k\n"
        f"ON CONFLICT (cohort_id, name, label, slot) DO UPDATE "
        f"SET total = {TABLE}.total + excluded.total"
    )


def _days(dialect: str, e: str) -> str:
    if dialect == "sqlite":
        return f"julianday({e}.completed_at) - julianday({e}.joined_at)"
    # The same float8 division the report's query made before this table existed.
    return (
        f"EXTRACT(epoch FROM {e}.completed_at - {e}.joined_at) / CAST(86400.0 AS DOUBLE PRECISION)"
    )


def completion_days_insert(dialect: str, e: str, where: str) -> str:
    """Completed enrolments' days from joining to completing (for the exact median)."""
    return (
        f"INSERT INTO {DAYS_TABLE} (enrolment_id, cohort_id, days) "
        f"SELECT e.id, e.cohort_id, {_days(dialect, 'e')} FROM {e} "
        f"WHERE e.status = 'completed' AND {where}"
    )


# Triggers -----------------------------------------------------------------------------

ENROLMENT_CHANGED = ("status", "started_at", "joined_at", "completed_at", "cohort_id", "user_id")
USER_CHANGED = ("language", "gender", "age_band", "district", "profile_consent")
DAY_CHANGED = ("finished", "day", "cohort_id")
QUIZ_CHANGED = ("best", "passed", "first_score", "cohort_id")
CERTIFICATE_CHANGED = ("status",)


def _bodies(dialect: str) -> list[tuple[str, str, str, tuple[str, ...], list[str], str | None]]:
    """(name, table, event, columns whose change fires it, statements, row to lock)."""
    new_e, old_e = _row("NEW", ENROLMENT_COLUMNS, "e"), _row("OLD", ENROLMENT_COLUMNS, "e")
    new_u, old_u = _row("NEW", USER_COLUMNS, "u"), _row("OLD", USER_COLUMNS, "u")
    new_d, old_d = _row("NEW", DAY_COLUMNS, "d"), _row("OLD", DAY_COLUMNS, "d")
    new_q, old_q = _row("NEW", QUIZ_COLUMNS, "q"), _row("OLD", QUIZ_COLUMNS, "q")
    new_c = _row("NEW", CERTIFICATE_COLUMNS, "cert")
    old_c = _row("OLD", CERTIFICATE_COLUMNS, "cert")
    became_active = "NEW.status <> 'withdrawn' AND OLD.status = 'withdrawn'"
    became_withdrawn = "NEW.status = 'withdrawn' AND OLD.status <> 'withdrawn'"
    enrolment_days = [
        f"DELETE FROM {DAYS_TABLE} WHERE enrolment_id = OLD.id",
        completion_days_insert(dialect, new_e, "1 = 1"),
    ]

    def pair(ref: str) -> tuple[list[str], list[str]]:
        """The knowledge-gain pair `ref` (NEW or OLD) makes with the trainee's other test."""
        row_as = {alias: _row(ref, QUIZ_COLUMNS, alias) for alias in ("pre", "post")}
        active = _active(f"{ref}.enrolment_id")
        return [
            *gain_parts(row_as["pre"], "quiz_results post", active),
            *gain_parts("quiz_results pre", row_as["post"], active),
        ], concept_parts(f"a.enrolment_id = {ref}.enrolment_id AND {_partner(ref)} AND {active}")

    new_gain, new_concepts = pair("NEW")
    old_gain, old_concepts = pair("OLD")
    return [
        ("rc_enrolments_ins", "enrolments", "INSERT", (), [
            add(enrolment_parts(dialect, new_e, "1 = 1") + group_parts(new_e, "users u", "1 = 1")),
            completion_days_insert(dialect, new_e, "1 = 1"),
        ], None),
        ("rc_enrolments_upd", "enrolments", "UPDATE", ENROLMENT_CHANGED, [
            add(
                enrolment_parts(dialect, new_e, "1 = 1")
                + group_parts(new_e, "users u", "1 = 1")
                + enrolment_children(dialect, "NEW.id", became_active),
                enrolment_parts(dialect, old_e, "1 = 1")
                + group_parts(old_e, "users u", "1 = 1")
                + enrolment_children(dialect, "NEW.id", became_withdrawn),
            ),
            *enrolment_days,
        ], None),
        ("rc_users_upd", "users", "UPDATE", USER_CHANGED, [
            add(group_parts("enrolments e", new_u, "e.user_id = NEW.id"),
                group_parts("enrolments e", old_u, "e.user_id = NEW.id")),
        ], "user"),
        ("rc_day_progress_ins", "day_progress", "INSERT", (), [
            add(day_parts(new_d, _active("NEW.enrolment_id"))),
        ], "NEW"),
        ("rc_day_progress_upd", "day_progress", "UPDATE", DAY_CHANGED, [
            add(day_parts(new_d, _active("NEW.enrolment_id")),
                day_parts(old_d, _active("OLD.enrolment_id"))),
        ], "NEW"),
        ("rc_day_progress_del", "day_progress", "DELETE", (), [
            add([], day_parts(old_d, _active("OLD.enrolment_id"))),
        ], "OLD"),
        ("rc_quiz_results_ins", "quiz_results", "INSERT", (), [
            add(quiz_parts(new_q, _active("NEW.enrolment_id")) + new_gain + new_concepts),
        ], "NEW"),
        ("rc_quiz_results_upd", "quiz_results", "UPDATE", QUIZ_CHANGED, [
            add(quiz_parts(new_q, _active("NEW.enrolment_id")) + new_gain,
                quiz_parts(old_q, _active("OLD.enrolment_id")) + old_gain),
        ], "NEW"),
        ("rc_quiz_results_del", "quiz_results", "DELETE", (), [
            add([], quiz_parts(old_q, _active("OLD.enrolment_id")) + old_gain + old_concepts),
        ], "OLD"),
        ("rc_certificates_ins", "certificates", "INSERT", (), [
            add(certificate_parts(new_c, "1 = 1")),
        ], None),
        ("rc_certificates_upd", "certificates", "UPDATE", CERTIFICATE_CHANGED, [
            add(certificate_parts(new_c, "1 = 1"), certificate_parts(old_c, "1 = 1")),
        ], None),
        ("rc_certificates_del", "certificates", "DELETE", (), [
            add([], certificate_parts(old_c, "1 = 1")),
        ], None),
    ]  # fmt: skip


def _changed(dialect: str, columns: tuple[str, ...]) -> str:
    operator = "IS NOT" if dialect == "sqlite" else "IS DISTINCT FROM"
    return " OR ".join(f"OLD.{c} {operator} NEW.{c}" for c in columns)


def _lock(row: str | None) -> str:
    """PostgreSQL: lock the trainee's enrolment first, so a withdrawal and the trainee's own
    progress never count from each other's stale snapshots (SQLite writers are serial)."""
    if row is None:
        return ""
    if row == "user":
        return "PERFORM 1 FROM enrolments WHERE user_id = NEW.id FOR NO KEY UPDATE;\n"
    return f"PERFORM 1 FROM enrolments WHERE id = {row}.enrolment_id FOR NO KEY UPDATE;\n"


def create_triggers(dialect: str) -> list[str]:
    """DDL creating every counter trigger (and on PostgreSQL its function)."""
    statements = []
    for name, table, event, columns, body, lock in _bodies(dialect):
        when = f"WHEN {_changed(dialect, columns)}" if columns else ""
        if dialect == "sqlite":
            statements.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW {when}\nBEGIN\n"
                + ";\n".join(body)
                + ";\nEND"
            )
            continue
        statements.append(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n"
            f"IF current_setting('{PAUSE}', true) = 'on' THEN RETURN NULL; END IF;\n"
            + _lock(lock)
            + ";\n".join(body)
            + ";\nRETURN NULL;\nEND $$"
        )
        when = f"WHEN ({_changed(dialect, columns)})" if columns else ""
        statements.append(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW {when} "
            f"EXECUTE FUNCTION {name}()"
        )
    return statements


def drop_triggers(dialect: str) -> list[str]:
    statements = []
    for name, table, *_rest in _bodies(dialect):
        if dialect == "sqlite":
            statements.append(f"DROP TRIGGER IF EXISTS {name}")
        else:
            statements.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            statements.append(f"DROP FUNCTION IF EXISTS {name}()")
    return statements


# From scratch ---------------------------------------------------------------------------


def rebuild_statements(dialect: str, cohort: str = "cohort_id IS NOT NULL") -> list[str]:
    """Delete and recompute the counters and completion days of the cohorts matching
    `cohort` (a condition on `cohort_id`, e.g. "cohort_id = 3"), from the facts."""
    on = cohort.replace("cohort_id", "{}.cohort_id")
    live = "e.status <> 'withdrawn'"
    return [
        f"DELETE FROM {TABLE} WHERE {cohort}",
        f"DELETE FROM {DAYS_TABLE} WHERE {cohort}",
        add(
            enrolment_parts(dialect, "enrolments e", on.format("e"))
            + group_parts("enrolments e", "users u", on.format("e"))
            + day_parts("day_progress d", f"{on.format('d')} AND {_active('d.enrolment_id')}")
            + quiz_parts("quiz_results q", f"{on.format('q')} AND {_active('q.enrolment_id')}")
            + gain_parts("quiz_results pre", "quiz_results post",
                         f"{on.format('pre')} AND {_active('pre.enrolment_id')}")
            + concept_parts(f"{on.format('e')} AND {live} AND {_has_both('a.enrolment_id')}")
            + certificate_parts("certificates cert", on.format("e"))
        ),
        completion_days_insert(dialect, "enrolments e", on.format("e")),
    ]  # fmt: skip
