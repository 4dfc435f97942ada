"""Master data: territories, customers, products and price lists."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.sql.models.base import Base, Money, Rate, Timestamp, utcnow


class Territory(Base):
    """A sales territory; customers are replicated to phones per territory."""

    __tablename__ = "territories"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class Customer(Base):
    """A customer the engineers sell to (pulled from the ERP or entered by an admin)."""

    __tablename__ = "customers"

    customer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    gstin: Mapped[str | None] = mapped_column(String(15), nullable=True)
    state_code: Mapped[str] = mapped_column(String(2))  # GST state code, e.g. "29"
    address: Mapped[str] = mapped_column(Text, default="")
    city: Mapped[str] = mapped_column(String(100), default="", index=True)
    pincode: Mapped[str] = mapped_column(String(10), default="")
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    territory_code: Mapped[str] = mapped_column(ForeignKey("territories.code"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    erp_ref: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    customer_group: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Product(Base):
    """A product on the catalogue, with its HSN code and GST rate."""

    __tablename__ = "products"

    product_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    hsn_code: Mapped[str] = mapped_column(String(8), default="")
    gst_rate: Mapped[Rate]  # percent, e.g. 18
    unit: Mapped[str] = mapped_column(String(16), default="nos")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    erp_ref: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)


class PriceList(Base):
    """A named set of unit prices valid over a period.

    It applies to one customer, a customer group or a territory (at most one of them), or,
    naming none, to every customer: the most specific list valid on an offer's date prices it.
    """

    __tablename__ = "price_lists"

    price_list_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    customer_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    customer_group: Mapped[str | None] = mapped_column(String(64), nullable=True)
    territory_code: Mapped[str | None] = mapped_column(String(32), nullable=True)


class PriceListItem(Base):
    """The unit price of one product on one price list."""

    __tablename__ = "price_list_items"

    price_list_id: Mapped[str] = mapped_column(
        ForeignKey("price_lists.price_list_id", ondelete="CASCADE"), primary_key=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.product_id"), primary_key=True,
                                            index=True)
    unit_price: Mapped[Money]

