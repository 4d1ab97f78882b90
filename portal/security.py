"""Sign-in required by default, server-side sessions, CSRF, and security headers."""
from __future__ import annotations

from flask import Flask, abort, g, redirect, request, url_for
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.auth.access import Anonymous, access_rule
from portal.auth.sessions import load_session_user
from portal.db import WRITE_METHODS, get_session
from portal.errors import render_error
from portal.headers import CSP, security_headers  # noqa: F401 - CSP: the policy, named here for its readers

NUL_MESSAGE = (
    "Die Eingabe enthält unzulässige Steuerzeichen (zum Beispiel ein Nullzeichen). "
    "Bitte entfernen Sie sie und senden Sie das Formular noch einmal."
)

csrf = CSRFProtect()
login_manager = LoginManager()


def init_app(app: Flask) -> None:
    if app.config.get("PROXY_FIX_HOPS"):
        hops = int(app.config["PROXY_FIX_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.session_protection = None  # the server-side session record does this job
    login_manager.anonymous_user = Anonymous
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Bitte melden Sie sich an, um diese Seite zu sehen."
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def _load_user(_user_id: str):  # noqa: ANN202
        # the cookie's user id is never trusted: only the server-side session counts
        db = get_session()
        saved_before = g.get("db_committed", False)  # the look-up may write the session record (not input)
        write = request.method in WRITE_METHODS
        bind = db.get_bind()
        if write and isinstance(bind, Engine) and bind.dialect.name == "postgresql" and not db.in_transaction():
            # The lookup runs outside a transaction: the view's work begins its own (BEGIN and COMMIT
            # around the lookup were two more round trips of every form submission). A session bound
            # to a connection already in a transaction (the tests' rollback) keeps the commit below.
            db.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        user = load_session_user(db)
        # A read request keeps one transaction for the whole page (the session record's bookkeeping is
        # written in a short transaction of its own, sessions._best_effort; ending the read here cost a
        # second connection checkout, ping and BEGIN per page). A write request ends it: on SQLite its
        # transaction holds the write lock, which the view's own work must not wait behind, and on
        # PostgreSQL work the view hands to another session (an export job run at once) must see a
        # fresh snapshot, not wait on or miss this one.
        if write:
            db.commit()
        g.db_committed = saved_before  # touching the session record is not the person's input
        return user

    @app.before_request
    def _refuse_nul_bytes():  # noqa: ANN202
        # NUL never belongs in any input; PostgreSQL cannot even store it.
        # (The sign-in form answers such input with its own single generic message.)
        if request.endpoint == "auth.login":
            return None
        values = [*request.args.values(), *request.args.keys()]
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            values += [*request.form.values(), *request.form.keys()]
            values += [f.filename or "" for f in request.files.values()]
        if any("\x00" in v for v in values):
            return render_error(400, NUL_MESSAGE)
        return None

    @app.before_request
    def _require_sign_in():  # noqa: ANN202
        if request.endpoint is None:
            return None  # 404 follows
        view = app.view_functions.get(request.endpoint)
        rule = access_rule(view) if view else None
        if request.endpoint == "static" or (rule and rule[0] == "public"):
            return None
        if rule is None:  # pragma: no cover - create_app refuses such apps
            abort(403)
        if not current_user.is_authenticated:
            if request.method == "GET":
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            abort(401)
        g.signed_in = True
        return None

    @app.after_request
    def _headers(response):  # noqa: ANN001,ANN202
        h = response.headers
        for name, value in security_headers().items():
            h.setdefault(name, value)
        if request.is_secure:
            h.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.endpoint != "static":
            h["Cache-Control"] = "no-store"
            h["Pragma"] = "no-cache"
        return response


def check_every_view_has_a_rule(app: Flask) -> None:
    missing = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and access_rule(view) is None
    ]
    if missing:
        raise RuntimeError(
            "Diese Seiten haben keine Zugriffsregel (@public, @signed_in oder @roles_required): "
            + ", ".join(sorted(missing))
        )
