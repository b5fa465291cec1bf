"""Names and cohort names with markup appear escaped on every page that shows them."""

from __future__ import annotations

from conftest import csrf_from, sign_in_as

NAME = '<script>alert("name")</script> O\'Brien "Q"'
COHORT = "<img src=x onerror=alert(1)> Cohort"


def assert_escaped(html: str, where: str) -> None:
    assert "<script>alert" not in html, where
    assert "<img src=x onerror" not in html, where


def test_hostile_names_are_escaped_everywhere(app, make_user, make_cohort, enrol):
    trainee = make_user(name=NAME)
    instructor = make_user("instructor", name=NAME + " teacher")
    admin = make_user("admin")
    cohort_id, code = make_cohort(name=COHORT, instructor=instructor, org=NAME + " Org")
    enrolment_id = enrol(trainee, cohort_id)

    as_trainee = app.test_client()
    sign_in_as(as_trainee, trainee)
    for url in ["/", f"/cohorts/{cohort_id}/", f"/cohorts/{cohort_id}/lessons/welcome"]:
        html = as_trainee.get(url).get_data(as_text=True)
        assert_escaped(html, url)
    assert (
        "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt; O&#39;Brien &#34;Q&#34;"
        in as_trainee.get("/").get_data(as_text=True)
    )

    as_instructor = app.test_client()
    sign_in_as(as_instructor, instructor)
    roster = as_instructor.get(f"/teach/cohorts/{cohort_id}/").get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(1)&gt; Cohort" in roster
    pages = ["/teach/", f"/teach/cohorts/{cohort_id}/", f"/teach/cohorts/{cohort_id}/edit"]
    for url in pages:
        assert_escaped(as_instructor.get(url).get_data(as_text=True), url)
    token = csrf_from(roster)
    for url in [
        f"/teach/cohorts/{cohort_id}/enrolments/{enrolment_id}/withdraw",
        f"/teach/cohorts/{cohort_id}/enrolments/{enrolment_id}/reset",
    ]:
        assert_escaped(
            as_instructor.post(url, data={"csrf_token": token}).get_data(as_text=True), url
        )
    upload = as_instructor.post(
        f"/teach/cohorts/{cohort_id}/enrol",
        data={
            "csrf_token": token,
            "file": (
                __import__("io").BytesIO(
                    f'name,email\n"{NAME.replace(chr(34), chr(34) * 2)}",x@example.com\n'.encode()
                ),
                "r.csv",
            ),
        },
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert_escaped(upload, "upload")

    as_newcomer = app.test_client()
    assert_escaped(as_newcomer.get(f"/join/{code}").get_data(as_text=True), "join")

    token = csrf_from(as_trainee.get("/account/deletion").get_data(as_text=True))
    as_trainee.post("/account/deletion", data={"csrf_token": token, "understood": "y"})
    assert_escaped(as_trainee.get("/account/deletion").get_data(as_text=True), "deletion")

    as_admin = app.test_client()
    sign_in_as(as_admin, admin)
    listed = as_admin.get("/admin/deletion-requests").get_data(as_text=True)
    assert "O&#39;Brien" in listed  # the request is listed, by its escaped name
    for url in [
        "/admin/deletion-requests",
        f"/admin/users/{trainee.id}/erase",
        "/admin/users",
        f"/admin/users/{trainee.id}",
        "/admin/organisations",
        "/admin/audit",
        "/sponsor/",
    ]:
        assert_escaped(as_admin.get(url).get_data(as_text=True), url)
