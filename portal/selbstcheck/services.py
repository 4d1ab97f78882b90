"""Selbstcheck services: questionnaire versions, drafts, submission, review, cut points.

Services add and flush; the view (or CLI) commits once.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import audit
from portal.db import utcnow
from portal.domain import DomainError
from portal.forms.selbstcheck import emphasised
from portal.models.org import OrgUnit
from portal.models.people import User
from portal.models.selbstcheck import SUBJECT_TYPE, QuestionnaireVersion, Selbstcheck, SelbstcheckVersion
from portal.models.workflow import State
from portal.selbstcheck import scoring
from portal.workflow import transition

# the Selbstcheck knows no "rejected" and no way back to a plain draft
TRANSITIONS: dict[State, set[State]] = {
    State.DRAFT: {State.SUBMITTED},
    State.SUBMITTED: {State.ACCEPTED, State.RETURNED},
    State.RETURNED: {State.SUBMITTED},
    State.ACCEPTED: set(),
}
EDITABLE_STATES = {State.DRAFT.value, State.RETURNED.value}

MSG_STALE = (
    "Dieser Selbstcheck wurde inzwischen an anderer Stelle gespeichert oder geändert. "
    "Ihre Eingaben wurden nicht gespeichert, stehen aber unten noch im Formular. "
    "Bitte öffnen Sie den Selbstcheck in einem neuen Fenster, vergleichen Sie die Angaben und speichern Sie dann erneut."
)


class SelbstcheckError(DomainError):
    """A step that is not possible (German message)."""


class StaleEditError(SelbstcheckError):
    pass


# --- questionnaire versions ----------------------------------------------------------

def shipped_questionnaires(folder: Any = None) -> list[dict[str, Any]]:
    """Every questionnaire version file (``<code>.json``), checked: code = file name, cut points cover the range."""
    folder = folder or resources.files("portal").joinpath("data/questionnaires")
    result = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            data = json.loads(entry.read_text("utf-8"))
            if data.get("code") != entry.name[: -len(".json")]:
                raise SelbstcheckError(f"{entry.name}: Der Code „{data.get('code')}“ passt nicht zum Dateinamen.")
            lowest, highest = scoring.total_range(data)
            errors = scoring.check_bands(scoring.default_bands(data), lowest, highest)
            if errors:
                raise SelbstcheckError(f"{entry.name}: " + " ".join(errors))
            result.append(data)
    return result


def load_shipped_questionnaires(db: Session, folder: Any = None) -> tuple[int, int]:
    """Insert shipped questionnaire versions that are missing. Never overwrites (cut points stay edited)."""
    existing = set(db.scalars(select(QuestionnaireVersion.code)))
    added = 0
    for data in shipped_questionnaires(folder):
        if data["code"] in existing:
            continue
        db.add(QuestionnaireVersion(
            code=data["code"],
            title=data["title"],
            valid_from=date.fromisoformat(data["valid_from"]),
            definition_json=json.dumps(data, ensure_ascii=False),
            bands_json=json.dumps(scoring.default_bands(data), ensure_ascii=False),
        ))
        existing.add(data["code"])
        added += 1
    db.flush()
    return added, len(existing)


def current_questionnaire(db: Session, on: date | None = None) -> QuestionnaireVersion:
    on = on or date.today()
    version = db.scalar(
        select(QuestionnaireVersion).where(QuestionnaireVersion.valid_from <= on)
        .order_by(QuestionnaireVersion.valid_from.desc()).limit(1)
    ) or db.scalar(select(QuestionnaireVersion).order_by(QuestionnaireVersion.valid_from).limit(1))
    if version is None:
        raise SelbstcheckError("Es ist noch kein Fragebogen geladen. Bitte führen Sie „portal setup“ aus.")
    return version


def set_bands(db: Session, version: QuestionnaireVersion, actor: User, uppers: list[int]) -> list[dict[str, Any]]:
    """New cut points for a version (stored results keep the cut points they used)."""
    lowest, highest = scoring.total_range(version.definition)
    before = version.bands
    new = scoring.bands_from_upper_bounds(before, uppers, highest)
    errors = scoring.check_bands(new, lowest, highest)
    if errors:
        raise SelbstcheckError(" ".join(errors))
    version.bands_json = json.dumps(new, ensure_ascii=False)
    version.bands_changed_at = utcnow()
    db.flush()
    audit.record(db, "questionnaire_bands_changed", obj=version, actor=actor, org_unit_code=actor.oe_code,
                 detail={"fragebogen": version.code, "vorher": _band_text(before), "nachher": _band_text(new)})
    return new


def _band_text(bands: list[dict[str, Any]]) -> str:
    return ", ".join(f"{b['label']} {b['min']}–{b['max']}" for b in bands)


# --- filling in ---------------------------------------------------------------------------

def find(db: Session, org_unit: OrgUnit, year: int, sub_unit: str) -> Selbstcheck | None:
    return db.scalar(select(Selbstcheck).where(
        Selbstcheck.org_unit_id == org_unit.id, Selbstcheck.reporting_year == year, Selbstcheck.sub_unit == sub_unit,
    ))


def normalise_sub_unit(text: str | None) -> str:
    return " ".join((text or "").split())


def start(db: Session, actor: User, org_unit: OrgUnit, year: int, sub_unit: str | None) -> tuple[Selbstcheck, bool]:
    """The Selbstcheck of (OE, sub-unit, year): the existing one, or a new draft."""
    sub = normalise_sub_unit(sub_unit)
    existing = find(db, org_unit, year, sub)
    if existing is not None:
        return existing, False
    sc = Selbstcheck(
        org_unit=org_unit, sub_unit=sub, reporting_year=year,
        questionnaire=current_questionnaire(db), state=State.DRAFT.value, created_by_id=actor.id,
    )
    db.add(sc)
    db.flush()
    audit.record(db, "selbstcheck_created", obj=sc, actor=actor, org_unit_code=org_unit.code,
                 detail={"jahr": year, "teilbereich": sub or None, "fragebogen": sc.questionnaire.code})
    return sc, True


def _check_editable(sc: Selbstcheck, edit_count: str | int | None) -> None:
    if sc.state not in EDITABLE_STATES:
        raise SelbstcheckError("Dieser Selbstcheck ist eingereicht und kann nicht mehr geändert werden.")
    try:
        posted = int(edit_count)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise StaleEditError(MSG_STALE) from None
    if posted != sc.edit_count:
        raise StaleEditError(MSG_STALE)


def save_draft(db: Session, sc: Selbstcheck, actor: User, answers: dict[str, Any], edit_count: str | int | None) -> None:
    _check_editable(sc, edit_count)
    sc.draft_json = json.dumps(answers, ensure_ascii=False)
    sc.draft_saved_at = utcnow()
    sc.draft_saved_by_id = actor.id
    db.flush()
    audit.record(db, "selbstcheck_draft_saved", obj=sc, actor=actor, org_unit_code=sc.org_unit.code,
                 detail={"beantwortet": sum(1 for k in answers if k.startswith("q"))})


def submit(db: Session, sc: Selbstcheck, actor: User, answers: dict[str, Any], edit_count: str | int | None) -> SelbstcheckVersion:
    """Store an immutable version with its evaluation and the cut points used."""
    _check_editable(sc, edit_count)
    definition = sc.questionnaire.definition
    points = {int(q["number"]): answers.get(f"q{q['number']}") for q in definition["questions"]}
    try:
        evaluation = scoring.evaluate(definition, points, sc.questionnaire.bands)  # type: ignore[arg-type]
    except scoring.ScoringError as exc:
        raise SelbstcheckError(f"Der Selbstcheck ist nicht vollständig: {exc}") from None
    number = len(sc.versions) + 1
    version = SelbstcheckVersion(
        selbstcheck=sc, number=number, questionnaire_version_id=sc.questionnaire_version_id,
        answers_json=json.dumps(answers, ensure_ascii=False),
        result_json=json.dumps(evaluation.as_dict(), ensure_ascii=False),
        total=evaluation.total, color=evaluation.band.color, submitted_by_id=actor.id,
    )
    db.add(version)
    sc.draft_json = json.dumps(answers, ensure_ascii=False)
    sc.draft_saved_at = utcnow()
    sc.draft_saved_by_id = actor.id
    sc.review_comment = None
    transition(db, sc, State.SUBMITTED, actor, subject_type=SUBJECT_TYPE, org_unit_code=sc.org_unit.code,
               allowed=TRANSITIONS, comment=f"Fassung {number}: {evaluation.total} Punkte, {evaluation.band.label}")
    return version


def review(db: Session, sc: Selbstcheck, actor: User, decision: str, comment: str | None) -> None:
    comment = (comment or "").strip() or None
    if decision == "annehmen":
        transition(db, sc, State.ACCEPTED, actor, subject_type=SUBJECT_TYPE, comment=comment,
                   org_unit_code=sc.org_unit.code, allowed=TRANSITIONS)
    elif decision == "zurueckgeben":
        if not comment:
            raise SelbstcheckError("Bitte schreiben Sie, was die OE ändern soll.")
        if sc.state != State.SUBMITTED.value:
            raise SelbstcheckError("Nur eingereichte Selbstchecks können zurückgegeben werden.")
        sc.review_comment = comment
        transition(db, sc, State.RETURNED, actor, subject_type=SUBJECT_TYPE, comment=comment,
                   org_unit_code=sc.org_unit.code, allowed=TRANSITIONS)
    else:
        raise SelbstcheckError("Unbekannte Entscheidung.")


# --- reading answers back -------------------------------------------------------------------

@dataclass(frozen=True)
class AnswerItem:
    key: str
    label: str
    display: str
    kind: str  # "statement", "text", "choices", "date"
    value: Any = None
    after: int | None = None  # the statement a conditional item follows
    emphasis: str | None = None  # the word the paper form prints in bold

    @property
    def label_html(self) -> Any:
        return emphasised(self.label, self.emphasis)


def answer_items(definition: dict[str, Any], answers: dict[str, Any]) -> list[AnswerItem]:
    """Every answer of a version in the order of the paper form, readable."""
    scale = {int(s["value"]): s["label"] for s in definition["scale"]}
    items: list[AnswerItem] = []
    for header in definition.get("header", []):
        if header["code"] == "datum":
            items.append(AnswerItem("datum", header["label"], answers.get("datum", ""), "date"))
    conditional = {}
    for c in definition.get("conditional_texts", []):
        conditional.setdefault(int(c["after_question"]), []).append(c)
    coop = definition.get("cooperation")
    for q in definition["questions"]:
        n = int(q["number"])
        value = answers.get(f"q{n}")
        shown = f"{scale[value]} ({value})" if value in scale else "nicht beantwortet"
        items.append(AnswerItem(f"q{n}", f"{n}. {q['text']}", shown, "statement", value))
        for c in conditional.get(n, []):
            items.append(AnswerItem(c["code"], c["label"], answers.get(c["code"], ""), "text", after=n, emphasis=c.get("emphasis")))
        if coop and int(coop["after_question"]) == n:
            labels = {o["code"]: o["label"] for o in coop["options"]}
            labels[coop["other"]["code"]] = "andere"
            chosen = answers.get("kooperation", [])
            items.append(AnswerItem("kooperation", coop["label"], "; ".join(labels.get(c, c) for c in chosen), "choices", chosen, after=n))
            other_key = coop["other"]["code"] + "_text"
            items.append(AnswerItem(other_key, coop["other"]["label"], answers.get(other_key, ""), "text", after=n))
    closing = definition.get("closing")
    if closing:
        items.append(AnswerItem(closing["code"], closing["label"], answers.get(closing["code"], ""), "text"))
    return items


@dataclass(frozen=True)
class Difference:
    item: AnswerItem
    before: str | None  # None = unchanged

    @property
    def changed(self) -> bool:
        return self.before is not None


def differences(definition: dict[str, Any], old: dict[str, Any] | None, new: dict[str, Any]) -> list[Difference]:
    """Each answer of `new`, with the earlier answer where it differs (old → new)."""
    new_items = answer_items(definition, new)
    if old is None:
        return [Difference(i, None) for i in new_items]
    old_by_key = {i.key: i.display for i in answer_items(definition, old)}
    return [Difference(i, old_by_key.get(i.key, "") if old_by_key.get(i.key, "") != i.display else None) for i in new_items]


def reference_data(db: Session) -> str:
    """`portal setup`: the shipped questionnaires."""
    added, total = load_shipped_questionnaires(db)
    return f"Selbstcheck-Fragebögen: {added} neu, {total} insgesamt"
