"""Template helpers: German dates, numbers and plurals, navigation by role."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Flask, current_app, session
from flask_login import current_user

from portal.features import NAV_GROUPS
from portal.models.people import ROLE_LABELS
from portal.models.workflow import STATE_LABELS, State

BERLIN = ZoneInfo("Europe/Berlin")


def de_date(value: date | datetime | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = value.date()
    return value.strftime("%d.%m.%Y")


def de_datetime(value: datetime | None) -> str:
    if value is None:
        return "–"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(BERLIN).strftime("%d.%m.%Y, %H:%M Uhr")


def de_number(value: int | float | Decimal | None, places: int | None = None) -> str:
    if value is None:
        return "–"
    if places is None:
        text = format(value, "f") if isinstance(value, Decimal) else str(value)
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    else:
        text = f"{value:.{places}f}"
    whole, _, frac = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    result = sign + ".".join(groups)
    return f"{result},{frac}" if frac else result


def plural(count: int | None, singular: str, plural_form: str) -> str:
    """"1 Bericht", "2 Berichte", "0 Berichte": the number (German digits) and the word in its form."""
    n = count or 0
    return f"{de_number(n)} {singular if n == 1 else plural_form}"


def state_label(value: str | State | None) -> str:
    if value is None:
        return "–"
    try:
        return STATE_LABELS[State(value)]
    except ValueError:
        return str(value)


NAV_FLAT_MAX = 8


def navigation() -> list[tuple[str, list[tuple[str, str]]]]:
    """The main navigation for the signed-in person: (group name, [(endpoint, label), …]) in
    the order of NAV_GROUPS, empty groups left out; "" is the group of the person's own pages.
    Up to NAV_FLAT_MAX links stay one list without group names (most roles); the office's many
    links come grouped."""
    if not current_user.is_authenticated:
        return []
    groups: dict[str, list[tuple[str, str]]] = {name: [] for name in NAV_GROUPS}
    groups[""].append(("start.index", "Übersicht"))
    for endpoint, label, roles, group in current_app.config.get("NAVIGATION", []):
        if endpoint in current_app.view_functions and (not roles or current_user.has_role(*roles)):
            groups.setdefault(group, []).append((endpoint, label))
    shown = [(name, items) for name, items in groups.items() if items]
    if sum(len(items) for _name, items in shown) <= NAV_FLAT_MAX:
        return [("", [item for _name, items in shown for item in items])]
    return shown


def init_app(app: Flask) -> None:
    app.jinja_env.filters["de_date"] = de_date
    app.jinja_env.filters["de_datetime"] = de_datetime
    app.jinja_env.filters["de_number"] = de_number
    app.jinja_env.filters["state_label"] = state_label
    app.jinja_env.filters["plural"] = plural
    app.jinja_env.filters["dict_without_page"] = lambda d: {k: v for k, v in d.items() if k != "seite"}
    app.jinja_env.globals["ROLE_LABELS"] = ROLE_LABELS
    app.jinja_env.globals["navigation"] = navigation
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.after_request(keep_messages_short)


MAX_MESSAGES = 10
MAX_MESSAGE_CHARS = 1500  # all waiting messages together (they may quote a title or a file name)


def keep_messages_short(response):  # noqa: ANN001,ANN201
    """Messages wait in the session cookie for the next page: the same message twice (a form sent
    again before a page was shown) waits once, at its latest place, and only the latest ones wait, at
    most MAX_MESSAGES and MAX_MESSAGE_CHARS together. Without this, answers that are never followed
    by a page (a script, a form sent in many tabs) let the cookie grow past the 4 KB a browser keeps,
    and the person would be signed out."""
    if not session.accessed:  # a page that never looked at the session (static files) leaves it alone
        return response
    waiting = session.get("_flashes")
    if not waiting or (len(waiting) == 1 and len(str(waiting[0][1])) <= MAX_MESSAGE_CHARS):
        return response
    kept: list[tuple[str, str]] = []
    chars = 0
    for message in dict.fromkeys(tuple(m) for m in reversed(waiting)):  # newest first, each once
        chars += len(str(message[1]))
        if len(kept) == MAX_MESSAGES or (kept and chars > MAX_MESSAGE_CHARS):
            break
        kept.append(message)
    kept.reverse()
    if kept != [tuple(m) for m in waiting]:
        session["_flashes"] = kept
    return response
