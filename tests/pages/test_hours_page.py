"""The hours page (``/portaal/uren``): the alliance bureau and a host hospital register hours
through ``spreiding.services.hours`` (as ``POST /hours``), each refusal next to its field, and
see the hours their key may see; an insurer gets the refusal page.

Hours H: Groene Hart's medisch-specialist worked 7.50 hours at Alrijne (the host, which pays)
on 2024-11-01 under samen-plus-liesbreuk-2024, the bureau's agreement."""

from __future__ import annotations

import re

from tests.api.conftest import ALRIJNE, GROENE_HART
from tests.pages.conftest import Pages, csrf_of
from tests.pages.test_pages import SAMEN, cells

HOURS = {
    "hours_id": "PAGE-U1",
    "agreement_id": SAMEN,
    "employer_agb": GROENE_HART,
    "host_agb": ALRIJNE,
    "role": "medisch-specialist",
    "work_date": "2024-11-01",
    "hours": "7.50",
    "person_ref": "",
    "care_type": "",
    "specialism": "",
}


def error_of(html: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="{field}-fout">(.*?)</p>', html)
    assert found, html
    return found.group(1)


def test_the_bureau_registers_hours_after_a_refused_value_and_sees_them_listed(
    pages: Pages,
) -> None:
    client = pages.sign_in("bureau")
    empty = client.get("/portaal/uren")
    assert empty.status_code == 200
    assert '<a href="/portaal/uren" aria-current="page">Uren</a>' in empty.text
    assert "Geen uren." in empty.text
    token = csrf_of(empty.text)
    wrong = client.post("/portaal/uren", data={**HOURS, "hours": "24.01", "csrf": token})
    assert wrong.status_code == 422
    assert error_of(wrong.text, "hours") == "hours 24.01 must be more than 0 and at most 24"
    assert 'id="hours" name="hours" value="24.01"' in wrong.text  # kept to correct
    assert "PAGE-U1</th>" not in wrong.text
    missing = client.post("/portaal/uren", data={**HOURS, "role": "", "csrf": token})
    assert missing.status_code == 422
    assert error_of(missing.text, "role") == "a value is required"  # the reader's, as the API's
    right = client.post(
        "/portaal/uren",
        data={**HOURS, "person_ref": "P-17", "csrf": token},
        follow_redirects=False,
    )
    assert (right.status_code, right.headers["location"]) == (
        303,
        "/portaal/uren?geregistreerd=PAGE-U1",
    )
    listed = client.get(right.headers["location"]).text
    assert "Uren PAGE-U1 zijn geregistreerd." in listed
    row = ["PAGE-U1", SAMEN, "Groene Hart Ziekenhuis", "Alrijne Ziekenhuis",
           "medisch-specialist", "01-11-2024", "7,50", "P-17", "", ""]  # fmt: skip
    seen = cells(listed)
    assert any(seen[i : i + 10] == row for i in range(len(seen)))
    # The API reads what the page stored; the host sees it too, the employer's other hospital not.
    stored = client.get("/hours", headers={"X-API-Key": pages.keys["bureau"]}).json()
    assert [(h["hours_id"], h["hours"], h["person_ref"]) for h in stored] == [
        ("PAGE-U1", "7.50", "P-17")
    ]
    assert "PAGE-U1</th>" in pages.get("alrijne", "/portaal/uren").text
    assert "PAGE-U1</th>" not in pages.get("amc", "/portaal/uren").text
    # The same id again with other hours is a clash, next to the id.
    clash = client.post("/portaal/uren", data={**HOURS, "hours": "8", "csrf": token})
    assert clash.status_code == 409
    assert "PAGE-U1" in error_of(clash.text, "hours_id")


def test_the_host_registers_hours_and_a_hospital_that_is_not_the_host_is_refused(
    pages: Pages,
) -> None:
    client = pages.sign_in("alrijne")
    token = csrf_of(client.get("/portaal/uren").text)
    # Alrijne as the employer: the host (Groene Hart) registers those, not Alrijne.
    other = {**HOURS, "employer_agb": ALRIJNE, "host_agb": GROENE_HART}
    refused = client.post("/portaal/uren", data={**other, "csrf": token})
    assert refused.status_code == 403
    assert error_of(refused.text, "host_agb") == (
        "Een ziekenhuis registreert alleen uren die het zelf ontvangt (en betaalt)."
    )
    assert "PAGE-U1</th>" not in refused.text
    assert "PAGE-U1</th>" not in pages.get("admin", "/portaal/uren").text
    hosted = client.post("/portaal/uren", data={**HOURS, "csrf": token}, follow_redirects=False)
    assert hosted.status_code == 303
    assert "PAGE-U1</th>" in pages.get("admin", "/portaal/uren").text


def test_the_bureau_is_refused_hours_under_an_agreement_not_its_own(pages: Pages) -> None:
    client = pages.sign_in("bureau")
    token = csrf_of(client.get("/portaal/uren").text)
    refused = client.post(
        "/portaal/uren", data={**HOURS, "agreement_id": "samen-plus-raam", "csrf": token}
    )
    assert refused.status_code == 403
    assert error_of(refused.text, "agreement_id") == (
        "Een bureau registreert alleen uren onder zijn eigen overeenkomsten."
    )


def test_hours_are_refused_without_the_form_token(pages: Pages) -> None:
    client = pages.sign_in("bureau")
    for sent in (HOURS, {**HOURS, "csrf": "not-the-token"}):
        response = client.post("/portaal/uren", data=sent, follow_redirects=False)
        assert response.status_code == 403
        assert "zonder geldige beveiligingscode" in response.text
    assert "PAGE-U1</th>" not in pages.get("admin", "/portaal/uren").text


def test_an_insurer_gets_the_refusal_page_and_no_link(pages: Pages) -> None:
    client = pages.sign_in("insurer")
    refused = client.get("/portaal/uren")
    assert refused.status_code == 403
    assert "Uw sleutel geeft geen toegang tot deze pagina." in refused.text
    token = csrf_of(client.get("/portaal").text)
    posted = client.post("/portaal/uren", data={**HOURS, "csrf": token})
    assert posted.status_code == 403
    assert "/portaal/uren" not in client.get("/portaal").text
    assert "PAGE-U1</th>" not in pages.get("admin", "/portaal/uren").text


def test_the_hours_link_is_in_the_navigation_of_bureau_hospital_and_admin(pages: Pages) -> None:
    for role in ("bureau", "alrijne", "admin"):
        assert '<a href="/portaal/uren"' in pages.get(role, "/portaal").text
    assert [c for c in cells(pages.get("admin", "/portaal/uren").text) if c == "Geen uren."] == [
        "Geen uren."
    ]
