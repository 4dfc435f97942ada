"""Master data reaches the phones' read-only databases, incrementally."""

from __future__ import annotations

from server.bootstrap import Services
from server.demo import CUSTOMERS, PRODUCTS, load_master_data
from server.sql.models.master import Customer, Product
from server.sql.session import transaction
from sync.provisioning import catalog_db_name, customers_db_name
from sync.publish import MasterDataPublisher


def ids(services: Services, db: str) -> set[str]:
    return {r["id"] for r in services.store.all_docs(db)}


def test_publish_writes_catalog_and_territories_then_only_changes(services: Services) -> None:
    load_master_data(services)
    prefix = services.settings.db_prefix
    publisher = MasterDataPublisher(services.store, services.sessions, prefix)
    first = publisher.publish_all()
    assert first.written == len(CUSTOMERS) + len(PRODUCTS) + 1
    catalog = ids(services, catalog_db_name(prefix))
    assert "product:P-100" in catalog and "price_list:PL-2026" in catalog
    blr, mum = customers_db_name(prefix, "blr"), customers_db_name(prefix, "mum")
    assert "customer:C-1001" in ids(services, blr) and "customer:C-1001" not in ids(services, mum)
    price_list = services.store.get_doc(catalog_db_name(prefix), "price_list:PL-2026")
    assert price_list["prices"]["P-102"] == "6400.00"

    assert publisher.publish_all().written == 0

    with transaction(services.sessions) as s:
        product = s.get(Product, "P-100")
        customer = s.get(Customer, "C-1001")
        assert product is not None and customer is not None
        product.active = False
        customer.territory_code = "MUM"
    again = publisher.publish_all()
    assert again.written == 3  # the product, the customer in mum, its deletion in blr
    assert services.store.get_doc(catalog_db_name(prefix), "product:P-100")["active"] is False
    assert "customer:C-1001" in ids(services, mum)
    assert "customer:C-1001" not in ids(services, blr)
