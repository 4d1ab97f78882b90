"""Gremien: the Koordinierungsgruppe and the Arbeitsgruppen — members, leads, meetings,
minutes, invitations and the yearly fact sheet of chapter 2."""
from flask import Blueprint

bp = Blueprint("gremien", __name__, url_prefix="/gremien")

from portal.gremien import views  # noqa: E402,F401
