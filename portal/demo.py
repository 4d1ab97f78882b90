"""Demo data for `make run` (the demo directory's people and their OE's data)."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

def _selbstchecks(db: Session) -> str:
    from portal.selbstcheck.demo import load_demo_selbstchecks

    return load_demo_selbstchecks(db)
def _measures(db: Session) -> str:
    from portal.measures.demo import load_demo

    return load_demo(db)


# each feature adds a loader that creates its demo records (idempotent)
def _trainings(db: Session) -> str:
    from portal.trainings.demo import load_demo

    return load_demo(db)


def _gremien(db: Session) -> str:
    from portal.gremien.demo import load_demo

    return load_demo(db)


DEMO_LOADERS: list[Callable[[Session], str]] = [
    _trainings,
    _selbstchecks,
    _measures,
    _gremien,
]


def load(db: Session) -> list[str]:
    from portal import reference

    lines = reference.load_all(db)
    lines += [loader(db) for loader in DEMO_LOADERS]
    return lines
