"""The demo data `make run` loads is valid: every demo document is accepted by the worker."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from server.bootstrap import Services
from server.demo import load_demo
from server.reports.rollup import TravelRollup
from server.sql.models.archive import FrozenDocument
from server.sql.models.documents import Lead, Order, Visit
from server.sql.models.reports import DailyTravel
from server.sql.models.sync_state import DocumentStatus, RejectedDocument


def test_demo_data_loads_once_and_every_document_is_accepted(services: Services) -> None:
    said = list(load_demo(services))
    assert any("demo field work" in line for line in said)
    assert list(load_demo(services)) == ["demo data already present"]
    services.worker().run_until_idle()
    with services.sessions() as s:
        rows = s.execute(select(DocumentStatus.status, func.count())
                         .group_by(DocumentStatus.status)).all()
        verdicts = {str(row[0]): int(row[1]) for row in rows}
        assert set(verdicts) == {"accepted"}, s.scalars(select(DocumentStatus.reason)).all()
        assert s.scalar(select(func.count()).select_from(Order)) == 2
        assert s.scalar(select(func.count()).select_from(Lead)) == 3
        assert s.scalar(select(func.count()).select_from(Visit)) == 1
        # Both demo sales are signed and archived, and none of their writes was undone.
        archived = s.execute(select(FrozenDocument.doc_type, func.count())
                             .group_by(FrozenDocument.doc_type)).all()
        assert {str(kind): int(n) for kind, n in archived} == {"offer": 2, "approval": 2,
                                                               "order": 2}
        assert s.scalar(select(func.count()).select_from(RejectedDocument)) == 0
    TravelRollup(services.sessions, ZoneInfo("Asia/Kolkata")).run()
    with services.sessions() as s:
        km = s.scalar(select(func.max(DailyTravel.distance_m)))
        assert km is not None and km > 10_000  # the drive from the office to Peenya
