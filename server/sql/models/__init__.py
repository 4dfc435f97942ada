"""All FieldSync tables; importing this package registers every model on Base.metadata."""

from server.sql.models import (
    accounts,
    archive,
    audit,
    cancellations,
    conflicts,
    documents,
    erp,
    imports,
    master,
    reports,
    sales,
    sync_state,
)
from server.sql.models.base import Base

__all__ = ["Base", "accounts", "archive", "audit", "cancellations", "conflicts", "documents",
           "erp", "imports", "master", "reports", "sales", "sync_state"]
