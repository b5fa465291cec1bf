"""The `completion` and `certificate` settings of `course.md`, checked with their line."""

from __future__ import annotations

from lms.courses.engine.context import LoadContext as _Ctx
from lms.courses.engine.frontmatter import Document
from lms.courses.engine.model import CertificateSettings, Completion, Day, Signatory

COMPLETION_KEYS = {"lessons", "quizzes", "pass_mark", "post_test"}
CERTIFICATE_KEYS = {"title", "issuer", "approval", "logo", "signatories"}


def parse_completion(
    ctx: _Ctx, doc: Document, value: object, days: tuple[Day, ...], has_post_test: bool = False
) -> Completion:
    """The completion rule; taking the post-test is part of it unless it says optional."""
    path = ctx.root / "course.md"
    line = doc.key_lines.get("completion", 1)
    default_post = "required" if has_post_test else "none"
    if value is None:
        return Completion(post_test=default_post)
    if not isinstance(value, dict):
        ctx.error(
            path, line, "completion must be a mapping (lessons, quizzes, pass_mark, post_test)"
        )
        return Completion(post_test=default_post)
    for key in sorted(set(value) - COMPLETION_KEYS):
        ctx.error(path, line, f"unknown completion key {key!r}")
    lessons = value.get("lessons", "all")
    if lessons not in ("all", "none"):
        ctx.error(path, line, "completion.lessons must be all or none")
        lessons = "all"
    quizzes = value.get("quizzes", "all")
    with_quiz = {day.number for day in days if day.quiz}
    if isinstance(quizzes, list):
        bad = [n for n in quizzes if not isinstance(n, int) or n not in with_quiz]
        if bad:
            ctx.error(path, line, f"completion.quizzes names days with no quiz: {bad}")
        quizzes = tuple(n for n in quizzes if isinstance(n, int) and n in with_quiz)
    elif quizzes not in ("all", "none"):
        ctx.error(path, line, "completion.quizzes must be all, none or a list of day numbers")
        quizzes = "all"
    pass_mark = value.get("pass_mark", 70)
    if isinstance(pass_mark, bool) or not isinstance(pass_mark, int) or not 0 <= pass_mark <= 100:
        ctx.error(path, line, "completion.pass_mark must be a whole number from 0 to 100")
        pass_mark = 70
    post_test = value.get("post_test", "required")
    if post_test not in ("required", "optional"):
        ctx.error(path, line, "completion.post_test must be required or optional")
        post_test = "required"
    if not has_post_test:
        post_test = "none"
    return Completion(lessons=lessons, quizzes=quizzes, pass_mark=pass_mark, post_test=post_test)


def parse_certificate(ctx: _Ctx, doc: Document, value: object) -> CertificateSettings:
    path = ctx.root / "course.md"
    line = doc.key_lines.get("certificate", 1)
    if value is None:
        return CertificateSettings()
    if not isinstance(value, dict):
        ctx.error(
            path, line, "certificate must be a mapping (title, issuer, approval, logo, signatories)"
        )
        return CertificateSettings()
    for key in sorted(set(value) - CERTIFICATE_KEYS):
        ctx.error(path, line, f"unknown certificate key {key!r}")
    approval = value.get("approval", "auto")
    if approval not in ("auto", "manual"):
        ctx.error(path, line, "certificate.approval must be auto or manual")
        approval = "auto"
    logo = value.get("logo") or ""
    if logo:
        logo_path = (ctx.root / str(logo)).resolve()
        if not logo_path.is_file() or ctx.root / "media" not in logo_path.parents:
            ctx.error(path, line, f"certificate logo {logo!r} must be a file in media/")
    signatories = []
    for item in value.get("signatories") or []:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            ctx.error(path, line, "each signatory needs a name (and optionally a title)")
            continue
        signatories.append(Signatory(name=item["name"], title=str(item.get("title") or "")))
    return CertificateSettings(
        title=str(value.get("title") or CertificateSettings.title),
        issuer=str(value.get("issuer") or ""),
        approval=approval,
        logo=str(logo),
        signatories=tuple(signatories),
    )
