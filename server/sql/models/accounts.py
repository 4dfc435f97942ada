"""Users, teams, territories, tokens and the login log."""

from __future__ import annotations
