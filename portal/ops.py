"""Endpoints for operations: `/healthz` (the process answers), `/readyz` (its dependencies
answer) and `/metrics` (Prometheus). They answer JSON or plain text, never a page."""
from __future__ import annotations

import hmac
import ipaddress
import os
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import ldap3
from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import func, select, text

from portal.auth.access import public
from portal.auth.directory import Directory, DirectoryUnavailable
from portal.db import get_db, get_session
from portal.models.export_job import ExportJob
from portal.models.notification import Notification
from portal.storage import StorageError, get_storage

bp = Blueprint("ops", __name__)


def package_version() -> str:
    """The installed package's version (from its metadata)."""
    try:
        return version("portal-aktionsplan")
    except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
        return "unbekannt"


def _answer(checks: dict[str, str]) -> tuple[Response, int]:
    ok = all(value.startswith("ok") for value in checks.values())
    body = {"status": "ok" if ok else "unavailable", "version": package_version(), "checks": checks}
    return jsonify(body), 200 if ok else 503


@bp.route("/healthz")
@public
def healthz():  # noqa: ANN201
    """The process is alive (no database, no directory)."""
    return _answer({"process": "ok"})


def check_database() -> str:
    try:
        with get_db().engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        current_app.logger.warning("Bereitschaftsprüfung: Datenbank nicht erreichbar (%s)", type(exc).__name__)
        return "error: database unreachable"
    return "ok"


def check_storage() -> str:
    storage = get_storage()
    try:
        storage.check()
    except StorageError as exc:
        current_app.logger.warning("Bereitschaftsprüfung: Dateispeicher nicht nutzbar (%s)", exc.detail)
        return "error: upload directory not writable" if storage.url.startswith("file:") \
            else "error: object storage unreachable"
    return "ok"


def check_directory() -> str:
    if current_app.config["LDAP_URL"] == "demo":
        return "ok (demo)"


    try:
        directory = Directory(current_app.config)
        conn = ldap3.Connection(directory._server(), receive_timeout=directory.timeout)
        conn.open()
        conn.unbind()
    except (DirectoryUnavailable, ldap3.core.exceptions.LDAPException, OSError):
        return "error: directory unreachable"
    return "ok"


def readiness() -> tuple[Response, int]:
    return _answer({"database": check_database(), "storage": check_storage(), "directory": check_directory()})


@bp.route("/readyz")
@public
def readyz():  # noqa: ANN201
    """Ready to serve: database, upload directory and directory service answer (503 if not)."""
    return readiness()


# --- Prometheus ----------------------------------------------------------------------------

def _metrics_allowed() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer ") and hmac.compare_digest(given[7:].strip(), token):
        return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in current_app.config["METRICS_ALLOWED_IPS"])


class _Families:
    def __init__(self, families: list[Any]) -> None:
        self.families = families

    def collect(self) -> list[Any]:
        return self.families


def _queue_families() -> list[Any]:
    """Outbox size and export-job queue depth, read from the database at scrape time."""
    from prometheus_client.core import GaugeMetricFamily  # noqa: PLC0415 - read after PROMETHEUS_MULTIPROC_DIR is set

    up = GaugeMetricFamily("portal_database_up", "1 if the database answered this scrape.")
    outbox = GaugeMetricFamily("portal_outbox_pending", "Notifications in the outbox not yet sent.")
    jobs = GaugeMetricFamily("portal_export_jobs", "Export jobs waiting or running.", labels=["state"])
    db = get_session()
    try:
        pending = db.scalar(select(func.count()).select_from(Notification).where(Notification.sent_at.is_(None)))
        by_state = dict(db.execute(
            select(ExportJob.state, func.count()).where(ExportJob.state.in_(("queued", "running")))
            .group_by(ExportJob.state)).all())
        db.rollback()
    except Exception:  # noqa: BLE001 - the scrape still answers, with the database marked down
        up.add_metric([], 0)
        return [up]
    up.add_metric([], 1)
    outbox.add_metric([], pending or 0)
    for state in ("queued", "running"):
        jobs.add_metric([state], by_state.get(state, 0))
    return [up, outbox, jobs]


@bp.route("/metrics")
@public
def metrics():  # noqa: ANN201
    """Prometheus metrics, for the configured addresses or the bearer token only."""
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest  # noqa: PLC0415 - read after PROMETHEUS_MULTIPROC_DIR is set

    if not current_app.config["METRICS_ENABLED"]:
        return Response("Nicht gefunden.\n", status=404, mimetype="text/plain")
    if not _metrics_allowed():
        return Response("Kein Zugriff auf die Messwerte.\n", status=403, mimetype="text/plain")
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess  # noqa: PLC0415 - read after PROMETHEUS_MULTIPROC_DIR is set

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    live = CollectorRegistry(auto_describe=False)
    live.register(_Families(_queue_families()))  # type: ignore[arg-type]
    return Response(generate_latest(registry) + generate_latest(live), mimetype=CONTENT_TYPE_LATEST)
