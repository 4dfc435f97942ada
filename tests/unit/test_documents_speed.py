"""The gateway checks every incoming document, so the structure check must stay cheap."""

from __future__ import annotations

import time
import timeit
from collections.abc import Callable

from sync.documents.validate import check_structure, validate
from tests.factories import make_approval, make_offer, make_order, master_data

TEN_LINES = [("P-100", 3, "1234.50", "7.5", "18"), ("P-200", 2.5, "99.99", "0", "5")] * 5


def cpu_microseconds(call: Callable[[], object], number: int = 500) -> float:
    """Best CPU time per call, so other processes on the machine do not count."""
    runs = timeit.repeat(call, number=number, repeat=5, timer=time.process_time)
    return min(runs) / number * 1e6


def test_structure_of_a_ten_line_offer_is_cheap() -> None:
    offer = make_offer(lines=TEN_LINES)
    assert check_structure(offer, owner="asha").ok
    # Measured about 80 µs on the pilot machine; the bound leaves room for slower CPUs.
    assert cpu_microseconds(lambda: check_structure(offer, owner="asha")) < 400


def test_full_validation_of_an_order_is_cheap() -> None:
    facts = master_data()
    offer = make_offer(lines=TEN_LINES)
    facts.add_offer(offer)
    order = make_order(offer, make_approval(offer))
    assert validate(order, owner="asha", facts=facts).ok
    assert cpu_microseconds(lambda: validate(order, owner="asha", facts=facts)) < 800
