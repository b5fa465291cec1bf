"""Accounts: users, roles, passwords, sign-in and sessions."""
