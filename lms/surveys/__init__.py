"""The end-of-course feedback survey (`survey.md`): answering it, and its anonymous results."""
