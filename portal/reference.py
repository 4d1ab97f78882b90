"""Shipped reference data that `portal setup` loads (idempotent, never overwrites edits).
Each feature names its loader (`Feature.reference`); they run in the order of `portal.FEATURES`."""
from __future__ import annotations

from flask import current_app
from sqlalchemy.orm import Session

from portal.features import of_all


def load_all(db: Session) -> list[str]:
    return [loader(db) for loader in of_all(current_app, "reference")]
