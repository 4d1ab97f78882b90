"""The people, groups and passwords of the test directories.

Single source of truth for tests: tests/ldap/base.ldif (OpenLDAP style, uid=...)
and tests/ldap/ad.ldif (Active-Directory style, cn="Nachname, Vorname") hold the
same persons. test_infra_directory.py binds as every person with PASSWORDS and
compares the attributes with PEOPLE, so the LDIF files and this module cannot drift
apart unnoticed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from ldap3.utils.dn import escape_rdn

# --- OpenLDAP style directory (tests/ldap/base.ldif) -------------------------

BASE_DN = "dc=dresden,dc=test"
PEOPLE_BASE = f"ou=people,{BASE_DN}"
GROUP_BASE = f"ou=groups,{BASE_DN}"
SERVICE_BASE = f"ou=service,{BASE_DN}"
SERVICE_DN = f"cn=portal-dienst,{SERVICE_BASE}"
SERVICE_PASSWORD = "Dienst-Geheim-1"

MAIL_DOMAIN = "stadt.dresden.test"


@dataclass(frozen=True)
class Person:
    uid: str
    given_name: str
    surname: str
    oe: str | None  # departmentNumber (base) / department (AD); None = attribute absent
    personnel_number: str  # employeeNumber (base) / employeeID (AD)
    mail: str
    groups: tuple[str, ...]  # group cns besides portal-alle
    note: str

    @property
    def cn(self) -> str:
        return f"{self.given_name} {self.surname}"

    @property
    def all_groups(self) -> tuple[str, ...]:
        return (*self.groups, "portal-alle")


def _p(uid, given, sn, oe, number, local, groups, note) -> Person:
    return Person(uid, given, sn, oe, number, f"{local}@{MAIL_DOMAIN}", tuple(groups), note)


PEOPLE: dict[str, Person] = {
    p.uid: p
    for p in (
        _p("jmueller", "Jürgen", "Müller", "Amt 50", "100001", "juergen.mueller", [], "Beschäftigter ohne Rolle"),
        _p("fobi50", "Gül", "Öztürk", "Amt 50", "100002", "guel.oeztuerk", ["portal-fortbildung"], "Fortbildungsverantwortliche Amt 50"),
        _p("oev50", "Renée", "Weiß", "Amt 50", "100003", "renee.weiss", ["portal-oe-verantwortliche"], "OE-Verantwortliche Amt 50"),
        _p("oev51", "Søren", "Schäfer", "Amt 51", "100004", "soeren.schaefer", ["portal-oe-verantwortliche"], "OE-Verantwortlicher Amt 51 (fremde OE)"),
        _p("fobi51", "Ana", "Ćosić", "Amt 51", "100005", "ana.cosic", ["portal-fortbildung"], "Fortbildungsverantwortliche Amt 51"),
        _p("agl1", "Björn", "Krüger", "Amt 50", "100006", "bjoern.krueger", ["portal-ag1"], "AG-Leitung AG 1"),
        _p("ibuero", "Zoë", "Ludwig", "INAUSLB", "100007", "zoe.ludwig", ["portal-integrationsbuero"], "Integrationsbüro"),
        _p("pamt", "Paul", "Hähnel", "Amt 10", "100008", "paul.haehnel", ["portal-personalamt"], "Personalamt"),
        _p("admin", "Ada", "Schröder", "Amt 10", "100009", "ada.schroeder", ["portal-admin"], "Administration"),
        _p("niemand", "Nora", "Unbekannt", "Amt 999", "100010", "nora.unbekannt", [], "OE-Code, den das Portal nicht kennt"),
        _p("ohneoe", "Otto", "Ohne", None, "100011", "otto.ohne", [], "ohne departmentNumber"),
        _p("jürgen.weiß", "Jürgen", "Weiß", "Amt 50", "100012", "juergen.weiss", [], "uid mit Umlauten"),
    )
}

# Clear-text passwords (uid -> password). The LDIF files carry {SSHA} hashes of
# exactly these strings, made with `slappasswd -s '<password>'`.
PASSWORDS: dict[str, str] = {
    "jmueller": "Passwort-Müller-1",
    "fobi50": "ein langes Passwort mit Leerzeichen 50",
    "oev50": "Renée#Amt50",
    "oev51": "Søren+Schäfer=51",
    "fobi51": "Ćosić_Amt_51",
    "agl1": "ag1-leitung",
    "ibuero": "Zoë:Integration/7",
    "pamt": "Pers0nal'amt\"10$",
    "admin": "Admin-Geheim-9!",
    "niemand": "niemand-999",
    "ohneoe": "ohne OE",
    "jürgen.weiß": "Straße&Größe;12",
}

# Group cn -> member uids. portal-alle holds everyone and maps to no role.
GROUPS: dict[str, tuple[str, ...]] = {
    "portal-fortbildung": ("fobi50", "fobi51"),
    "portal-oe-verantwortliche": ("oev50", "oev51"),
    "portal-ag1": ("agl1",),
    "portal-integrationsbuero": ("ibuero",),
    "portal-personalamt": ("pamt",),
    "portal-admin": ("admin",),
    "portal-alle": tuple(PEOPLE),
}


def user_dn(uid: str) -> str:
    return f"uid={escape_rdn(uid)},{PEOPLE_BASE}"


def group_dn(cn: str) -> str:
    return f"cn={escape_rdn(cn)},{GROUP_BASE}"


# --- Active-Directory style directory (tests/ldap/ad.schema, ad.ldif) --------
# sAMAccountName = uid, userPrincipalName = uid@stadt.dresden.test,
# department = OE code, employeeID = Personalnummer, cn = "Nachname, Vorname",
# displayName = "Vorname Nachname". No uid attribute on AD users.
# objectGUID is an OCTET STRING of 16 bytes in Active Directory's byte order:
# uuid.UUID(bytes_le=value) gives AD_OBJECT_GUIDS[uid].
# memberOf is computed by the dynlist overlay: ask for it by name.

AD_BASE_DN = "dc=ad,dc=dresden,dc=test"
AD_USER_BASE = f"ou=Benutzer,{AD_BASE_DN}"
AD_GROUP_BASE = f"ou=Gruppen,{AD_BASE_DN}"
AD_SERVICE_BASE = f"ou=Dienstkonten,{AD_BASE_DN}"
AD_SERVICE_DN = f"cn=portal-dienst,{AD_SERVICE_BASE}"
AD_SERVICE_PASSWORD = SERVICE_PASSWORD
UPN_DOMAIN = MAIL_DOMAIN

AD_OBJECT_GUIDS: dict[str, uuid.UUID] = {
    uid: uuid.uuid5(uuid.NAMESPACE_URL, f"https://ad.dresden.test/user/{uid}") for uid in PEOPLE
}


def ad_user_cn(uid: str) -> str:
    person = PEOPLE[uid]
    return f"{person.surname}, {person.given_name}"


def ad_user_dn(uid: str) -> str:
    return f"cn={escape_rdn(ad_user_cn(uid))},{AD_USER_BASE}"


def ad_group_dn(cn: str) -> str:
    return f"cn={escape_rdn(cn)},{AD_GROUP_BASE}"


def upn(uid: str) -> str:
    return f"{uid}@{UPN_DOMAIN}"
