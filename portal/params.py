"""Numbers in URLs stay within what the database can compare.

Ids in paths use a bounded ``int`` converter (a larger number simply matches no route: 404).
Numbers in query strings (``?seite=``, ``?oe=`` …) above the same bound answer a German 400
before any view runs; smaller ones behave as before (a view's ``type=int`` ignores text).
Without this, SQLite raises OverflowError for integers beyond 64 bits: a 500.
"""
from __future__ import annotations

from flask import Flask, request
from werkzeug.routing import IntegerConverter

from portal.errors import render_error

MAX_ID = 2**31 - 1  # Integer columns on PostgreSQL; larger ids never exist
NUMBER_PARAMS = frozenset({"seite", "oe", "zeitraum", "fassung", "jahr", "alter", "id", "nummer"})
MESSAGE = ("Die Zahl „{name}“ im Link ist zu groß. Bitte öffnen Sie die Seite noch einmal über das Menü "
           "oder die Liste.")


class BoundedIntegerConverter(IntegerConverter):
    """``<int:…>`` accepting 0 … MAX_ID only."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002,ANN001 - werkzeug's names
                 max: int | None = MAX_ID, signed: bool = False) -> None:  # noqa: A002
        bound = MAX_ID if max is None or max > MAX_ID else max
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=bound, signed=signed)


def too_large(text: str) -> bool:
    digits = text.strip().lstrip("+-")
    return digits.isdigit() and (len(digits) > 12 or int(digits) > MAX_ID)


def init_app(app: Flask) -> None:
    """Call before any blueprint is registered (rules bind their converters when added)."""
    app.url_map.converters["int"] = BoundedIntegerConverter

    @app.before_request
    def _refuse_huge_numbers():  # noqa: ANN202
        for name in NUMBER_PARAMS.intersection(request.args.keys()):
            if any(too_large(value) for value in request.args.getlist(name)):
                return render_error(400, MESSAGE.format(name=name))
        return None
