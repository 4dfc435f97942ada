"""Publishes master data to the phones' read-only databases: `catalog` and `customers-<territory>`.

Publishing is idempotent and incremental: a document is written only when its content changed,
so phones pull just what moved. A customer that changes territory is deleted from the old
territory's database (phones there drop it) and written into the new one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from server.sql.models.accounts import ExtraTerritory, User
from server.sql.models.master import Customer, PriceList, PriceListItem, Product, Territory
from sync.provisioning import allowed_customers_db_name, catalog_db_name, customers_db_name
from sync.store import DocumentStore

Doc = dict[str, Any]


def _rate(value: Decimal) -> str:
    return format(value.normalize(), "f")


def customer_doc(c: Customer) -> Doc:
    return {"_id": f"customer:{c.customer_id}", "type": "customer",
            "customer_id": c.customer_id, "name": c.name, "gstin": c.gstin,
            "state_code": c.state_code, "address": c.address, "city": c.city,
            "pincode": c.pincode, "lat": c.lat, "lon": c.lon, "territory": c.territory_code,
            "active": c.active, "customer_group": c.customer_group}


def product_doc(p: Product) -> Doc:
    return {"_id": f"product:{p.product_id}", "type": "product", "product_id": p.product_id,
            "name": p.name, "hsn_code": p.hsn_code, "gst_rate": _rate(p.gst_rate),
            "unit": p.unit, "active": p.active}


def price_list_doc(pl: PriceList, items: Sequence[PriceListItem]) -> Doc:
    return {"_id": f"price_list:{pl.price_list_id}", "type": "price_list",
            "price_list_id": pl.price_list_id, "name": pl.name,
            "valid_from": pl.valid_from.isoformat(),
            "valid_to": pl.valid_to.isoformat() if pl.valid_to else None, "active": pl.active,
            "customer_id": pl.customer_id, "customer_group": pl.customer_group,
            "territory": pl.territory_code,
            "prices": {i.product_id: f"{i.unit_price:.2f}" for i in items}}


@dataclass(frozen=True)
class PublishCounts:
    written: int
    unchanged: int


class MasterDataPublisher:
    """Writes what changed in SQL master data into the phones' read-only databases."""

    def __init__(self, store: DocumentStore, sessions: sessionmaker[Session], prefix: str) -> None:
        self.store = store
        self.sessions = sessions
        self.prefix = prefix

    def publish_all(self) -> PublishCounts:
        with self.sessions() as session:
            catalog = [product_doc(p) for p in session.scalars(select(Product))]
            catalog += self._price_lists(session)
            by_territory: dict[str, list[Doc]] = defaultdict(list)
            for code in session.scalars(select(Territory.code)):
                by_territory[code] = []
            for c in session.scalars(select(Customer)):
                by_territory[c.territory_code].append(customer_doc(c))
            allowed = _allowed_territories(session)
        counts = [self.sync_db(catalog_db_name(self.prefix), catalog, prune=False)]
        for code, docs in by_territory.items():
            counts.append(self.sync_db(customers_db_name(self.prefix, code), docs, prune=True))
        for username, codes in allowed.items():
            counts.append(self.mirror_db(allowed_customers_db_name(self.prefix, username),
                                         [customers_db_name(self.prefix, c) for c in codes]))
        return PublishCounts(sum(c.written for c in counts), sum(c.unchanged for c in counts))

    def _price_lists(self, session: Session) -> list[Doc]:
        items: dict[str, list[PriceListItem]] = defaultdict(list)
        for item in session.scalars(select(PriceListItem)):
            items[item.price_list_id].append(item)
        return [price_list_doc(pl, items[pl.price_list_id])
                for pl in session.scalars(select(PriceList))]

    def mirror_db(self, db: str, sources: Sequence[str]) -> PublishCounts:
        """Make `db` hold the documents of `sources` with their very revisions.

        A phone switching from its territory's database to this one already holds those
        revisions: copying them (not rewriting the content) spares it conflicting ones.
        """
        self.store.ensure_db(db)
        current = _revs(self.store, db)
        wanted: dict[str, str] = {}
        writes: list[Doc] = []
        for source in sources:
            self.store.ensure_db(source)
            revs = _revs(self.store, source)
            wanted.update(revs)
            stale = [(i, r) for i, r in revs.items() if current.get(i) != r]
            found = self.store.bulk_get(source, stale) if stale else []
            writes += [d["ok"] for result in found for d in result.get("docs", []) if "ok" in d]
        if writes:
            self.store.bulk_docs(db, writes, new_edits=False)
        gone = [{"_id": i, "_rev": r, "_deleted": True} for i, r in current.items()
                if i not in wanted]
        self.store.bulk_docs(db, gone)
        return PublishCounts(len(writes) + len(gone), len(wanted) - len(writes))

    def sync_db(self, db: str, wanted: Iterable[Doc], *, prune: bool) -> PublishCounts:
        """Make `db` hold exactly `wanted` (with `prune`, delete documents no longer wanted)."""
        self.store.ensure_db(db)
        current = {r["id"]: r["doc"] for r in self.store.all_docs(db, include_docs=True)
                   if not r["id"].startswith("_design/")}
        writes, unchanged = [], 0
        wanted_ids = set()
        for doc in wanted:
            wanted_ids.add(doc["_id"])
            old = current.get(doc["_id"])
            if old is not None and _same(old, doc):
                unchanged += 1
                continue
            writes.append({**doc, "_rev": old["_rev"]} if old else doc)
        if prune:
            writes += [{"_id": i, "_rev": d["_rev"], "_deleted": True}
                       for i, d in current.items() if i not in wanted_ids]
        self.store.bulk_docs(db, writes)
        return PublishCounts(len(writes), unchanged)


def _revs(store: DocumentStore, db: str) -> dict[str, str]:
    return {row["id"]: row["value"]["rev"] for row in store.all_docs(db)
            if not row["id"].startswith("_design/")}


def _same(stored: Doc, doc: Doc) -> bool:
    return {k: v for k, v in stored.items() if not k.startswith("_")} == \
        {k: v for k, v in doc.items() if not k.startswith("_")}


def _allowed_territories(session: Session) -> dict[str, list[str]]:
    """Engineers an admin allowed other territories: their own territory, then the others."""
    allowed: dict[str, list[str]] = {}
    rows = session.execute(select(User.username, User.territory_code, ExtraTerritory.territory_code)
                           .join(ExtraTerritory, ExtraTerritory.user_id == User.id)
                           .where(User.role == "engineer")
                           .order_by(User.username, ExtraTerritory.territory_code))
    for username, own, extra in rows:
        allowed.setdefault(username, [own] if own else []).append(extra)
    return allowed
