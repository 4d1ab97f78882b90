"""Templates for the import forms: the header row and one example row, as CSV (German Excel)
or XLSX — exactly what the import reads, so a person can fill in the file and upload it."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Response, abort

from portal.exports.download import MIMETYPES, download
from portal.exports.local_time import write_csv, write_xlsx

FORMATS = ("csv", "xlsx")


def template_download(fmt: str, name: str, sheet: str, header: Sequence[str], example: Sequence[Any]) -> Response:
    """`vorlage-<name>.<fmt>` with the header and the example row; another format is 404."""
    if fmt not in FORMATS:
        abort(404)
    if fmt == "csv":
        data = write_csv(header, [example])
    else:
        data = write_xlsx([(sheet, header, [example])], title=f"Vorlage {sheet}")
    return download(data, f"vorlage-{name}.{fmt}", MIMETYPES[fmt])
