"""The accessibility statement: docs/barrierefreiheit.md and the page /barrierefreiheit
say the same, and it has what a statement under BITV 2.0 / SächsBfWebG needs."""
from __future__ import annotations

import html
import re
from pathlib import Path

STATEMENT = Path(__file__).resolve().parent.parent / "docs" / "barrierefreiheit.md"


def _normalise(text: str) -> str:
    return " ".join(text.split())


def markdown_blocks(text: str) -> list[str]:
    """Headings, list items and paragraphs of the statement as plain text."""
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)
    blocks: list[str] = []
    for chunk in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in chunk.strip().splitlines()]
        if not lines or not lines[0]:
            continue
        if all(line.startswith("- ") for line in lines):
            blocks += [line[2:] for line in lines]
        else:
            blocks.append(_normalise(" ".join(line.lstrip("# ") for line in lines)))
    return blocks


def page_text(client) -> str:
    body = client.get("/barrierefreiheit").get_data(as_text=True)
    main = body[body.index('<main'):body.index("</main>")]
    main = re.sub(r"</?(?:a|span|strong|em|code)\b[^>]*>", "", main)  # inline: no gap
    return _normalise(html.unescape(re.sub(r"<[^>]+>", " ", main)))


def test_page_and_document_say_the_same(client):
    text = page_text(client)
    blocks = markdown_blocks(STATEMENT.read_text("utf-8"))
    assert len(blocks) >= 20
    missing = [b for b in blocks if _normalise(b) not in text]
    assert missing == [], f"Nur in docs/barrierefreiheit.md, nicht auf /barrierefreiheit: {missing}"
    # and nothing on the page that the document lacks
    rest = text
    for b in sorted(blocks, key=len, reverse=True):
        rest = rest.replace(_normalise(b), "")
    assert _normalise(rest) == "", f"Nur auf der Seite: {rest!r}"


def test_statement_has_the_required_parts(client):
    text = page_text(client)
    for part in ("Stand der Vereinbarkeit", "teilweise vereinbar", "Nicht barrierefreie Inhalte",
                 "Erstellung dieser Erklärung", "Feedback und Kontakt", "integration@dresden.de",
                 "Durchsetzungsverfahren", "Durchsetzungsstelle", "BITV 2.0", "WCAG 2.1"):
        assert part in text, part
    page = client.get("/barrierefreiheit")
    assert page.status_code == 200  # public: no sign-in needed
    assert 'href="mailto:integration@dresden.de"' in page.get_data(as_text=True)


def test_every_page_links_to_the_statement(client):
    for path in ("/auth/anmelden", "/barrierefreiheit", "/gibt-es-nicht"):
        assert 'href="/barrierefreiheit">Erklärung zur Barrierefreiheit</a>' in client.get(path).get_data(as_text=True)
