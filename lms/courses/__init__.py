"""Courses: the pure content engine (`engine/`), the app's catalogue, pages and CLI."""
