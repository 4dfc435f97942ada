"""Demo data for `make run`: territories, a team, engineers, customers, products, prices."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from server.bootstrap import Services
from server.demo_activity import load_demo_activity
from server.sql.models.accounts import User
from server.sql.models.master import Customer, PriceList, PriceListItem, Product, Territory
from server.sql.session import transaction
from sync.publish import MasterDataPublisher

TERRITORIES = [("BLR", "Bengaluru"), ("MUM", "Mumbai")]

# (id, name, GSTIN, state code, city, pincode, lat, lon, territory)
CUSTOMERS = [
    ("C-1001", "Sri Lakshmi Engineering Works", "29AABCS1429B1Z1", "29", "Peenya", "560058",
     13.0285, 77.5197, "BLR"),
    ("C-1002", "Bangalore Precision Tools", "29AAACB2894G1ZN", "29", "Whitefield", "560066",
     12.9698, 77.7500, "BLR"),
    ("C-1003", "Kaveri Agro Processors", "29AADCK7780L1ZQ", "29", "Mysuru", "570016",
     12.3052, 76.6552, "BLR"),
    ("C-1004", "Hosur Road Textiles", "29AAFCH3321M1Z5", "29", "Electronic City", "560100",
     12.8452, 77.6602, "BLR"),
    ("C-1005", "Nandi Dairy Cooperative", None, "29", "Chikkaballapur", "562101",
     13.4355, 77.7315, "BLR"),
    ("C-2001", "Andheri Plastics Pvt Ltd", "27AABCA5555K1Z2", "27", "Andheri East", "400069",
     19.1136, 72.8697, "MUM"),
    ("C-2002", "Thane Chemicals", "27AAGCT8123R1ZB", "27", "Thane", "400601",
     19.2183, 72.9781, "MUM"),
    ("C-2003", "Navi Mumbai Cold Storage", "27AAICN4411P1ZX", "27", "Vashi", "400703",
     19.0771, 72.9986, "MUM"),
    ("C-2004", "Pune Auto Components", "27AAJCP9090Q1Z8", "27", "Pimpri", "411018",
     18.6298, 73.7997, "MUM"),
]

# (id, name, HSN, GST %, unit, price)
PRODUCTS = [
    ("P-100", "Industrial air compressor 7.5 HP", "8414", "18", "nos", "185000.00"),
    ("P-101", "Air dryer, refrigerated", "8419", "18", "nos", "72500.00"),
    ("P-102", "Compressor service kit", "8414", "18", "set", "6400.00"),
    ("P-200", "Solar water heater 200 L", "8419", "12", "nos", "38900.00"),
    ("P-201", "Rooftop solar panel 540 Wp", "8541", "12", "nos", "14250.00"),
    ("P-300", "Cold room panel, 100 mm PUF", "9406", "18", "sqm", "3150.00"),
    ("P-301", "Condensing unit 5 TR", "8418", "28", "nos", "246000.00"),
    ("P-400", "Annual maintenance contract", "9987", "18", "year", "24000.00"),
    ("P-500", "Drip irrigation kit, 1 acre", "8424", "12", "set", "42000.00"),
    ("P-600", "Printed operating manual", "4901", "0", "nos", "350.00"),
]


# (username, password, role, team, territory, discount limit %): published in the README, so
# `fieldsync serve` with a store of its own refuses to start while any of them still works.
DEMO_USERS = [
    ("admin", "admin-demo", "admin", None, None, Decimal("0")),
    ("priya", "head-demo", "head", "South", "BLR", Decimal("0")),
    ("asha", "engineer-demo", "engineer", "South", "BLR", Decimal("10")),
    ("ravi", "engineer-demo", "engineer", "South", "BLR", Decimal("5")),
    ("meera", "engineer-demo", "engineer", "South", "MUM", Decimal("10")),
]
DEMO_PASSWORDS = frozenset(password for _, password, *_ in DEMO_USERS)


def users_with_demo_passwords(services: Services) -> list[str]:
    """Active demo users whose password is still one of the published demo passwords."""
    from server.accounts.passwords import verify_password

    with services.sessions() as session:
        rows = session.execute(select(User.username, User.password_hash).where(
            User.active.is_(True), User.username.in_([u for u, *_ in DEMO_USERS]))
            .order_by(User.username)).all()
    # Only the demo accounts: a full password check costs tens of milliseconds, too much to
    # try every user of a large installation at each start.
    return [name for name, hashed in rows
            if any(verify_password(hashed, password) for password in DEMO_PASSWORDS)]


def load_demo(services: Services) -> Iterator[str]:
    """Load the demo data unless it is there; says what it did, one line at a time."""
    if not load_master_data(services):
        yield "demo data already present"
        return
    yield f"demo master data: {len(CUSTOMERS)} customers, {len(PRODUCTS)} products, 1 price list"
    yield from _demo_users(services)
    published = MasterDataPublisher(services.store, services.sessions,
                                    services.settings.db_prefix).publish_all()
    yield f"published {published.written} master-data documents to the phones' databases"
    yield f"demo field work: {load_demo_activity(services)} documents from asha's and ravi's phones"


def load_master_data(services: Services) -> bool:
    """Territories, customers, products and a price list; False when customers already exist."""
    with transaction(services.sessions) as session:
        if session.scalar(select(func.count()).select_from(Customer)):
            return False
        session.add_all(Territory(code=c, name=n) for c, n in TERRITORIES)
        session.flush()
        session.add_all(Customer(customer_id=cid, name=name, gstin=gstin, state_code=state,
                                 city=city, pincode=pin, lat=lat, lon=lon, territory_code=terr,
                                 address=f"{city}, {pin}")
                        for cid, name, gstin, state, city, pin, lat, lon, terr in CUSTOMERS)
        session.add_all(Product(product_id=pid, name=name, hsn_code=hsn, gst_rate=Decimal(rate),
                                unit=unit) for pid, name, hsn, rate, unit, _ in PRODUCTS)
        session.add(PriceList(price_list_id="PL-2026", name="List prices 2026",
                              valid_from=date(2026, 1, 1)))
        session.flush()
        session.add_all(PriceListItem(price_list_id="PL-2026", product_id=pid,
                                      unit_price=Decimal(price))
                        for pid, _, _, _, _, price in PRODUCTS)
    return True


def _demo_users(services: Services) -> Iterator[str]:
    from server.accounts.service import create_user

    for username, password, role, team, territory, limit in DEMO_USERS:
        create_user(services.sessions, services.store, services.settings, username, password,
                    role, team=team, territory=territory, discount_limit_pct=limit,
                    full_name=username.capitalize())
    yield "demo logins: admin/admin-demo, priya/head-demo (head), " \
          "asha, ravi, meera / engineer-demo (engineers)"
