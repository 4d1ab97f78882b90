"""Every registered journey in a real Chromium against the live server; axe-core runs
on each page a journey reaches (see tests/browser/journeys.py)."""
from __future__ import annotations

import pytest

from tests.browser.journeys import JOURNEYS

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("name", sorted(JOURNEYS))
def test_journey(name, ui):
    JOURNEYS[name](ui)
    assert ui.checked, "die Reise hat keine Seite geprüft"
