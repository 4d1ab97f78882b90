"""The same form sent twice (double click, reload, a second tab) stores nothing new and shows the
first result; a stale measure report keeps what was typed and shows both versions."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.models.training import Training
from tests.conftest import csrf_token_from
from tests.test_trainings_uploads import PDF, form_data

_KEY = re.compile(r'name="submission_key"[^>]*value="([0-9a-f]{32})"|value="([0-9a-f]{32})"[^>]*name="submission_key"')


@pytest.fixture
def employee(login_as, make_user):
    return login_as(user=make_user(username="lena", personnel_number="P-777", name="Lena Łukasz"))


def _trainings(db) -> int:
    return db.scalar(select(func.count()).select_from(Training))


def _form(client) -> tuple[str, str]:
    page = client.get("/trainings/nachweis/neu").get_data(as_text=True)
    match = _KEY.search(page)
    assert match, "Formular ohne Schlüssel"
    return csrf_token_from(page), match.group(1) or match.group(2)


def test_the_same_certificate_form_sent_twice_is_stored_once(client, db, employee):
    token, key = _form(client)
    first = client.post("/trainings/nachweis/neu", data=form_data(token, (PDF, "zertifikat.pdf"), submission_key=key),
                        content_type="multipart/form-data")
    assert first.status_code == 302
    second = client.post("/trainings/nachweis/neu", data=form_data(token, (PDF, "zertifikat.pdf"), submission_key=key),
                         content_type="multipart/form-data")
    assert second.status_code == 302 and second.headers["Location"] == first.headers["Location"]
    assert _trainings(db) == 1
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "Dieser Nachweis wurde bereits eingereicht" in page
    assert db.scalars(select(Training)).one().submission_key == key


def test_an_identical_certificate_from_a_second_tab_is_stored_once(client, db, employee):
    for _ in range(2):
        token, key = _form(client)  # two tabs: two forms, two keys
        response = client.post("/trainings/nachweis/neu", data=form_data(token, (PDF, "zertifikat.pdf"), submission_key=key),
                               content_type="multipart/form-data")
        assert response.status_code == 302
    assert _trainings(db) == 1
    # a different certificate (another date) is a new one
    token, key = _form(client)
    client.post("/trainings/nachweis/neu", data=form_data(token, (PDF, "zertifikat.pdf"), submission_key=key,
                                                          completed_on="15.03.2025"),
                content_type="multipart/form-data")
    assert _trainings(db) == 2


# --- measure reports -----------------------------------------------------------------------

def test_a_second_click_on_submit_says_already_submitted(client, db, login_as, csrf):
    from tests.measures_support import make_period, row_of

    period = make_period(db, "Abschlussbericht 2026", date(2026, 12, 31), True)
    row = row_of(db, "jugendhilfe", 7)
    login_as("oe_verantwortliche", oe="Amt 51")
    page = client.get(f"/measures/bericht/{period.id}/{row.id}").get_data(as_text=True)
    token = csrf_token_from(page)
    form = {"csrf_token": token, "stand": "", "light": "umgesetzt", "clarification_needed": "nein",
            "progress": "Fertig.", "next_steps": "", "aktion": "einreichen"}
    assert client.post(f"/measures/bericht/{period.id}/{row.id}", data=form).status_code == 302
    second = client.post(f"/measures/bericht/{period.id}/{row.id}", data=form)
    assert second.status_code == 302
    assert "Der Bericht wurde bereits eingereicht" in client.get(second.headers["Location"]).get_data(as_text=True)
    from portal.models.measure import MeasureReport, MeasureReportVersion

    db.expire_all()
    assert db.scalar(select(func.count()).select_from(MeasureReport)) == 1
    assert db.scalar(select(func.count()).select_from(MeasureReportVersion)) == 1


def test_two_submits_at_the_same_moment_on_postgresql(request, tmp_path):
    """Two requests read "no report yet" and both insert: the second one meets the unique key and
    gets the German message instead of a 500 (PostgreSQL, real concurrent transactions)."""
    import threading
    import time

    from sqlalchemy import create_engine, text

    from portal.models.measure import MeasureReport, MeasureReportVersion, ReportingPeriod
    from tests.measures_support import row_of
    from tests.support.live_server import DEMO_PASSWORD, build_app

    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.create_database("portal_double_submit")
    app = build_app(tmp_path, {"DATABASE_URL": url, "TESTING": True})
    try:
        with app.app_context():
            session = app.extensions["portal.db"].new_session()
            period = ReportingPeriod(name="Gleichzeitig 2026", cutoff_on=date(2026, 12, 31), is_open=True)
            session.add(period)
            session.commit()
            row = row_of(session, "jugendhilfe", 7)
            period_id, row_id = period.id, row.id
            session.close()
        url_path = f"/measures/bericht/{period_id}/{row_id}"
        clients = []
        for _ in range(2):
            c = app.test_client()
            token = csrf_token_from(c.get("/auth/anmelden").get_data(as_text=True))
            assert c.post("/auth/anmelden", data={"csrf_token": token, "username": "oe.jugendamt",
                                                  "password": DEMO_PASSWORD}).status_code == 302
            clients.append((c, csrf_token_from(c.get(url_path).get_data(as_text=True))))
        locker = create_engine(url).connect()
        locker.exec_driver_sql("BEGIN")
        locker.exec_driver_sql("LOCK TABLE measure_reports IN EXCLUSIVE MODE")  # reads pass, inserts wait
        answers: list = [None, None]

        def send(index: int) -> None:
            c, token = clients[index]
            answers[index] = c.post(url_path, data={
                "csrf_token": token, "stand": "", "light": "umgesetzt", "clarification_needed": "nein",
                "progress": f"Fertig ({index}).", "next_steps": "", "aktion": "einreichen"})

        threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        waiting = 0
        for _ in range(200):  # both requests have read "no report" and wait at their insert
            waiting = locker.execute(text(
                "SELECT count(*) FROM pg_locks WHERE relation = 'measure_reports'::regclass AND NOT granted")).scalar()
            if waiting >= 2:
                break
            time.sleep(0.05)
        assert waiting >= 2
        locker.exec_driver_sql("COMMIT")
        locker.close()
        for t in threads:
            t.join(timeout=60)
        assert sorted(a.status_code for a in answers) == [302, 302]
        pages = [c.get("/measures/meine").get_data(as_text=True) for c, _ in clients]
        assert sum("Der Bericht wurde eingereicht." in p for p in pages) == 1
        assert sum("Der Bericht wurde bereits eingereicht" in p for p in pages) == 1
        with app.app_context():
            session = app.extensions["portal.db"].new_session()
            report = session.scalars(select(MeasureReport).where(MeasureReport.period_id == period_id)).one()
            assert report.state == "submitted"
            assert session.scalar(select(func.count()).select_from(MeasureReportVersion)
                                  .where(MeasureReportVersion.report_id == report.id)) == 1
            session.close()
    finally:
        app.extensions["portal.db"].dispose()
        cluster.drop_database("portal_double_submit")
