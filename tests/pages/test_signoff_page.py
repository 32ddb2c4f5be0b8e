"""Sign-off on the statement page: a hospital accepts or disputes its pairs of a draft run
through ``spreiding.services.signoff`` (as the API's /accept and /dispute), and every role that
may read the statement sees who accepted or disputed what; a final run shows no forms.

The 2024 run of the samples has two pairs between Alrijne and Groene Hart: Groene Hart→Alrijne
(debtor→creditor: Alrijne performed care Groene Hart pays for) and Alrijne→Groene Hart."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import Connection

from spreiding.store.keys import create_key
from tests.api.conftest import ALRIJNE, AMC, FLEVO, GROENE_HART
from tests.pages.conftest import Pages, csrf_of

STATEMENT = "/portaal/verrekeningen/{run}/overzicht/{first}/{second}"
PAIR = {"debtor": GROENE_HART, "creditor": ALRIJNE}  # Groene Hart pays Alrijne
KEY = f"{GROENE_HART}-{ALRIJNE}"


@pytest.fixture
def signing(pages: Pages, settled: tuple[Connection, dict[str, str], int, int]) -> Pages:
    """``pages`` with a key of Groene Hart too (created in the test's transaction)."""
    connection = settled[0]
    pages.keys = {**pages.keys, "groene": create_key(connection, role="hospital", agb=GROENE_HART)}
    return pages


def path(pages: Pages, first: str = ALRIJNE, second: str = GROENE_HART) -> str:
    return STATEMENT.format(run=pages.run, first=first, second=second)


def post(pages: Pages, role: str, data: dict[str, str], *, at: str | None = None) -> Any:
    """A form to ``role``'s statement page, sent with the session's token."""
    page = at or path(pages)
    token = csrf_of(pages.get(role, "/portaal/overdrachten").text)
    return pages.sign_in(role).post(
        f"{page}/aftekenen", data={**data, "csrf": token}, follow_redirects=False
    )


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def api_pairs(pages: Pages) -> dict[tuple[str, str], dict[str, object]]:
    response = pages.client().get(
        f"/settlement-runs/{pages.run}/pairs", headers={"X-API-Key": pages.keys["admin"]}
    )
    assert response.status_code == 200
    return {(p["debtor_agb"], p["creditor_agb"]): p for p in response.json()}


def key_id(pages: Pages, role: str) -> str:
    return pages.keys[role].split("_")[1]


def test_both_hospitals_accept_and_the_page_shows_both_acceptances(signing: Pages) -> None:
    pages = signing
    for role in ("alrijne", "groene"):
        response = post(pages, role, {**PAIR, "besluit": "accept"})
        assert response.status_code == 303
        assert response.headers["location"] == f"{path(pages)}#aftekenen"
    for role in ("alrijne", "groene", "admin"):
        shown = text_of(pages.get(role, path(pages)).text)
        assert "Alrijne Ziekenhuis voor Groene Hart Ziekenhuis (door beide akkoord)" in shown
        assert re.search(
            rf"Alrijne Ziekenhuis \(uitvoerder\): akkoord op \d{{4}}-\d\d-\d\d \d\d:\d\d "
            rf"\(key:{key_id(pages, 'alrijne')}\)",
            shown,
        ), shown
        assert re.search(
            rf"Groene Hart Ziekenhuis \(aanvrager, betaalt\): akkoord op [-\d: ]+ "
            rf"\(key:{key_id(pages, 'groene')}\)",
            shown,
        ), shown
        # The other direction is not signed by anyone yet.
        assert "Groene Hart Ziekenhuis voor Alrijne Ziekenhuis (open)" in shown
        assert shown.count("nog niet afgetekend") == 2
    # The same state through the API's own list.
    pairs = api_pairs(pages)
    assert pairs[(GROENE_HART, ALRIJNE)]["status"] == "accepted"
    assert pairs[(ALRIJNE, GROENE_HART)]["status"] == "open"


def test_a_dispute_without_a_reason_shows_the_error_next_to_the_field(signing: Pages) -> None:
    pages = signing
    refused = post(pages, "groene", {**PAIR, "besluit": "dispute", "reden": "  ", "regels": ""})
    assert refused.status_code == 422
    html = refused.text
    assert f'aria-invalid="true" aria-describedby="reden-{KEY}-fout">' in html
    assert (
        f'</textarea><p class="error" id="reden-{KEY}-fout">Geef de reden van de betwisting.</p>'
    ) in html
    assert api_pairs(pages)[(GROENE_HART, ALRIJNE)]["status"] == "open"  # nothing stored
    # A line that is not the pair's is named next to the lines' field; the reason is kept.
    wrong = post(
        pages, "groene", {**PAIR, "besluit": "dispute", "reden": "eigen patiënt", "regels": "X1"}
    )
    assert wrong.status_code == 422
    assert f'id="regels-{KEY}-fout">Geen regel van dit paar: X1.</p>' in wrong.text
    assert ">eigen patiënt</textarea>" in wrong.text
    # With a reason and a line of the pair the dispute is stored and shown with both.
    line = next(
        iter(
            sorted(set(re.findall(r"<td>(SAME-D\d+)</td>", pages.get("groene", path(pages)).text)))
        )
    )
    disputed = post(
        pages,
        "groene",
        {**PAIR, "besluit": "dispute", "reden": "eigen patiënt", "regels": f" {line}, "},
    )
    assert disputed.status_code == 303
    shown = text_of(pages.get("alrijne", path(pages)).text)
    assert "Alrijne Ziekenhuis voor Groene Hart Ziekenhuis (betwist)" in shown
    assert re.search(
        rf"Groene Hart Ziekenhuis \(aanvrager, betaalt\): betwist op [-\d: ]+ "
        rf"\(key:{key_id(pages, 'groene')}\): eigen patiënt \(regels {line}\)",
        shown,
    ), shown
    state = api_pairs(pages)[(GROENE_HART, ALRIJNE)]
    assert state["status"] == "disputed"
    assert state["debtor"]["lines"] == [line]  # type: ignore[index]


def test_another_hospitals_pair_reads_as_not_found(signing: Pages) -> None:
    pages = signing
    # Amsterdam UMC may neither read nor sign Alrijne's and Groene Hart's statement.
    assert pages.get("amc", path(pages)).status_code == 404
    own = path(pages, AMC, FLEVO)
    token = csrf_of(pages.get("amc", "/portaal/overdrachten").text)
    client = pages.sign_in("amc")
    for at, data in (
        (path(pages), PAIR),  # another tenant's statement
        (own, PAIR),  # a pair that is not on this statement
    ):
        response = client.post(
            f"{at}/aftekenen", data={**data, "besluit": "accept", "csrf": token},
            follow_redirects=False,
        )  # fmt: skip
        assert response.status_code == 404
        assert "Deze pagina bestaat niet of is niet zichtbaar." in response.text
    # Alrijne may not sign a pair of the statement it can read on another's behalf.
    response = post(pages, "alrijne", {**PAIR, "besluit": "accept"}, at=own)
    assert response.status_code == 404
    assert api_pairs(pages)[(GROENE_HART, ALRIJNE)]["status"] == "open"


@pytest.mark.parametrize("token", ["missing", "wrong"])
def test_a_form_without_its_csrf_token_is_refused(signing: Pages, token: str) -> None:
    pages = signing
    client = pages.sign_in("alrijne")
    data = {**PAIR, "besluit": "accept"} | ({"csrf": "not-the-token"} if token == "wrong" else {})
    response = client.post(f"{path(pages)}/aftekenen", data=data, follow_redirects=False)
    assert response.status_code == 403
    assert "zonder geldige beveiligingscode" in response.text
    assert api_pairs(pages)[(GROENE_HART, ALRIJNE)]["debtor"] is None
    assert api_pairs(pages)[(GROENE_HART, ALRIJNE)]["creditor"] is None


def test_an_admin_or_insurer_sees_no_forms_and_a_final_run_none(signing: Pages) -> None:
    pages = signing
    assert post(pages, "alrijne", {**PAIR, "besluit": "accept"}).status_code == 303
    admin = pages.get("admin", path(pages)).text
    assert "Aftekenen" in admin and "akkoord op" in admin  # who did what ...
    assert "/aftekenen" not in admin and "Betwisten</button>" not in admin  # ... and no form
    # An admin's form (made by hand) is refused: only a hospital signs.
    assert post(pages, "admin", {**PAIR, "besluit": "accept"}).status_code == 403
    # The insurer reads no statement at all, so no form either.
    insurer = pages.get("insurer", path(pages))
    assert insurer.status_code == 404 and "/aftekenen" not in insurer.text
    # A hospital on its draft sees the forms; once final, only who did what.
    assert f'action="{path(pages)}/aftekenen"' in pages.get("alrijne", path(pages)).text
    finalised = pages.client().post(
        f"/settlement-runs/{pages.run}/finalise",
        headers={"X-API-Key": pages.keys["admin"]},
        json={"override": "no sign-off in this test"},
    )
    assert finalised.status_code == 200
    final = pages.get("alrijne", path(pages)).text
    assert "/aftekenen" not in final and "Betwisten</button>" not in final
    assert "akkoord op" in final
    late = post(pages, "groene", {**PAIR, "besluit": "accept"})
    assert late.status_code == 409
    assert "Niet afgetekend: de run is definitief; er valt niets meer af te tekenen." in late.text
    assert api_pairs(pages)[(GROENE_HART, ALRIJNE)]["debtor"] is None
