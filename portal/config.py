"""Every setting of the portal: its type, default and meaning, and how it is checked.

Order (later wins): the defaults declared here, ``instance/config.py``, environment
variables ``PORTAL_<NAME>``, the ``test_config`` passed to :func:`portal.create_app`.
No secrets here: ``SECRET_KEY`` must come from the instance folder or environment.

``SETTINGS`` is the one declaration: `docs/configuration.md` is generated from it
(`portal config docs`), and :func:`validate` checks a merged configuration against it
at every start (web app, every `portal` command). A mistake raises :class:`ConfigError`
with one German line that names the setting.
"""
from __future__ import annotations

import difflib
import ipaddress
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError


class ConfigError(Exception):
    """A configuration mistake; the message is one German line naming the setting."""


@dataclass(frozen=True)
class Setting:
    name: str
    type: type  # bool, int, str, dict or list
    default: Any
    description: str
    group: str
    default_text: str | None = None  # how the docs show the default, if not the value itself
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    secret: bool = False


@dataclass(frozen=True)
class Group:
    key: str
    title: str
    note: str = ""
    settings: list[Setting] = field(default_factory=list)


GROUPS: dict[str, Group] = {}
SETTINGS: dict[str, Setting] = {}


def _group(key: str, title: str, note: str = "") -> None:
    GROUPS[key] = Group(key, title, note)


def _declare(group: str, name: str, type_: type, default: Any, description: str, **kwargs: Any) -> None:
    setting = Setting(name, type_, default, description, group, **kwargs)
    SETTINGS[name] = setting
    GROUPS[group].settings.append(setting)


# --- storage -------------------------------------------------------------------------
_group("storage", "Storage")
_declare("storage", "DATABASE_URL", str, None,
         "SQLAlchemy URL. PostgreSQL: `postgresql+psycopg://user:pw@host:5432/db` (`postgresql://` is read "
         "the same way). SQLite runs with WAL, foreign keys on, and write requests start `BEGIN IMMEDIATE`. "
         "Other databases are refused at start.",
         default_text="sqlite:///<instance>/portal.sqlite3")
_declare("storage", "UPLOAD_DIR", str, None,
         "Local files outside the web root, under generated names: certificates and minutes unless "
         "`STORAGE_URL` names another place, and the export files. `/readyz` checks that the file storage is "
         "writable.", default_text="<instance>/uploads")
_declare("storage", "STORAGE_URL", str, None,
         "Where files (certificates, minutes) are stored: `file:<folder>` (relative to the folder that holds "
         "the instance folder; files 0600) or `s3://<bucket>/<prefix>` for S3-compatible object storage "
         "(AWS S3, SeaweedFS, MinIO, Ceph), which every app machine reaches. S3 credentials come the standard "
         "AWS way (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, a profile or an instance role). Empty: the "
         "folder `UPLOAD_DIR`. `portal storage migrate` copies local files into S3, `portal storage check` "
         "compares rows and objects.", default_text="empty: file:<UPLOAD_DIR>")
_declare("storage", "S3_ENDPOINT_URL", str, None,
         "Address of an S3-compatible server other than AWS, e.g. `https://s3.stadt.example:8333`. "
         "Empty: AWS S3 (region from `AWS_DEFAULT_REGION`).")
_declare("storage", "MAX_UPLOAD_MB", int, 10, "Largest certificate upload; the request limit is one MB more.",
         minimum=1)
_declare("storage", "SQL_ECHO", bool, False, "Log every SQL statement (debugging only).")
_declare("storage", "CERTIFICATE_RETENTION_DAYS", int, 365,
         "Retention period of certificate files after the training mandate ends (31.12.2026); "
         "`portal certificates purge` deletes the files of decided certificates after it.", minimum=1)

# --- secrets -------------------------------------------------------------------------
_group("secrets", "Secrets",
       "Development means: the demo directory (`LDAP_URL = \"demo\"`) with SQLite in the instance folder — "
       "what `make run` does. Only there the portal keeps a generated key in `<instance>/secret_key`; "
       "every other configuration refuses to start without a strong `SECRET_KEY`.")
_declare("secrets", "SECRET_KEY", str, None,
         "Signs cookies and CSRF tokens. Required outside development: at least 32 characters, random "
         "(`python -c \"import secrets; print(secrets.token_hex(32))\"`), the same on every machine.",
         default_text="development only: generated into `<instance>/secret_key`", secret=True)

# --- directory -----------------------------------------------------------------------
_group("directory", "Directory (LDAP / Active Directory)")
_declare("directory", "LDAP_URL", str, "demo",
         "`ldap://host:389`, `ldaps://host:636`, or `demo` for the built-in demo directory (ldap3 mock; "
         "for `make run` only).")
_declare("directory", "LDAP_START_TLS", bool, False,
         "Upgrade `ldap://` with StartTLS. Certificates are always verified; there is no switch to turn that off.")
_declare("directory", "LDAP_CA_FILE", str, None,
         "PEM file of the CA that signed the directory's certificate (else the system store). "
         "A file that does not exist stops the start.")
_declare("directory", "LDAP_BIND_DN", str, None,
         "Service account for search-then-bind. Empty: direct bind with `LDAP_USER_DN_TEMPLATE`.")
_declare("directory", "LDAP_BIND_PASSWORD", str, None, "Its password.", secret=True)
_declare("directory", "LDAP_USER_DN_TEMPLATE", str, None,
         "For direct bind, e.g. `uid={username},ou=people,dc=stadt,dc=de` (the name is RDN-escaped).")
_declare("directory", "LDAP_USER_BASE", str, "ou=people,dc=dresden,dc=demo", "Where users are searched.")
_declare("directory", "LDAP_USER_FILTER", str, "(&(objectClass=inetOrgPerson)(uid={username}))",
         "AD: `(&(objectClass=user)(sAMAccountName={username}))` or with `userPrincipalName`. "
         "The name is filter-escaped.")
_declare("directory", "LDAP_GROUP_BASE", str, "ou=groups,dc=dresden,dc=demo",
         "Where groups are searched with `LDAP_GROUP_FILTER`; empty = use only `memberOf`.")
_declare("directory", "LDAP_GROUP_FILTER", str,
         "(&(|(objectClass=groupOfNames)(objectClass=group))(member={user_dn}))",
         "The user's DN is filter-escaped. `memberOf` values are used too when present.")
_declare("directory", "LDAP_ATTR_USERNAME", str, "uid", "AD: `sAMAccountName`.")
_declare("directory", "LDAP_ATTR_NAME", str, "cn", "AD: `displayName`.")
_declare("directory", "LDAP_ATTR_MAIL", str, "mail", "The person's e-mail address.")
_declare("directory", "LDAP_ATTR_OE", str, "departmentNumber",
         "Holds the OE code as in the OE directory (e.g. `Amt 50`). AD: `department`. Unknown values sign in "
         "with a note and see only their own data.")
_declare("directory", "LDAP_ATTR_PERSONNEL_NUMBER", str, "employeeNumber",
         "AD: `employeeID`. Links the account to roster entries.")
_declare("directory", "LDAP_ATTR_ID", str, "entryUUID",
         "Immutable id of the local user record. AD: `objectGUID`. If absent, the DN is used.")
_declare("directory", "LDAP_TIMEOUT", int, 5, "Connect and receive timeout in seconds.", minimum=1)
_declare("directory", "ROLE_MAP", dict, {},
         "JSON object: group DN or CN (case-insensitive) → role. Roles: `fortbildungsbeauftragte`, "
         "`oe_verantwortliche`, `ag_leitung:AG1` (`AG2`, `AG3`, `KG`), `integrationsbuero`, `personalamt`, "
         "`admin`. Every signed-in person is also `beschaeftigte`. Re-read at every sign-in.",
         default_text="{} (demo: its own map)")

# --- sign-in throttle ----------------------------------------------------------------
_group("throttle", "Sign-in throttle")
_declare("throttle", "LOGIN_MAX_FAILURES_PER_ACCOUNT", int, 5,
         "Failed sign-ins for one account from one client address (or from one browser that signed in to it "
         "before) within the window, before further attempts from there are refused without asking the "
         "directory. Failures from other addresses never lock the account; from twice this number on they only "
         "space out attempts from unknown browsers (docs/sign-in.md).", minimum=1)
_declare("throttle", "LOGIN_MAX_FAILURES_PER_ADDRESS", int, 30,
         "Failed sign-ins from one client address for any accounts within the window; a browser that signed in "
         "to the account before is not affected.", minimum=1)
_declare("throttle", "LOGIN_THROTTLE_WINDOW_MINUTES", int, 15,
         "The window. Counts live in the database, so all workers share them; `portal sessions purge` "
         "deletes older records.", minimum=1)

# --- sessions ------------------------------------------------------------------------
_group("sessions", "Sessions",
       "Sessions are server-side records: signing out, a timeout, or deleting the record ends the session "
       "everywhere, also for a copied cookie. There is no \"remember me\". `portal sessions purge` deletes "
       "expired records.")
_declare("sessions", "SESSION_IDLE_MINUTES", int, 60,
         "Inactivity timeout. Pages warn before it and offer \"Sitzung verlängern\".", minimum=1)
_declare("sessions", "SESSION_WARNING_SECONDS", int, 300,
         "How long before the idle timeout the page warns (\"Ihre Sitzung läuft bald ab\") and offers to extend it.",
         minimum=0)
_declare("sessions", "SESSION_MAX_HOURS", int, 10,
         "Absolute timeout after sign-in. CSRF tokens live as long (a long form does not lose its content).",
         minimum=1)
_declare("sessions", "SESSION_COOKIE_NAME", str, "portal_session", "Name of the session cookie.")
_declare("sessions", "SESSION_COOKIE_SECURE", bool, True,
         "Cookie only over HTTPS. `make run` turns it off for http://127.0.0.1.")
_declare("sessions", "SESSION_COOKIE_HTTPONLY", bool, True, "Cookie invisible to scripts.")
_declare("sessions", "SESSION_COOKIE_SAMESITE", str, "Lax", "SameSite attribute of the cookie.",
         choices=("Lax", "Strict"))
_declare("sessions", "PROXY_FIX_HOPS", int, 0,
         "Number of trusted reverse proxies; set to `1` behind nginx so client addresses and HTTPS are seen.",
         minimum=0)

# --- mail ----------------------------------------------------------------------------
_group("mail", "Mail",
       "Notifications are written to an outbox in the same transaction as the decision and sent by "
       "`portal notifications send` (run it every few minutes from cron or a systemd timer); a mail server "
       "that is down delays them, it never blocks or loses a decision. `portal notifications digest` (daily) "
       "queues the office's summary of new submissions.")
_declare("mail", "MAIL_SERVER", str, None, "SMTP host for notifications; empty = no mail.")
_declare("mail", "MAIL_PORT", int, 25, "SMTP port.", minimum=1)
_declare("mail", "MAIL_FROM", str, "aktionsplan-portal@dresden.example", "Sender address.")
_declare("mail", "MAIL_STARTTLS", bool, False, "Upgrade the SMTP connection with STARTTLS (certificate verified).")
_declare("mail", "MAIL_USE_SSL", bool, False, "SMTP over TLS from the start (port 465).")
_declare("mail", "MAIL_USERNAME", str, None, "SMTP login, if the relay needs one.")
_declare("mail", "MAIL_PASSWORD", str, None, "Its password.", secret=True)
_declare("mail", "MAIL_TIMEOUT", int, 10, "Seconds per SMTP connection.", minimum=1)
_declare("mail", "BASE_URL", str, None,
         "The portal's public address, e.g. `https://aktionsplan.intranet.dresden.de`; e-mails link to it. "
         "Empty: e-mails carry no link.")

# --- upload scanning -----------------------------------------------------------------
_group("scanning", "Upload scanning")
_declare("scanning", "VIRUS_SCAN_COMMAND", str, "",
         "Virus scanner command for uploaded certificates (JSON list or command line; `{path}` is replaced by "
         "the file), e.g. `[\"clamdscan\", \"--no-summary\", \"--fdpass\", \"{path}\"]`. Empty: no scanning. "
         "See [scanning.md](scanning.md).", default_text="empty (no scanning)")
_declare("scanning", "VIRUS_SCAN_TIMEOUT", int, 120,
         "Seconds; a scanner that takes longer counts as failed and the file stays blocked.", minimum=1)
_declare("scanning", "VIRUS_SCAN_IN_BACKGROUND", bool, True,
         "Scan a new certificate right after its upload (a task of the job queue with `JOB_QUEUE`, else a "
         "daemon thread). `false`: only `portal trainings scan` (cron, or the queue's periodic scan) scans.")

# --- exports -------------------------------------------------------------------------
_group("exports", "Exports")
_declare("exports", "EXPORT_JOBS_SYNCHRONOUS", bool, None,
         "Build dossier exports inside the request instead of a background thread. Empty: only in tests.",
         default_text="empty (background thread)")
_declare("exports", "JOB_QUEUE", bool, False,
         "PostgreSQL only: long exports go to a durable queue in the database (procrastinate) and are built "
         "by `portal worker` processes on any machine; a job whose worker died is built again by another. "
         "Off: a thread of the web worker builds them (one machine, and always with SQLite).")
_declare("exports", "EXPORT_RETENTION_HOURS", int, 72,
         "Hours a finished export file (dossier ZIP, report) stays downloadable; then `portal exports purge` "
         "(or the worker's periodic task with `JOB_QUEUE`) deletes it from the storage.", minimum=1)

# --- operations ----------------------------------------------------------------------
_group("operations", "Operations",
       "See [operations.md](operations.md) for `/healthz`, `/readyz`, `/metrics` and the log format.")
_declare("operations", "LOG_FORMAT", str, "text",
         "`text`: one readable line per message; `json`: one JSON object per line (time, level, logger, "
         "message, request id) for a log collector.", choices=("text", "json"))
_declare("operations", "METRICS_ENABLED", bool, True, "Serve Prometheus metrics at `/metrics`.")
_declare("operations", "METRICS_ALLOWED_IPS", list, ["127.0.0.1", "::1"],
         "Client addresses or networks (comma-separated or JSON list, e.g. `10.1.2.0/24`) that may read "
         "`/metrics`. The address is the one after `PROXY_FIX_HOPS`.", default_text="127.0.0.1, ::1")
_declare("operations", "METRICS_TOKEN", str, None,
         "If set, `Authorization: Bearer <token>` also grants access to `/metrics` from any address.",
         secret=True)

# --- training mandate ---------------------------------------------------------------
_group("training", "Training mandate (Schulungskonzept)")
_declare("training", "TRAINING_CONTACT", str, "Frau Kristina Winkler (KWinkler@Dresden.de)",
         "Who answers questions on target groups and recognition of trainings (Schulungskonzept, section 7); "
         "shown on the training pages.")
_declare("training", "TRAINING_CONTACT_ORGANISATION", str, "Frau Stefanie Rätze (SRAetze@Dresden.de)",
         "Who answers organisational questions on the central training programme (section 7); shown on the training pages. Empty: not shown.")

# --- forms ---------------------------------------------------------------------------
_group("forms", "Forms (Flask-WTF)")
_declare("forms", "WTF_CSRF_ENABLED", bool, True, "CSRF protection on every POST. Never turn it off in production.")
_declare("forms", "WTF_I18N_ENABLED", bool, False, "The portal writes its own German messages.")


# Environment variables with the prefix that are not settings (read by the test suite).
NOT_SETTINGS = {"PORTAL_TEST_DB"}
_BOOL_TRUE = {"1", "true", "yes", "ja", "on"}
_BOOL_FALSE = {"0", "false", "no", "nein", "off", ""}
_TYPE_NAMES = {bool: "Wahrheitswert (true/false)", int: "ganze Zahl", str: "Text", dict: "JSON-Objekt",
               list: "Liste"}


def defaults() -> dict[str, Any]:
    return {name: (list(s.default) if isinstance(s.default, list) else
                   dict(s.default) if isinstance(s.default, dict) else s.default)
            for name, s in SETTINGS.items()}


def nearest(name: str) -> str | None:
    match = difflib.get_close_matches(name, SETTINGS, n=1, cutoff=0.6)
    return match[0] if match else None


def from_environment(environ: os._Environ | dict | None = None) -> tuple[dict[str, Any], list[str]]:
    """The PORTAL_* settings of the environment (still strings) and warnings for unknown names."""
    environ = os.environ if environ is None else environ
    result: dict[str, Any] = {}
    warnings: list[str] = []
    for key, value in sorted(environ.items()):
        if not key.startswith("PORTAL_") or key in NOT_SETTINGS:
            continue
        name = key[len("PORTAL_"):]
        if name in SETTINGS:
            result[name] = value
            continue
        guess = nearest(name)
        warnings.append(f"Warnung: Die Umgebungsvariable {key} ist keine Einstellung des Portals und wird ignoriert"
                        + (f" – meinten Sie PORTAL_{guess}?" if guess else "."))
    return result, warnings


def coerce(name: str, value: Any) -> Any:
    """A setting's value in its declared type; strings from the environment or the
    instance file are converted ("false" is false). Raises ConfigError."""
    setting = SETTINGS[name]
    if value is None or (isinstance(value, str) and value.strip() == "" and setting.type in (int, dict)):
        return setting.default if setting.type is not bool or value is None else False
    kind = _TYPE_NAMES[setting.type]
    if setting.type is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in _BOOL_TRUE | _BOOL_FALSE:
            return value.strip().lower() in _BOOL_TRUE
        raise ConfigError(f"Einstellung {name}: „{value}“ ist kein {kind} – erlaubt sind true/false, ja/nein, 1/0.")
    if setting.type is int:
        if isinstance(value, bool):
            raise ConfigError(f"Einstellung {name}: „{value}“ ist keine {kind}.")
        try:
            number = int(value.strip()) if isinstance(value, str) else int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"Einstellung {name}: „{value}“ ist keine {kind}.") from None
        if setting.minimum is not None and number < setting.minimum:
            raise ConfigError(f"Einstellung {name}: {number} ist zu klein (mindestens {setting.minimum}).")
        return number
    if setting.type is dict:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise ConfigError(f"Einstellung {name}: kein gültiges JSON-Objekt.") from None
        if not isinstance(value, dict):
            raise ConfigError(f"Einstellung {name}: ein JSON-Objekt wird erwartet.")
        return value
    if setting.type is list:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                try:
                    value = json.loads(text)
                except ValueError:
                    raise ConfigError(f"Einstellung {name}: keine gültige JSON-Liste.") from None
            else:
                value = [part.strip() for part in text.split(",") if part.strip()]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"Einstellung {name}: eine Liste von Texten wird erwartet.")
        return list(value)
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        raise ConfigError(f"Einstellung {name}: ein Text wird erwartet, nicht „{value!r}“.")
    if setting.choices and value not in setting.choices:
        raise ConfigError(f"Einstellung {name}: „{value}“ ist nicht erlaubt – möglich: {', '.join(setting.choices)}.")
    return value


def coerce_all(config: dict[str, Any]) -> None:
    for name in SETTINGS:
        if name in config:
            config[name] = coerce(name, config[name])


# --- checks at start ---------------------------------------------------------------------

WEAK_SECRETS = {"changeme", "change-me", "secret", "geheim", "dev", "development", "test", "password", "passwort"}
MIN_SECRET_LENGTH = 32


def normalise_database_url(url: str) -> str:
    """Refuse databases the portal does not support; `postgresql://` means psycopg 3."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError("Einstellung DATABASE_URL: keine gültige Datenbank-Adresse "
                          "(Beispiel: postgresql+psycopg://benutzer:passwort@host:5432/portal).") from None
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        return url
    raise ConfigError(f"Einstellung DATABASE_URL: Die Datenbank „{parsed.drivername}“ wird nicht unterstützt – "
                      "möglich sind postgresql+psycopg://… und sqlite:///….")


def is_development(config: dict[str, Any], instance_path: str) -> bool:
    """The trial setup of `make run`: demo directory and SQLite in the instance folder."""
    if config.get("LDAP_URL") != "demo":
        return False
    url = config.get("DATABASE_URL")
    if not url:
        return True
    if not url.startswith("sqlite:///"):
        return False
    db_file = url[len("sqlite:///"):]
    try:
        return Path(db_file).resolve().parent == Path(instance_path).resolve()
    except OSError:
        return False


def check_secret_key(key: Any) -> None:
    if not key or not isinstance(key, str) or not key.strip():
        raise ConfigError("Einstellung SECRET_KEY fehlt: Außerhalb der Entwicklungsumgebung muss ein zufälliger "
                          "Schlüssel mit mindestens 32 Zeichen gesetzt sein (PORTAL_SECRET_KEY oder instance/config.py).")
    if len(key) < MIN_SECRET_LENGTH or len(set(key)) < 10 or key.strip().lower() in WEAK_SECRETS:
        raise ConfigError(f"Einstellung SECRET_KEY ist zu schwach: mindestens {MIN_SECRET_LENGTH} zufällige Zeichen "
                          "(z. B. python -c \"import secrets; print(secrets.token_hex(32))\").")


def check_files(config: dict[str, Any]) -> None:
    ca_file = config.get("LDAP_CA_FILE")
    if ca_file and not (os.path.isfile(ca_file) and os.access(ca_file, os.R_OK)):
        raise ConfigError(f"Einstellung LDAP_CA_FILE: Die Datei „{ca_file}“ gibt es nicht oder sie ist nicht lesbar.")


def check_storage_url(config: dict[str, Any]) -> None:
    url = config.get("STORAGE_URL") or ""
    if not url:
        return
    if url.startswith("file:"):
        if not url[len("file:"):].removeprefix("//"):
            raise ConfigError("Einstellung STORAGE_URL: Nach „file:“ fehlt der Ordner (Beispiel: file:instance/files).")
        return
    if url.startswith("s3://"):
        bucket = url[len("s3://"):].partition("/")[0]
        if not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", bucket):
            raise ConfigError(f"Einstellung STORAGE_URL: „{bucket}“ ist kein gültiger Bucket-Name "
                              "(Beispiel: s3://portal-dateien/produktion).")
        endpoint = config.get("S3_ENDPOINT_URL") or ""
        if endpoint and not endpoint.startswith(("http://", "https://")):
            raise ConfigError("Einstellung S3_ENDPOINT_URL: Die Adresse muss mit http:// oder https:// beginnen.")
        return
    raise ConfigError(f"Einstellung STORAGE_URL: „{url}“ wird nicht unterstützt – möglich sind file:<Ordner> "
                      "und s3://<Bucket>/<Präfix>.")


def check_job_queue(config: dict[str, Any]) -> None:
    if config.get("JOB_QUEUE") and not str(config.get("DATABASE_URL") or "").startswith("postgresql"):
        raise ConfigError("Einstellung JOB_QUEUE: Die Auftragswarteschlange braucht PostgreSQL als Datenbank "
                          "(mit SQLite laufen Exporte im Webprozess – JOB_QUEUE ausschalten).")


def check_networks(config: dict[str, Any]) -> None:
    for entry in config.get("METRICS_ALLOWED_IPS") or []:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ConfigError(f"Einstellung METRICS_ALLOWED_IPS: „{entry}“ ist keine IP-Adresse und kein Netz.") from None


def check_database_reachable(engine: Any) -> None:
    """Open one connection; name host and port (never the password) if that fails."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        url = engine.url
        if url.get_backend_name() == "sqlite":
            where = f"die Datei {url.database}"
        else:
            where = f"{url.host or 'localhost'}:{url.port or 5432}, Datenbank {url.database}, Benutzer {url.username}"
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(getattr(exc, "orig", exc)).strip() else ""
        if url.password:
            reason = reason.replace(str(url.password), "***")
        raise ConfigError(f"Einstellung DATABASE_URL: Die Datenbank ist nicht erreichbar ({where})"
                          + (f": {reason}" if reason else ".")) from None


def render_docs() -> str:
    """docs/configuration.md, generated from SETTINGS (`portal config docs`)."""
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    def default_of(s: Setting) -> str:
        if s.default_text is not None:
            return s.default_text if s.default_text.startswith(("empty", "development", "{}")) else f"`{s.default_text}`"
        if s.default is None:
            return "–"
        if isinstance(s.default, bool):
            return f"`{str(s.default).lower()}`"
        if s.default == "":
            return "empty"
        return f"`{json.dumps(s.default) if isinstance(s.default, dict | list) else s.default}`"

    type_names = {bool: "bool", int: "int", str: "text", dict: "JSON object", list: "list"}
    lines = [
        "# Configuration reference",
        "",
        "<!-- Generated from portal/config.py by `portal config docs -o docs/configuration.md`; do not edit. -->",
        "",
        "Every setting is read, in this order (later wins): the defaults declared in `portal/config.py`,",
        "`instance/config.py` (a Python file; copy `instance/config.example.py`), environment variables",
        "`PORTAL_<NAME>`, and — in tests only — the `test_config` passed to `create_app`. Values are converted",
        "to the declared type, from the environment and from the instance file alike: `true/false/1/0/ja/nein`",
        "for switches (the text `\"false\"` is false), integers, JSON for objects, comma-separated or JSON lists.",
        "",
        "Every start (the web app, every `portal` command) checks the whole configuration first. A mistake —",
        "an unknown database, a value that is not of its type, a missing CA file, a missing or weak `SECRET_KEY`",
        "outside development, and for `portal` commands a database that does not answer — ends the start with",
        "one German line naming the setting and a non-zero exit status. An unknown `PORTAL_*` variable is",
        "reported as a warning with the nearest known name. Serve the portal with gunicorn through",
        "`portal.wsgi:app`, which ends such a start with the German line and exit status 4.",
        "",
    ]
    for group in GROUPS.values():
        lines += [f"## {group.title}", "", "| Name | Type | Default | Meaning |", "|---|---|---|---|"]
        for s in group.settings:
            kind = type_names[s.type] + (f" ({' / '.join(s.choices)})" if s.choices else "")
            lines.append(f"| `{s.name}` | {kind} | {cell(default_of(s))} | {cell(s.description)} |")
        lines.append("")
        if group.note:
            lines += [group.note, ""]
    return "\n".join(lines).rstrip() + "\n"
