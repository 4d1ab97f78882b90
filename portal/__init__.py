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

# Main navigation: (endpoint, label, roles that see it — empty = everyone signed in, group).
# Entries whose endpoint does not exist are left out. Groups in this order; "" = the person's own
# pages, shown first without a group name. Whoever sees only one group gets a flat list.
NAV_GROUPS = ["", "Prüfen", "Auswertungen", "Stammdaten", "Verwaltung"]
NAVIGATION: list[tuple[str, str, tuple[str, ...], str]] = [
    ("selbstcheck.index", "Selbstcheck", ("oe_verantwortliche",), ""),
    ("measures.mine", "Meine Maßnahmen", ("oe_verantwortliche",), ""),
    ("trainings.mine", "Meine Schulungen", (), ""),
    ("review.queue", "Prüfliste", ("integrationsbuero",), "Prüfen"),
    ("trainings.queue", "Nachweise prüfen", ("integrationsbuero",), "Prüfen"),
    ("measures.review_queue", "Maßnahmenberichte prüfen", ("integrationsbuero",), "Prüfen"),
    ("selbstcheck.overview", "Selbstcheck-Übersicht", ("integrationsbuero", "admin"), "Auswertungen"),
    ("trainings.table", "Auswertungstabelle", ("fortbildungsbeauftragte", "integrationsbuero", "personalamt"), "Auswertungen"),
    ("review.dossiers", "Dossiers", ("integrationsbuero", "oe_verantwortliche", "fortbildungsbeauftragte"), "Auswertungen"),
    ("bericht.index", "Bericht an den Stadtrat", ("integrationsbuero",), "Auswertungen"),
    ("measures.catalogue_list", "Maßnahmenkatalog", (), "Stammdaten"),
    ("trainings.roster", "Zielgruppenliste", ("fortbildungsbeauftragte", "integrationsbuero"), "Stammdaten"),
    ("gremien.index", "Gremien", (), "Stammdaten"),
    ("measures.periods", "Berichtszeiträume", ("integrationsbuero", "ag_leitung", "admin"), "Verwaltung"),
    ("admin.index", "Verwaltung", ("admin",), "Verwaltung"),
]

# Sections of the start page (templates included in order; each checks its own role).
START_SECTIONS: list[str] = [
    "selbstcheck/_start_section.html",
    "measures/_start_section.html",
    "trainings/_start_section.html",
    "review/_start_section.html",
    "gremien/_start_section.html",
]


def package_version() -> str:
    """The installed package's version (from its metadata)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("portal-aktionsplan")
    except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
        return "unbekannt"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    _load_config(app, test_config)

    from portal import db, observability, params, security
    from portal.images import strict_pillow

    strict_pillow()
    params.init_app(app)  # the bounded <int:…> converter, before any blueprint adds its rules

    observability.init_app(app)  # first: the request id and the clock start before anything else
    for warning in app.config["CONFIG_WARNINGS"]:
        app.logger.warning(warning)
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
    from portal.exports.citywide import bp as exports_bp

    from portal.ops import bp as ops_bp

    app.register_blueprint(ops_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(start_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(selbstcheck_bp)
    app.register_blueprint(measures_bp)
    app.register_blueprint(trainings_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(gremien_bp)
    app.register_blueprint(bericht_bp)
    app.register_blueprint(exports_bp)

    app.config["NAVIGATION"] = NAVIGATION
    app.config["START_SECTIONS"] = START_SECTIONS

    from portal import errors, cli, templating

    errors.init_app(app)
    templating.init_app(app)
    cli.init_app(app)

    security.check_every_view_has_a_rule(app)
    errors.safety_net(app)
    return app


def _load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Merge defaults, instance file, environment and test settings, then check them all.
    Raises config.ConfigError (one German line naming the setting)."""
    app.config.from_mapping(config_module.defaults())
    instance = Path(app.instance_path)
    instance_file = instance / "config.py"
    if instance_file.exists():
        app.config.from_pyfile(str(instance_file))
    from_env, warnings = config_module.from_environment()
    app.config.update(from_env)
    app.config["CONFIG_WARNINGS"] = warnings
    if test_config:
        app.config.update(test_config)
    config_module.coerce_all(app.config)

    if app.config["LDAP_URL"] == "demo":
        from portal.auth.demo import demo_settings

        for key, value in demo_settings().items():
            if key == "ROLE_MAP" and app.config.get("ROLE_MAP"):
                continue
            if key != "ROLE_MAP" and os.environ.get(f"PORTAL_{key}"):
                continue
            app.config[key] = value

    development = config_module.is_development(app.config, app.instance_path)
    if not app.config.get("DATABASE_URL"):
        instance.mkdir(parents=True, exist_ok=True)
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'portal.sqlite3'}"
    app.config["DATABASE_URL"] = config_module.normalise_database_url(app.config["DATABASE_URL"])
    if not app.config.get("UPLOAD_DIR"):
        app.config["UPLOAD_DIR"] = str(instance / "uploads")
    if development or app.testing:  # the trial of `make run` (and tests) may use the instance's own key
        app.config["SECRET_KEY"] = app.config.get("SECRET_KEY") or _instance_secret(instance)
    else:
        config_module.check_secret_key(app.config.get("SECRET_KEY"))
    config_module.check_files(app.config)
    config_module.check_networks(app.config)
    config_module.check_storage_url(app.config)
    config_module.check_job_queue(app.config)
    app.config["MAX_CONTENT_LENGTH"] = (int(app.config["MAX_UPLOAD_MB"]) + 1) * 1024 * 1024
    app.config["PERMANENT_SESSION_LIFETIME"] = int(app.config["SESSION_MAX_HOURS"]) * 3600
    # a long form must not lose its content: the CSRF token lives as long as the session
    app.config["WTF_CSRF_TIME_LIMIT"] = int(app.config["SESSION_MAX_HOURS"]) * 3600
    from portal.auth.roles import RoleMapError, validate_role_map

    try:
        validate_role_map(app.config["ROLE_MAP"])
    except RoleMapError as exc:
        raise config_module.ConfigError(f"Einstellung ROLE_MAP: {exc}") from None


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
