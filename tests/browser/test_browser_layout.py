"""What axe-core cannot decide: the contrast of buttons and links against the background
really behind them, and the page on a phone (390 px) without sideways scrolling.

`UI.check_accessibility` (tests/support/browser.py) runs both checks on every page a
journey or the crawl reaches; these tests prove the checks themselves can fail and pin
the two pages users complained about."""
from __future__ import annotations

import pytest

from tests.browser.journeys import my_measures_in_the_open_period, sign_in
from tests.support.browser import (MIN_CONTRAST, PHONE_WIDTH, axe_results, contrast_of_controls, horizontal_overflow,
                                   undecided_contrast)

pytestmark = pytest.mark.browser

PROBE = """<!doctype html><html lang="de"><body style="margin:0;background:#fff">
<div style="background:#00468c"><a id="on-blue" href="#" style="color:#fff">weiß auf Blau</a></div>
<div><button id="white-on-white" style="background:none;border:0;color:#fff">unverändert bestätigen</button></div>
<div style="background:rgba(0,0,0,.5)"><div style="background:transparent"><a id="half-black" href="#" style="color:#000">schwarz auf Grau</a></div></div>
<a id="grey" href="#" style="color:#777">grau auf Weiß</a>
<a id="hidden" href="#" hidden style="color:#fff">versteckt</a>
</body></html>"""


def test_contrast_check_resolves_the_background_through_the_ancestors(chromium):
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.set_content(PROBE)
        found = {c["text"]: c for c in contrast_of_controls(page)}
        assert set(found) == {"weiß auf Blau", "unverändert bestätigen", "schwarz auf Grau", "grau auf Weiß"}
        assert found["weiß auf Blau"]["ratio"] == pytest.approx(9.31, abs=0.05)
        assert found["weiß auf Blau"]["background"] == "rgb(0, 70, 140)"
        assert found["unverändert bestätigen"]["ratio"] == 1.0  # white on the white page behind it
        # 50 % black over white is rgb(128, 128, 128): black text on it is 5.3:1
        assert found["schwarz auf Grau"]["background"] == "rgb(128, 128, 128)"
        assert found["schwarz auf Grau"]["ratio"] == pytest.approx(5.32, abs=0.05)
        assert found["grau auf Weiß"]["ratio"] == pytest.approx(4.48, abs=0.05)  # just below AA
        assert [c["text"] for c in contrast_of_controls(page) if c["ratio"] < MIN_CONTRAST] == [
            "unverändert bestätigen", "grau auf Weiß"]
    finally:
        context.close()


def test_overflow_check_names_what_sticks_out(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.set_content('<!doctype html><body style="margin:0"><p id="wide" style="width:600px">breit</p></body>')
        overflow = horizontal_overflow(page)
        assert overflow["scrollWidth"] == 600 and overflow["elements"] == ["p#wide bis 600 px"]
        assert page.viewport_size == {"width": 1280, "height": 800}  # put back afterwards
        page.set_content('<!doctype html><body style="margin:0"><p style="max-width:100%">schmal</p></body>')
        assert horizontal_overflow(page) is None
    finally:
        context.close()


def test_my_measures_button_is_readable_and_the_page_fits_a_phone(ui):
    """The one-click „unverändert bestätigen“ was white on white; on a phone the table of
    „Meine Maßnahmen“ becomes one card per measure, so nothing scrolls sideways — not even
    inside the table."""
    sign_in(ui, "oe.sozialamt")
    my_measures_in_the_open_period(ui)
    buttons = [c for c in contrast_of_controls(ui.page) if c["text"].startswith("unverändert bestätigen")]
    assert len(buttons) >= 10, buttons
    assert min(c["ratio"] for c in buttons) >= MIN_CONTRAST, buttons[:3]
    assert buttons[0]["background"] == "rgb(255, 255, 255)" and buttons[0]["color"] == "rgb(0, 70, 140)"

    ui.page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    sizes = ui.page.evaluate("""() => { const t = document.querySelector('main table');
        return {page: document.documentElement.scrollWidth, table: t.scrollWidth, box: t.clientWidth,
                label: getComputedStyle(t.querySelector('tbody td'), '::before').content}; }""")
    assert sizes["page"] <= PHONE_WIDTH, sizes
    assert sizes["table"] <= sizes["box"], sizes
    assert sizes["label"] == '"Handlungsfeld: "'  # each cell names its column
    ui.check_accessibility("Meine Maßnahmen auf dem Telefon")


def test_what_axe_leaves_undecided_is_measured(ui):
    """axe-core cannot tell the contrast of the Ampel words (a coloured dot stands before
    them) and marks them "incomplete"; the check measures each of them instead."""
    sign_in(ui, "oe.sozialamt")
    my_measures_in_the_open_period(ui)
    undecided = undecided_contrast(axe_results(ui.page))
    assert any(".ampel" in selector for selector in undecided), undecided
    measured = contrast_of_controls(ui.page, undecided)
    assert len(measured) == len(undecided)
    assert min(c["ratio"] for c in measured) >= MIN_CONTRAST, measured
    assert ui.undecided_measured >= len(undecided)  # check_accessibility did the same on the way
