"""The frozen order snapshot and its idempotency key."""

from __future__ import annotations

import pytest

from erp_bridge.errors import SnapshotError
from erp_bridge.snapshot import MAX_KEY_LENGTH, build_snapshot, idempotency_key
from tests.support.erp_servers.orders import order_doc


def test_key_is_stable_and_fits_sap() -> None:
    assert idempotency_key("order:ord-000001") == "FS-ord-000001"
    long_id = "order:" + "x" * 64
    key = idempotency_key(long_id)
    assert key == idempotency_key(long_id) and len(key) == MAX_KEY_LENGTH
    assert key != idempotency_key("order:" + "y" * 64)


def test_snapshot_keeps_money_and_quantities_exact() -> None:
    snap = build_snapshot(order_doc(1))
    assert snap["key"] == "FS-ord-000001" and snap["customer_id"] == "17100001"
    assert [line["quantity"] for line in snap["lines"]] == ["5", "2.5"]
    assert [line["line_no"] for line in snap["lines"]] == [10, 20]
    assert snap["grand_total"] == "696.20" and snap["lines"][1]["unit_price"] == "40.00"
    assert snap["order_date"] == "2026-11-29" and snap["currency"] == "INR"


@pytest.mark.parametrize(("change", "message"), [
    ({"lines": []}, "no lines"),
    ({"customer_id": ""}, "no customer_id"),
    ({"lines": [{"product_id": "P", "quantity": 0}]}, "more than zero"),
    ({"lines": [{"product_id": "P", "quantity": "abc"}]}, "not a number"),
    ({"lines": [{"quantity": 1}]}, "no product_id"),
    ({"lines": ["x"]}, "not an object"),
])
def test_bad_orders_get_a_reason(change: dict[str, object], message: str) -> None:
    with pytest.raises(SnapshotError, match=message):
        build_snapshot({**order_doc(1), **change})
