"""In-person sessions of a cohort and who attended them (check-in codes, marking by hand)."""
