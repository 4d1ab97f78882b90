"""Portal Aktionsplan Integration — the application factory.

Reads like a table of contents: configuration, storage, security, features.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from flask import Flask

from portal import commands, datacache, db, errors, features, observability, ops, params, security, templating, uploads
from portal import config as config_module
from portal.auth.demo import demo_settings
from portal.auth.roles import RoleMapError, validate_role_map
from portal.exports import citywide, jobs
from portal.images import strict_pillow

# The features, in the order their commands, reference data, demo data and blueprints load.
# Each package exposes `feature` (portal/features.py); adding a feature is one line here.
FEATURES = [
    "portal.auth",
    "portal.start",
    "portal.admin",
    "portal.trainings",
    "portal.selbstcheck",
    "portal.measures",
    "portal.review",
    "portal.gremien",
    "portal.bericht",
]


def create_app(test_config: dict[str, Any] | None = None, feature_names: Sequence[str] = FEATURES) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.request_class = uploads.UploadRequest
    _load_config(app, test_config)

    strict_pillow()
    params.init_app(app)  # the bounded <int:…> converter, before any blueprint adds its rules

    observability.init_app(app)  # first: the request id and the clock start before anything else
    for warning in app.config["CONFIG_WARNINGS"]:
        app.logger.warning(warning)
    db.init_app(app)
    datacache.init_app(app)  # its Session events move the data version on with each write
    security.init_app(app)

    app.register_blueprint(ops.bp)
    app.register_blueprint(citywide.bp)  # the progress pages of export jobs the features start
    features.install(app, features.load(feature_names))
    for command in commands.all_commands(app.extensions["portal.features"]):
        app.cli.add_command(command)
    for kind, build in features.of_all(app, "export_jobs"):
        jobs.register(kind)(build)
    citywide.PAGES.update(features.of_all(app, "job_pages"))
    errors.init_app(app)
    templating.init_app(app)

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
