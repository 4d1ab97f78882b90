"""People who sign in, their roles, their server-side sessions and sign-in attempts."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, utcnow
from portal.models.org import OrgUnit


class Role(StrEnum):
    """The portal's roles (granted through directory groups, ROLE_MAP). A member equals its code, so
    templates, stored grants and the configuration compare with plain strings."""

    BESCHAEFTIGTE = "beschaeftigte"
    FORTBILDUNGSBEAUFTRAGTE = "fortbildungsbeauftragte"
    OE_VERANTWORTLICHE = "oe_verantwortliche"
    AG_LEITUNG = "ag_leitung"
    INTEGRATIONSBUERO = "integrationsbuero"
    PERSONALAMT = "personalamt"
    ADMIN = "admin"


ROLES = tuple(Role)
ROLE_LABELS = {
    Role.BESCHAEFTIGTE: "Beschäftigte*r",
    Role.FORTBILDUNGSBEAUFTRAGTE: "Fortbildungsbeauftragte*r",
    Role.OE_VERANTWORTLICHE: "OE-Verantwortliche*r",
    Role.AG_LEITUNG: "AG-Leitung",
    Role.INTEGRATIONSBUERO: "Integrationsbüro",
    Role.PERSONALAMT: "Personalamt",
    Role.ADMIN: "Administration",
}
WORKING_GROUPS = ("AG1", "AG2", "AG3", "KG")


class User(UserMixin, Base):
    """The local record of a directory account, updated at every sign-in."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # immutable directory id (entryUUID / objectGUID), else the DN
    external_id: Mapped[str] = mapped_column(String(255), unique=True)
    dn: Mapped[str] = mapped_column(String(1000))
    username: Mapped[str] = mapped_column(String(255), index=True)
    display_name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))
    personnel_number: Mapped[str | None] = mapped_column(String(40), index=True)
    # the OE value as the directory sent it, and the unit it resolved to (None = unknown)
    oe_value: Mapped[str | None] = mapped_column(String(200))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)
    # the office's daily e-mail about new submissions; each person can turn it off
    daily_digest: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    org_unit: Mapped[OrgUnit | None] = relationship(lazy="joined")
    role_grants: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # --- role helpers -------------------------------------------------
    @property
    def roles(self) -> set[str]:
        return {Role.BESCHAEFTIGTE.value} | {g.role for g in self.role_grants}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    @property
    def working_groups(self) -> set[str]:
        return {g.scope for g in self.role_grants if g.role == Role.AG_LEITUNG and g.scope}

    @property
    def oe_code(self) -> str | None:
        return self.org_unit.code if self.org_unit else None

    def get_id(self) -> str:  # Flask-Login
        return str(self.id)


class UserRole(Base):
    """A role a user holds, derived from directory groups (re-synced at sign-in)."""

    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role", "scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(40))
    scope: Mapped[str] = mapped_column(String(20), default="")  # AG code for ag_leitung
    source_group: Mapped[str | None] = mapped_column(String(1000))

    user: Mapped[User] = relationship(back_populates="role_grants")


class UserSession(Base):
    """Server-side record of a signed-in session; deleting it signs the cookie out."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ip_address: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User] = relationship()


class LoginAttempt(Base):
    """A failed sign-in, counted per (account, address), per address and per known device by the throttle."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_account_at", "account", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(255))
    address: Mapped[str] = mapped_column(String(64))
    # sha256 of the device cookie's token, when the browser had one for this account
    device: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
