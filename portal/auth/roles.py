"""Directory groups → portal roles, by the configurable ``ROLE_MAP``.

Keys are group DNs or group CNs (case-insensitive); values are role codes, for
``ag_leitung`` with the working group after a colon: ``"ag_leitung:AG1"``.
"""
from __future__ import annotations

from dataclasses import dataclass

from ldap3.utils.dn import parse_dn

from portal.models.people import ROLES, WORKING_GROUPS, Role


@dataclass(frozen=True)
class RoleGrant:
    role: str
    scope: str
    source_group: str


class RoleMapError(ValueError):
    pass


def parse_role_value(value: str) -> tuple[str, str]:
    role, _, scope = value.partition(":")
    role, scope = role.strip(), scope.strip().upper()
    if role not in ROLES:
        raise RoleMapError(f"Unbekannte Rolle in ROLE_MAP: {role!r}")
    if role == Role.AG_LEITUNG:
        if scope not in WORKING_GROUPS:
            raise RoleMapError(f"ag_leitung braucht eine Gruppe ({', '.join(WORKING_GROUPS)}): {value!r}")
    elif scope:
        raise RoleMapError(f"Nur ag_leitung hat eine Gruppe: {value!r}")
    return role, scope


def validate_role_map(role_map: dict[str, str]) -> None:
    for value in role_map.values():
        parse_role_value(value)


def normalize_dn(dn: str) -> str:
    """Compare DNs without regard to case, spacing or escaping (`\\2C` vs `\\,`)."""
    try:
        parts = parse_dn(dn, escape=False, strip=True)
    except Exception:  # noqa: BLE001 - not a DN: compare as plain text
        return dn.strip().lower()
    return ",".join(f"{attr.strip().lower()}={_unescape(value).strip().lower()}" for attr, value, _sep in parts)


def _unescape(value: str) -> str:
    """Undo DN escaping: `\\2C` and `\\,` both become `,` (UTF-8 hex pairs included)."""
    out, i = bytearray(), 0
    raw = value
    while i < len(raw):
        c = raw[i]
        if c == "\\" and i + 1 < len(raw):
            pair = raw[i + 1 : i + 3]
            if len(pair) == 2 and all(ch in "0123456789abcdefABCDEF" for ch in pair):
                out += bytes.fromhex(pair)
                i += 3
                continue
            out += raw[i + 1].encode()
            i += 2
            continue
        out += c.encode()
        i += 1
    return out.decode("utf-8", errors="replace")


def _group_cn(group_dn: str) -> str | None:
    try:
        first = parse_dn(group_dn)[0]
    except Exception:  # noqa: BLE001 - a malformed DN simply has no CN
        return None
    return first[1] if first[0].lower() == "cn" else None


def roles_for_groups(groups: list[str], role_map: dict[str, str]) -> list[RoleGrant]:
    lowered = {(normalize_dn(k) if "=" in k else k.strip().lower()): v for k, v in role_map.items()}
    grants: dict[tuple[str, str], RoleGrant] = {}
    for group in groups:
        keys = [normalize_dn(group)]
        cn = _group_cn(group)
        if cn:
            keys.append(_unescape(cn).strip().lower())
        for key in keys:
            if key in lowered:
                role, scope = parse_role_value(lowered[key])
                grants.setdefault((role, scope), RoleGrant(role, scope, group))
    return sorted(grants.values(), key=lambda g: (g.role, g.scope))
