from flask import Blueprint

bp = Blueprint("trainings", __name__, url_prefix="/trainings")

from portal.trainings import views  # noqa: E402,F401
