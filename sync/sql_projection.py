"""Writes judged documents to SQL in bulk: their rows, their status and the rejected bodies."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Numeric, String, Table, delete, func, select, union_all, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server.sql.models import cancellations, documents  # noqa: F401  (registers the tables)
from server.sql.models.base import Base
from server.sql.models.documents import Expense, Order
from server.sql.models.erp import ErpOutbox
from server.sql.models.sales import HeadDecision
from server.sql.models.sync_state import DocumentStatus, RejectedDocument
from sync.projection import LAYOUTS, Projection, ProjectionError, doc_type_of, project, rev_pos

log = logging.getLogger("fieldsync.projection")

Row = dict[str, Any]

TABLES: dict[str, Table] = {
    name: Base.metadata.tables[name] for layout in LAYOUTS.values() for name in layout.tables
}
STATUS: Table = Base.metadata.tables[DocumentStatus.__tablename__]
REJECTED: Table = Base.metadata.tables[RejectedDocument.__tablename__]
# Columns the server writes after the fact (ERP bridge, heads' decisions): a new revision of
# the document must not reset them.
SERVER_OWNED: dict[str, frozenset[str]] = {
    "orders": frozenset({"erp_status", "erp_number", "erp_reason"}),
    "expenses": frozenset({"approval_status", "reimbursed"}),
}


def _limits(table: Table) -> list[tuple[str, int, bool]]:
    """(column, bound, is_text): text longer than its column, or a number too wide, must be
    refused with a reason before PostgreSQL refuses the whole batch."""
    found = []
    for column in table.columns:
        kind = column.type
        if isinstance(kind, String) and kind.length:
            found.append((column.name, kind.length, True))
        elif isinstance(kind, Numeric) and kind.precision is not None:
            found.append((column.name, 10 ** (kind.precision - (kind.scale or 0)), False))
    return found


LIMITS = {name: _limits(table) for name, table in TABLES.items()}
# Bounds of the status columns; a rejected document may carry anything in these fields.
_ID_MAX, _REV_MAX, _TYPE_MAX, _OWNER_MAX = 160, 80, 32, 64


@dataclass
class Outcome:
    """The worker's verdict on one document revision, as `apply` records it."""

    doc: dict[str, Any]
    status: str  # "accepted" | "rejected"
    reason: str = ""
    errors: list[dict[str, str]] = field(default_factory=list)
    deleted: bool = False
    in_conflict: bool = False
    dropped_points: int = 0  # filled in by `apply` for tracks
    max_discount_pct: Any = None  # an offer's effective discount, from its price list
    decision_voided: bool = False  # an expense's terms changed after a head's decision
    reverted: bool = False  # a change of a frozen document, undone (sync/archive.py)

    @property
    def doc_id(self) -> str:
        return str(self.doc.get("_id", ""))

    @property
    def rev(self) -> str:
        return str(self.doc.get("_rev", ""))

    @property
    def doc_type(self) -> str:
        declared = self.doc.get("type")
        return (declared if isinstance(declared, str) else doc_type_of(self.doc_id))[:_TYPE_MAX]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _upsert(session: Session, table: Table) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def latest_per_document(outcomes: Iterable[Outcome]) -> list[Outcome]:
    """One outcome per document: CouchDB's winner (higher rev_pos, then the rev string)."""
    best: dict[str, Outcome] = {}
    for outcome in outcomes:
        doc_id = outcome.doc_id
        if not doc_id or len(doc_id) > _ID_MAX:
            log.warning("event=unrecordable_id doc=%.200s", doc_id)
            continue
        held = best.get(doc_id)
        if held is None or (rev_pos(outcome.rev), outcome.rev) >= (rev_pos(held.rev), held.rev):
            best[doc_id] = outcome
    return list(best.values())


class SqlProjection:
    """Replaces documents' rows idempotently; the caller owns the transaction."""

    def __init__(self, clock: Callable[[], datetime] = _utcnow) -> None:
        self.clock = clock

    def known_revisions(self, session: Session, db_name: str,
                        doc_ids: Iterable[str]) -> dict[str, tuple[int, str]]:
        """The revision SQL last recorded for each document: doc id -> (rev_pos, rev)."""
        ids = sorted(set(doc_ids))
        if not ids:
            return {}
        rows = session.execute(
            select(DocumentStatus.doc_id, DocumentStatus.rev_pos, DocumentStatus.rev)
            .where(DocumentStatus.db_name == db_name, DocumentStatus.doc_id.in_(ids)))
        return {doc_id: (pos, rev) for doc_id, pos, rev in rows}

    def apply(self, session: Session, db_name: str, outcomes: Sequence[Outcome]) -> None:
        """Record every outcome: rows of accepted documents, status of all, rejected bodies."""
        now = self.clock()
        chosen = latest_per_document(outcomes)
        projections = self._project(db_name, chosen, now)
        foreign = self._foreign_ids(session, db_name, chosen)
        for outcome in chosen:
            if outcome.doc_id in foreign and not outcome.deleted and outcome.status == "accepted":
                _refuse(outcome, "_id", "another engineer's document already uses this id; "
                        "save it again as a new document")
                projections.pop(outcome.doc_id, None)
        self._replace_rows(session, db_name, chosen, projections, foreign)
        self._record_status(session, db_name, chosen, now)

    # Rows -----------------------------------------------------------------------------------

    def _project(self, db_name: str, chosen: list[Outcome],
                 now: datetime) -> dict[str, Projection]:
        projections: dict[str, Projection] = {}
        for outcome in chosen:
            if outcome.status != "accepted" or outcome.deleted:
                continue
            try:
                projection = project(outcome.doc, db_name, now)
            except ProjectionError as exc:
                log.warning("event=unprojectable doc=%s error=%s", outcome.doc_id, exc)
                _refuse(outcome, exc.field, exc.message)
                continue
            problem = _misfit(projection)
            if problem:
                _refuse(outcome, *problem)
                continue
            if projection.dropped_points:
                _note_dropped(outcome, projection)
            if projection.doc_type == "offer":
                projection.tables["offers"][0]["in_conflict"] = outcome.in_conflict
                if outcome.max_discount_pct is not None:
                    projection.tables["offers"][0]["max_discount_pct"] = outcome.max_discount_pct
            projections[outcome.doc_id] = projection
        return projections

    def _foreign_ids(self, session: Session, db_name: str, chosen: list[Outcome]) -> set[str]:
        """Ids in this batch whose rows belong to another database (ids are only unique per
        database, the tables key them globally): one query over the tables concerned."""
        by_table: dict[tuple[str, str], list[str]] = defaultdict(list)
        for outcome in chosen:
            layout = LAYOUTS.get(outcome.doc_type)
            if outcome.status == "accepted" and layout is not None:
                key = (layout.header, "doc_id") if layout.header else layout.children[0]
                by_table[key].append(outcome.doc_id)
        if not by_table:
            return set()
        queries = []
        for (table, column), ids in by_table.items():
            col = TABLES[table].c[column]
            queries.append(select(col.label("doc_id"))
                           .where(col.in_(ids), TABLES[table].c.db_name != db_name))
        query = queries[0] if len(queries) == 1 else union_all(*queries)
        return set(session.execute(query).scalars())

    def _replace_rows(self, session: Session, db_name: str, chosen: list[Outcome],
                      projections: dict[str, Projection], foreign: set[str]) -> None:
        replaced: dict[str, list[str]] = defaultdict(list)
        removed: dict[str, list[str]] = defaultdict(list)
        for outcome in chosen:
            doc_type = outcome.doc_type
            if outcome.status != "accepted" or doc_type not in LAYOUTS:
                continue
            if outcome.deleted and outcome.doc_id not in foreign:
                removed[doc_type].append(outcome.doc_id)
            elif outcome.doc_id in projections:
                replaced[doc_type].append(outcome.doc_id)
        self._delete_rows(session, db_name, replaced, removed)
        self._insert_rows(session, projections.values())
        _restore_server_owned(session, replaced)

    def _delete_rows(self, session: Session, db_name: str, replaced: dict[str, list[str]],
                     removed: dict[str, list[str]]) -> None:
        for doc_type, layout in LAYOUTS.items():
            every = replaced.get(doc_type, []) + removed.get(doc_type, [])
            for table, column in layout.children if every else ():
                session.execute(delete(TABLES[table]).where(TABLES[table].c[column].in_(every)))
            gone = removed.get(doc_type)
            if gone and layout.header:
                header = TABLES[layout.header]
                session.execute(delete(header).where(header.c.doc_id.in_(gone),
                                                     header.c.db_name == db_name))

    def _insert_rows(self, session: Session, projections: Iterable[Projection]) -> None:
        rows: dict[str, list[Row]] = defaultdict(list)
        for projection in projections:
            for table, table_rows in projection.tables.items():
                rows[table].extend(table_rows)
        headers = {layout.header for layout in LAYOUTS.values() if layout.header}
        for name in [t for t in rows if t in headers] + [t for t in rows if t not in headers]:
            if rows[name]:
                self._write_table(session, TABLES[name], rows[name], name in headers)

    def _write_table(self, session: Session, table: Table, rows: list[Row],
                     is_header: bool) -> None:
        if not is_header:
            session.execute(table.insert(), rows)
            return
        stmt = _upsert(session, table)
        keep = SERVER_OWNED.get(table.name, frozenset())
        columns = [c for c in rows[0] if c != "doc_id" and c not in keep]
        stmt = stmt.on_conflict_do_update(
            index_elements=["doc_id"],
            set_={c: stmt.excluded[c] for c in columns},
            where=table.c.db_name == stmt.excluded.db_name,
        )
        session.execute(stmt, rows)

    # Status -----------------------------------------------------------------------------------

    def _record_status(self, session: Session, db_name: str, chosen: list[Outcome],
                       now: datetime) -> None:
        if not chosen:
            return
        self._upsert_status(session, [_status_row(db_name, o, now) for o in chosen])
        rejected = [_rejected_row(db_name, o, now) for o in chosen if o.status == "rejected"]
        if rejected:
            self._upsert_rejected(session, rejected)
        cleared = [o.doc_id for o in chosen if o.status == "accepted"]
        if cleared:
            # Core, not the ORM: an ORM delete would scan the session's identity map.
            session.execute(delete(REJECTED).where(
                REJECTED.c.db_name == db_name, REJECTED.c.doc_id.in_(cleared),
                REJECTED.c.source == "worker"))
            _clear_older_gateway_refusals(session, db_name, [o for o in chosen
                                                             if o.status == "accepted"])

    def _upsert_status(self, session: Session, rows: list[Row]) -> None:
        table = STATUS
        stmt = _upsert(session, table)
        columns = [c for c in rows[0] if c not in ("db_name", "doc_id", "owner")]
        set_: dict[str, Any] = {c: stmt.excluded[c] for c in columns}
        # A tombstone carries no owner: keep the one the live document had.
        set_["owner"] = func.coalesce(func.nullif(stmt.excluded.owner, ""), table.c.owner)
        session.execute(stmt.on_conflict_do_update(index_elements=["db_name", "doc_id"],
                                                   set_=set_), rows)

    def _upsert_rejected(self, session: Session, rows: list[Row]) -> None:
        stmt = _upsert(session, REJECTED)
        columns = [c for c in rows[0] if c not in ("db_name", "doc_id")]
        session.execute(stmt.on_conflict_do_update(
            index_elements=["db_name", "doc_id"], set_={c: stmt.excluded[c] for c in columns},
            where=REJECTED.c.source == "worker"), rows)


def _clear_older_gateway_refusals(session: Session, db_name: str,
                                  accepted: list[Outcome]) -> None:
    """A gateway refusal is usually of a revision newer than any in the store, and the gateway
    closes it when it stores a later write. But two pushes of one phone may overlap, and the
    one that carries the refused revision can record it after the one carrying the fix or the
    discard closed what it found: then no later write comes to close it. A refusal of an older
    revision than one accepted here is settled, whoever recorded it."""
    newest = {o.doc_id: rev_pos(o.rev) for o in accepted}
    t = REJECTED
    found = session.execute(select(t.c.doc_id, t.c.rev).where(
        t.c.db_name == db_name, t.c.doc_id.in_(sorted(newest)), t.c.source == "gateway")).all()
    older = [(doc_id, rev) for doc_id, rev in found if rev_pos(rev) < newest[doc_id]]
    for doc_id, rev in older:
        session.execute(delete(t).where(t.c.db_name == db_name, t.c.doc_id == doc_id,
                                        t.c.rev == rev, t.c.source == "gateway"))
    if older:
        log.info("event=refusal_closed_by_worker db=%s docs=%s", db_name,
                 [doc_id for doc_id, _ in older])


def _restore_server_owned(session: Session, written: dict[str, list[str]]) -> None:
    """Rows written afresh (a rebuild, a document deleted and written again) take the server's
    columns from where the server keeps them: the ERP outbox and the heads' decisions, which
    are not projections and survive a rebuild. A row that existed kept them already."""
    if written.get("order"):
        def outbox(column: Any) -> Any:
            return select(column).where(ErpOutbox.order_id == Order.doc_id).scalar_subquery()

        session.execute(update(Order).where(
            Order.doc_id.in_(written["order"]),
            select(ErpOutbox.order_id).where(ErpOutbox.order_id == Order.doc_id).exists())
            .values(erp_status=outbox(ErpOutbox.status), erp_number=outbox(ErpOutbox.erp_number),
                    erp_reason=outbox(func.nullif(ErpOutbox.last_error, ""))))
    if written.get("expense"):
        def decided(column: Any) -> Any:
            return select(column).where(HeadDecision.subject_id == Expense.doc_id,
                                        HeadDecision.kind == "expense").scalar_subquery()

        session.execute(update(Expense).where(
            Expense.doc_id.in_(written["expense"]),
            select(HeadDecision.subject_id).where(HeadDecision.subject_id == Expense.doc_id,
                                                  HeadDecision.kind == "expense").exists())
            .values(approval_status=decided(HeadDecision.outcome),
                    reimbursed=decided(HeadDecision.reimbursed)))


def _refuse(outcome: Outcome, field_name: str, message: str) -> None:
    outcome.status = "rejected"
    outcome.reason = f"The server could not store this document: {message}"
    outcome.errors = [{"field": field_name, "message": message}]


def _misfit(projection: Projection) -> tuple[str, str] | None:
    """The first value too long or too large for its column, as (field, message)."""
    for table, rows in projection.tables.items():
        limits = LIMITS[table]
        for row in rows:
            for column, bound, is_text in limits:
                value = row.get(column)
                if value is None:
                    continue
                if is_text and len(value) > bound:
                    return column, f"is {len(value)} characters long; at most {bound} fit"
                if not is_text and not abs(value) < bound:
                    return column, f"{value} is too large; it must be below {bound}"
    return None


def _note_dropped(outcome: Outcome, projection: Projection) -> None:
    outcome.dropped_points = projection.dropped_points
    kept = len(projection.tables.get("gps_points", ()))
    if not outcome.reason:
        outcome.reason = (f"{projection.dropped_points} of {kept + projection.dropped_points} "
                          "points were left out: out of range, in the future or repeated")


def _owner(outcome: Outcome) -> str:
    owner = outcome.doc.get("owner")
    return owner[:_OWNER_MAX] if isinstance(owner, str) else ""


def _status_row(db_name: str, outcome: Outcome, now: datetime) -> Row:
    return {
        "db_name": db_name, "doc_id": outcome.doc_id, "doc_type": outcome.doc_type,
        "owner": _owner(outcome), "rev": outcome.rev[:_REV_MAX], "rev_pos": rev_pos(outcome.rev),
        "status": outcome.status, "reason": outcome.reason, "errors": list(outcome.errors),
        "deleted": outcome.deleted, "in_conflict": outcome.in_conflict,
        "receipt_pending": True, "processed_at": now,
    }


def _rejected_row(db_name: str, outcome: Outcome, now: datetime) -> Row:
    return {
        "db_name": db_name, "doc_id": outcome.doc_id, "rev": outcome.rev[:_REV_MAX],
        "doc_type": outcome.doc_type, "owner": _owner(outcome), "reason": outcome.reason,
        "errors": list(outcome.errors), "body": outcome.doc, "rejected_at": now,
        "source": "worker", "device_id": _device(outcome),
    }


def _device(outcome: Outcome) -> str | None:
    device = outcome.doc.get("device_id")
    return device[:64] if isinstance(device, str) else None
