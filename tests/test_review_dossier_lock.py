"""The ZIP of all dossiers must not keep SQLite's write lock while it renders (each render
takes a while; meanwhile every form in the portal would wait or fail)."""
from __future__ import annotations

import sqlite3

from sqlalchemy import select

from portal import create_app, migrate, reference
from portal.models.org import OrgUnit
from portal.models.people import User, UserRole
from portal.review import dossier
from tests.conftest import BASE_CONFIG


def test_rendering_a_dossier_leaves_the_database_writable(tmp_path, monkeypatch):
    path = tmp_path / "zip.sqlite3"
    app = create_app({**BASE_CONFIG, "DATABASE_URL": f"sqlite:///{path}", "UPLOAD_DIR": str(tmp_path)})
    with app.app_context():
        migrate.upgrade(app)
        db = app.extensions["portal.db"].new_session()
        try:
            reference.load_all(db)
            office = User(external_id="zip-ib", dn="uid=ib", username="ib", display_name="Ina Büro",
                          role_grants=[UserRole(role="integrationsbuero", scope="")])
            db.add(office)
            db.commit()
            units = list(db.scalars(select(OrgUnit).where(OrgUnit.code.in_(["Amt 50", "Amt 51"])).order_by(OrgUnit.code)))
            db.commit()
            locked: list[str] = []
            original = dossier.render_xlsx

            def render_xlsx(d):  # noqa: ANN001, ANN202 - a second writer tries while this dossier renders
                other = sqlite3.connect(path, timeout=0)
                try:
                    other.execute("BEGIN IMMEDIATE")
                    other.rollback()
                except sqlite3.OperationalError:
                    locked.append(d.unit.code)
                finally:
                    other.close()
                return original(d)

            monkeypatch.setattr(dossier, "render_xlsx", render_xlsx)
            data = dossier.build_zip(db, office, units, lambda done, total: db.commit())
            assert data.startswith(b"PK")
            assert locked == []
        finally:
            db.close()
            app.extensions["portal.db"].dispose()
