"""Errors of the location package: rules that cannot be applied."""

from __future__ import annotations


class LocationError(ValueError):
    """Base of every error raised by server.location."""


class InvalidRulesError(LocationError):
    """A rule value (radius, duration, speed, weight) is outside its sensible range."""
