from __future__ import annotations

from flask import render_template

from portal.auth.access import signed_in
from portal.measures import bp


@bp.route("/")
@signed_in
def catalogue():
    return render_template("measures/catalogue.html")
