"""The report to the city council (Zwischenbericht, Abschlussbericht 2026): versioned text
sections kept in the portal, the generated chapters and annexes, DOCX and PDF as a job."""
from flask import Blueprint

bp = Blueprint("bericht", __name__, url_prefix="/bericht")

from portal.bericht import views  # noqa: E402,F401
