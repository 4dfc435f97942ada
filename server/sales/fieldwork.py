"""Read models of an engineer's field work: visits, travel expenses, to-dos and attachments.

Like `queries.py`: the REST views pass the caller's scope as `owners` and the validated query
arguments; this module runs the queries and says what each row reads as.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.sales.errors import NotFoundError, SalesError
from server.sales.expenses import allowance
from server.sales.offers import loc_of
from server.sales.queries import Owners, scoped, scoped_row
from server.sales.service import StoreUnavailableError, travel_rates
from server.sql.models.documents import Expense, Todo, Visit
from server.sql.models.sales import HeadDecision
from server.sql.models.sync_state import DocumentStatus
from server.sql.paging import Page, paginate
from sync.documents.attachments import decode
from sync.store import DocumentStore, StoreError
from sync.store import NotFoundError as StoreNotFound

VISIT_SORT = {"check_in_at": Visit.check_in_at, "owner": Visit.owner,
              "created_at": Visit.created_at}
EXPENSE_SORT = {"date": Expense.date, "amount": Expense.amount, "owner": Expense.owner,
                "created_at": Expense.created_at}
TO_DO_SORT_COLUMNS = {"due_date": Todo.due_date, "owner": Todo.owner, "created_at": Todo.created_at,
             "title": Todo.title}


class DamagedAttachmentError(SalesError):
    """The store holds the attachment but its bytes cannot be read."""

    status = 502


def located(row: Any) -> dict[str, Any]:
    """A row's columns with its location as the API's `loc` object."""
    out = {c.key: getattr(row, c.key) for c in row.__table__.columns}
    out["loc"] = loc_of(row)
    return out


def expense_view(s: Session, row: Expense, rates: Mapping[str, Decimal]) -> dict[str, Any]:
    """An expense with the head's decision and the allowance its mode's rate gives."""
    out = located(row)
    out["decision"] = s.get(HeadDecision, row.doc_id)
    out["allowance"] = allowance(row.mode, row.km, rates)
    return out


def _equal(stmt: Any, model: Any, args: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        if key in args:
            stmt = stmt.where(getattr(model, key) == args[key])
    return stmt


class FieldworkQueries:
    """What the API reads of visits, expenses, to-dos and documents' attachments."""

    def __init__(self, sessions: sessionmaker[Session], store: DocumentStore) -> None:
        self.sessions = sessions
        self.store = store

    def visits(self, owners: Owners, args: Mapping[str, Any]) -> Page:
        stmt = _equal(scoped(select(Visit), Visit.owner, owners), Visit, args,
                      ("owner", "customer_id"))
        with self.sessions() as s:
            page = paginate(s, stmt, args, VISIT_SORT, "-check_in_at")
        return Page([located(r) for r in page.items], page.page, page.page_size, page.total)

    def visit(self, owners: Owners, visit_id: str) -> dict[str, Any]:
        with self.sessions() as s:
            return located(scoped_row(s, Visit, visit_id, "visit", owners))

    def expenses(self, owners: Owners, args: Mapping[str, Any]) -> Page:
        stmt = _equal(scoped(select(Expense), Expense.owner, owners), Expense, args,
                      ("owner", "approval_status", "reimbursed", "mode"))
        if "date_from" in args:
            stmt = stmt.where(Expense.date >= args["date_from"])
        if "date_to" in args:
            stmt = stmt.where(Expense.date <= args["date_to"])
        rates = travel_rates(self.sessions)
        with self.sessions() as s:
            page = paginate(s, stmt, args, EXPENSE_SORT, "-date")
            return Page([expense_view(s, r, rates) for r in page.items], page.page,
                        page.page_size, page.total)

    def expense(self, owners: Owners, expense_id: str) -> dict[str, Any]:
        rates = travel_rates(self.sessions)
        with self.sessions() as s:
            return expense_view(s, scoped_row(s, Expense, expense_id, "expense", owners), rates)

    def todos(self, owners: Owners, args: Mapping[str, Any]) -> Page:
        stmt = _equal(scoped(select(Todo), Todo.owner, owners), Todo, args, ("owner", "done"))
        with self.sessions() as s:
            return paginate(s, stmt, args, TO_DO_SORT_COLUMNS, "-created_at")

    def todo(self, owners: Owners, todo_id: str) -> Todo:
        with self.sessions() as s:
            return scoped_row(s, Todo, todo_id, "to-do", owners)

    def attachment(self, owners: Owners, doc_id: str, name: str) -> bytes:
        """The bytes of a document's attachment, with the document's access rules."""
        with self.sessions() as s:
            status = s.scalar(select(DocumentStatus).where(DocumentStatus.doc_id == doc_id)
                              .limit(1))
        if status is None or (owners is not None and status.owner not in owners):
            raise NotFoundError(
                f"document {doc_id!r} was not found among the records you may see")
        try:
            doc = self.store.get_doc(status.db_name, doc_id, attachments=True)
        except StoreNotFound:
            raise NotFoundError(f"document {doc_id!r} is no longer in the store") from None
        except StoreError:
            raise StoreUnavailableError(
                "the document store is unreachable; try again shortly") from None
        stub = (doc.get("_attachments") or {}).get(name)
        if not isinstance(stub, dict) or "data" not in stub:
            raise NotFoundError(f"document {doc_id!r} has no attachment named {name!r}")
        body = decode(stub["data"])
        if body is None:
            raise DamagedAttachmentError(
                "the stored attachment is damaged; ask the engineer to attach it again")
        return body
