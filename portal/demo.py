"""Demo data for `make run` (the demo directory's people and their OE's data). Each feature
names its loader (`Feature.demo`, idempotent); they run after the reference data, in the order
of `portal.FEATURES`."""
from __future__ import annotations

from flask import current_app
from sqlalchemy.orm import Session

from portal import reference
from portal.features import of_all


def load(db: Session) -> list[str]:
    lines = reference.load_all(db)
    lines += [loader(db) for loader in of_all(current_app, "demo")]
    return lines
