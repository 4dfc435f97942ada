"""Users, teams, territories, tokens and the login log."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.sql.models.base import Base, utcnow


class Team(Base):
    """A sales team: engineers belong to it, its head watches it."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class User(Base):
    """A person who signs in: an engineer (phone), a head or an admin (web)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), index=True)  # engineer | head | admin
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), nullable=True,
                                                index=True)
    territory_code: Mapped[str | None] = mapped_column(
        ForeignKey("territories.code"), nullable=True, index=True)
    discount_limit_pct: Mapped[Decimal] = mapped_column(
        Numeric(5, 2, asdecimal=True), default=Decimal("0"))
    full_name: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Raised on every password change and deactivation: access tokens carry the version they
    # were issued under, so older ones stop working although they are not expired yet.
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Loaded with the user (one more query per select), so a principal names them all.
    extra_grants: Mapped[list[ExtraTerritory]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="ExtraTerritory.territory_code")

    @property
    def extra_territories(self) -> list[str]:
        """Territories besides their own where an admin allowed the user to sell."""
        return [grant.territory_code for grant in self.extra_grants]


class ExtraTerritory(Base):
    """A territory an admin allows a user to sell in besides their own."""

    __tablename__ = "user_extra_territories"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    territory_code: Mapped[str] = mapped_column(ForeignKey("territories.code"), primary_key=True,
                                                index=True)
    granted_by: Mapped[str] = mapped_column(String(64), default="")
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RefreshToken(Base):
    """An issued refresh token, stored only as its SHA-256 so a database leak reveals none."""

    __tablename__ = "refresh_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The user's token version when issued: one issued while the password changed is dead too.
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class LoginEvent(Base):
    """One login, failed login, refresh or logout; the login report and the throttle read it."""

    __tablename__ = "login_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)  # login|failed|refresh|logout|…
    address: Mapped[str] = mapped_column(String(64), index=True, default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
