"""Sign-in against the directory (OpenLDAP or Active Directory) with ldap3.

Pitfalls handled here (DESIGN.md): certificates are always verified, referrals are
never followed, timeouts are set, blank names or passwords never reach a bind (no
unauthenticated bind), every filter value is escaped, every user bind uses a fresh
connection, and a server error is an error — never "user not found".
"""
from __future__ import annotations

import ssl
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import ldap3
from ldap3.core import exceptions as ldap_exc
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import escape_rdn

from portal.auth.demo import SERVICE_DN, SERVICE_PASSWORD, load_demo_entries

MAX_USERNAME_LENGTH = 256
MAX_PASSWORD_LENGTH = 1024


class InvalidCredentials(Exception):
    """Unknown user, wrong password or unusable input — one answer for all."""


class DirectoryUnavailable(Exception):
    """The directory could not be reached or answered with an error."""


@dataclass
class DirectoryUser:
    external_id: str
    dn: str
    username: str
    display_name: str
    email: str | None
    oe_value: str | None
    personnel_number: str | None
    groups: list[str] = field(default_factory=list)


def usable_credentials(username: str | None, password: str | None) -> bool:
    """Reject what must never reach a bind: blank names/passwords, NUL, huge input."""
    if not username or not password:
        return False
    if not username.strip() or not password.strip():
        return False
    if len(username) > MAX_USERNAME_LENGTH or len(password) > MAX_PASSWORD_LENGTH:
        return False
    if "\x00" in username or "\x00" in password:
        return False
    if any(ord(c) < 32 for c in username):
        return False
    return True


def _first(entry_attrs: dict[str, Any], name: str | None) -> Any:
    if not name:
        return None
    for key, value in entry_attrs.items():
        if key.lower() == name.lower():
            if isinstance(value, list):
                return value[0] if value else None
            return value
    return None


def _all(entry_attrs: dict[str, Any], name: str) -> list[Any]:
    for key, value in entry_attrs.items():
        if key.lower() == name.lower():
            return list(value) if isinstance(value, list) else [value]
    return []


def _id_to_str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        if len(value) == 16:  # objectGUID: little-endian GUID bytes
            return str(uuid.UUID(bytes_le=value))
        return value.hex()
    text = str(value).strip()
    return text or None


# --- the built-in demo directory (ldap3's in-process mock) --------------------

_demo_lock = threading.Lock()
_demo_server: ldap3.Server | None = None


def demo_server() -> ldap3.Server:
    """One shared mock server holding the demo entries (for `make run` only)."""
    global _demo_server
    with _demo_lock:
        if _demo_server is None:
            server = ldap3.Server("demo-directory", get_info=ldap3.NONE)
            conn = ldap3.Connection(server, client_strategy=ldap3.MOCK_SYNC)
            load_demo_entries(conn)
            _demo_server = server
        return _demo_server


class Directory:
    """Authenticates one person and reads their attributes and groups."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.url = config["LDAP_URL"]
        self.demo = self.url == "demo"
        self.timeout = int(config.get("LDAP_TIMEOUT") or 5)

    # -- connections ------------------------------------------------------
    def _server(self) -> ldap3.Server:
        if self.demo:
            return demo_server()
        parsed = urlparse(self.url)
        if parsed.scheme not in ("ldap", "ldaps") or not parsed.hostname:
            raise DirectoryUnavailable(f"LDAP_URL ungültig: {self.url!r}")
        use_ssl = parsed.scheme == "ldaps"
        tls = None
        if use_ssl or self.config.get("LDAP_START_TLS"):
            tls = ldap3.Tls(
                validate=ssl.CERT_REQUIRED,
                ca_certs_file=self.config.get("LDAP_CA_FILE") or None,
                version=ssl.PROTOCOL_TLS_CLIENT,
            )
        return ldap3.Server(
            parsed.hostname,
            port=parsed.port or (636 if use_ssl else 389),
            use_ssl=use_ssl,
            tls=tls,
            get_info=ldap3.NONE,
            connect_timeout=self.timeout,
        )

    def _connect(self, user: str, password: str) -> ldap3.Connection:
        """A fresh connection, bound as `user`; raises InvalidCredentials on a refused bind."""
        if not user or not password:  # never an unauthenticated/anonymous bind
            raise InvalidCredentials()
        server = self._server()
        kwargs: dict[str, Any] = dict(
            user=user,
            password=password,
            auto_referrals=False,
            raise_exceptions=True,
            read_only=True,
            receive_timeout=self.timeout,
            authentication=ldap3.SIMPLE,
        )
        if self.demo:
            kwargs["client_strategy"] = ldap3.MOCK_SYNC
            kwargs.pop("receive_timeout")
        conn = ldap3.Connection(server, **kwargs)
        try:
            conn.open()
            if self.config.get("LDAP_START_TLS") and not self.demo and not server.ssl:
                conn.start_tls()
            if not conn.bind():
                raise InvalidCredentials()
        except ldap_exc.LDAPInvalidCredentialsResult as exc:
            _safe_unbind(conn)
            raise InvalidCredentials() from exc
        except ldap_exc.LDAPBindError as exc:
            _safe_unbind(conn)
            raise InvalidCredentials() from exc
        except InvalidCredentials:
            _safe_unbind(conn)
            raise
        except (ldap_exc.LDAPException, OSError, ssl.SSLError) as exc:
            _safe_unbind(conn)
            raise DirectoryUnavailable(str(exc)) from exc
        return conn

    def _attributes(self) -> list[str]:
        c = self.config
        names = [
            c.get("LDAP_ATTR_USERNAME"),
            c.get("LDAP_ATTR_NAME"),
            c.get("LDAP_ATTR_MAIL"),
            c.get("LDAP_ATTR_OE"),
            c.get("LDAP_ATTR_PERSONNEL_NUMBER"),
            c.get("LDAP_ATTR_ID"),
            "memberOf",
        ]
        return [n for n in dict.fromkeys(names) if n]

    def _search(self, conn: ldap3.Connection, base: str, flt: str, scope: Any, attributes: list[str] | None = None) -> list[dict[str, Any]]:
        try:
            conn.search(
                base,
                flt,
                search_scope=scope,
                attributes=attributes or [],
                size_limit=50,
                time_limit=self.timeout,
            )
        except ldap_exc.LDAPNoSuchObjectResult:
            return []
        except (ldap_exc.LDAPException, OSError) as exc:
            raise DirectoryUnavailable(str(exc)) from exc
        return [
            {"dn": e["dn"], "attributes": dict(e.get("attributes") or {})}
            for e in conn.response or []
            if e.get("type") == "searchResEntry"
        ]

    # -- the one public operation --------------------------------------------
    def authenticate(self, username: str, password: str) -> DirectoryUser:
        if not usable_credentials(username, password):
            raise InvalidCredentials()
        username = username.strip()
        c = self.config
        service_dn = c.get("LDAP_BIND_DN")
        if self.demo and not service_dn:
            service_dn, service_pw = SERVICE_DN, SERVICE_PASSWORD
        else:
            service_pw = c.get("LDAP_BIND_PASSWORD")

        if service_dn:
            service = self._connect(service_dn, service_pw or "")
            try:
                flt = c["LDAP_USER_FILTER"].format(username=escape_filter_chars(username))
                found = self._search(service, c["LDAP_USER_BASE"], flt, ldap3.SUBTREE, self._attributes())
                if len(found) != 1:
                    raise InvalidCredentials()
                entry = found[0]
                user_conn = self._connect(entry["dn"], password)
                _safe_unbind(user_conn)
                groups = self._groups(service, entry)
            finally:
                _safe_unbind(service)
        else:
            template = c.get("LDAP_USER_DN_TEMPLATE")
            if not template:
                raise DirectoryUnavailable("LDAP_BIND_DN oder LDAP_USER_DN_TEMPLATE muss gesetzt sein")
            dn = template.format(username=escape_rdn(username))
            user_conn = self._connect(dn, password)
            try:
                found = self._search(user_conn, dn, "(objectClass=*)", ldap3.BASE, self._attributes())
                if len(found) != 1:
                    raise DirectoryUnavailable("Eigener Eintrag nach der Anmeldung nicht lesbar")
                entry = found[0]
                groups = self._groups(user_conn, entry)
            finally:
                _safe_unbind(user_conn)
        return self._to_user(entry, username, groups)

    def _groups(self, conn: ldap3.Connection, entry: dict[str, Any]) -> list[str]:
        groups = [str(g) for g in _all(entry["attributes"], "memberOf")]
        base = self.config.get("LDAP_GROUP_BASE")
        if base:
            flt = self.config["LDAP_GROUP_FILTER"].format(user_dn=escape_filter_chars(entry["dn"]))
            for g in self._search(conn, base, flt, ldap3.SUBTREE, ["cn"]):
                groups.append(g["dn"])
        seen: dict[str, str] = {}
        for g in groups:
            seen.setdefault(g.lower(), g)
        return list(seen.values())

    def _to_user(self, entry: dict[str, Any], username: str, groups: list[str]) -> DirectoryUser:
        c = self.config
        attrs = entry["attributes"]
        external_id = _id_to_str(_first(attrs, c.get("LDAP_ATTR_ID"))) or entry["dn"]
        name = _first(attrs, c.get("LDAP_ATTR_NAME")) or username
        oe = _first(attrs, c.get("LDAP_ATTR_OE"))
        pn = _first(attrs, c.get("LDAP_ATTR_PERSONNEL_NUMBER"))
        mail = _first(attrs, c.get("LDAP_ATTR_MAIL"))
        login = _first(attrs, c.get("LDAP_ATTR_USERNAME")) or username
        return DirectoryUser(
            external_id=str(external_id),
            dn=entry["dn"],
            username=str(login),
            display_name=str(name),
            email=str(mail) if mail else None,
            oe_value=str(oe).strip() if oe else None,
            personnel_number=str(pn).strip() if pn else None,
            groups=groups,
        )


def _safe_unbind(conn: ldap3.Connection) -> None:
    try:
        conn.unbind()
    except Exception:  # noqa: BLE001 - closing a broken connection must not mask the real error
        pass
