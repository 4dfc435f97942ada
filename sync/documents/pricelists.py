"""Price authority: which price list applies to a customer, and what a line's price amounts to.

A line written below its list price is a discount as much as `discount_pct` is, so the head
approval rule looks at the effective discount `1 − net / (list × quantity)` of each line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, Decimal, localcontext
from typing import Any

from sync.documents.pricing import HUNDRED, format_money

PERCENT_STEP = Decimal("0.01")


@dataclass(frozen=True)
class PriceListFacts:
    """One price list as the rules see it: whom it applies to, when, and its unit prices.

    A list names at most one of customer, customer group or territory; naming none makes it a
    default list for every customer.
    """

    price_list_id: str
    valid_from: date
    valid_to: date | None = None
    active: bool = True
    customer_id: str | None = None
    customer_group: str | None = None
    territory: str | None = None
    prices: Mapping[str, Decimal] = field(default_factory=dict)

    def valid_on(self, day: date) -> bool:
        return self.active and self.valid_from <= day and (
            self.valid_to is None or day <= self.valid_to)

    def rank(self, customer_id: str, group: str | None, territory: str) -> int | None:
        """How specifically the list applies to the customer (lower wins); None when not."""
        if self.customer_id is not None:
            return 0 if self.customer_id == customer_id else None
        if self.customer_group is not None:
            return 1 if group is not None and self.customer_group == group else None
        if self.territory is not None:
            return 2 if self.territory == territory else None
        return 3


def applicable_list(lists: Iterable[PriceListFacts], customer_id: str, group: str | None,
                    territory: str, day: date) -> PriceListFacts | None:
    """The customer's list on `day`: per customer, else group, else territory, else default.

    Among lists of the same reach the one valid from the latest date wins (it supersedes).
    """
    best: tuple[int, int, str] | None = None
    chosen = None
    for candidate in lists:
        rank = candidate.rank(customer_id, group, territory)
        if rank is None or not candidate.valid_on(day):
            continue
        key = (rank, -candidate.valid_from.toordinal(), candidate.price_list_id)
        if best is None or key < best:
            best, chosen = key, candidate
    return chosen


def effective_discount(quantity: Decimal, unit_price: Decimal, discount_pct: Decimal,
                       list_price: Decimal) -> Decimal:
    """`1 − net / (list × quantity)` in percent, rounded up to 0.01 so it never understates.

    At the list price it is `discount_pct` itself: paise rounding of the net must not move an
    offer over or under the engineer's limit.
    """
    if unit_price == list_price or list_price <= 0 or quantity <= 0:
        return discount_pct
    with localcontext() as ctx:
        ctx.prec = 60
        net = quantity * unit_price * (HUNDRED - discount_pct) / HUNDRED
        share = HUNDRED * (1 - net / (list_price * quantity))
        return share.quantize(PERCENT_STEP, rounding=ROUND_CEILING).normalize() + 0


@dataclass(frozen=True)
class LinePrice:
    """What the price list says about one offer line."""

    index: int
    list_price: Decimal | None
    effective_pct: Decimal | None  # None when the line cannot be judged against the list
    problem: str | None = None


def judge_line(index: int, line: Mapping[str, Any], chosen: PriceListFacts) -> LinePrice:
    """The line's list price and effective discount, or why its price is refused."""
    product_id = str(line.get("product_id"))
    list_price = chosen.prices.get(product_id)
    if list_price is None:
        return LinePrice(index, None, None, (
            f'product "{product_id}" is not on price list {chosen.price_list_id}, which '
            "applies to this customer; remove the line or ask an admin to price the product"))
    quantity, price = _decimal(line.get("quantity")), Decimal(str(line["unit_price"]))
    discount = Decimal(str(line["discount_pct"]))
    effective = effective_discount(quantity, price, discount, list_price)
    if effective < 0:
        return LinePrice(index, list_price, None, (
            f"unit_price {format_money(price)} is above the list price "
            f"{format_money(list_price)} of price list {chosen.price_list_id}; use the list "
            "price"))
    return LinePrice(index, list_price, effective)


def _decimal(value: Any) -> Decimal:
    return Decimal(value) if isinstance(value, int) else Decimal(repr(value))


def max_effective(lines: Iterable[LinePrice]) -> Decimal:
    """The offer's largest effective discount (what the head's approval is about)."""
    return max((p.effective_pct for p in lines if p.effective_pct is not None),
               default=Decimal(0))


def format_pct(value: Decimal) -> str:
    """A percentage for people: 15, 12.5, 33.34."""
    return f"{value.normalize():f}"
