"""Demo field work for `make run`: what the demo engineers' phones would have pushed today.

Written into the engineers' databases like any phone write and marked dirty, so the worker
judges and materialises it and every console screen (orders, leads, approvals, the day map) has
something to show on a first start.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from server.bootstrap import Services
from sync.dirty import DirtySet
from sync.documents.builders import Line, priced_lines
from sync.documents.canonical import offer_hash
from sync.documents.schema import CURRENT_SCHEMA_VERSION
from sync.provisioning import engineer_db_name

Doc = dict[str, Any]
IST = ZoneInfo("Asia/Kolkata")
OFFICE = (12.9719, 77.6412)  # Indiranagar, Bengaluru
PEENYA = (13.0285, 77.5197)  # customer C-1001


class DemoPhone:
    """Builds one engineer's documents with the fields every phone write carries."""

    def __init__(self, owner: str, day: datetime) -> None:
        self.owner = owner
        self.day = day

    def at(self, hour: int, minute: int = 0) -> str:
        return self.day.replace(hour=hour, minute=minute).isoformat(timespec="seconds")

    @staticmethod
    def loc(when: str, where: tuple[float, float] = PEENYA) -> Doc:
        return {"lat": where[0], "lon": where[1], "accuracy_m": 12.0, "at": when, "mock": False}

    def doc(self, kind: str, when: str, where: tuple[float, float] = PEENYA, **fields: Any) -> Doc:
        return {"_id": f"{kind}:{uuid.uuid4().hex}", "type": kind, "owner": self.owner,
                "schema_version": CURRENT_SCHEMA_VERSION, "device_id": f"demo-{self.owner}",
                "created_at": when, "updated_at": when, "loc": self.loc(when, where), **fields}

    def offer(self, customer: str, lines: list[Line], when: str, status: str) -> Doc:
        priced, totals = priced_lines(lines, "intra")
        valid = (self.day + timedelta(days=30)).date().isoformat()
        return self.doc("offer", when, customer_id=customer, valid_until=valid, status=status,
                        supply="intra", lines=priced, totals=totals, price_list_id="PL-2026")

    def sale(self, customer: str, lines: list[Line], hour: int) -> list[Doc]:
        """An offer the customer signed and the order made from it."""
        offer = self.offer(customer, lines, self.at(hour), "approved")
        approval = self.doc("approval", self.at(hour, 20), offer_id=offer["_id"],
                            offer_hash=offer_hash(offer), signed_by="Purchase manager",
                            signed_at=self.at(hour, 20), signature="signature.png")
        order = self.doc("order", self.at(hour, 30), offer_id=offer["_id"],
                         approval_id=approval["_id"], customer_id=customer, supply="intra",
                         lines=offer["lines"], totals=offer["totals"],
                         po_number=f"PO-{uuid.uuid4().hex[:6].upper()}")
        return [offer, approval, order]

    def lead(self, customer: str, title: str, path: list[str], details: Doc) -> Doc:
        history = [{"stage": stage, "at": self.at(9 + i), "by": self.owner}
                   for i, stage in enumerate(path)]
        return self.doc("lead", self.at(9 + len(path) - 1), customer_id=customer, title=title,
                        expected_value="450000.00", stage=path[-1], details=details,
                        history=history)

    def track(self, start: tuple[float, float], end: tuple[float, float], hour: int) -> Doc:
        """A drive from `start` to `end`, one fix a minute for an hour, then a stop."""
        points: list[Doc] = []
        for minute in range(90):
            share = min(minute / 60, 1.0)
            when = self.day.replace(hour=hour) + timedelta(minutes=minute)
            points.append({"lat": round(start[0] + (end[0] - start[0]) * share, 6),
                           "lon": round(start[1] + (end[1] - start[1]) * share, 6),
                           "accuracy_m": 9.0, "at": when.isoformat(timespec="seconds"),
                           "speed_mps": 7.5 if share < 1 else 0.0, "mock": False})
        return self.doc("track", str(points[-1]["at"]), end, points=points)


def asha_day(phone: DemoPhone) -> list[Doc]:
    docs = [phone.track(OFFICE, PEENYA, 9)]
    docs += phone.sale("C-1001", [("P-100", 1, "185000.00", "5", "18"),
                                  ("P-102", 2, "6400.00", "0", "18")], 10)
    docs.append(phone.offer("C-1002", [("P-301", 1, "246000.00", "12", "28")], phone.at(12),
                            "presented"))  # above asha's 10 % limit: waits for the head
    docs.append(phone.doc("visit", phone.at(10), customer_id="C-1001",
                          purpose="Compressor demonstration",
                          check_in={"at": phone.at(10, 5), "loc": phone.loc(phone.at(10, 5))},
                          check_out={"at": phone.at(11), "loc": phone.loc(phone.at(11))},
                          outcome="Order signed", next_action="Plan installation",
                          next_action_date=(phone.day + timedelta(days=3)).date().isoformat()))
    docs.append(phone.lead("C-1003", "Cold room for the new plant", ["potential", "proposal"],
                           {"proposal": {"value": "450000.00"}}))
    docs.append(phone.lead("C-1004", "Solar water heaters, hostel block", ["potential"], {}))
    docs.append(phone.doc("expense", phone.at(18), OFFICE, date=phone.day.date().isoformat(),
                          from_place="Office, Indiranagar", to_place="Peenya", mode="bike",
                          km=18.5, amount="185.00", purpose="Customer visit"))
    docs.append(phone.doc("todo", phone.at(18), OFFICE, title="Send the AMC quote to Kaveri",
                          due_date=(phone.day + timedelta(days=1)).date().isoformat(),
                          done=False, customer_id="C-1003"))
    return docs


def ravi_day(phone: DemoPhone) -> list[Doc]:
    docs = phone.sale("C-1004", [("P-201", 12, "14250.00", "3", "12")], 11)
    docs.append(phone.lead("C-1005", "Milk chilling centre", ["potential", "proposal", "po"],
                           {"proposal": {"value": "320000.00"},
                            "po": {"number": "NDC/PO/118", "date": phone.day.date().isoformat(),
                                   "amount": "320000.00"}}))
    return docs


def load_demo_activity(services: Services, now: datetime | None = None) -> int:
    """Write yesterday's demo field work (never in the future) into the engineers' databases;
    returns the number of documents written."""
    day = ((now or datetime.now(IST)).astimezone(IST) - timedelta(days=1)).replace(
        second=0, microsecond=0)
    prefix = services.settings.db_prefix
    written, dbs = 0, []
    for owner, build in (("asha", asha_day), ("ravi", ravi_day)):
        db = engineer_db_name(prefix, owner)
        docs = build(DemoPhone(owner, day))
        services.store.bulk_docs(db, docs)
        written += len(docs)
        dbs.append(db)
    DirtySet(services.sessions).mark(dbs)
    return written
