"""Measures of the Aktionsplan: catalogue, reporting periods, OE status reports,
working-group assessment and the council table."""
from flask import Blueprint

bp = Blueprint("measures", __name__, url_prefix="/measures")

from portal.measures import views  # noqa: E402,F401
