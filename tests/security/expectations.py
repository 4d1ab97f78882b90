"""Who gets which answer from which route — the table behind the security suite.

How the expected status of (route, method, person) is found:

1. ``OBJECT_ROUTES[endpoint]`` for every route with an ``<int:…>`` argument. It is
   REQUIRED: such a route without an entry fails the suite. An entry says how to
   create an object that belongs to the own OE (``arrange``) and what each person
   gets per method (``expect``). A guessed id (the object does not exist) must give
   404 to everyone who would otherwise get through.
2. ``ENDPOINTS[endpoint]`` — explicit answers for routes whose behaviour the access
   rule does not tell (optional).
3. Otherwise the view's access rule (``portal.auth.access.access_rule``):
   ``public`` → GET 200; ``signed_in`` → anonymous GET 302 (to the sign-in page) or
   POST 401, everyone else GET 200; ``roles_required(...)`` → as ``signed_in`` for
   holders of a role, 403 for the rest.

POST requests carry a valid CSRF token and an empty form. For POST, ``ALLOWED``
means "got through the access checks": any status except 401, 403, 404 and 5xx.

Adding a feature: a new route without arguments needs nothing here. A route with an
id needs one ``OBJECT_ROUTES`` entry, e.g. for a certificate download::

    "trainings.certificate_download": ObjectRoute(
        arrange=lambda db: {"certificate_id": make_certificate(db, OWN_OE).id},
        expect={"GET": answers("GET", ok=("beschaeftigte_owner", "fortbildungsbeauftragte",
                                          "integrationsbuero"), ok_status=200, denied=404)},
    ),
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models.org import OrgUnit

OWN_OE = "Amt 50"
FOREIGN_OE = "Amt 51"

# name → (roles, OE); None = not signed in. "fremde_oe" holds the OE-bound roles, but
# for another OE than the objects the table creates.
PRINCIPALS: dict[str, tuple[tuple[str, ...], str] | None] = {
    "anonym": None,
    "beschaeftigte": ((), OWN_OE),
    "fortbildungsbeauftragte": (("fortbildungsbeauftragte",), OWN_OE),
    "oe_verantwortliche": (("oe_verantwortliche",), OWN_OE),
    "ag_leitung": (("ag_leitung:AG1",), OWN_OE),
    "integrationsbuero": (("integrationsbuero",), "INAUSLB"),
    "personalamt": (("personalamt",), "Amt 10"),
    "admin": (("admin",), "Amt 10"),
    "fremde_oe": (("fortbildungsbeauftragte", "oe_verantwortliche"), FOREIGN_OE),
}
SIGNED_IN = tuple(p for p, spec in PRINCIPALS.items() if spec is not None)
# a person with every role, for checks that must get past the access rules
EVERY_ROLE = "alle_rollen"


class _Allowed:
    def __repr__(self) -> str:
        return "erlaubt (kein 401/403/404/5xx)"


ALLOWED: Any = _Allowed()
DENIED_STATUSES = (401, 403, 404)


def matches(expected: Any, status: int) -> bool:
    if expected is ALLOWED:
        return status not in DENIED_STATUSES and status < 500
    return status == expected


def roles_of(principal: str) -> set[str]:
    spec = PRINCIPALS[principal]
    if spec is None:
        return set()
    return {"beschaeftigte"} | {r.partition(":")[0] for r in spec[0]}


def answers(method: str, ok: Iterable[str], ok_status: Any = None, denied: int = 403) -> dict[str, Any]:
    """Expected answers when only the principals in `ok` get through."""
    ok = set(ok)
    unknown = ok - set(PRINCIPALS)
    assert not unknown, f"unbekannte Personen in der Erwartung: {unknown}"
    if ok_status is None:
        ok_status = 200 if method == "GET" else ALLOWED
    result: dict[str, Any] = {}
    for p in PRINCIPALS:
        if p == "anonym" and p not in ok:
            result[p] = 302 if method == "GET" else 401
        else:
            result[p] = ok_status if p in ok else denied
    return result


def holders(*roles: str) -> tuple[str, ...]:
    return tuple(p for p in SIGNED_IN if roles_of(p) & set(roles))


def own_org_unit(db: Session) -> dict[str, Any]:
    unit = db.scalar(select(OrgUnit).where(OrgUnit.code == OWN_OE))
    if unit is None:
        unit = OrgUnit(code=OWN_OE, name="Sozialamt", kind="Amt")
        db.add(unit)
        db.flush()
    return {"unit_id": unit.id}


@dataclass(frozen=True)
class ObjectRoute:
    arrange: Callable[[Session], dict[str, Any]]  # object of the own OE → URL values
    expect: dict[str, dict[str, Any]]  # method → principal → status
    # tables a refused request may still write to (e.g. a failed sign-in is counted)
    writes_when_refused: frozenset[str] = field(default_factory=frozenset)


ADMIN_ONLY = holders("admin")

OBJECT_ROUTES: dict[str, ObjectRoute] = {
    # foundation: the OE directory (admins only; OEs are not per-OE data)
    "admin.org_unit_edit": ObjectRoute(
        arrange=own_org_unit,
        expect={"GET": answers("GET", ADMIN_ONLY), "POST": answers("POST", ADMIN_ONLY)},
    ),
    "admin.org_unit_retire": ObjectRoute(
        arrange=own_org_unit, expect={"POST": answers("POST", ADMIN_ONLY, ok_status=302)}
    ),
    "admin.org_unit_reactivate": ObjectRoute(
        arrange=own_org_unit, expect={"POST": answers("POST", ADMIN_ONLY, ok_status=302)}
    ),
}

# --- review: dossiers of the own OE; export jobs only for the office member who started them
DOSSIER_READERS = ("integrationsbuero", "oe_verantwortliche", "fortbildungsbeauftragte")


def _dossier_answers() -> dict[str, Any]:
    result = answers("GET", DOSSIER_READERS)
    result["fremde_oe"] = 404  # another OE's dossier is not revealed
    return result


def _foreign_export_job(db: Session) -> dict[str, Any]:
    from portal.models.export_job import ExportJob

    job = ExportJob(kind="review_dossiers", state="done", params="{}", created_by_id=None)
    db.add(job)
    db.flush()
    return {"job_id": job.id}


OBJECT_ROUTES.update({
    "review.dossier_show": ObjectRoute(arrange=own_org_unit, expect={"GET": _dossier_answers()}),
    "review.dossier_download": ObjectRoute(arrange=lambda db: {**own_org_unit(db), "fmt": "xlsx"},
                                           expect={"GET": _dossier_answers()}),
    # a job belongs to the person who started it: for everyone else it does not exist
    "review.job": ObjectRoute(arrange=_foreign_export_job,
                              expect={"GET": answers("GET", (), denied=403) | {"integrationsbuero": 404}}),
    "review.job_download": ObjectRoute(arrange=_foreign_export_job,
                                       expect={"GET": answers("GET", (), denied=403) | {"integrationsbuero": 404}}),
})

# explicit answers where the access rule alone does not tell
ENDPOINTS: dict[str, dict[str, dict[str, Any]]] = {
    # signed-in people are sent on to the start page; an empty form is a 400
    "auth.login": {
        "GET": {"anonym": 200, **{p: 302 for p in SIGNED_IN}},
        "POST": {"anonym": 400, **{p: 302 for p in SIGNED_IN}},
    },
    "auth.logout": {"POST": answers("POST", SIGNED_IN, ok_status=302)},
    "auth.extend": {"POST": answers("POST", SIGNED_IN, ok_status=302)},
    # the dossier list sends someone who may see only the own OE straight to that dossier
    "review.dossiers": {"GET": answers("GET", DOSSIER_READERS) | {
        p: 302 for p in ("oe_verantwortliche", "fortbildungsbeauftragte", "fremde_oe")}},
}

# tables a refused request to a non-object route may still write to
WRITES_WHEN_REFUSED: dict[str, frozenset[str]] = {
    "auth.login": frozenset({"login_attempts", "audit_events"}),
}


class MissingExpectation(AssertionError):
    pass


def expected(route: Any, method: str) -> dict[str, Any]:
    """principal → expected status for `route` (a tests.support.routes.Route)."""
    if route.object_route:
        entry = OBJECT_ROUTES.get(route.endpoint)
        if entry is None:
            raise MissingExpectation(
                f"Für die Objekt-Route {route.endpoint} ({route.rule}) fehlt ein Eintrag in "
                "tests/security/expectations.py OBJECT_ROUTES: wer darf das Objekt einer anderen OE sehen? "
                "Tragen Sie arrange und die erwarteten Antworten je Person ein."
            )
        if method not in entry.expect:
            raise MissingExpectation(
                f"OBJECT_ROUTES[{route.endpoint!r}] nennt keine Erwartung für {method} "
                f"(Methoden der Route: {', '.join(route.methods)})."
            )
        result = entry.expect[method]
    elif route.endpoint in ENDPOINTS and method in ENDPOINTS[route.endpoint]:
        result = ENDPOINTS[route.endpoint][method]
    else:
        result = _from_access_rule(route, method)
    missing = set(PRINCIPALS) - set(result)
    if missing:
        raise MissingExpectation(f"{route.endpoint} {method}: keine Erwartung für {sorted(missing)}")
    return result


def _from_access_rule(route: Any, method: str) -> dict[str, Any]:
    rule = route.access
    if rule is None:
        raise MissingExpectation(
            f"Die Route {route.endpoint} ({route.rule}) hat keine Zugriffsregel "
            "(@public, @signed_in oder @roles_required aus portal.auth.access)."
        )
    if method not in ("GET", "POST"):
        raise MissingExpectation(f"{route.endpoint} {method}: bitte in ENDPOINTS eintragen")
    kind = rule[0]
    if kind == "public":
        return {p: (200 if method == "GET" else ALLOWED) for p in PRINCIPALS}
    if kind == "signed_in":
        return answers(method, SIGNED_IN)
    if kind == "roles":
        return answers(method, holders(*rule[1:]))
    raise MissingExpectation(f"{route.endpoint}: unbekannte Zugriffsregel {rule!r}")


def writes_when_refused(route: Any) -> frozenset[str]:
    entry = OBJECT_ROUTES.get(route.endpoint)
    if entry is not None:
        return entry.writes_when_refused
    return WRITES_WHEN_REFUSED.get(route.endpoint, frozenset())
