"""Driving the system Chromium with Playwright, and axe-core on every page reached.

`UI` wraps one Playwright page: every navigation through `goto`, `click` or
`submit` runs axe-core (WCAG 2.0/2.1, A and AA) on the page it lands on and fails
at once with a readable list of violations."""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from typing import Any

from axe_playwright_python.base import AXE_SCRIPT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
MIN_CONTRAST = 4.5  # WCAG 2.1 AA for normal text; applied to every button and link, whatever its size
PHONE_WIDTH = 390  # a current phone held upright, in CSS pixels

# The contrast of every visible button and link: its text colour against the colour that is
# really behind it — its own background, else the nearest ancestor's, composited through
# every semi-transparent layer down to the page (white). axe-core gives up ("incomplete")
# where it cannot tell the background; this does not.
CONTRAST_SCRIPT = """
(targets) => {
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const over = (top, below) => { const a = top[3] + below[3] * (1 - top[3]); if (a === 0) return [0, 0, 0, 0];
    return [0, 1, 2].map(i => (top[i] * top[3] + below[i] * below[3] * (1 - top[3])) / a).concat([a]); };
  const background = (el) => { const layers = [];
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor); if (c[3] > 0) layers.push(c); if (c[3] >= 1) break; }
    let bg = [255, 255, 255, 1]; for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg); return bg; };
  const lum = (c) => { const v = c.slice(0, 3).map(x => { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  const ratio = (a, b) => { const [l1, l2] = [lum(a), lum(b)].sort((x, y) => y - x); return (l1 + 0.05) / (l2 + 0.05); };
  const results = [];
  const elements = targets ? targets.map(t => document.querySelector(t)).filter(Boolean)
    : document.querySelectorAll('a[href], button, input[type=submit], input[type=button], [role=button]');
  for (const el of elements) {
    const s = getComputedStyle(el); const box = el.getBoundingClientRect();
    if (s.visibility === 'hidden' || s.display === 'none' || box.width <= 1 || box.height <= 1 || el.closest('[hidden]')) continue;
    if (box.right < 0 || box.bottom < 0) continue;  // moved off-screen until focused (the skip link)
    const bg = background(el); const fg = over(parse(s.color), bg);
    results.push({text: (el.innerText || el.value || '').trim().slice(0, 60), tag: el.tagName.toLowerCase(),
                  cls: el.className || '', color: s.color, background: 'rgb(' + bg.slice(0, 3).map(Math.round).join(', ') + ')',
                  ratio: Math.round(ratio(fg, bg) * 100) / 100});
  }
  return results;
}
"""


def chromium_path() -> str | None:
    if os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    return shutil.which("chromium")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core in the page (injected through the DevTools protocol, so the portal's
    Content-Security-Policy stays on) and return its violations."""
    return axe_results(page)["violations"]


def axe_results(page: Any) -> dict[str, Any]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    return page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)


def undecided_contrast(result: dict[str, Any]) -> list[str]:
    """The selectors of the elements whose contrast axe-core could not decide ("incomplete":
    a coloured dot before the text, a background it cannot see through)."""
    return [node["target"][0] for item in result["incomplete"] if item["id"] == "color-contrast"
            for node in item["nodes"] if len(node["target"]) == 1]


def contrast_of_controls(page: Any, selectors: list[str] | None = None) -> list[dict[str, Any]]:
    """Every visible button and link of the page (or the elements `selectors` name) with its
    text colour, effective background and contrast ratio (see CONTRAST_SCRIPT)."""
    return page.evaluate(CONTRAST_SCRIPT, selectors)


def low_contrast(page: Any, also: list[str] | None = None) -> list[dict[str, Any]]:
    """Buttons and links below 4.5:1, and of the elements `also` names (those axe-core left
    undecided) every one below 4.5:1 — so no contrast question stays open."""
    found = contrast_of_controls(page) + (contrast_of_controls(page, also) if also else [])
    return [c for c in found if c["ratio"] < MIN_CONTRAST]


def horizontal_overflow(page: Any, width: int = PHONE_WIDTH) -> dict[str, Any] | None:
    """Shown `width` pixels wide, does the page scroll sideways? None when it does not,
    else the page width and the widest elements sticking out (to name the culprit)."""
    before = page.viewport_size
    page.set_viewport_size({"width": width, "height": before["height"] if before else 800})
    try:
        return page.evaluate(
            """(width) => { const doc = document.documentElement;
                if (doc.scrollWidth <= width) return null;
                const out = [];
                for (const el of document.body.querySelectorAll('*')) {
                  const r = el.getBoundingClientRect();
                  if (r.right > width + 1 && getComputedStyle(el).position !== 'fixed') {
                    let scrolled = false;  // inside a box that scrolls on its own: no page scroll
                    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
                      if (['auto', 'scroll'].includes(getComputedStyle(p).overflowX)) { scrolled = true; break; } }
                    if (!scrolled) out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                        (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') +
                        ' bis ' + Math.round(r.right) + ' px');
                  } }
                return {scrollWidth: doc.scrollWidth, elements: out.slice(0, 8)}; }""",
            width,
        )
    finally:
        if before:
            page.set_viewport_size(before)


def format_violations(where: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"axe-core: {len(violations)} Verstöße auf {where}"]
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v['help']} [{', '.join(t for t in v['tags'] if t.startswith('wcag'))}]")
        for node in v["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:160]}")
    return "\n".join(lines)


@dataclass
class UI:
    page: Any
    base_url: str
    server: Any = None  # the LiveServer: journeys may check its database (server.db())
    checked: list[str] = field(default_factory=list)  # "title (url)" of every page axe checked
    undecided_measured: int = 0  # elements axe-core left "incomplete" for contrast, measured here instead

    # -- navigation; each one ends with an axe check -----------------------------
    def goto(self, path: str, status: int | None = 200, check: bool = True) -> Any:
        response = self.page.goto(self.base_url + path)
        if status is not None:
            assert response is not None and response.status == status, f"{path}: {response and response.status}"
        if check:
            self.check_accessibility()
        return response

    def click(self, name: str, role: str = "button", check: bool = True) -> None:
        """Click a button or link by its accessible name and wait for the next page."""
        with self.page.expect_navigation():
            self.page.get_by_role(role, name=name, exact=True).click()
        if check:
            self.check_accessibility()

    def fill(self, label: str, value: str) -> None:
        self.page.get_by_label(label, exact=False).first.fill(value)

    def check_accessibility(self, what: str | None = None) -> None:
        """axe-core, then the contrast of every button and link (≥ 4.5:1 against the
        background really behind it), then the page shown 390 px wide: no sideways scrolling."""
        where = what or f"{self.page.title()} ({self.path})"
        result = axe_results(self.page)
        violations = result["violations"]
        self.checked.append(where)
        assert not violations, format_violations(where, violations)
        undecided = undecided_contrast(result)
        self.undecided_measured += len(undecided)
        poor = low_contrast(self.page, undecided)
        assert not poor, f"Kontrast unter {MIN_CONTRAST}:1 auf {where}: " + "; ".join(
            f"{c['tag']}.{c['cls']} „{c['text']}“ {c['color']} auf {c['background']} = {c['ratio']}:1" for c in poor[:8])
        overflow = horizontal_overflow(self.page)
        assert overflow is None, f"{where} scrollt bei {PHONE_WIDTH} px Breite seitwärts: {overflow}"

    # -- reading --------------------------------------------------------------------
    @property
    def path(self) -> str:
        url = self.page.url
        return url[len(self.base_url):] if url.startswith(self.base_url) else url

    def heading(self) -> str:
        return self.page.locator("h1").first.inner_text().strip()

    def active_element(self) -> dict[str, Any]:
        return self.page.evaluate(
            """() => { const e = document.activeElement; const s = getComputedStyle(e);
                return {tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute('name'), text: (e.innerText || '').trim(),
                        type: e.getAttribute('type'), value: e.value === undefined ? null : e.value, checked: !!e.checked,
                        role: e.getAttribute('role'), outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth) || 0,
                        outlineColor: s.outlineColor, boxShadow: s.boxShadow}; }"""
        )


def assert_visible_focus(active: dict[str, Any]) -> None:
    """A focus indicator of at least 2 px (outline or ring) that is not transparent;
    `active` is what `UI.active_element()` returns."""
    outline = active["outlineStyle"] not in ("none", "") and active["outlineWidth"] >= 2 and active["outlineColor"] not in (
        "transparent", "rgba(0, 0, 0, 0)")
    ring = active["boxShadow"] not in ("none", "")
    assert outline or ring, f"kein sichtbarer Fokus auf {active['tag']}#{active['id']}: {active}"
