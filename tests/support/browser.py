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


def chromium_path() -> str | None:
    if os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    return shutil.which("chromium")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core in the page (injected through the DevTools protocol, so the portal's
    Content-Security-Policy stays on) and return its violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return result["violations"]


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
        where = what or f"{self.page.title()} ({self.path})"
        violations = axe_violations(self.page)
        self.checked.append(where)
        assert not violations, format_violations(where, violations)

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
                        role: e.getAttribute('role'), outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth) || 0,
                        outlineColor: s.outlineColor, boxShadow: s.boxShadow}; }"""
        )
