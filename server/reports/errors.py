"""Errors of the reports package; the web edge turns each into an HTTP answer with its reason."""

from __future__ import annotations


class ReportError(Exception):
    """Base of every reports failure; `status` is the HTTP status the edge should answer."""

    status = 400


class InvalidFilterError(ReportError):
    """A filter (dates, team, engineer, format, limit) that cannot be applied, and why."""

    status = 422


class OutOfScopeError(ReportError):
    """The caller asked for engineers or teams their role does not let them see."""

    status = 403


class UnknownReportError(ReportError):
    """No report has that name."""

    status = 404


class InvalidTargetError(ReportError):
    """A sales target that cannot be stored (bad month, negative value, unknown engineer)."""

    status = 422
