"""The home page: the course catalogue and, later, the trainee's cohorts and the join form."""
