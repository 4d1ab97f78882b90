from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from portal.auth.access import public, signed_in

bp = Blueprint("start", __name__)


@bp.route("/")
@signed_in
def index():
    """The start page: what this person has to do next, by role."""
    return render_template(
        "start/index.html", user=current_user, start_sections=current_app.config.get("START_SECTIONS", [])
    )


@bp.route("/barrierefreiheit")
@public
def accessibility():
    return render_template("start/barrierefreiheit.html")
