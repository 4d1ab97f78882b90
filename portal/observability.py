"""What operations sees: a request id on every answer and log line, logs as text or JSON
lines (`LOG_FORMAT`), and the Prometheus request-latency histogram.

Multi-process servers (gunicorn with several workers): set the environment variable
`PROMETHEUS_MULTIPROC_DIR` to an empty, writable directory before the server starts;
each worker then writes its samples there and `/metrics` adds them up
(prometheus-client's multiprocess mode). Call :func:`worker_exit` from gunicorn's
`child_exit` hook so a stopped worker's live gauges are dropped.
"""
from __future__ import annotations

import json
import logging
import os
import re
import secrets
import sys
import time
from datetime import UTC, datetime
from typing import Any

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler
from prometheus_client import Histogram

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{7,63}$")

REQUEST_LATENCY = Histogram(
    "portal_request_duration_seconds",
    "Time from the start of a request to its answer, per endpoint and status.",
    ["endpoint", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)


def new_request_id() -> str:
    return secrets.token_hex(8)


def request_id() -> str:
    """The current request's id (taken from X-Request-ID if sane, else generated)."""
    if not has_request_context():
        return "-"
    if "request_id" not in g:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if _SANE_REQUEST_ID.match(incoming) else new_request_id()
    return g.request_id


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id (and the request)."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if has_request_context():
            data["method"] = request.method
            data["path"] = request.path
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time of the message."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self):  # noqa: ANN201
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure_logging(app: Flask) -> None:
    """The app's logger (`portal`, and below it) writes text or JSON lines with the request id."""
    logger = logging.getLogger("portal")
    logger.removeHandler(default_handler)
    for handler in [h for h in logger.handlers if getattr(h, "portal_handler", False)]:
        logger.removeHandler(handler)
    handler = StderrHandler()
    handler.portal_handler = True  # type: ignore[attr-defined]
    handler.addFilter(RequestIdFilter())
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
    logger.addHandler(handler)


def init_app(app: Flask) -> None:
    configure_logging(app)

    @app.before_request
    def _start() -> None:
        g.request_started = time.perf_counter()
        request_id()

    @app.after_request
    def _finish(response):  # noqa: ANN001,ANN202
        response.headers[REQUEST_ID_HEADER] = request_id()
        started = g.get("request_started")
        if started is not None:
            REQUEST_LATENCY.labels(request.endpoint or "none", str(response.status_code)).observe(
                time.perf_counter() - started)
        return response


def worker_exit(server: Any, worker: Any) -> None:  # noqa: ARG001 - gunicorn's child_exit signature
    """gunicorn `child_exit` hook for prometheus-client's multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess  # noqa: PLC0415 - read after PROMETHEUS_MULTIPROC_DIR is set

        multiprocess.mark_process_dead(worker.pid)
