"""Accounts: users and roles, password hashing, access and refresh tokens, login throttling."""
