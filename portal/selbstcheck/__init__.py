"""Selbstcheck (annex 3): fill in, evaluate, review and compare across years."""
from flask import Blueprint

bp = Blueprint("selbstcheck", __name__, url_prefix="/selbstcheck")

from portal.selbstcheck import views  # noqa: E402,F401
