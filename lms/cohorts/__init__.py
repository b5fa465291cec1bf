"""Cohorts: runs of a course, their join codes, pacing, enrolments and instructors."""
