"""Messages for the next page wait in the session cookie: each once, and never so many that the
cookie outgrows what a browser keeps (the person would be signed out)."""
from __future__ import annotations

from flask.testing import FlaskClient

from portal.templating import MAX_MESSAGE_CHARS, MAX_MESSAGES


def _waiting(client: FlaskClient) -> list[tuple[str, str]]:
    with client.session_transaction() as sess:
        return [tuple(m) for m in sess.get("_flashes", [])]


def test_the_same_message_waits_once_and_the_next_page_shows_it_once(client: FlaskClient) -> None:
    sent = "Der Nachweis wurde eingereicht. Das Integrationsbüro prüft ihn."
    with client.session_transaction() as sess:
        sess["_flashes"] = [("success", sent), ("success", sent), ("error", "Bitte prüfen Sie die Eingaben."),
                            ("success", sent)]
    answer = client.get("/")  # not signed in: a redirect, no page shows the messages yet
    assert answer.status_code == 302
    assert _waiting(client) == [("error", "Bitte prüfen Sie die Eingaben."), ("success", sent)]  # at its latest place
    page = client.get(answer.location).get_data(as_text=True)
    assert page.count(sent) == 1 and page.count("Bitte prüfen Sie die Eingaben.") == 1
    assert _waiting(client) == []


def test_at_most_the_latest_messages_wait(client: FlaskClient) -> None:
    with client.session_transaction() as sess:
        sess["_flashes"] = [("info", f"Meldung {n}") for n in range(1, 41)]
    assert client.get("/").status_code == 302
    assert _waiting(client) == [("info", f"Meldung {n}") for n in range(41 - MAX_MESSAGES, 41)]
    with client.session_transaction() as sess:
        sess["_flashes"] = [("info", "Nur eine")]
    assert client.get("/").status_code == 302
    assert _waiting(client) == [("info", "Nur eine")]


def test_a_repeated_message_counts_as_the_newest_and_long_ones_are_capped_by_length(client: FlaskClient) -> None:
    with client.session_transaction() as sess:
        sess["_flashes"] = [("info", "A")] + [("info", f"B{n}") for n in range(1, 11)] + [("info", "A")]
    assert client.get("/").status_code == 302
    assert _waiting(client) == [("info", f"B{n}") for n in range(2, 11)] + [("info", "A")]
    long_title = "x" * (MAX_MESSAGE_CHARS // 2)
    with client.session_transaction() as sess:
        sess["_flashes"] = [("success", f"„{long_title}{n}“ eingereicht") for n in range(1, 4)]
    assert client.get("/").status_code == 302
    assert _waiting(client) == [("success", f"„{long_title}3“ eingereicht")]  # the newest, within the length
