"""Admin pages: users and roles, organisations, and the audit log."""
