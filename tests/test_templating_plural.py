"""German plurals on pages: the number and the word in its form."""
from __future__ import annotations

from portal.templating import plural


def test_plural_uses_the_singular_only_for_one():
    assert plural(1, "Bericht", "Berichte") == "1 Bericht"
    assert plural(0, "Bericht", "Berichte") == "0 Berichte"
    assert plural(2, "Entwurf ist", "Entwürfe sind") == "2 Entwürfe sind"
    assert plural(None, "Eintrag", "Einträge") == "0 Einträge"
    assert plural(12000, "Zeile", "Zeilen") == "12.000 Zeilen"  # German digits


def test_plural_is_a_template_filter(app):
    with app.app_context():
        template = app.jinja_env.from_string("{{ n|plural('Maßnahme', 'Maßnahmen') }}")
        assert [template.render(n=n) for n in (1, 3)] == ["1 Maßnahme", "3 Maßnahmen"]


def test_pages_say_one_in_the_singular(client, db, login_as, make_user):
    import re

    from sqlalchemy import delete, func, select

    from portal.models.audit import AuditEvent
    from portal import audit

    login_as("admin", username="verwaltung")
    db.execute(delete(AuditEvent))
    audit.record(db, "probe", object_type="Probe")
    db.commit()
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == 1
    page = client.get("/admin/protokoll").get_data(as_text=True)
    assert re.search(r"<caption>1 Eintrag, neueste zuerst</caption>", page), page[page.find("<caption"):][:120]
    assert "(1 Eintrag)" in client.get("/admin/").get_data(as_text=True)
