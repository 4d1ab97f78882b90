"""Missing external programs: skip locally, fail in CI."""

from __future__ import annotations

import os

import pytest


def require_binary(name: str, path: str | None) -> str:
    """Return `path` if the program `name` was found.

    Otherwise fail the test when the environment variable CI is set (non-empty) —
    a CI run must exercise the real component — and skip it elsewhere.
    """
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail(f"{name} is required but was not found (CI is set, so this fails instead of skipping)", pytrace=False)
    pytest.skip(f"{name} not found; install it to run this test (with CI set this is a failure)")
