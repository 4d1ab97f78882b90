"""Who gets which answer from which route — the table behind the security suite.

How the expected status of (route, method, person) is found:

1. ``OBJECT_ROUTES[endpoint]`` for every route with an argument (an ``<int:…>`` id or
   e.g. a ``<fmt>``). It is REQUIRED: such a route without an entry fails the suite.
   An entry says how to create an object that belongs to the own OE (``arrange``, run
   in an app context; the functions live in tests/security/objects.py) and what each
   person gets per method (``expect``). A guessed id (the object does not exist) must
   give 404 to everyone who would otherwise get through.
2. ``ENDPOINTS[endpoint]`` — explicit answers for routes whose behaviour the access
   rule does not tell (optional).
3. Otherwise the view's access rule (``portal.auth.access.access_rule``):
   ``public`` → GET 200; ``signed_in`` → anonymous GET 302 (to the sign-in page) or
   POST 401, everyone else GET 200; ``roles_required(...)`` → as ``signed_in`` for
   holders of a role, 403 for the rest.

4. ``QUERY_ROUTES`` (optional): pages that take the OE from the query string, called
   with the own OE's id; another OE's person must get 404 or a page of their own OE.

Besides the people with roles, the table has "fremde_oe" (the OE roles for another OE
and AG2) and "ohne_oe" (the OE roles without a known OE).

POST requests carry a valid CSRF token and an empty form. For POST, ``ALLOWED``
means "got through the access checks": any status except 401, 403, 404 and 5xx.

Adding a feature: a new route without arguments needs nothing here. A route with an
id needs one ``OBJECT_ROUTES`` entry, e.g. for a certificate download::

    "trainings.download": ObjectRoute(
        arrange=objects.submitted_certificate,  # {"training_id": …} of the own OE
        expect={"GET": refused("GET", ok=("beschaeftigte", "fortbildungsbeauftragte", "integrationsbuero"),
                               hidden=<every other signed-in person>)},  # they get 404
    ),
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models.org import OrgUnit
from tests.security import objects

OWN_OE = "Amt 50"
FOREIGN_OE = "Amt 51"

# name → (roles, OE); None = not signed in. "fremde_oe" holds the OE-bound roles (and
# the AG-Leitung of another working group), but for another OE than the objects the
# table creates; "ohne_oe" holds them without a known OE. The objects' field of action
# belongs to AG1. "beschaeftigte" owns the certificates the table creates
# (PERSONNEL_NUMBERS); the other people of the own OE are colleagues.
PRINCIPALS: dict[str, tuple[tuple[str, ...], str | None] | None] = {
    "anonym": None,
    "beschaeftigte": ((), OWN_OE),
    "fortbildungsbeauftragte": (("fortbildungsbeauftragte",), OWN_OE),
    "oe_verantwortliche": (("oe_verantwortliche",), OWN_OE),
    "ag_leitung": (("ag_leitung:AG1",), OWN_OE),
    "integrationsbuero": (("integrationsbuero",), "INAUSLB"),
    "personalamt": (("personalamt",), "Amt 10"),
    "admin": (("admin",), "Amt 10"),
    "fremde_oe": (("fortbildungsbeauftragte", "oe_verantwortliche", "ag_leitung:AG2"), FOREIGN_OE),
    "ohne_oe": (("fortbildungsbeauftragte", "oe_verantwortliche"), None),
}
PERSONNEL_NUMBERS = {"beschaeftigte": objects.OWNER_NUMBER}
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
    # the request uses the object up (deletes, decides, opens): a new one per person
    fresh: bool = False


def refused(method: str, ok: Iterable[str], hidden: Iterable[str], ok_status: Any = None,
            hidden_status: int = 404) -> dict[str, Any]:
    """Like `answers`, but the people in `hidden` pass the route's role check and are
    then refused for this object (another OE's object: 404, existence not revealed)."""
    result = answers(method, ok, ok_status)
    for p in hidden:
        assert p in PRINCIPALS and p not in ok, p
        result[p] = hidden_status
    return result


def both(route_answers: Callable[[str], dict[str, Any]], *methods: str) -> dict[str, dict[str, Any]]:
    return {m: route_answers(m) for m in methods}


ADMIN_ONLY = holders("admin")
OFFICE = ("integrationsbuero",)
OE_BOUND = ("fremde_oe", "ohne_oe")  # hold the OE roles, but not for the own OE

CERT_READERS = ("beschaeftigte", "fortbildungsbeauftragte", "integrationsbuero")
CERT_UPLOADERS = ("beschaeftigte", "fortbildungsbeauftragte")
PERIOD_READERS = ("ag_leitung", "fremde_oe", "integrationsbuero", "admin")

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
    "admin.org_units_template": ObjectRoute(  # the template of the OE list import
        arrange=lambda db: {"fmt": "csv"}, expect={"GET": answers("GET", ADMIN_ONLY)},
    ),

    # --- trainings (docs/trainings.md "Who sees persons/certificates"): the person, the
    # training officer of the person's OE and the Integrationsbüro; everyone else — the
    # Personalamt, admins, colleagues, other OEs — gets 404 for certificates.
    "trainings.certificate": ObjectRoute(
        arrange=objects.submitted_certificate,
        expect={"GET": refused("GET", CERT_READERS, set(SIGNED_IN) - set(CERT_READERS))},
    ),
    "trainings.download": ObjectRoute(
        arrange=objects.submitted_certificate,
        expect={"GET": refused("GET", CERT_READERS, set(SIGNED_IN) - set(CERT_READERS))},
    ),
    # a returned certificate is corrected by the person or the OE's training officer
    "trainings.correct": ObjectRoute(
        arrange=objects.returned_certificate,
        expect=both(lambda m: refused(m, CERT_UPLOADERS, set(SIGNED_IN) - set(CERT_UPLOADERS)), "GET", "POST"),
    ),
    "trainings.decide": ObjectRoute(
        arrange=objects.submitted_certificate, expect={"POST": answers("POST", OFFICE)},
    ),
    "trainings.person": ObjectRoute(
        arrange=objects.roster_person,
        expect={"GET": refused("GET", ("fortbildungsbeauftragte", "integrationsbuero"), OE_BOUND)},
    ),
    "trainings.upload_for": ObjectRoute(
        arrange=objects.roster_person,
        expect=both(lambda m: refused(m, ("fortbildungsbeauftragte",), OE_BOUND), "GET", "POST"),
    ),
    "trainings.roster_edit": ObjectRoute(
        arrange=objects.roster_entry,
        expect=both(lambda m: refused(m, ("fortbildungsbeauftragte", "integrationsbuero"), OE_BOUND), "GET", "POST"),
    ),
    "trainings.roster_delete": ObjectRoute(
        arrange=objects.roster_entry, fresh=True,
        expect={"GET": refused("GET", ("fortbildungsbeauftragte", "integrationsbuero"), OE_BOUND),
                "POST": refused("POST", ("fortbildungsbeauftragte", "integrationsbuero"), OE_BOUND, ok_status=302)},
    ),
    # the table: an officer gets the own OE's table, the Personalamt numbers citywide
    "trainings.export": ObjectRoute(
        arrange=lambda db: {"fmt": "csv"},
        expect={"GET": answers("GET", ("fortbildungsbeauftragte", "fremde_oe", "integrationsbuero", "personalamt"))},
    ),

    # --- Selbstcheck (docs/selbstcheck.md "Wer darf was?"): the OE's OE-Verantwortliche,
    # the Integrationsbüro and admins read; another OE (or none) gets 404; the rest 403.
    **{
        endpoint: ObjectRoute(
            arrange=objects.selbstcheck_submitted,
            expect={"GET": refused("GET", ("oe_verantwortliche", "integrationsbuero", "admin"), OE_BOUND)},
        )
        for endpoint in ("selbstcheck.show", "selbstcheck.version", "selbstcheck.pdf")
    },
    # only the OE-Verantwortliche writes; the office and admins read only
    "selbstcheck.edit": ObjectRoute(
        arrange=objects.selbstcheck_draft,
        expect=both(lambda m: {**refused(m, ("oe_verantwortliche",), OE_BOUND), "integrationsbuero": 403, "admin": 403},
                    "GET", "POST"),
    ),
    "selbstcheck.review": ObjectRoute(
        arrange=objects.selbstcheck_submitted, expect={"POST": answers("POST", OFFICE)},
    ),
    "selbstcheck.bands": ObjectRoute(
        arrange=objects.questionnaire, expect=both(lambda m: answers(m, OFFICE), "GET", "POST"),
    ),
    "selbstcheck.overview_export": ObjectRoute(
        arrange=lambda db: {"fmt": "csv"}, expect={"GET": answers("GET", ("integrationsbuero", "admin"))},
    ),

    # --- measures (docs/measures.md): an OE reports the rows it leads (another OE's row:
    # 404); the AG-Leitung of the field's group (AG1 here; "fremde_oe" leads AG2) reads
    # and assesses; the Integrationsbüro edits the catalogue, periods and reviews.
    "measures.report": ObjectRoute(
        arrange=objects.period_and_row,
        expect=both(lambda m: refused(m, ("oe_verantwortliche",), OE_BOUND), "GET", "POST"),
    ),
    "measures.report_unchanged": ObjectRoute(
        arrange=objects.period_and_row, expect={"POST": refused("POST", ("oe_verantwortliche",), OE_BOUND)},
    ),
    "measures.review": ObjectRoute(
        arrange=objects.submitted_report,
        expect={
            "GET": refused("GET", ("oe_verantwortliche", "ag_leitung", "integrationsbuero", "admin"), OE_BOUND),
            "POST": {**refused("POST", OFFICE, OE_BOUND), "oe_verantwortliche": 403, "ag_leitung": 403, "admin": 403},
        },
    ),
    "measures.assess": ObjectRoute(
        arrange=objects.period_and_measure, expect={"POST": refused("POST", ("ag_leitung",), ("fremde_oe",), hidden_status=403)},
    ),
    "measures.catalogue_export": ObjectRoute(
        arrange=lambda db: {"fmt": "csv"}, expect={"GET": answers("GET", OFFICE)},
    ),
    "measures.catalogue_template": ObjectRoute(
        arrange=lambda db: {"fmt": "xlsx"}, expect={"GET": answers("GET", OFFICE)},
    ),
    "measures.measure_edit": ObjectRoute(
        arrange=objects.measure, expect=both(lambda m: answers(m, OFFICE), "GET", "POST"),
    ),
    "measures.row_edit": ObjectRoute(
        arrange=objects.row, expect=both(lambda m: answers(m, OFFICE), "GET", "POST"),
    ),
    "measures.period_open": ObjectRoute(
        arrange=objects.period, expect={"POST": answers("POST", OFFICE, ok_status=302)},
    ),
    "measures.period_close": ObjectRoute(
        arrange=objects.period, expect={"GET": answers("GET", OFFICE), "POST": answers("POST", OFFICE, ok_status=302)},
    ),
    **{
        endpoint: ObjectRoute(arrange=objects.period, expect={"GET": answers("GET", PERIOD_READERS)})
        for endpoint in ("measures.overview", "measures.evaluation", "measures.council")
    },
    "measures.council_download": ObjectRoute(
        arrange=lambda db: {**objects.period(db), "fmt": "csv"}, expect={"GET": answers("GET", PERIOD_READERS)},
    ),
    # the council table as an export job: an empty form (no format) gets through the checks and is refused (400)
    "measures.council_job": ObjectRoute(arrange=objects.period, expect={"POST": answers("POST", PERIOD_READERS)}),
}

def without_oe(method: str, *roles: str, status: int = 403) -> dict[str, Any]:
    """The role holders get through, except an officer whose OE is not known."""
    return refused(method, [p for p in holders(*roles) if p != "ohne_oe"], ("ohne_oe",), hidden_status=status)


ROSTER_KEEPERS = ("fortbildungsbeauftragte", "integrationsbuero")
OBJECT_ROUTES["trainings.roster_template"] = ObjectRoute(  # the template for the own OE's import
    arrange=lambda db: {"fmt": "csv"}, expect={"GET": without_oe("GET", *ROSTER_KEEPERS)},
)


# --- review: dossiers of the own OE; export jobs only for the office member who started them
DOSSIER_READERS = ("integrationsbuero", "oe_verantwortliche", "fortbildungsbeauftragte")


def _dossier_answers() -> dict[str, Any]:
    return refused("GET", DOSSIER_READERS, OE_BOUND)  # another OE's dossier is not revealed


def _foreign_export_job(db: Session, kind: str = "review_dossiers", params: str = "{}") -> dict[str, Any]:
    from portal.models.export_job import ExportJob

    job = ExportJob(kind=kind, state="done", params=params, created_by_id=None)
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


def _foreign_citywide_job(db: Session) -> dict[str, Any]:
    return _foreign_export_job(db, "ratstabelle", '{"fmt": "csv", "period_id": 1}')


# city-wide export jobs (portal/exports/citywide.py): someone else's job does not exist for anyone
OBJECT_ROUTES.update({
    endpoint: ObjectRoute(arrange=_foreign_citywide_job, expect={"GET": answers("GET", (), denied=404)})
    for endpoint in ("exports.job", "exports.job_download")
})

# --- Gremien (docs/gremien.md "Wer darf was?"): everyone signed in reads; the Integrationsbüro
# maintains every body, the AG-Leitung its own AG (AG1 here; "fremde_oe" leads AG2: 403);
# the minutes: maintainers, admins and every AG-Leitung, the rest get 404.
GREMIUM_KEEPERS = ("ag_leitung", "integrationsbuero")
MINUTES_READERS = ("ag_leitung", "fremde_oe", "integrationsbuero", "admin")
OBJECT_ROUTES.update({
    "gremien.show": ObjectRoute(arrange=objects.working_group, expect={"GET": answers("GET", SIGNED_IN)}),
    **{endpoint: ObjectRoute(arrange=objects.working_group,
                             expect=both(lambda m: answers(m, GREMIUM_KEEPERS), "GET", "POST"))
       for endpoint in ("gremien.member_new", "gremien.lead_new", "gremien.meeting_new", "gremien.note_new")},
    "gremien.lead_end": ObjectRoute(arrange=objects.gremium_lead,
                                    expect={"POST": answers("POST", GREMIUM_KEEPERS, ok_status=302)}),
    "gremien.member_leave": ObjectRoute(arrange=objects.gremium_member,
                                        expect={"POST": answers("POST", GREMIUM_KEEPERS, ok_status=302)}),
    "gremien.meeting": ObjectRoute(arrange=objects.gremium_meeting, expect={
        "GET": answers("GET", SIGNED_IN), "POST": answers("POST", GREMIUM_KEEPERS)}),
    "gremien.invitation": ObjectRoute(arrange=objects.gremium_meeting, expect={"GET": answers("GET", SIGNED_IN)}),
    "gremien.minutes": ObjectRoute(arrange=objects.gremium_meeting, expect={
        "GET": refused("GET", MINUTES_READERS, set(SIGNED_IN) - set(MINUTES_READERS))}),
})

# --- report to the city council (docs/bericht.md): the Integrationsbüro only; a job belongs to
# the person who started it (for the rest of the office it does not exist)
OBJECT_ROUTES.update({
    "bericht.period": ObjectRoute(arrange=objects.period, expect={"GET": answers("GET", OFFICE)}),
    "bericht.text": ObjectRoute(arrange=lambda db: {**objects.period(db), "key": "einleitung"},
                                expect=both(lambda m: answers(m, OFFICE), "GET", "POST")),
    "bericht.text_version": ObjectRoute(arrange=objects.report_text, expect={"GET": answers("GET", OFFICE)}),
    "bericht.start": ObjectRoute(arrange=objects.period, expect={"POST": answers("POST", OFFICE, ok_status=302)}),
    "bericht.job": ObjectRoute(arrange=objects.foreign_report_job,
                               expect={"GET": answers("GET", (), denied=403) | {"integrationsbuero": 404}}),
    "bericht.job_download": ObjectRoute(arrange=objects.foreign_report_job,
                                        expect={"GET": answers("GET", (), denied=403) | {"integrationsbuero": 404}}),
})

# explicit answers where the access rule alone does not tell
ENDPOINTS: dict[str, dict[str, dict[str, Any]]] = {
    # trainings: an officer without a known OE has no roster and no table (403)
    "trainings.table": {"GET": without_oe("GET", "personalamt", *ROSTER_KEEPERS)},
    "trainings.roster": {"GET": without_oe("GET", *ROSTER_KEEPERS)},
    "trainings.roster_new": both(lambda m: without_oe(m, *ROSTER_KEEPERS), "GET", "POST"),
    "trainings.roster_import": both(lambda m: without_oe(m, *ROSTER_KEEPERS), "GET", "POST"),
    # the persons behind a number need ?oe=…; without it there is no such cell
    "trainings.cell": {"GET": refused("GET", (), holders("integrationsbuero", "fortbildungsbeauftragte"))},
    # the office's start of the Selbstcheck is the overview; without an OE nothing to start
    "selbstcheck.index": {"GET": {**answers("GET", holders("oe_verantwortliche", "integrationsbuero", "admin")),
                                  "integrationsbuero": 302, "admin": 302}},
    "selbstcheck.new": {"POST": without_oe("POST", "oe_verantwortliche")},
    # everyone with the page may read the periods; only the office creates one
    "measures.periods": {"POST": answers("POST", OFFICE)},
    # signed-in people are sent on to the start page; an empty form is a 400
    "auth.login": {
        "GET": {"anonym": 200, **{p: 302 for p in SIGNED_IN}},
        "POST": {"anonym": 400, **{p: 302 for p in SIGNED_IN}},
    },
    "auth.logout": {"POST": answers("POST", SIGNED_IN, ok_status=302)},
    "auth.extend": {"POST": answers("POST", SIGNED_IN, ok_status=302)},
    # the dossier list sends someone who may see only the own OE straight to that dossier
    # (without a known OE the list is empty)
    "review.dossiers": {"GET": answers("GET", DOSSIER_READERS) | {"ohne_oe": 200} | {
        p: 302 for p in ("oe_verantwortliche", "fortbildungsbeauftragte", "fremde_oe")}},
}

# pages that take the OE from the query (?oe=<id of the own OE>): the answer per person.
# A person of another OE must not get the own OE's data — 404, or their own OE's page
# (then the own OE's code must not appear in it; the suite checks that).
def _own_oe_query(db: Session, **extra: str) -> dict[str, Any]:
    return {"oe": own_org_unit(db)["unit_id"], **extra}


QUERY_ROUTES: dict[str, tuple[Callable[[Session], dict[str, Any]], dict[str, Any]]] = {
    "trainings.table": (_own_oe_query, without_oe("GET", "personalamt", *ROSTER_KEEPERS)),
    "trainings.export": (
        lambda db: {"fmt": "csv", **_own_oe_query(db)},
        without_oe("GET", "personalamt", *ROSTER_KEEPERS),
    ),
    "trainings.cell": (
        lambda db: _own_oe_query(db, zeile="beschaeftigte", spalte="personen"),
        refused("GET", ROSTER_KEEPERS, OE_BOUND),
    ),
    "trainings.roster": (_own_oe_query, refused("GET", ROSTER_KEEPERS, OE_BOUND)),
    "trainings.roster_new": (_own_oe_query, refused("GET", ROSTER_KEEPERS, OE_BOUND)),
    "trainings.roster_import": (_own_oe_query, refused("GET", ROSTER_KEEPERS, OE_BOUND)),
}

# tables a refused request to a non-object route may still write to
WRITES_WHEN_REFUSED: dict[str, frozenset[str]] = {
    "auth.login": frozenset({"login_attempts", "audit_events"}),
}


class MissingExpectation(AssertionError):
    pass


def expected(route: Any, method: str) -> dict[str, Any]:
    """principal → expected status for `route` (a tests.support.routes.Route)."""
    if route.arguments:
        entry = OBJECT_ROUTES.get(route.endpoint)
        if entry is None:
            raise MissingExpectation(
                f"Für die Route mit Argumenten {route.endpoint} ({route.rule}) fehlt ein Eintrag in "
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
        result = from_access_rule(route, method)
    missing = set(PRINCIPALS) - set(result)
    if missing:
        raise MissingExpectation(f"{route.endpoint} {method}: keine Erwartung für {sorted(missing)}")
    return result


def from_access_rule(route: Any, method: str) -> dict[str, Any]:
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


def arrange(app: Any, db: Session, route: Any) -> dict[str, Any]:
    """The URL values of `route`: its object of the own OE, created and committed."""
    if not route.arguments:
        return {}
    with app.app_context():
        values = OBJECT_ROUTES[route.endpoint].arrange(db)
    db.commit()
    return values


def writes_when_refused(route: Any) -> frozenset[str]:
    entry = OBJECT_ROUTES.get(route.endpoint)
    if entry is not None:
        return entry.writes_when_refused
    return WRITES_WHEN_REFUSED.get(route.endpoint, frozenset())
