"""Portal Aktionsplan Integration — the application factory.

Reads like a table of contents: configuration, storage, security, features.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from portal import config as config_module

# Main navigation: (endpoint, label, roles that see it; empty = everyone signed in).
# Entries whose endpoint does not exist are left out.
NAVIGATION: list[tuple[str, str, tuple[str, ...]]] = [
    ("selbstcheck.index", "Selbstcheck", ("oe_verantwortliche",)),
    ("selbstcheck.overview", "Selbstcheck-Übersicht", ("integrationsbuero", "admin")),
    ("measures.mine", "Meine Maßnahmen", ("oe_verantwortliche",)),
    ("measures.review_queue", "Maßnahmenberichte prüfen", ("integrationsbuero",)),
    ("measures.periods", "Berichtszeiträume", ("integrationsbuero", "ag_leitung", "admin")),
    ("measures.catalogue_list", "Maßnahmenkatalog", ()),
    ("trainings.mine", "Meine Schulungen", ()),
    ("trainings.roster", "Zielgruppenliste", ("fortbildungsbeauftragte", "integrationsbuero")),
    ("trainings.queue", "Nachweise prüfen", ("integrationsbuero",)),
    ("trainings.table", "Auswertungstabelle", ("fortbildungsbeauftragte", "integrationsbuero", "personalamt")),
    ("review.queue", "Prüfliste", ("integrationsbuero",)),
    ("review.dossiers", "Dossiers", ("integrationsbuero", "oe_verantwortliche", "fortbildungsbeauftragte")),
    ("gremien.index", "Gremien", ()),
    ("bericht.index", "Bericht an den Stadtrat", ("integrationsbuero",)),
]

# Sections of the start page (templates included in order; each checks its own role).
START_SECTIONS: list[str] = [
    "selbstcheck/_start_section.html",
    "measures/_start_section.html",
    "trainings/_start_section.html",
    "review/_start_section.html",
    "gremien/_start_section.html",
]


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    _load_config(app, test_config)

    from portal import db, security

    db.init_app(app)
    security.init_app(app)

    from portal.admin import bp as admin_bp
    from portal.auth import bp as auth_bp
    from portal.selbstcheck import bp as selbstcheck_bp
    from portal.measures import bp as measures_bp
    from portal.start import bp as start_bp
    from portal.trainings import bp as trainings_bp
    from portal.review import bp as review_bp
    from portal.gremien import bp as gremien_bp
    from portal.bericht import bp as bericht_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(start_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(selbstcheck_bp)
    app.register_blueprint(measures_bp)
    app.register_blueprint(trainings_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(gremien_bp)
    app.register_blueprint(bericht_bp)

    app.config["NAVIGATION"] = NAVIGATION
    app.config["START_SECTIONS"] = START_SECTIONS

    from portal import errors, cli, templating

    errors.init_app(app)
    templating.init_app(app)
    cli.init_app(app)

    security.check_every_view_has_a_rule(app)
    return app


def _load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    app.config.from_mapping(config_module.defaults())
    instance = Path(app.instance_path)
    instance_file = instance / "config.py"
    if instance_file.exists():
        app.config.from_pyfile(str(instance_file))
    app.config.update(config_module.from_environment(app.config))
    if test_config:
        app.config.update(test_config)

    if app.config["LDAP_URL"] == "demo":
        from portal.auth.demo import demo_settings

        for key, value in demo_settings().items():
            if key == "ROLE_MAP" and app.config.get("ROLE_MAP"):
                continue
            if key != "ROLE_MAP" and os.environ.get(f"PORTAL_{key}"):
                continue
            app.config[key] = value

    if not app.config.get("DATABASE_URL"):
        instance.mkdir(parents=True, exist_ok=True)
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'portal.sqlite3'}"
    if not app.config.get("UPLOAD_DIR"):
        app.config["UPLOAD_DIR"] = str(instance / "uploads")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance)
    app.config["MAX_CONTENT_LENGTH"] = (int(app.config["MAX_UPLOAD_MB"]) + 1) * 1024 * 1024
    app.config["PERMANENT_SESSION_LIFETIME"] = int(app.config["SESSION_MAX_HOURS"]) * 3600
    # a long form must not lose its content: the CSRF token lives as long as the session
    app.config["WTF_CSRF_TIME_LIMIT"] = int(app.config["SESSION_MAX_HOURS"]) * 3600
    from portal.auth.roles import validate_role_map

    validate_role_map(app.config["ROLE_MAP"])


def _instance_secret(instance: Path) -> str:
    """A random key kept in the instance folder, so a trial needs no setup step."""
    instance.mkdir(parents=True, exist_ok=True)
    key_file = instance / "secret_key"
    if not key_file.exists():
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker was faster
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return key_file.read_text().strip()
