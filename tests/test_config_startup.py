"""The configuration is declared in one place and checked at every start: a mistake ends
the start with one German line naming the setting, a non-zero exit status and no traceback."""
from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from portal import config, create_app
from portal.cli import main
from tests.support.pgcluster import free_port

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "9c4f1e7a2b8d3f6e0a5c9b1d7e3f8a2c"


@pytest.fixture
def base_env(tmp_path: Path) -> dict[str, str]:
    """A valid production-like configuration (SQLite outside the instance folder)."""
    return {
        "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        "PORTAL_SECRET_KEY": STRONG_KEY,
        "PORTAL_UPLOAD_DIR": str(tmp_path / "uploads"),
    }


def clean_environ(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(extra)
    return env


def invoke(env: dict[str, str], *args: str):
    """`portal ARGS` in this process (click's runner) with exactly these PORTAL_* variables."""
    unset = {k: None for k in os.environ if k.startswith("PORTAL_") and k not in env}
    return CliRunner().invoke(main, list(args) or ["db", "current"], env={**unset, **env})


def assert_one_german_line(output: str, setting: str) -> str:
    lines = [line for line in output.strip().splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert "Traceback" not in output and "Error" not in output
    assert lines[0].startswith(f"Konfigurationsfehler: Einstellung {setting}"), lines[0]
    return lines[0]


CASES = [
    ({"PORTAL_DATABASE_URL": "mysql://portal:pw@db.intern/portal"}, "DATABASE_URL", "wird nicht unterstützt"),
    ({"PORTAL_DATABASE_URL": "kein url"}, "DATABASE_URL", "keine gültige Datenbank-Adresse"),
    ({"PORTAL_LDAP_CA_FILE": "/gibt/es/nicht/ca.pem"}, "LDAP_CA_FILE", "gibt es nicht"),
    ({"PORTAL_SECRET_KEY": ""}, "SECRET_KEY", "fehlt"),
    ({"PORTAL_SECRET_KEY": "geheim"}, "SECRET_KEY", "zu schwach"),
    ({"PORTAL_SECRET_KEY": "a" * 40}, "SECRET_KEY", "zu schwach"),
    ({"PORTAL_SQL_ECHO": "vielleicht"}, "SQL_ECHO", "kein Wahrheitswert"),
    ({"PORTAL_MAIL_PORT": "fünfundzwanzig"}, "MAIL_PORT", "keine ganze Zahl"),
    ({"PORTAL_SESSION_IDLE_MINUTES": "0"}, "SESSION_IDLE_MINUTES", "zu klein"),
    ({"PORTAL_ROLE_MAP": "[1, 2]"}, "ROLE_MAP", "JSON-Objekt"),
    ({"PORTAL_ROLE_MAP": '{"g": "kaiser"}'}, "ROLE_MAP", "Unbekannte Rolle"),
    ({"PORTAL_LOG_FORMAT": "xml"}, "LOG_FORMAT", "nicht erlaubt"),
    ({"PORTAL_METRICS_ALLOWED_IPS": "10.0.0.0/8, intern"}, "METRICS_ALLOWED_IPS", "keine IP-Adresse"),
]


@pytest.mark.parametrize(("override", "setting", "words"), CASES, ids=[c[1] + "-" + c[2] for c in CASES])
def test_each_mistake_is_one_german_line_naming_the_setting(base_env, override, setting, words):
    result = invoke({**base_env, **override})
    assert result.exit_code == 2, result.output
    line = assert_one_german_line(result.output, setting)
    assert words in line


def test_production_directory_without_secret_key_refuses_to_start(tmp_path):
    env = {"PORTAL_LDAP_URL": "ldaps://dc01.stadt.example", "PORTAL_UPLOAD_DIR": str(tmp_path)}
    result = invoke(env)
    assert result.exit_code == 2
    assert "SECRET_KEY fehlt" in assert_one_german_line(result.output, "SECRET_KEY")


def test_unreachable_postgresql_names_host_and_port_never_the_password(base_env):
    port = free_port()  # nobody listens here
    env = {**base_env, "PORTAL_DATABASE_URL": f"postgres://portal:Sehr-Geheim-123@127.0.0.1:{port}/portal"}
    run = subprocess.run([str(Path(sys.executable).parent / "portal"), "setup"],
                         capture_output=True, text=True, env=clean_environ(env), cwd=ROOT, timeout=120)
    assert run.returncode == 2, run.stderr
    line = assert_one_german_line(run.stderr, "DATABASE_URL")
    assert f"nicht erreichbar (127.0.0.1:{port}, Datenbank portal, Benutzer portal)" in line
    assert "Sehr-Geheim-123" not in run.stderr + run.stdout


def test_unreachable_sqlite_file_is_named(base_env, tmp_path):
    result = invoke({**base_env, "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/fehlt/ordner/portal.sqlite3"})
    assert result.exit_code == 2
    assert "nicht erreichbar (die Datei" in assert_one_german_line(result.output, "DATABASE_URL")


def test_the_wsgi_entry_point_fails_the_same_way(base_env):
    env = clean_environ({**base_env, "PORTAL_DATABASE_URL": "mysql://portal@db/portal"})
    run = subprocess.run([sys.executable, "-c", "import portal.wsgi"], capture_output=True, text=True, env=env,
                         cwd=ROOT, timeout=120)
    assert run.returncode == 4
    assert "wird nicht unterstützt" in assert_one_german_line(run.stderr, "DATABASE_URL")
    ok = subprocess.run([sys.executable, "-c", "import portal.wsgi; print(portal.wsgi.app.name)"],
                        capture_output=True, text=True, env=clean_environ(base_env), cwd=ROOT, timeout=120)
    assert ok.returncode == 0 and ok.stdout.strip() == "portal", ok.stderr


def test_text_false_is_false_from_the_environment_and_the_instance_file(base_env, monkeypatch, tmp_path):
    for key, value in {**base_env, "PORTAL_EXPORT_JOBS_SYNCHRONOUS": "false", "PORTAL_SQL_ECHO": "nein",
                       "PORTAL_MAIL_PORT": " 2525 ", "PORTAL_METRICS_ALLOWED_IPS": "10.1.2.0/24, ::1"}.items():
        monkeypatch.setenv(key, value)
    app = create_app({"VIRUS_SCAN_IN_BACKGROUND": "false", "SESSION_COOKIE_SECURE": "0"})  # as from a file
    try:
        assert app.config["EXPORT_JOBS_SYNCHRONOUS"] is False and app.config["SQL_ECHO"] is False
        assert app.config["VIRUS_SCAN_IN_BACKGROUND"] is False and app.config["SESSION_COOKIE_SECURE"] is False
        assert app.config["MAIL_PORT"] == 2525
        assert app.config["METRICS_ALLOWED_IPS"] == ["10.1.2.0/24", "::1"]
    finally:
        app.extensions["portal.db"].dispose()


def test_unknown_portal_variable_warns_with_the_nearest_name(base_env, monkeypatch, caplog):
    for key, value in {**base_env, "PORTAL_DATABSE_URL": "x", "PORTAL_GANZ_ANDERS": "1"}.items():
        monkeypatch.setenv(key, value)
    with caplog.at_level(logging.WARNING):
        app = create_app()
    app.extensions["portal.db"].dispose()
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert ("Warnung: Die Umgebungsvariable PORTAL_DATABSE_URL ist keine Einstellung des Portals und wird "
            "ignoriert – meinten Sie PORTAL_DATABASE_URL?") in messages
    assert "Warnung: Die Umgebungsvariable PORTAL_GANZ_ANDERS ist keine Einstellung des Portals und wird ignoriert." in messages
    assert "DATABSE_URL" not in app.config


def test_postgresql_url_without_driver_means_psycopg():
    assert config.normalise_database_url("postgresql://u:p@h:5433/db") == "postgresql+psycopg://u:p@h:5433/db"
    assert config.normalise_database_url("sqlite:///x.sqlite3") == "sqlite:///x.sqlite3"


def test_development_is_the_demo_directory_with_sqlite_in_the_instance_folder(tmp_path):
    inst = str(tmp_path)
    assert config.is_development({"LDAP_URL": "demo", "DATABASE_URL": None}, inst)
    assert config.is_development({"LDAP_URL": "demo", "DATABASE_URL": f"sqlite:///{tmp_path}/p.sqlite3"}, inst)
    assert not config.is_development({"LDAP_URL": "demo", "DATABASE_URL": "sqlite:////srv/p.sqlite3"}, inst)
    assert not config.is_development({"LDAP_URL": "demo", "DATABASE_URL": "postgresql+psycopg://h/db"}, inst)
    assert not config.is_development({"LDAP_URL": "ldaps://dc", "DATABASE_URL": None}, inst)


USED = re.compile(r"""config(?:\[|\.get\()\s*["']([A-Z][A-Z0-9_]+)["']""")
FLASK_OR_DERIVED = {"TESTING", "MAX_CONTENT_LENGTH", "PERMANENT_SESSION_LIFETIME", "WTF_CSRF_TIME_LIMIT",
                    "NAVIGATION", "START_SECTIONS", "CONFIG_WARNINGS"}


def test_every_setting_in_use_is_declared():
    used: set[str] = set()
    for path in (ROOT / "portal").rglob("*.py"):
        used |= set(USED.findall(path.read_text(encoding="utf-8")))
    for path in (ROOT / "portal" / "templates").rglob("*.html"):
        used |= set(re.findall(r"config\.([A-Z][A-Z0-9_]+)", path.read_text(encoding="utf-8")))
    assert len(used) > 30
    assert sorted(used - set(config.SETTINGS) - FLASK_OR_DERIVED) == []
    for setting in config.SETTINGS.values():
        assert setting.description and setting.type in (bool, int, str, dict, list), setting.name


def test_configuration_docs_are_generated_from_the_declaration(tmp_path):
    docs = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert docs == config.render_docs(), "docs/configuration.md is stale: run `portal config docs -o docs/configuration.md`"
    for name in config.SETTINGS:
        assert f"| `{name}` |" in docs
    result = CliRunner().invoke(main, ["config", "docs", "-o", str(tmp_path / "c.md")])
    assert result.exit_code == 0 and (tmp_path / "c.md").read_text(encoding="utf-8") == docs


def test_mails_link_to_base_url(app, db):
    from portal import mail

    with app.app_context():
        app.config["BASE_URL"] = "https://aktionsplan.intranet.example/"
        linked = mail.enqueue(db, key="t-link", kind="test", subject="Betreff", body="Hallo", email="a@example.org")
        app.config["BASE_URL"] = None
        plain = mail.enqueue(db, key="t-plain", kind="test", subject="Betreff", body="Hallo", email="a@example.org")
    assert linked.body.endswith("Diese Nachricht wurde automatisch erstellt.\nZum Portal: https://aktionsplan.intranet.example/")
    assert plain.body.endswith("Diese Nachricht wurde automatisch erstellt.")
