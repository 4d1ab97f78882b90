from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from portal import audit
from portal.auth import services, sessions, throttle
from portal.auth.access import public, signed_in
from portal.db import get_session
from portal.forms.auth import LoginForm, NotificationsForm
from portal.models.people import Role
from portal.ops import readiness

bp = Blueprint("auth", __name__, url_prefix="/auth")


def safe_next(target: str | None) -> str | None:
    """Only paths of this site: no scheme, no host, no backslashes, no control chars."""
    if not target or len(target) > 2000:
        return None
    decoded = unquote(target)
    for candidate in (target, decoded):
        if any(ord(c) < 32 or ord(c) == 127 or c == "\\" for c in candidate):
            return None
        if not candidate.startswith("/") or candidate.startswith("//"):
            return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.route("/anmelden", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("start.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    message = None
    status = 200
    if form.is_submitted():
        if not form.validate():
            # CSRF failures and empty fields: one generic message, no bind at all
            message = services.MSG_FAILED
            if form.csrf_token.errors:
                message = "Die Seite war zu lange geöffnet. Bitte melden Sie sich noch einmal an."
            status = 400
        else:
            db = get_session()
            username = form.username.data or ""
            result = services.sign_in(db, username, form.password.data or "", audit.client_address() or "",
                                      throttle.device_of(username))
            db.commit()
            if result.user is not None:
                login_user(result.user)
                response = redirect(safe_next(form.next.data) or url_for("start.index"))
                throttle.remember_device(response, username, result.device or throttle.new_device())
                return response
            message = result.message
            status = 429 if result.throttled else 401 if message == services.MSG_FAILED else 503
        form.password.data = ""
    return render_template("auth/login.html", form=form, message=message), status


@bp.route("/abmelden", methods=["POST"])
@signed_in
def logout():
    db = get_session()
    audit.record(db, "logout", obj=current_user._get_current_object())
    sessions.end_session(db)
    db.commit()
    logout_user()
    flash("Sie haben sich abgemeldet.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/sitzung/verlaengern", methods=["POST"])
@signed_in
def extend():
    """Keeps the session alive (the timeout warning posts here)."""
    db = get_session()
    sessions.touch(db)
    db.commit()
    target = safe_next(request.form.get("next")) or url_for("start.index")
    if request.accept_mimetypes.best == "application/json":
        exp = sessions.session_expiry(db)
        return {"expires_at": exp.isoformat() if exp else None}
    flash("Ihre Sitzung wurde verlängert.", "success")
    return redirect(target)


@bp.route("/benachrichtigungen", methods=["GET", "POST"])
@signed_in
def notifications():
    """The person's own e-mail settings: the office's daily digest can be turned off."""
    gets_digest = current_user.has_role(Role.INTEGRATIONSBUERO)
    form = NotificationsForm(data={"daily_digest": current_user.daily_digest})
    if gets_digest and form.validate_on_submit():
        db = get_session()
        user = current_user._get_current_object()
        user.daily_digest = bool(form.daily_digest.data)
        audit.record(db, "notifications_changed", obj=user, detail={"taegliche_uebersicht": user.daily_digest})
        db.commit()
        flash("Die tägliche Übersicht ist " + ("eingeschaltet." if user.daily_digest else "abgeschaltet."), "success")
        return redirect(url_for("auth.notifications"))
    return render_template("auth/notifications.html", form=form, gets_digest=gets_digest)


@bp.route("/gesundheit")
@public
def health():
    """The former address of the readiness check; answers exactly like /readyz."""
    return readiness()
