"""Configuration defaults and how they are overridden.

Order (later wins): these defaults, ``instance/config.py``, environment variables
``PORTAL_<NAME>``, the ``test_config`` passed to :func:`portal.create_app`.
No secrets here: ``SECRET_KEY`` must come from the instance folder or environment.
"""
from __future__ import annotations

import json
import os
from typing import Any


class Defaults:
    # storage
    DATABASE_URL = None  # default: sqlite:///<instance>/portal.sqlite3
    UPLOAD_DIR = None  # default: <instance>/uploads
    MAX_UPLOAD_MB = 10
    SQL_ECHO = False

    # secrets (must be set in production; `portal setup` writes one for the trial)
    SECRET_KEY = None

    # directory (LDAP / Active Directory)
    LDAP_URL = "demo"
    LDAP_START_TLS = False
    LDAP_CA_FILE = None
    LDAP_BIND_DN = None
    LDAP_BIND_PASSWORD = None
    LDAP_USER_DN_TEMPLATE = None  # e.g. "uid={username},ou=people,dc=example,dc=org"
    LDAP_USER_BASE = "ou=people,dc=dresden,dc=demo"
    LDAP_USER_FILTER = "(&(objectClass=inetOrgPerson)(uid={username}))"
    LDAP_GROUP_BASE = "ou=groups,dc=dresden,dc=demo"
    LDAP_GROUP_FILTER = "(&(|(objectClass=groupOfNames)(objectClass=group))(member={user_dn}))"
    LDAP_ATTR_USERNAME = "uid"
    LDAP_ATTR_NAME = "cn"
    LDAP_ATTR_MAIL = "mail"
    LDAP_ATTR_OE = "departmentNumber"
    LDAP_ATTR_PERSONNEL_NUMBER = "employeeNumber"
    LDAP_ATTR_ID = "entryUUID"  # immutable id; "objectGUID" for Active Directory
    LDAP_TIMEOUT = 5  # seconds, connect and receive
    ROLE_MAP: dict[str, str] = {}

    # sign-in throttle
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    LOGIN_MAX_FAILURES_PER_ADDRESS = 30
    LOGIN_THROTTLE_WINDOW_MINUTES = 15

    # sessions
    SESSION_IDLE_MINUTES = 60
    SESSION_MAX_HOURS = 10
    SESSION_WARNING_SECONDS = 300  # the timeout warning appears this long before the idle timeout
    SESSION_COOKIE_NAME = "portal_session"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PROXY_FIX_HOPS = 0  # number of trusted reverse proxies in front of the app

    # upload scanning (empty = no scanning), see docs/scanning.md
    VIRUS_SCAN_COMMAND = ""  # JSON list or command line; "{path}" is replaced by the file
    VIRUS_SCAN_TIMEOUT = 120  # seconds; a scanner that takes longer counts as failed
    VIRUS_SCAN_IN_BACKGROUND = True  # scan a new upload right after its request; False: only `portal trainings scan`

    # training mandate: who answers questions on target groups and recognition (Schulungskonzept, section 7)
    TRAINING_CONTACT = "Frau Kristina Winkler (KWinkler@Dresden.de)"
    # … and for organisational questions on the central training programme
    TRAINING_CONTACT_ORGANISATION = "Frau Stefanie Rätze (SRAetze@Dresden.de)"

    # forms
    WTF_CSRF_ENABLED = True
    WTF_I18N_ENABLED = False

    # mail
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_FROM = "aktionsplan-portal@dresden.example"
    MAIL_STARTTLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_TIMEOUT = 10



_BOOL_TRUE = {"1", "true", "yes", "ja", "on"}
_BOOL_FALSE = {"0", "false", "no", "nein", "off", ""}


def _coerce(name: str, raw: str, default: Any) -> Any:
    """Convert an environment string to the type of the default."""
    if isinstance(default, bool):
        low = raw.strip().lower()
        if low in _BOOL_TRUE:
            return True
        if low in _BOOL_FALSE:
            return False
        raise ValueError(f"PORTAL_{name}: '{raw}' ist kein Wahrheitswert (true/false)")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, dict):
        value = json.loads(raw)
        if not isinstance(value, dict):
            raise ValueError(f"PORTAL_{name}: JSON-Objekt erwartet")
        return value
    return raw


def defaults() -> dict[str, Any]:
    return {k: getattr(Defaults, k) for k in dir(Defaults) if k.isupper()}


def from_environment(config: dict[str, Any], environ: os._Environ | dict | None = None) -> dict[str, Any]:
    environ = os.environ if environ is None else environ
    result: dict[str, Any] = {}
    for key, value in environ.items():
        if not key.startswith("PORTAL_"):
            continue
        name = key[len("PORTAL_"):]
        result[name] = _coerce(name, value, config.get(name))
    return result
