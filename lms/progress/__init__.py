"""Progress: lesson completions, progress summaries, and the completion rule."""
