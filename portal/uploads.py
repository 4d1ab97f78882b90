"""Uploads larger than the request limit: the upload page again, in German, with the limit.

A request over ``MAX_CONTENT_LENGTH`` (``MAX_UPLOAD_MB`` + 1 MB) is refused before any of it is
read (werkzeug raises 413). For a view marked with :func:`upload_page` the answer is still that
page as a GET shows it — the form, the way back, the file field marked with a German message
naming the limit — with status 413; nothing of the request is used. Files between
``MAX_UPLOAD_MB`` and the request limit reach the view, which refuses them itself and keeps what
was typed. Every file field carries the limit (``data-max-bytes``), so that the browser can say
so before sending (portal.js; without JavaScript the server answers as above).

A view marked with :func:`into_storage` as well receives its files straight in the storage's folder
when the storage is a local directory (:class:`UploadRequest`): the form parser writes each file
there once, counting and hashing it, and the view gives a checked file its key without a copy
(``LocalStorage.keep``); a file not kept is removed when the request ends. Other storages (S3) get
the file from a temporary file as before."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Request, current_app, g, request
from flask_login import current_user
from werkzeug.datastructures import ImmutableMultiDict

from portal import storage

F = TypeVar("F", bound=Callable[..., Any])
UPLOAD_ATTR = "_portal_upload_page"
INTO_STORAGE_ATTR = "_portal_upload_into_storage"


def upload_page(view: F) -> F:
    """Marks a view with a file field: over the request limit it answers with its own page."""
    setattr(view, UPLOAD_ATTR, True)
    return view


def into_storage(view: F) -> F:
    """Marks an upload view whose files the form parser writes straight into the storage's folder."""
    setattr(view, INTO_STORAGE_ATTR, True)
    return view


class UploadRequest(Request):
    """The request: files of an :func:`into_storage` view go to the local storage while they are parsed."""

    def _get_file_stream(self, total_content_length: int | None, content_type: str | None,
                         filename: str | None = None, content_length: int | None = None) -> Any:
        view = current_app.view_functions.get(self.endpoint or "")
        if getattr(view, INTO_STORAGE_ATTR, False):
            incoming = getattr(storage.get_storage(), "incoming", None)  # only a local directory has it
            if incoming is not None:
                try:
                    return incoming()
                except storage.StorageError:
                    pass  # a temporary file as usual; storing it later names the storage's problem
        return super()._get_file_stream(total_content_length, content_type, filename, content_length)


def limit_mb() -> int:
    return int(current_app.config["MAX_UPLOAD_MB"])


def not_sent_message() -> str:
    mb = limit_mb()
    return (f"Die Datei war größer als {mb} MB und wurde nicht übertragen; Ihre übrigen Angaben konnten deshalb nicht "
            f"übernommen werden. Bitte wählen Sie eine kleinere Datei (höchstens {mb} MB) und füllen Sie das Formular "
            "noch einmal aus.")


def too_large_text() -> str:
    """The 413 page's text where there is no upload page to show again."""
    return f"Die Datei ist zu groß. Erlaubt sind höchstens {limit_mb()} MB. Bitte gehen Sie zurück und wählen Sie eine kleinere Datei."


def too_large_message() -> str | None:
    """The message for the file field, while an upload page is shown again after a 413."""
    return g.get("upload_too_large")


def page_again(app: Flask) -> Any:
    """The upload page of this request as a GET shows it, with status 413; None when the view
    is no upload page or nobody is signed in (the plain 413 page follows)."""
    view = app.view_functions.get(request.endpoint or "")
    if view is None or not getattr(view, UPLOAD_ATTR, False) or not current_user.is_authenticated:
        return None
    # nothing of the body is read: the page is built as for a GET, with empty form data
    request.method = "GET"
    request.__dict__.update(form=ImmutableMultiDict(), files=ImmutableMultiDict())
    g.upload_too_large = not_sent_message()
    response = app.make_response(app.ensure_sync(view)(**(request.view_args or {})))
    response.status_code = 413
    return response
