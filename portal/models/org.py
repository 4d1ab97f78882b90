"""Organisationseinheiten (OE): Ämter, Eigenbetriebe, Geschäftsbereiche, …"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, utcnow

ORG_UNIT_KINDS = ("Amt", "Eigenbetrieb", "Geschäftsbereich", "Stadtbezirksamt", "Ortschaft", "Stabsstelle", "Sonstige")


class OrgUnit(Base):
    """One unit of the city administration, keyed by the code the directory uses ("Amt 50")."""

    __tablename__ = "org_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40), default="Sonstige")
    # a unit is retired, never deleted: its submissions and history stay readable
    retired_on: Mapped[date | None] = mapped_column(default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def active(self) -> bool:
        return self.retired_on is None

    @property
    def label(self) -> str:
        return f"{self.code} – {self.name}" if self.name else self.code

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"<OrgUnit {self.code}>"
