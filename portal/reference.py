"""Shipped reference data that `portal setup` loads (idempotent, never overwrites edits)."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session


def _org_units(db: Session) -> str:
    from portal.admin.services import load_shipped_org_units

    added, total = load_shipped_org_units(db)
    return f"Organisationseinheiten: {added} neu, {total} insgesamt"


def _questionnaires(db: Session) -> str:
    from portal.selbstcheck.services import load_shipped_questionnaires

    added, total = load_shipped_questionnaires(db)
    return f"Selbstcheck-Fragebögen: {added} neu, {total} insgesamt"
def _measure_catalogue(db: Session) -> str:
    from portal.measures.catalogue import apply_shipped_corrections, load_shipped_catalogue, shipped_differences

    added, total = load_shipped_catalogue(db)
    message = f"Maßnahmenkatalog: {added} neu, {total} insgesamt"
    corrected = apply_shipped_corrections(db)
    if corrected:
        message += f"; {len(corrected)} unveränderte Maßnahmen auf den berichtigten Text gebracht: {', '.join(corrected)}"
    differing = shipped_differences(db)
    if differing:
        count = "1 Maßnahme weicht" if len(differing) == 1 else f"{len(differing)} Maßnahmen weichen"
        message += (f"; {count} vom mitgelieferten Katalog ab (nicht überschrieben): "
                    f"{', '.join(differing)}. Übernehmen: „portal catalogue export --mitgeliefert“, dann "
                    "„portal catalogue import DATEI --dry-run“ (siehe docs/measures.md)")
    return message


# (name, loader) in load order; each feature adds its loader here
LOADERS: list[Callable[[Session], str]] = [
    _org_units,
    _questionnaires,
    _measure_catalogue,
]


def load_all(db: Session) -> list[str]:
    return [loader(db) for loader in LOADERS]
