"""One download response for every export, dossier and certificate."""
from __future__ import annotations

from urllib.parse import quote

from portal.exports.download import download, safe_filename


def test_a_plain_name_is_sent_as_it_is_and_never_cached(app):
    with app.test_request_context():
        response = download(b"a;b\r\n", "Selbstcheck_Uebersicht_2025.csv", "text/csv; charset=utf-8")
    assert response.headers["Content-Disposition"] == 'attachment; filename="Selbstcheck_Uebersicht_2025.csv"'
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8" and response.data == b"a;b\r\n"


def test_an_uploaded_name_gets_an_ascii_fallback_and_the_exact_name(app):
    name = 'Zertifikat "Grüße"\r\n\\x.pdf'
    with app.test_request_context():
        response = download(b"%PDF", name)
    disposition = response.headers["Content-Disposition"]
    assert disposition == (f'attachment; filename="Zertifikat _Gr__e____x.pdf"; '
                           f"filename*=UTF-8''{quote(name, safe='')}")
    assert response.mimetype == "application/octet-stream"


def test_safe_filename_for_names_built_from_oe_codes():
    assert safe_filename("Dossier_Amt 50 – Straßenbau/Ost") == "Dossier_Amt_50_Strassenbau_Ost"
    assert safe_filename("äöü") == "aou"
    assert safe_filename("///") == "download"
