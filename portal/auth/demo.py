"""The built-in demo directory (``LDAP_URL=demo``): ldap3's in-process mock.

For ``make run`` and the demo only — tests of sign-in use a real OpenLDAP slapd.
Passwords are plaintext here because the mock cannot check hashes.
"""
from __future__ import annotations

import json
import uuid
from functools import cache
from importlib import resources
from typing import Any

import ldap3

BASE = "dc=dresden,dc=demo"
SERVICE_DN = f"cn=portal-dienst,ou=service,{BASE}"
SERVICE_PASSWORD = "demo-dienst"


@cache
def demo_data() -> dict[str, Any]:
    text = resources.files("portal").joinpath("data/demo/directory.json").read_text("utf-8")
    return json.loads(text)


def demo_settings() -> dict[str, Any]:
    """Directory settings that match the demo entries."""
    data = demo_data()
    return {
        "LDAP_USER_BASE": f"ou=people,{BASE}",
        "LDAP_GROUP_BASE": f"ou=groups,{BASE}",
        "LDAP_USER_FILTER": "(&(objectClass=inetOrgPerson)(uid={username}))",
        "LDAP_ATTR_OE": "departmentNumber",
        "LDAP_ATTR_PERSONNEL_NUMBER": "employeeNumber",
        "LDAP_ATTR_ID": "entryUUID",
        "ROLE_MAP": data["role_map"],
    }


def load_demo_entries(conn: ldap3.Connection) -> None:
    data = demo_data()
    add = conn.strategy.add_entry
    add(BASE, {"objectClass": ["top", "dcObject", "organization"], "o": "Landeshauptstadt Dresden (Demo)", "dc": "dresden"})
    for ou in ("people", "groups", "service"):
        add(f"ou={ou},{BASE}", {"objectClass": ["organizationalUnit"], "ou": ou})
    add(SERVICE_DN, {"objectClass": ["person"], "cn": "portal-dienst", "sn": "Dienst", "userPassword": SERVICE_PASSWORD})
    members: dict[str, list[str]] = {}
    for p in data["people"]:
        dn = f"uid={p['uid']},ou=people,{BASE}"
        add(
            dn,
            {
                "objectClass": ["inetOrgPerson", "organizationalPerson", "person", "top"],
                "uid": p["uid"],
                "cn": p["cn"],
                "sn": p["sn"],
                "givenName": p["givenName"],
                "mail": f"{p['uid']}@dresden.demo",
                "departmentNumber": p["oe"],
                "employeeNumber": p["pn"],
                "entryUUID": str(uuid.uuid5(uuid.NAMESPACE_DNS, p["uid"] + ".dresden.demo")),
                "userPassword": data["password"],
            },
        )
        for g in p["groups"]:
            members.setdefault(g, []).append(dn)
    for g, dns in members.items():
        add(f"cn={g},ou=groups,{BASE}", {"objectClass": ["groupOfNames", "top"], "cn": g, "member": dns})
