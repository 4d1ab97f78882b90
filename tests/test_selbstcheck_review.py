"""Review: accept or return with a comment; resubmission keeps earlier versions readable."""
from __future__ import annotations

import re

from sqlalchemy import select

from portal.models.audit import AuditEvent
from portal.models.selbstcheck import Selbstcheck, SelbstcheckVersion
from portal.models.workflow import WorkflowEvent
from tests.conftest import csrf_token_from
from tests.support import selbstcheck_fill as fill


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _review(client, sc_id, decision, comment="", seen=None):
    page = client.get(f"/selbstcheck/{sc_id}").get_data(as_text=True)
    token = csrf_token_from(page)
    seen = seen or re.search(r'name="fassung" value="(\d+)"', page).group(1)
    return client.post(f"/selbstcheck/{sc_id}/pruefen", data={"csrf_token": token, "fassung": seen, "decision": decision, "comment": comment})


def test_return_with_comment_resubmit_and_read_the_earlier_version(app, login_as, db):
    oe, office = app.test_client(), app.test_client()
    login_as("oe_verantwortliche", oe="Amt 50", username="oe50", test_client=oe)
    login_as("integrationsbuero", oe="INAUSLB", username="ib", test_client=office)
    sc_id = fill.start(oe)
    assert fill.post(oe, sc_id, fill.payload((3, 3, 3, 3, 3, 3, 3, 3))).status_code == 302

    # returning needs a comment
    response = _review(office, sc_id, "zurueckgeben", "  ")
    assert response.status_code == 422 and "Bitte schreiben Sie, was die OE ändern soll." in response.get_data(as_text=True)
    assert db.scalar(select(Selbstcheck.state).where(Selbstcheck.id == sc_id)) == "submitted"

    assert _review(office, sc_id, "zurueckgeben", "Aussage 2: Bitte die Dolmetschdienste nennen.").status_code == 302
    form_page = oe.get(f"/selbstcheck/{sc_id}/bearbeiten").get_data(as_text=True)
    main = form_page[form_page.index("<main"):]
    # the comment stands on top of the form, before the first statement
    assert main.index("Aussage 2: Bitte die Dolmetschdienste nennen.") < main.index("<form")
    assert "Zurückgegeben vom Integrationsbüro" in main

    # the OE corrects statement 2 and the next steps, and submits again
    response = fill.post(oe, sc_id, fill.payload((3, 5, 3, 3, 3, 3, 3, 3), naechste_schritte="Dolmetschpool bekannt machen"))
    assert response.status_code == 302
    db.expire_all()
    sc = db.get(Selbstcheck, sc_id)
    assert sc.state == "submitted" and sc.review_comment is None
    assert [(v.number, v.total, v.color) for v in sc.versions] == [(1, 24, "gelb"), (2, 26, "gelb")]

    # version 1 stays readable, unchanged
    v1 = _text(oe.get(f"/selbstcheck/{sc_id}/fassung/1").get_data(as_text=True))
    assert "Fassung 1" in v1 and "Gesamt 8 bis 40 Punkte möglich 24" in v1
    assert "Mehrsprachige Aushänge im Wartebereich" in v1

    # version 2 marks what changed (old → new), and only that
    v2_html = oe.get(f"/selbstcheck/{sc_id}/fassung/2").get_data(as_text=True)
    v2 = _text(v2_html)
    assert "geändert: stimme teilweise zu (3) → stimme voll zu (5)" in v2
    assert "geändert: Mehrsprachige Aushänge im Wartebereich → Dolmetschpool bekannt machen" in v2
    assert v2_html.count('class="geaendert"') == 2
    assert v2.count("unverändert") == 14 - 2  # 8 statements, 5 texts and areas, the date

    # history: who, when, why
    steps = db.execute(select(WorkflowEvent.from_state, WorkflowEvent.to_state, WorkflowEvent.comment)
                       .where(WorkflowEvent.subject_type == "selbstcheck", WorkflowEvent.subject_id == sc_id)
                       .order_by(WorkflowEvent.id)).all()
    assert [tuple(s) for s in steps] == [
        ("draft", "submitted", "Fassung 1: 24 Punkte, Gelb"),
        ("submitted", "returned", "Aussage 2: Bitte die Dolmetschdienste nennen."),
        ("returned", "submitted", "Fassung 2: 26 Punkte, Gelb"),
    ]

    assert _review(office, sc_id, "annehmen").status_code == 302
    db.expire_all()
    assert db.get(Selbstcheck, sc_id).state == "accepted"
    # accepted is final: the OE can no longer save
    assert oe.get(f"/selbstcheck/{sc_id}/bearbeiten").status_code == 302
    token = csrf_token_from(oe.get(f"/selbstcheck/{sc_id}").get_data(as_text=True))
    response = oe.post(f"/selbstcheck/{sc_id}/bearbeiten", data={"csrf_token": token, "bearbeitungsstand": "1", "aktion": "einreichen", **fill.payload((1,) * 8)})
    assert response.status_code == 409
    db.expire_all()
    assert [(v.number, v.total) for v in db.get(Selbstcheck, sc_id).versions] == [(1, 24), (2, 26)]
    assert db.get(Selbstcheck, sc_id).state == "accepted"
    assert db.scalar(select(AuditEvent.action).where(AuditEvent.action == "selbstcheck_accepted")) == "selbstcheck_accepted"


def test_a_submitted_selbstcheck_cannot_be_saved_again(client, login_as, db):
    login_as("oe_verantwortliche", oe="Amt 50")
    sc_id = fill.start(client)
    token, count = fill.edit_page(client, sc_id)
    assert client.post(f"/selbstcheck/{sc_id}/bearbeiten", data={
        "csrf_token": token, "bearbeitungsstand": count, "aktion": "einreichen", **fill.payload((2,) * 8)}).status_code == 302
    response = client.post(f"/selbstcheck/{sc_id}/bearbeiten", data={
        "csrf_token": token, "bearbeitungsstand": count, "aktion": "einreichen", **fill.payload((5,) * 8, naechste_schritte="Neu getippt")})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Dieser Selbstcheck wurde inzwischen eingereicht und kann nicht mehr geändert werden." in html
    assert "Neu getippt</textarea>" in html  # nothing typed is lost
    assert client.get(f"/selbstcheck/{sc_id}/bearbeiten").headers["Location"].endswith(f"/selbstcheck/{sc_id}")
    db.expire_all()
    assert [(v.number, v.total) for v in db.get(Selbstcheck, sc_id).versions] == [(1, 16)]


def test_submitted_versions_are_immutable(client, login_as, db):
    import pytest

    from portal.models.selbstcheck import ImmutableVersionError

    login_as("oe_verantwortliche", oe="Amt 50")
    sc_id = fill.start(client)
    assert fill.post(client, sc_id, fill.payload((2,) * 8)).status_code == 302
    version = db.scalar(select(SelbstcheckVersion).where(SelbstcheckVersion.selbstcheck_id == sc_id))
    version.total = 40
    with pytest.raises(ImmutableVersionError):
        db.flush()
    db.rollback()
    version = db.scalar(select(SelbstcheckVersion).where(SelbstcheckVersion.selbstcheck_id == sc_id))
    db.delete(version)
    with pytest.raises(ImmutableVersionError):
        db.flush()
    db.rollback()


def test_a_decision_on_an_outdated_version_is_refused(app, login_as, db):
    oe, office = app.test_client(), app.test_client()
    login_as("oe_verantwortliche", oe="Amt 50", username="oe50", test_client=oe)
    login_as("integrationsbuero", oe="INAUSLB", username="ib", test_client=office)
    sc_id = fill.start(oe)
    assert fill.post(oe, sc_id, fill.payload((3,) * 8)).status_code == 302
    assert _review(office, sc_id, "zurueckgeben", "Bitte ergänzen.").status_code == 302
    assert fill.post(oe, sc_id, fill.payload((4,) * 8)).status_code == 302
    # the office still has version 1 on screen
    response = _review(office, sc_id, "annehmen", seen="1")
    assert response.status_code == 409
    assert "Inzwischen liegt Fassung 2 vor. Bitte sehen Sie sich diese an und entscheiden Sie dann." in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Selbstcheck, sc_id).state == "submitted"
    assert _review(office, sc_id, "annehmen").status_code == 302
