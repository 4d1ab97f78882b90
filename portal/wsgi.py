"""The WSGI entry point for gunicorn: `gunicorn 'portal.wsgi:app'`.

A configuration mistake ends the start with one German line on stderr and exit
status 4 (gunicorn's "App failed to load"), without a traceback.
"""
from __future__ import annotations

import sys

from portal import create_app
from portal.config import ConfigError

try:
    app = create_app()
except ConfigError as _error:
    print(f"Konfigurationsfehler: {_error}", file=sys.stderr, flush=True)
    sys.exit(4)
