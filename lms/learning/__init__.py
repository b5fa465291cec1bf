"""The trainee's side of a cohort: course home, lessons (and, later, quizzes and progress)."""
