"""gunicorn settings for the portal: `gunicorn -c deploy/gunicorn.conf.py`.

Everything that differs per machine comes from the environment (the systemd unit's
EnvironmentFile); the portal's own settings stay PORTAL_* (docs/configuration.md).
"""
import multiprocessing
import os

# portal.wsgi checks the whole configuration first and ends with one German line if it is wrong.
wsgi_app = "portal.wsgi:app"

# Behind nginx on the same machine. GUNICORN_BIND may list several addresses, comma-separated.
bind = [b.strip() for b in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",") if b.strip()]

# Sync workers: the views are short; PDF/XLSX exports of the whole city run as jobs.
# WEB_CONCURRENCY is gunicorn's usual name; default 2 per core + 1, at most 8.
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8)))
worker_class = "sync"

# A PDF of the compliance report for one OE takes a few seconds; 120 s leaves room for
# slow PostgreSQL failovers without killing workers on every hiccup.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30  # systemd's stop / kill -HUP lets running requests finish
keepalive = 5

# Restart workers now and then (memory held by WeasyPrint/fonttools after big PDFs).
max_requests = 1000
max_requests_jitter = 100

# No preload: every worker builds the app itself, so no database connection or open
# file is shared across fork, and `kill -HUP` reloads new code without a restart.
preload_app = False

# Access log to stdout (journald), with the time per request in microseconds (%(D)s).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s'

# nginx on the same machine sets X-Forwarded-*; the portal applies PROXY_FIX_HOPS itself.
forwarded_allow_ips = "127.0.0.1,::1"

# Heartbeat files in memory, not on a possibly slow disk.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"


# Prometheus multiprocess mode (PROMETHEUS_MULTIPROC_DIR set in the unit): a dead worker's
# gauges leave the sum that /metrics reports.
def child_exit(server, worker):
    from portal.observability import worker_exit
    worker_exit(server, worker)
