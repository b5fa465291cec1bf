"""Cross-cutting web concerns: health check, errors, compression, assets and language."""
