"""Demo Selbstchecks for `make run`: Amt 50 and Amt 51 over two years, so the
overview shows colours, a submission waiting for review and a comparison."""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.demo import BASE, demo_data
from portal.models.org import OrgUnit
from portal.models.people import Role, User
from portal.selbstcheck import services

TEXTS = {
    "massnahmen_vergangen": "Wartebereich mit mehrsprachigen Hinweisen ausgestattet; zwei Beschäftigte im Videodolmetschen geschult.",
    "massnahmen_geplant": "Merkblätter in leicht verständlichem Deutsch; Teilnahme am Fachtag Interkulturelle Öffnung.",
    "kooperation": ["fachaustausch", "gemeinsame_veranstaltungen"],
    "naechste_schritte": "Beschwerdemanagement mehrsprachig bekannt machen.",
}

# (OE, uid of the OE-Verantwortliche*r, years back, answers 1–8, final state)
PLAN = [
    ("Amt 50", "oe.sozialamt", 2, (3, 2, 2, 3, 2, 2, 3, 1), "accepted"),
    ("Amt 50", "oe.sozialamt", 1, (4, 3, 3, 4, 3, 3, 4, 2), "submitted"),
    ("Amt 51", "oe.jugendamt", 2, (4, 4, 3, 4, 3, 3, 4, 3), "accepted"),
    ("Amt 51", "oe.jugendamt", 1, (5, 4, 4, 4, 4, 4, 5, 3), "accepted"),
]


def demo_user(db: Session, uid: str) -> User:
    """The User row exactly as the demo sign-in creates it (keyed by entryUUID)."""
    external_id = str(uuid.uuid5(uuid.NAMESPACE_DNS, uid + ".dresden.demo"))
    user = db.scalar(select(User).where(User.external_id == external_id))
    if user is None:
        person = next(p for p in demo_data()["people"] if p["uid"] == uid)
        user = User(external_id=external_id, dn=f"uid={uid},ou=people,{BASE}", username=uid,
                    display_name=person["cn"], email=f"{uid}@dresden.demo", personnel_number=person["pn"],
                    oe_value=person["oe"],
                    org_unit=db.scalar(select(OrgUnit).where(OrgUnit.code == person["oe"])))
        db.add(user)
        db.flush()
    return user


def load_demo_selbstchecks(db: Session) -> str:
    this_year = date.today().year
    office = demo_user(db, Role.INTEGRATIONSBUERO)
    added = 0
    for code, uid, back, values, final in PLAN:
        unit = db.scalar(select(OrgUnit).where(OrgUnit.code == code))
        if unit is None:
            continue
        author = demo_user(db, uid)
        sc, created = services.start(db, author, unit, this_year - back, "")
        if not created:
            continue
        answers = {f"q{n}": v for n, v in zip(range(1, 9), values)}
        # the conditional texts only where the paper form asks for them (statement 5 resp. 8 at least "teilweise")
        answers.update({k: v for k, v in TEXTS.items()
                        if (k.startswith("massnahmen") and values[4] >= 3) or (k == "kooperation" and values[7] >= 3)
                        or k == "naechste_schritte"})
        services.submit(db, sc, author, answers, sc.edit_count)
        if final == "accepted":
            services.review(db, sc, office, "annehmen", None)
        added += 1
    return f"Selbstcheck-Demodaten: {added} neu"
