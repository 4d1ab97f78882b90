"""Review desk: one queue for the integration office over every kind of submission,
bulk decisions, start-page sections, per-OE dossiers and reminders."""
from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/review")

from portal.review import views  # noqa: E402,F401


@bp.app_context_processor
def _start_helpers() -> dict:
    from flask_login import current_user

    from portal.db import get_session
    from portal.review.providers import PROVIDERS
    from portal.review.start import start_info

    return {"review_start_info": lambda: start_info(get_session(), current_user), "review_providers": PROVIDERS}
