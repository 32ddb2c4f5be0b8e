"""The datasets page (``/portaal/datasets``): the administrator sees each ``dataset.import``
event of the log with its time, its actor and the rows it added per file; other roles get
the refusal page.

The module's database stores its samples below the services (no event), so each test
imports through ``POST /datasets``: the bureau a new agreement of its alliance with one row of
hours under it, then the admin another agreement with two rows of hours; the samples' own
hospitals, insurers and prices sent along are stored already and are not counted."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.conftest import ALRIJNE, GROENE_HART, Api
from tests.api.test_rights import as_contract, upload
from tests.pages.conftest import Pages
from tests.pages.test_pages import SAMEN, cells

HEADER = "hours_id,agreement_id,employer_agb,host_agb,role,work_date,hours"


def imported(pages: Pages, role: str, agreement_id: str, *hours_ids: str) -> Any:
    api = Api(pages.client(), pages.keys)
    samen = as_contract(api.get("admin", f"/agreements/{SAMEN}").json())
    agreement = samen | {"agreement_id": agreement_id, "parent_id": None}
    rows = [
        f"{h},{agreement_id},{GROENE_HART},{ALRIJNE},medisch-specialist,2024-05-02,7.50"
        for h in hours_ids
    ]
    response = upload(
        api,
        role,
        "samen-plus",
        agreements_json=json.dumps([agreement]),
        hours_csv="\n".join([HEADER, *rows]) + "\n",
    )
    assert response.status_code == 201, response.text
    return response


def test_the_admin_sees_every_import_with_its_counts(pages: Pages) -> None:
    empty = pages.get("admin", "/portaal/datasets")
    assert empty.status_code == 200
    assert '<a href="/portaal/datasets" aria-current="page">Datasets</a>' in empty.text
    assert cells(empty.text)[5:] == ["Geen ingelezen datasets."]
    imported(pages, "bureau", "samen-plus-2026", "DS-U1")
    imported(pages, "admin", "samen-plus-2027", "DS-U2", "DS-U3")
    seen = cells(pages.get("admin", "/portaal/datasets").text)
    rows = [seen[i : i + 5] for i in range(5, len(seen), 5)]
    bureau_id, admin_id = (pages.keys[r].split("_")[1] for r in ("bureau", "admin"))
    assert [row[2:] for row in rows] == [
        [f"key:{bureau_id}", "alliantiebureau", "agreements: 1, hours: 1"],
        [f"key:{admin_id}", "beheerder", "agreements: 1, hours: 2"],
    ]
    # Oldest first, each with the time of its event as the event log shows it.
    log = cells(pages.get("admin", "/portaal/gebeurtenissen?soort=dataset.import").text)
    assert [row[:2] for row in rows] == [log[7:9], log[14:16]]
    assert int(rows[0][0]) < int(rows[1][0])


@pytest.mark.parametrize("role", ["alrijne", "amc", "bureau", "insurer"])
def test_other_roles_get_the_refusal_page_and_no_link(pages: Pages, role: str) -> None:
    imported(pages, "admin", "samen-plus-2027", "DS-U2")
    response = pages.get(role, "/portaal/datasets")
    assert response.status_code == 403
    assert "Uw sleutel geeft geen toegang tot deze pagina." in response.text
    assert "hours: 1" not in response.text
    assert "/portaal/datasets" not in pages.get(role, "/portaal").text
