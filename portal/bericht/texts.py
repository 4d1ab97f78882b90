"""The editable text sections of a report: every save is a new version, earlier ones stay readable."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import audit
from portal.models.gremien import ReportText
from portal.models.measure import ActionField, ReportingPeriod

FIXED_SECTIONS = {
    "einleitung": "1. Einleitung",
    "ausblick": "4. Herausforderungen und Ausblick",
}
FIELD_PREFIX = "feld_"


@dataclass(frozen=True)
class Section:
    key: str
    label: str


def sections(db: Session) -> list[Section]:
    """Introduction, one introduction per Handlungsfeld (chapter 3), chapter 4."""
    fields = db.scalars(select(ActionField).order_by(ActionField.number))
    return ([Section("einleitung", FIXED_SECTIONS["einleitung"])]
            + [Section(f"{FIELD_PREFIX}{f.code}", f"Einführung Handlungsfeld {f.number}. {f.name}") for f in fields]
            + [Section("ausblick", FIXED_SECTIONS["ausblick"])])


def section_or_none(db: Session, key: str) -> Section | None:
    return next((s for s in sections(db) if s.key == key), None)


def latest(db: Session, period: ReportingPeriod, key: str) -> ReportText | None:
    return db.scalar(select(ReportText).where(ReportText.period_id == period.id, ReportText.key == key)
                     .order_by(ReportText.version.desc()).limit(1))


def latest_texts(db: Session, period: ReportingPeriod) -> dict[str, ReportText]:
    newest = (select(func.max(ReportText.id)).where(ReportText.period_id == period.id).group_by(ReportText.key))
    return {t.key: t for t in db.scalars(select(ReportText).where(ReportText.id.in_(newest)))}


def versions(db: Session, period: ReportingPeriod, key: str) -> list[ReportText]:
    return list(db.scalars(select(ReportText).where(ReportText.period_id == period.id, ReportText.key == key)
                           .order_by(ReportText.version.desc())))


def save(db: Session, period: ReportingPeriod, key: str, body: str, user_id: int | None) -> ReportText | None:
    """A new version, unless the text is the same as the latest one (then None)."""
    body = body.replace("\r\n", "\n").strip()
    current = latest(db, period, key)
    if current is not None and current.body == body:
        return None
    text = ReportText(period_id=period.id, key=key, version=(current.version + 1) if current else 1, body=body,
                      created_by_id=user_id)
    db.add(text)
    db.flush()
    audit.record(db, "report_text_saved", obj=text, detail={"abschnitt": key, "fassung": text.version})
    return text
