"""One counter that every write of portal data moves on (see portal/datacache.py)."""
from __future__ import annotations

import secrets

from sqlalchemy import BigInteger, String, event, insert
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base

NAME = "data"


def first_version() -> int:
    """A fresh database starts at a random number, so figures kept for another database never match."""
    return secrets.randbelow(2**31) + 1


class DataVersion(Base):
    """The version of the portal's data: moved on in the same transaction as each write (not by
    sign-ins, sessions, the audit log, jobs or notifications). Caches key their figures by it."""

    __tablename__ = "data_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)


@event.listens_for(DataVersion.__table__, "after_create")
def _first_row(table, connection, **_kw) -> None:  # noqa: ANN001 - the table and connection of create_all
    connection.execute(insert(table).values(name=NAME, version=first_version()))
