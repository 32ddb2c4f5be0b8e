"""The simulation page (issue 12): the bureau simulates its agreement and reads the figures
``tests/test_simulate.py`` checks by hand for the same samen-plus data; an insurer is refused as
on every page it may not see, a form without its token is refused, and another alliance's
agreement reads exactly as one that does not exist."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.api.conftest import ALRIJNE, GROENE_HART
from tests.pages.conftest import Pages, csrf_of
from tests.pages.test_pages import cells

PATH = "/portaal/simulatie"
SAMEN = "samen-plus-liesbreuk-2024"
UNKNOWN = "Deze overeenkomst bestaat niet of u mag haar niet simuleren."


def simulate(pages: Pages, role: str, **data: str) -> Any:
    client = pages.sign_in(role)
    token = csrf_of(client.get(PATH).text)
    return client.post(PATH, data={"csrf": token, **data}, follow_redirects=False)


def row_of(seen: list[str], first: str) -> list[str]:
    at = seen.index(first)
    return seen[at : at + 6]


def test_the_bureau_simulates_its_agreement_and_sees_the_hand_checked_figures(
    pages: Pages,
) -> None:
    form = pages.get("bureau", PATH)
    assert form.status_code == 200
    assert f'<a href="{PATH}"' in form.text  # in the menu
    assert f'<option value="{SAMEN}"' in form.text
    response = simulate(pages, "bureau", agreement_id=SAMEN, year="2024", replay="1")
    assert response.status_code == 200, response.text
    html = response.text
    seen = cells(html)
    # From plan (tests/test_simulate.py): liesbreuk 120 DBCs at Groene Hart for Alrijne at
    # 1999.00 x 0.90 = 1799.10 (215,892.00); rectumcarcinoom 8 at Alrijne for Groene Hart at
    # 11234.55 x 0.90 = 10111.10 (80,888.80); without the agreement nothing settles.
    assert row_of(seen, f"Groene Hart Ziekenhuis {GROENE_HART}") == [
        f"Groene Hart Ziekenhuis {GROENE_HART}",
        "€ 215.892,00", "€ 80.888,80", "€ 135.003,20", "€ 0,00", "€ 135.003,20",
    ]  # fmt: skip
    assert row_of(seen, f"Alrijne Ziekenhuis {ALRIJNE}") == [
        f"Alrijne Ziekenhuis {ALRIJNE}",
        "€ 80.888,80", "€ 215.892,00", "€ -135.003,20", "€ 0,00", "€ -135.003,20",
    ]  # fmt: skip
    # Replayed on 2024 (the stored agreement over its real year): the run's own figures,
    # Alrijne 77,907.00 to receive and 38,466.32 to pay, and no change.
    replayed = cells(html.split("Per ziekenhuis, nagespeeld")[1])
    assert row_of(replayed, f"Alrijne Ziekenhuis {ALRIJNE}") == [
        f"Alrijne Ziekenhuis {ALRIJNE}",
        "€ 77.907,00", "€ 38.466,32", "€ 39.440,68", "€ 39.440,68", "€ 0,00",
    ]  # fmt: skip
    assert "DBC's die van verrekening veranderen: 0." in html
    # The chart: a line per party over the shares 0.80 to 1.00; at share 1.00 Groene Hart
    # nets 120 x 1999.00 - 8 x 11234.55 (the 2024 benchmark price of 029899011) = 150,003.60,
    # the top of the axis, and Alrijne the bottom.
    chart = re.search(r"<svg .*?</svg>", html, flags=re.S)
    assert chart is not None and chart.group().count("<polyline") == 2
    labels = re.findall(r">([^<]*)</text>", chart.group())
    assert labels[:3] == ["€ 0,00", "€\xa0150.003,60", "€\xa0-150.003,60"]
    assert labels[3:8] == ["0.80", "0.85", "0.90", "0.95", "1.00"]


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_insurer_is_refused(pages: Pages, method: str) -> None:
    if method == "get":
        response = pages.get("insurer", PATH)
    else:
        token = csrf_of(pages.get("insurer", "/portaal").text)  # the sign-out form's token
        response = pages.sign_in("insurer").post(
            PATH, data={"csrf": token, "agreement_id": SAMEN, "year": "2024"},
            follow_redirects=False,
        )  # fmt: skip
    assert response.status_code == 403
    assert "Uw sleutel geeft geen toegang tot deze pagina." in response.text
    assert "€" not in response.text
    assert f'href="{PATH}"' not in pages.get("insurer", "/portaal").text


@pytest.mark.parametrize("token", ["missing", "wrong"])
def test_a_form_without_its_token_is_refused(pages: Pages, token: str) -> None:
    data = {"agreement_id": SAMEN, "year": "2024"}
    if token == "wrong":
        data["csrf"] = "not-the-token"
    response = pages.sign_in("bureau").post(PATH, data=data, follow_redirects=False)
    assert response.status_code == 403
    assert "zonder geldige beveiligingscode" in response.text
    assert "€" not in response.text


def test_another_alliances_agreement_reads_as_unknown(pages: Pages) -> None:
    other = simulate(pages, "bureau", agreement_id="amc-flevo-2024", year="2024")
    missing = simulate(pages, "bureau", agreement_id="no-such-agreement", year="2024")
    for response in (other, missing):
        assert response.status_code == 422
        assert f'<p class="error" id="agreement_id-fout">{UNKNOWN}</p>' in response.text
        assert "€" not in response.text
    # Nothing tells the two apart: the same session gets the same page, byte for byte.
    assert other.text == missing.text
    assert "Flevoziekenhuis" not in other.text and "amc-flevo" not in other.text
    # A hospital of the other alliance may simulate its own; Alrijne may not.
    assert simulate(pages, "amc", agreement_id="amc-flevo-2024", year="2024").status_code == 200
    refused = simulate(pages, "alrijne", agreement_id="amc-flevo-2024", year="2024")
    assert UNKNOWN in refused.text


def test_a_year_out_of_range_is_shown_next_to_its_field(pages: Pages) -> None:
    response = simulate(pages, "bureau", agreement_id=SAMEN, year="twintig")
    assert response.status_code == 422
    assert 'id="year-fout">Vul een jaar in van' in response.text
    assert 'aria-invalid="true" aria-describedby="year-fout"' in response.text
