"""Reports for sponsors and instructors: SQL aggregates, SVG charts, CSV/JSON/PDF exports."""
