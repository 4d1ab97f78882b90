"""Demo data for `make run` (the demo directory's people and their OE's data)."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

# each feature adds a loader that creates its demo records (idempotent)
def _trainings(db: Session) -> str:
    from portal.trainings.demo import load_demo

    return load_demo(db)


DEMO_LOADERS: list[Callable[[Session], str]] = [_trainings]


def load(db: Session) -> list[str]:
    from portal import reference

    lines = reference.load_all(db)
    lines += [loader(db) for loader in DEMO_LOADERS]
    return lines
