"""The signed-in person, their OE and roles come with the session record in one query."""
from __future__ import annotations


def test_session_user_oe_and_roles_are_loaded_in_one_statement(client, login_as, sql_statements):
    login_as("integrationsbuero", "personalamt")
    sql_statements.reset()
    response = client.get("/")
    assert response.status_code == 200
    touching = [s for s in sql_statements.statements if "user_sessions" in s or "user_roles" in s]
    assert len(touching) == 1, touching
    assert "JOIN users" in touching[0] and "JOIN user_roles" in touching[0] and "JOIN org_units" in touching[0]
