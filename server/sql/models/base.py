"""The declarative base every FieldSync table derives from, and shared column types."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from sqlalchemy import DateTime, MetaData, Numeric, String
from sqlalchemy.orm import DeclarativeBase, mapped_column

# Stable constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of all models."""

    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    return datetime.now(UTC)


# Money is exact: 14 digits, 2 after the point (paise). Never a float.
Money = Annotated[Decimal, mapped_column(Numeric(16, 2, asdecimal=True))]
Rate = Annotated[Decimal, mapped_column(Numeric(7, 3, asdecimal=True))]
Quantity = Annotated[Decimal, mapped_column(Numeric(16, 3, asdecimal=True))]
DocId = Annotated[str, mapped_column(String(160))]
Timestamp = Annotated[datetime, mapped_column(DateTime(timezone=True))]
