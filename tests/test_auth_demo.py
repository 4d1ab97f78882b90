"""The built-in demo directory of `make run`: every demo account signs in and lands
on the start page of its role. (Real sign-in is tested against slapd.)"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from portal.auth.services import MSG_FAILED
from portal.models.people import ROLE_LABELS
from tests.conftest import csrf_token_from

DEMO = json.loads((Path(__file__).resolve().parent.parent / "portal/data/demo/directory.json").read_text("utf-8"))


@pytest.fixture
def app_config():
    return {"LDAP_URL": "demo", "ROLE_MAP": {}}


def post_login(client, username, password):
    token = csrf_token_from(client.get("/auth/anmelden").get_data(as_text=True))
    return client.post("/auth/anmelden", data={"csrf_token": token, "username": username, "password": password})


@pytest.mark.parametrize("person", DEMO["people"], ids=lambda p: p["uid"])
def test_every_demo_account_lands_on_its_start_page(client, person):
    response = post_login(client, person["uid"], DEMO["password"])
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert f"Guten Tag, {person['cn']}" in page
    assert ROLE_LABELS[person["role"]] in page


def test_demo_wrong_password_is_refused_in_german(client):
    response = post_login(client, "anna.beispiel", "falsch")
    assert response.status_code == 401
    assert MSG_FAILED in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_nul_bytes_in_a_form_are_refused(client, login_as, csrf):
    login_as("admin")
    token = csrf("/admin/oe/neu")
    response = client.post("/admin/oe/neu", data={"csrf_token": token, "code": "Amt\x0099", "kind": "Amt"})
    assert response.status_code == 400
    assert "Die Eingabe enthält unzulässige Steuerzeichen" in response.get_data(as_text=True)
