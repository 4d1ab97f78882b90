"""The audit log shows German words, not its codes: actions, objects and details (no raw JSON)."""
from __future__ import annotations

import json
import re
from pathlib import Path

from portal.audit_labels import ACTIONS, KEYS, OBJECTS
from portal.models.audit import AuditEvent

SOURCE = Path(__file__).resolve().parents[1] / "portal"


def _written_actions() -> set[str]:
    found = set()
    for path in SOURCE.rglob("*.py"):
        text = path.read_text("utf-8")
        found |= set(re.findall(r"audit\.record\(\s*\w+,\s*\"([a-z_]+)\"", text))
    return found


def test_every_action_the_code_writes_has_a_german_word():
    written = _written_actions()
    assert len(written) >= 40, sorted(written)  # the scan really found them
    for subject in ("training", "selbstcheck", "measure_report"):  # portal/workflow.py: subject_state
        written |= {f"{subject}_{state}" for state in ("submitted", "returned", "accepted", "rejected", "draft")}
    missing = sorted(code for code in written if code not in ACTIONS)
    assert missing == []
    assert all(ACTIONS[code] != code and "_" not in ACTIONS[code] for code in written)


def test_every_detail_key_the_code_writes_has_a_german_word():
    keys = set()
    for path in SOURCE.rglob("*.py"):
        for block in re.findall(r"detail=\{([^}]*)\}", path.read_text("utf-8")):
            keys |= set(re.findall(r"\"([a-z_]+)\":", block))
    assert len(keys) >= 30, sorted(keys)
    assert sorted(keys - set(KEYS)) == []


def test_the_audit_log_page_speaks_german(client, db, login_as):
    login_as("admin", username="verwaltung")
    db.add_all([
        AuditEvent(action="measure_report_accepted", actor_name="buero", object_type="measure_report", object_id="7",
                   org_unit_code="Amt 50", detail=json.dumps({"von": "submitted", "nach": "accepted", "kommentar": None})),
        AuditEvent(action="roster_imported", actor_name="fb", object_type="RosterImport",
                   detail=json.dumps({"neu": 3, "geaendert": 0, "cli": True, "zeilen": [2, 5]})),
    ])
    db.commit()
    page = client.get("/admin/protokoll").get_data(as_text=True)
    body = page[page.index("<tbody>"):page.index("</tbody>")]
    assert "<td>Maßnahmenbericht: angenommen</td>" in body and "<td>Maßnahmenbericht 7</td>" in body
    assert '<td class="detail">von: eingereicht<br>nach: angenommen<br>Kommentar: –</td>' in body
    assert "<td>Zielgruppenliste eingelesen</td>" in body and f"<td>{OBJECTS['RosterImport']}</td>" in body
    assert '<td class="detail">neu: 3<br>geändert: 0<br>Kommandozeile: ja<br>Zeilen: 2, 5</td>' in body
    assert "{" not in body and "&#34;" not in body and "_" not in re.sub(r'<[^>]+>', "", body)
    # the filter offers the German words and filters by the code behind them
    assert '<option value="roster_imported">Zielgruppenliste eingelesen</option>' in page
    filtered = client.get("/admin/protokoll?action=roster_imported").get_data(as_text=True)
    assert "Zielgruppenliste eingelesen</td>" in filtered and "Maßnahmenbericht: angenommen</td>" not in filtered
