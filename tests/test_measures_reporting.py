"""OE status reports: "Meine Maßnahmen", drafts, submit, unverändert, closed periods, other OEs."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from portal.models.measure import MeasureReport, MeasureReportVersion, MeasureRow
from portal.models.org import OrgUnit
from portal.models.workflow import WorkflowEvent
from tests.measures_support import (
    accepted_report,
    expected_keys,
    make_period,
    report_links,
    row_key,
    row_of,
    stand_from,
)


def unit(db, code):
    return db.scalars(select(OrgUnit).where(OrgUnit.code == code)).one()


def count_reports(db):
    db.expire_all()
    return db.scalar(select(func.count()).select_from(MeasureReport))


def test_oe_sees_exactly_the_parts_it_leads(client, db, login_as):
    period = make_period(db, "Abschlussbericht 2026", date(2026, 12, 31), True)
    for code in ("Amt 51", "EB 52", "INAUSLB"):
        login_as("oe_verantwortliche", oe=code)
        html = client.get("/measures/meine").get_data(as_text=True)
        ids = report_links(html, period.id)
        keys = {row_key(db.get(MeasureRow, i)) for i in ids}
        assert keys == expected_keys(code), code
        assert f"Maßnahmen, für die {code} federführend ist ({len(ids)})" in html
    # Amt 51: 15 named parts + 7 rows led by "alle Ämter und Eigenbetriebe"
    assert len(expected_keys("Amt 51")) == 22
    assert ("vielfalt", "Religiöse Vielfalt", 2, 1) in expected_keys("Amt 51")
    # EB 52 also leads the two rows of "alle Eigenbetriebe"
    assert {("verwaltung", "", 5, 1), ("verwaltung", "", 21, 1), ("gesundheit-sport", "Sport", 5, 1)} <= expected_keys("EB 52")
    # INAUSLB is a Stabsstelle: only its named parts, among them extra part 2 of Wohnen 3
    assert ("wohnen", "", 3, 2) in expected_keys("INAUSLB") and ("wohnen", "", 3, 1) not in expected_keys("INAUSLB")


def test_a_retired_amt_no_longer_leads_alle_aemter_rows(client, db, login_as):
    make_period(db, "Abschlussbericht 2026", date(2026, 12, 31), True)
    login_as("oe_verantwortliche", oe="Amt 65")
    amt = unit(db, "Amt 65")
    # one named part + 7 rows of "alle Ämter und Eigenbetriebe"
    assert "Maßnahmen, für die Amt 65 federführend ist (8)" in client.get("/measures/meine").get_data(as_text=True)
    amt.retired_on = date(2025, 1, 1)
    db.commit()
    assert "Maßnahmen, für die Amt 65 federführend ist (1)" in client.get("/measures/meine").get_data(as_text=True)


def post_report(client, csrf, period, row, **data):
    page = client.get(f"/measures/bericht/{period.id}/{row.id}").get_data(as_text=True)
    token = csrf(f"/measures/bericht/{period.id}/{row.id}")
    stand = stand_from(page) if 'name="stand"' in page else ""
    form = {"csrf_token": token, "stand": stand, "clarification_needed": "nein", "progress": "", "next_steps": "", **data}
    return client.post(f"/measures/bericht/{period.id}/{row.id}", data=form)


def test_draft_then_submit_keeps_a_version(client, db, login_as, csrf):
    period = make_period(db, "Abschlussbericht 2026", date(2026, 12, 31), True)
    row = row_of(db, "jugendhilfe", 7)
    login_as("oe_verantwortliche", oe="Amt 51")
    response = post_report(client, csrf, period, row, light="in_umsetzung", progress="Erste Kurse laufen.", aktion="entwurf")
    assert response.status_code == 302
    report = db.scalars(select(MeasureReport)).one()
    assert (report.state, report.light, report.progress, report.versions) == ("draft", "in_umsetzung", "Erste Kurse laufen.", [])
    response = post_report(client, csrf, period, row, light="umgesetzt", clarification_needed="ja", progress="Fertig.",
                           next_steps="Verstetigen.", aktion="einreichen")
    assert response.status_code == 302
    db.expire_all()
    report = db.scalars(select(MeasureReport)).one()
    assert (report.state, report.light, report.clarification_needed) == ("submitted", "umgesetzt", True)
    (version,) = report.versions
    assert (version.version, version.light, version.progress, version.next_steps) == (1, "umgesetzt", "Fertig.", "Verstetigen.")
    # a submitted report cannot be changed any more
    response = post_report(client, csrf, period, row, light="offen", aktion="einreichen", progress="anders")
    assert response.status_code == 302
    assert "Der Bericht ist schon eingereicht und kann nicht mehr geändert werden." in client.get("/measures/meine").get_data(as_text=True)
    db.expire_all()
    assert db.scalars(select(MeasureReport)).one().progress == "Fertig."


def test_submit_without_light_is_refused_and_nothing_stored(client, db, login_as, csrf):
    period = make_period(db, "Abschlussbericht 2026", date(2026, 12, 31), True)
    row = row_of(db, "jugendhilfe", 7)
    login_as("oe_verantwortliche", oe="Amt 51")
    response = post_report(client, csrf, period, row, progress="ohne Ampel", aktion="einreichen")
    assert response.status_code == 200
    assert "Bitte wählen Sie den Erfüllungsstand (Ampel) aus." in response.get_data(as_text=True)
    assert count_reports(db) == 0


def test_report_into_a_closed_period_is_refused(client, db, login_as, csrf):
    period = make_period(db, "Zwischenbericht 2024", date(2024, 12, 31), False)
    row = row_of(db, "jugendhilfe", 7)
    login_as("oe_verantwortliche", oe="Amt 51")
    response = post_report(client, csrf, period, row, light="offen", aktion="einreichen")
    assert response.status_code == 302
    page = client.get("/measures/meine").get_data(as_text=True)
    assert "Der Berichtszeitraum „Zwischenbericht 2024“ ist geschlossen. Es wurde nichts gespeichert." in page
    assert count_reports(db) == 0
    token = csrf("/measures/meine")
    assert client.post(f"/measures/bericht/{period.id}/{row.id}/unveraendert", data={"csrf_token": token}).status_code == 302
    assert count_reports(db) == 0


def test_another_oes_part_and_guessed_ids_are_404(client, db, login_as, csrf):
    period = make_period(db, "Abschlussbericht 2026", date(2026, 12, 31), True)
    foreign = row_of(db, "schulische-bildung", 1)  # Amt 40 alone
    extra = row_of(db, "wohnen", 3, position=2)  # INAUSLB leads part 2, Amt 50 the main row
    login_as("oe_verantwortliche", oe="Amt 51")
    token = csrf("/measures/meine")
    for row_id in (foreign.id, extra.id, 999999):
        assert client.get(f"/measures/bericht/{period.id}/{row_id}").status_code == 404
        data = {"csrf_token": token, "light": "offen", "clarification_needed": "nein", "aktion": "einreichen"}
        assert client.post(f"/measures/bericht/{period.id}/{row_id}", data=data).status_code == 404
        assert client.post(f"/measures/bericht/{period.id}/{row_id}/unveraendert", data={"csrf_token": token}).status_code == 404
    assert client.get(f"/measures/bericht/999999/{row_of(db, 'jugendhilfe', 7).id}").status_code == 404
    # Amt 50 leads the main row of Wohnen 3 but not its part 2
    login_as("oe_verantwortliche", oe="Amt 50")
    assert client.get(f"/measures/bericht/{period.id}/{row_of(db, 'wohnen', 3).id}").status_code == 200
    assert client.get(f"/measures/bericht/{period.id}/{extra.id}").status_code == 404
    # without the role
    login_as("beschaeftigte", oe="Amt 51")
    assert client.get(f"/measures/bericht/{period.id}/{row_of(db, 'jugendhilfe', 7).id}").status_code == 403
    assert count_reports(db) == 0


def test_prefill_from_last_accepted_and_one_click_unchanged(client, db, login_as, csrf):
    old = make_period(db, "Zwischenbericht 2024", date(2024, 12, 31), False)
    new = make_period(db, "Abschlussbericht 2026", date(2026, 12, 31), True)
    row = row_of(db, "jugendhilfe", 7)
    amt51 = unit(db, "Amt 51")
    accepted_report(db, old, row, amt51, "in_umsetzung", clarification=True, progress="Projekt läuft seit 2023.",
                    next_steps="Auswertung 2025.")
    login_as("oe_verantwortliche", oe="Amt 51")
    html = client.get(f"/measures/bericht/{new.id}/{row.id}").get_data(as_text=True)
    assert "Vorausgefüllt mit dem angenommenen Bericht aus „Zwischenbericht 2024“." in html
    assert "Projekt läuft seit 2023.</textarea>" in html
    assert 'checked id="light-1" name="light" type="radio" value="in_umsetzung">' in html
    assert 'checked id="clarification_needed-1" name="clarification_needed" required type="radio" value="ja">' in html
    token = csrf("/measures/meine")
    response = client.post(f"/measures/bericht/{new.id}/{row.id}/unveraendert", data={"csrf_token": token})
    assert response.status_code == 302
    db.expire_all()
    report = db.scalars(select(MeasureReport).where(MeasureReport.period_id == new.id)).one()
    assert (report.state, report.light, report.clarification_needed, report.progress, report.unchanged) == (
        "submitted", "in_umsetzung", True, "Projekt läuft seit 2023.", True)
    assert report.versions[0].unchanged is True
    # without an earlier accepted report there is nothing to confirm
    other = row_of(db, "jugendhilfe", 1)
    client.post(f"/measures/bericht/{new.id}/{other.id}/unveraendert", data={"csrf_token": token})
    assert "Es gibt keinen angenommenen Bericht aus einem früheren Zeitraum" in client.get("/measures/meine").get_data(as_text=True)
    assert count_reports(db) == 2  # the old accepted one and the confirmed one


def test_submit_all_submits_drafts_with_a_light(client, db, login_as, csrf):
    period = make_period(db, "Abschlussbericht 2026", date(2026, 12, 31), True)
    login_as("oe_verantwortliche", oe="Amt 51")
    post_report(client, csrf, period, row_of(db, "jugendhilfe", 7), light="offen", aktion="entwurf")
    post_report(client, csrf, period, row_of(db, "jugendhilfe", 6), light="umgesetzt", progress="Fertig.", aktion="entwurf")
    post_report(client, csrf, period, row_of(db, "jugendhilfe", 5), aktion="entwurf")
    post_report(client, csrf, period, row_of(db, "jugendhilfe", 1), light="umgesetzt", aktion="entwurf")  # no Sachstand
    token = csrf("/measures/meine")
    client.post("/measures/meine/einreichen", data={"csrf_token": token})
    page = client.get("/measures/meine").get_data(as_text=True)
    assert ("2 Berichte eingereicht. 2 Entwürfe sind noch nicht eingereicht: Es fehlt die Ampel oder, bei „umgesetzt“, "
            "der Sachstand.") in page
    db.expire_all()
    states = sorted(db.scalars(select(MeasureReport.state)).all())
    assert states == ["draft", "draft", "submitted", "submitted"]
    assert db.scalar(select(func.count()).select_from(MeasureReportVersion)) == 2


def test_done_without_progress_is_refused_and_the_input_kept(client, db, login_as, csrf):
    """„umgesetzt“ says what was done: without a Sachstand it cannot be submitted (a draft can
    be saved). The form comes back with the German message and everything that was typed."""
    period = make_period(db, "Abschlussbericht 2026", date(2026, 12, 31), True)
    login_as("oe_verantwortliche", oe="Amt 51")
    row = row_of(db, "jugendhilfe", 7)
    response = post_report(client, csrf, period, row, light="umgesetzt", clarification_needed="ja", progress="  \r\n ",
                           next_steps="Verstetigen.", aktion="einreichen")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert ('<a href="#progress">Sachstand: Bitte beschreiben Sie im Sachstand, was umgesetzt wurde: Ein Bericht '
            "„umgesetzt“ braucht einen Sachstand.</a>") in page
    assert 'aria-invalid="true"' in page[page.index('id="progress"') - 200:page.index('id="progress"') + 200]
    assert 'checked id="light-2"' in page and "Verstetigen.</textarea>" in page
    assert count_reports(db) == 0
    # the same as a draft is fine; "in Umsetzung" without a Sachstand may be submitted
    assert post_report(client, csrf, period, row, light="umgesetzt", aktion="entwurf").status_code == 302
    assert post_report(client, csrf, period, row_of(db, "jugendhilfe", 6), light="in_umsetzung", aktion="einreichen").status_code == 302
    db.expire_all()
    assert sorted(db.scalars(select(MeasureReport.state)).all()) == ["draft", "submitted"]


def test_review_return_resubmit_accept_keeps_versions(client, db, login_as, csrf, make_user):
    period = make_period(db, "Abschlussbericht 2026", date(2026, 12, 31), True)
    row = row_of(db, "jugendhilfe", 7)
    oe_user = make_user(username="oe51", roles=("oe_verantwortliche",), oe="Amt 51")
    office = make_user(username="buero", roles=("integrationsbuero",), oe="INAUSLB")
    login_as(user=oe_user)
    post_report(client, csrf, period, row, light="offen", progress="Noch nichts.", aktion="einreichen")
    report = db.scalars(select(MeasureReport)).one()

    login_as(user=office)
    assert f"/measures/pruefung/{report.id}" in client.get("/measures/pruefung").get_data(as_text=True)
    token = csrf(f"/measures/pruefung/{report.id}")
    response = client.post(f"/measures/pruefung/{report.id}", data={"csrf_token": token, "aktion": "zurueckgeben", "comment": ""})
    assert "Bitte geben Sie eine Begründung an." in response.get_data(as_text=True)
    client.post(f"/measures/pruefung/{report.id}", data={"csrf_token": token, "aktion": "zurueckgeben", "comment": "Bitte Sachstand ergänzen."})
    db.expire_all()
    assert db.get(MeasureReport, report.id).state == "returned"

    login_as(user=oe_user)
    assert "Bitte Sachstand ergänzen." in client.get("/measures/meine").get_data(as_text=True)
    post_report(client, csrf, period, row, light="in_umsetzung", progress="Kurse geplant.", aktion="einreichen")

    login_as(user=office)
    token = csrf(f"/measures/pruefung/{report.id}")
    client.post(f"/measures/pruefung/{report.id}", data={"csrf_token": token, "aktion": "annehmen", "comment": ""})
    db.expire_all()
    report = db.get(MeasureReport, report.id)
    assert (report.state, report.light) == ("accepted", "in_umsetzung")
    assert [(v.version, v.light, v.progress) for v in report.versions] == [(1, "offen", "Noch nichts."), (2, "in_umsetzung", "Kurse geplant.")]
    steps = db.scalars(select(WorkflowEvent.to_state).where(WorkflowEvent.subject_type == "measure_report",
                                                            WorkflowEvent.subject_id == report.id).order_by(WorkflowEvent.id)).all()
    assert steps == ["submitted", "returned", "submitted", "accepted"]


def test_review_is_for_the_office_only_and_reports_stay_in_their_oe(client, db, login_as, csrf, make_user):
    period = make_period(db, "Abschlussbericht 2026", date(2026, 12, 31), True)
    report = accepted_report(db, period, row_of(db, "jugendhilfe", 7), unit(db, "Amt 51"), "offen")
    report.state = "submitted"
    db.commit()
    login_as("oe_verantwortliche", oe="Amt 40")
    assert client.get(f"/measures/pruefung/{report.id}").status_code == 404
    assert client.get("/measures/pruefung").status_code == 403
    login_as("oe_verantwortliche", oe="Amt 51")
    assert client.get(f"/measures/pruefung/{report.id}").status_code == 200
    token = csrf(f"/measures/pruefung/{report.id}")
    assert client.post(f"/measures/pruefung/{report.id}", data={"csrf_token": token, "aktion": "annehmen"}).status_code == 403
    login_as("ag_leitung:AG2", oe="Amt 10")  # Kinder- und Jugendhilfe belongs to AG 2
    assert client.get(f"/measures/pruefung/{report.id}").status_code == 200
    login_as("ag_leitung:AG1", oe="Amt 10")
    assert client.get(f"/measures/pruefung/{report.id}").status_code == 404
    db.expire_all()
    assert db.get(MeasureReport, report.id).state == "submitted"


def test_periods_created_opened_and_closed_by_the_office(client, db, login_as, csrf):
    login_as("integrationsbuero", oe="INAUSLB")
    token = csrf("/measures/zeitraeume")
    response = client.post("/measures/zeitraeume", data={"csrf_token": token, "name": "Zwischenbericht 2025", "cutoff_on": "31.12.2025"})
    assert response.status_code == 302
    response = client.post("/measures/zeitraeume", data={"csrf_token": token, "name": "Abschlussbericht 2026", "cutoff_on": "31.02.2026"})
    assert "Bitte geben Sie den Stichtag als Datum an (TT.MM.JJJJ)." in response.get_data(as_text=True)
    client.post("/measures/zeitraeume", data={"csrf_token": token, "name": "Abschlussbericht 2026", "cutoff_on": "31.12.2026"})
    from portal.models.measure import ReportingPeriod

    first, second = db.scalars(select(ReportingPeriod).order_by(ReportingPeriod.id)).all()
    assert (first.name, first.cutoff_on, first.is_open) == ("Zwischenbericht 2025", date(2025, 12, 31), False)
    client.post(f"/measures/zeitraeume/{first.id}/oeffnen", data={"csrf_token": token})
    client.post(f"/measures/zeitraeume/{second.id}/oeffnen", data={"csrf_token": token})
    page = client.get("/measures/zeitraeume").get_data(as_text=True)
    assert "Es ist schon ein Berichtszeitraum offen: „Zwischenbericht 2025“. Bitte schließen Sie ihn zuerst." in page
    client.post(f"/measures/zeitraeume/{first.id}/schliessen", data={"csrf_token": token})
    client.post(f"/measures/zeitraeume/{second.id}/oeffnen", data={"csrf_token": token})
    db.expire_all()
    assert [(p.name, p.is_open) for p in db.scalars(select(ReportingPeriod).order_by(ReportingPeriod.id))] == [
        ("Zwischenbericht 2025", False), ("Abschlussbericht 2026", True)]

    login_as("oe_verantwortliche", oe="Amt 51")
    token = csrf("/measures/meine")
    assert client.post("/measures/zeitraeume", data={"csrf_token": token, "name": "X", "cutoff_on": "31.12.2027"}).status_code == 403
    assert client.post(f"/measures/zeitraeume/{second.id}/schliessen", data={"csrf_token": csrf('/measures/meine')}).status_code == 403


def test_review_queue_oldest_first_with_filters(client, db, login_as):
    period = make_period(db, "Abschlussbericht 2026", date(2026, 12, 31), True)
    for code, field, number in (("Amt 51", "jugendhilfe", 7), ("Amt 50", "sprache", 3), ("Amt 51", "jugendhilfe", 6)):
        report = accepted_report(db, period, row_of(db, field, number), unit(db, code), "offen")
        report.state = "submitted"
        db.commit()
    login_as("integrationsbuero", oe="INAUSLB")
    html = client.get("/measures/pruefung").get_data(as_text=True)
    assert "Eingereichte Berichte, älteste zuerst (3)" in html
    html = client.get("/measures/pruefung?oe=amt+51").get_data(as_text=True)
    assert "Eingereichte Berichte, älteste zuerst (2)" in html
    assert html.index("6.7 ") < html.index("6.6 ")
    html = client.get(f"/measures/pruefung?zeitraum={period.id}&oe=Amt+40").get_data(as_text=True)
    assert "Eingereichte Berichte, älteste zuerst (0)" in html and "Es gibt keine eingereichten Berichte." in html


def test_start_page_and_navigation_lead_to_the_measures(client, db, login_as):
    login_as("oe_verantwortliche", oe="Amt 51")
    html = client.get("/").get_data(as_text=True)
    assert '<a href="/measures/meine">Meine Maßnahmen: Stand berichten</a>' in html
    assert '<a href="/measures/meine">Meine Maßnahmen</a>' in html
    assert "Maßnahmenberichte prüfen" not in html
    assert "Zurzeit ist kein Berichtszeitraum offen." in client.get("/measures/meine").get_data(as_text=True)
    login_as("integrationsbuero", oe="INAUSLB")
    html = client.get("/").get_data(as_text=True)
    assert '<a href="/measures/pruefung">Eingereichte Maßnahmenberichte prüfen</a>' in html
    assert '<a href="/measures/zeitraeume">Berichtszeiträume</a>' in html
    login_as("beschaeftigte", oe="Amt 51")
    html = client.get("/").get_data(as_text=True)
    assert "measures-start-title" not in html and '<a href="/measures/">Maßnahmenkatalog</a>' in html


def test_cli_report_for_an_unknown_period_fails_in_german(runner, tmp_path):
    result = runner.invoke(args=["report", "measures", "--period", "999999", "--format", "xlsx", "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 1
    assert result.output.strip() == "Einen Berichtszeitraum mit der Nummer 999999 gibt es nicht."
    assert not (tmp_path / "x.xlsx").exists()


def test_a_stale_form_does_not_overwrite_a_newer_draft(client, db, login_as, csrf):
    period = make_period(db, "Abschlussbericht 2026", date(2026, 12, 31), True)
    row = row_of(db, "jugendhilfe", 7)
    login_as("oe_verantwortliche", oe="Amt 51")
    old_page = client.get(f"/measures/bericht/{period.id}/{row.id}").get_data(as_text=True)
    post_report(client, csrf, period, row, light="in_umsetzung", progress="Kollegin war schneller.", aktion="entwurf")
    token = csrf("/measures/meine")
    response = client.post(f"/measures/bericht/{period.id}/{row.id}", data={
        "csrf_token": token, "stand": stand_from(old_page), "light": "offen", "clarification_needed": "nein",
        "progress": "Veraltete Eingabe", "next_steps": "", "aktion": "entwurf"})
    # the form comes back with what was typed, the saved version beside it, nothing overwritten
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Jemand anderes hat diesen Bericht inzwischen geändert." in html
    assert "Veraltete Eingabe</textarea>" in html and "Kollegin war schneller." in html
    db.expire_all()
    assert db.scalars(select(MeasureReport)).one().progress == "Kollegin war schneller."
    # saving again after seeing both versions replaces the saved one on purpose
    response = client.post(f"/measures/bericht/{period.id}/{row.id}", data={
        "csrf_token": token, "stand": stand_from(html), "light": "offen", "clarification_needed": "nein",
        "progress": "Veraltete Eingabe, geprüft", "next_steps": "", "aktion": "entwurf"})
    assert response.status_code == 302
    db.expire_all()
    assert db.scalars(select(MeasureReport)).one().progress == "Veraltete Eingabe, geprüft"


def test_earlier_periods_stay_readable_for_the_oe(client, db, login_as):
    old = make_period(db, "Zwischenbericht 2024", date(2024, 12, 31), False)
    make_period(db, "Abschlussbericht 2026", date(2026, 12, 31), True)
    row = row_of(db, "jugendhilfe", 7)
    accepted_report(db, old, row, unit(db, "Amt 51"), "in_umsetzung", progress="Stand 2024.")
    login_as("oe_verantwortliche", oe="Amt 51")
    page = client.get("/measures/meine").get_data(as_text=True)
    assert f'<a href="/measures/meine?zeitraum={old.id}">Zwischenbericht 2024</a>' in page
    page = client.get(f"/measures/meine?zeitraum={old.id}").get_data(as_text=True)
    assert "Stichtag 31.12.2024 – geschlossen, nur zum Lesen." in page
    assert "Alle gespeicherten Entwürfe einreichen" not in page and "unverändert bestätigen" not in page
    assert f'href="/measures/bericht/{old.id}/{row.id}">Bericht ansehen' in page
    report_page = client.get(f"/measures/bericht/{old.id}/{row.id}").get_data(as_text=True)
    assert "Stand 2024." in report_page and "<textarea" not in report_page
    assert client.get("/measures/meine?zeitraum=999999").status_code == 404
