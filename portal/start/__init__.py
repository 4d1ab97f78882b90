from flask import Blueprint

bp = Blueprint("start", __name__)

from portal.start import views  # noqa: E402,F401
