"""The app's routes as the quality suites see them: taken from the URL map, so a
route added by any feature is picked up without touching the suites."""
from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from dataclasses import dataclass
from typing import Any

from flask import Flask
from werkzeug.routing import Rule
from werkzeug.routing.converters import IntegerConverter, PathConverter

from portal.auth.access import access_rule

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Route:
    endpoint: str
    rule: str
    methods: tuple[str, ...]
    arguments: tuple[str, ...]
    object_route: bool  # takes an <int:…> id
    path_arguments: tuple[str, ...]  # arguments that take a path or a file name
    access: tuple[str, ...] | None

    @property
    def gets(self) -> bool:
        return "GET" in self.methods


def routes(app: Flask) -> list[Route]:
    """Every rule of the URL map except the static files, in a stable order."""
    result = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint == "static":
            continue
        result.append(_route(app, rule))
    return result


def _route(app: Flask, rule: Rule) -> Route:
    converters = rule._converters  # noqa: SLF001 - werkzeug keeps them only here
    view = app.view_functions.get(rule.endpoint)
    return Route(
        endpoint=rule.endpoint,
        rule=rule.rule,
        methods=tuple(m for m in METHODS if m in (rule.methods or ())),
        arguments=tuple(sorted(rule.arguments)),
        object_route=any(isinstance(c, IntegerConverter) for c in converters.values()),
        path_arguments=tuple(
            sorted(
                name
                for name, c in converters.items()
                if isinstance(c, PathConverter) or "file" in name.lower() or "name" in name.lower()
                or "path" in name.lower()
            )
        ),
        access=access_rule(view) if view else None,
    )


def url_for_route(app: Flask, endpoint: str, values: dict[str, Any] | None = None) -> str:
    from flask import url_for

    with app.test_request_context():
        return url_for(endpoint, **(values or {}))


@functools.cache
def collection_app() -> tuple[Flask | None, str | None]:
    """An app built only to read its URL map while pytest collects tests.

    Returns (app, None), or (None, message) when the app refuses to start — e.g.
    because a route has no access rule; the suites then fail with that message."""
    from portal import create_app

    tmp = tempfile.mkdtemp(prefix="portal-urlmap-")
    atexit.register(shutil.rmtree, tmp, True)
    try:
        app = create_app({
            "TESTING": True,
            "SECRET_KEY": "url-map-only",
            "DATABASE_URL": f"sqlite:///{tmp}/leer.sqlite3",
            "UPLOAD_DIR": tmp,
            "LDAP_URL": "demo",
            "SESSION_COOKIE_SECURE": False,
        })
    except RuntimeError as exc:
        return None, str(exc)
    app.extensions["portal.db"].dispose()
    return app, None


def params(items: list, broken: str | None, ids=None) -> list:
    """Parameters for a test over routes; when the app does not start, one parameter
    that fails with the reason (never an empty, silently skipped parameter set)."""
    import pytest

    if broken or not items:
        return [pytest.param(None, id="app-startet-nicht" if broken else "keine-routen")]
    return [pytest.param(item, id=(ids(item) if ids else None)) for item in items]


def require(item, broken: str | None) -> None:
    import pytest

    if item is None:
        pytest.fail(broken or "Keine passenden Routen gefunden", pytrace=False)
