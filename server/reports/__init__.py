"""Reports: sales, funnel, orders, visits, travel, GPS integrity, logins, conflicts; exports.

Pure modules (filters, table, funnel, export) hold the rules; the SQL queries, the rollup and
verification jobs and the web edge build on them.
"""

from server.reports.errors import (
    InvalidFilterError,
    InvalidTargetError,
    OutOfScopeError,
    ReportError,
    UnknownReportError,
)
from server.reports.filters import Person, ReportFilter, owners_in_scope, parse_filter
from server.reports.table import Column, ReportTable

__all__ = [
    "Column", "InvalidFilterError", "InvalidTargetError", "OutOfScopeError", "Person",
    "ReportError", "ReportFilter", "ReportTable", "UnknownReportError", "owners_in_scope",
    "parse_filter",
]
