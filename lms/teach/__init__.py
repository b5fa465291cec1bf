"""Staff pages for running cohorts: cohorts, roster, enrolment, certificates, sponsors' list.

These pages compose several domains (cohorts, progress, quizzes, certificates, reports), so
they sit above all of them; the rules stay in those domains' services.
"""
