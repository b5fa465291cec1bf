"""Quizzes: grading (pure), attempts with one-time tokens and limits, results."""
