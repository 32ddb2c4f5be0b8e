"""Every page for every role through the HTTP client: the status each key gets (another
tenant's run or pair reads as not found, as in the API), what a page shows checked against
the samples by hand, sign-in and sign-out, and forms refused without their CSRF token."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from api.deps import get_failure_limit
from spreiding.domain.access import FailureLimit
from tests.api.conftest import ALRIJNE, AMC, FLEVO, GROENE_HART
from tests.pages.conftest import Pages, csrf_of

ROLES = ("admin", "alrijne", "amc", "bureau", "insurer")
SAMEN = "samen-plus-liesbreuk-2024"


def expect(**by_role: int) -> dict[str, int]:
    rest = by_role.pop("rest", None)
    return {role: by_role.get(role, rest) for role in ROLES}  # type: ignore[misc]


STATEMENT = "/portaal/verrekeningen/{run}/overzicht"
CASES = [
    ("/portaal", expect(rest=200)),
    ("/portaal/verrekeningen", expect(rest=200)),
    ("/portaal/verrekeningen/{run}", expect(admin=200, alrijne=200, amc=200, rest=404)),
    ("/portaal/verrekeningen/999999", expect(rest=404)),
    (f"{STATEMENT}/{ALRIJNE}/{GROENE_HART}", expect(admin=200, alrijne=200, rest=404)),
    (f"{STATEMENT}/{GROENE_HART}/{ALRIJNE}?pagina=2", expect(admin=200, alrijne=200, rest=404)),
    (f"{STATEMENT}/{AMC}/{FLEVO}", expect(admin=200, amc=200, rest=404)),
    (f"{STATEMENT}/{AMC}/{FLEVO}/pdf", expect(admin=200, amc=200, rest=404)),
    (f"{STATEMENT}/{ALRIJNE}/{GROENE_HART}/pdf", expect(admin=200, alrijne=200, rest=404)),
    ("/portaal/controles", expect(rest=200)),
    ("/portaal/controles/{audit}", expect(bureau=404, rest=200)),
    ("/portaal/controles/{audit}/bevindingen.csv", expect(bureau=404, rest=200)),
    ("/portaal/controles/{audit}/bevindingen.xlsx", expect(bureau=404, rest=200)),
    ("/portaal/overeenkomsten", expect(rest=200)),
    ("/portaal/overdrachten", expect(rest=200)),
    ("/portaal/uren", expect(insurer=403, rest=200)),
    ("/portaal/volumes?jaar=2024", expect(insurer=403, rest=200)),
    ("/portaal/gebeurtenissen", expect(rest=200)),
    ("/portaal/datasets", expect(admin=200, rest=403)),
    ("/portaal/sleutels", expect(admin=200, rest=403)),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "expected"), CASES, ids=[path for path, _ in CASES])
def test_every_page_for_every_role(
    pages: Pages, role: str, path: str, expected: dict[str, int]
) -> None:
    response = pages.get(role, path.format(run=pages.run, audit=pages.audit))
    assert response.status_code == expected[role], response.text
    if response.headers["content-type"].startswith("text/html"):
        assert '<html lang="nl">' in response.text
    if response.status_code == 404:
        # Another tenant's id reads exactly like one that does not exist.
        assert "Deze pagina bestaat niet of is niet zichtbaar." in response.text


@pytest.mark.parametrize("path", [path for path, _ in CASES])
def test_every_page_sends_a_visitor_without_a_session_to_sign_in(pages: Pages, path: str) -> None:
    response = pages.client().get(
        path.format(run=pages.run, audit=pages.audit), follow_redirects=False
    )
    assert (response.status_code, response.headers["location"]) == (303, "/portaal/inloggen")


def cells(html: str) -> list[str]:
    """The text of every table cell, tags removed, in order."""
    found = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", html, flags=re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip() for cell in found]


def test_a_hospital_sees_who_pays_whom_in_its_run_and_only_its_part(pages: Pages) -> None:
    html = pages.get("alrijne", f"/portaal/verrekeningen/{pages.run}").text
    seen = cells(html)
    # Bilateral: Groene Hart owes Alrijne 77,907.00 - 38,466.32 on balance (the samples).
    payment = ["Groene Hart Ziekenhuis", "Alrijne Ziekenhuis", "€ 39.440,68"]
    assert any(seen[i : i + 3] == payment for i in range(len(seen)))
    position = [f"Alrijne Ziekenhuis {ALRIJNE}", "€ 77.907,00", "€ 38.466,32", "€ 39.440,68"]
    assert any(seen[i : i + 4] == position for i in range(len(seen)))
    assert "€ 39.440,68</text>" in html  # the chart's label
    assert "Flevoziekenhuis" not in html and AMC not in html
    # Excluded DBCs between Alrijne and Groene Hart, each reason in Dutch.
    for reason in ("DBC nog open", "geen geldende overeenkomst", "geen benchmarkprijs"):
        assert reason in html
    assert "NO_AGREEMENT</td>" not in html


def test_excluded_dbcs_are_filtered_by_reason(pages: Pages) -> None:
    html = pages.get("admin", f"/portaal/verrekeningen/{pages.run}?reden=PARALLEL_CARE_TYPE").text
    assert "2 van 6 uitgesloten DBC's" in html
    assert cells(html).count("parallel gedeclareerd, niet verrekend") == 2


def test_excluded_dbcs_are_shown_a_page_at_a_time(
    pages: Pages, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.pages import finance

    monkeypatch.setattr(finance, "EXCLUDED_PER_PAGE", 4)
    path = f"/portaal/verrekeningen/{pages.run}"
    first = pages.get("admin", path).text
    assert "6 van 6 uitgesloten DBC's, 1–4 (pagina 1 van 2)" in first
    assert cells(first)[-4:] == [
        "Groene Hart Ziekenhuis", "SAME-D00097", "Alrijne Ziekenhuis", "geen benchmarkprijs"
    ]  # fmt: skip
    second = pages.get("admin", f"{path}?pagina=2").text
    assert "6 van 6 uitgesloten DBC's, 5–6 (pagina 2 van 2)" in second
    assert [c for c in cells(second) if c.startswith("AMST-D")] == ["AMST-D00003", "AMST-D00026"]


def test_a_final_run_shows_what_is_paid_and_open_and_the_balance_over_all_runs(
    pages: Pages,
) -> None:
    # A draft has no payment status yet.
    assert "Betaalstatus" not in pages.get("alrijne", f"/portaal/verrekeningen/{pages.run}").text
    finalised = pages.client().post(
        f"/settlement-runs/{pages.run}/finalise",
        headers={"X-API-Key": pages.keys["admin"]},
        json={"override": "no sign-off in this test"},
    )
    assert finalised.status_code == 200
    # No agreement of the samples names a payment term: 30 days from the day it became final.
    due = (datetime.now(UTC).date() + timedelta(days=30)).strftime("%d-%m-%Y")
    seen = cells(pages.get("alrijne", f"/portaal/verrekeningen/{pages.run}").text)
    row = [
        "Groene Hart Ziekenhuis", "Alrijne Ziekenhuis", "€ 39.440,68", "€ 0,00", "€ 39.440,68",
        due, "open",
    ]  # fmt: skip
    assert any(seen[i : i + 7] == row for i in range(len(seen)))
    assert "Amsterdam UMC" not in seen
    balances = cells(pages.get("alrijne", "/portaal/verrekeningen").text)
    assert balances[5:10] == ["Alrijne Ziekenhuis", "€ 0,00", "€ 0,00", "€ 39.440,68", "€ 0,00"]


def test_a_statement_shows_its_lines_a_page_at_a_time(pages: Pages) -> None:
    base = f"{STATEMENT.format(run=pages.run)}/{ALRIJNE}/{GROENE_HART}"
    first = pages.get("alrijne", base).text
    assert "Regels 1–25 van 29 (pagina 1 van 2)" in first
    assert (
        "Groene Hart Ziekenhuis is Alrijne Ziekenhuis per saldo € 39.440,68 verschuldigd" in first
    )
    assert f'href="{base}/pdf"' in first
    assert f'href="{base}?pagina=2"' in first
    second = pages.get("alrijne", f"{base}?pagina=2").text
    assert "Regels 26–29 van 29 (pagina 2 van 2)" in second
    # A page past the last shows the last.
    assert "(pagina 2 van 2)" in pages.get("alrijne", f"{base}?pagina=9").text
    pdf = pages.get("alrijne", f"{base}/pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"


def test_an_insurer_filters_findings_and_sees_the_money_at_stake_summed(pages: Pages) -> None:
    path = f"/portaal/controles/{pages.audit}"
    # CZ (3358) reads two findings: PAR-001 at Flevo (1,000.00), PAR-002 at Alrijne (2,100.00).
    everything = pages.get("insurer", path).text
    assert "2 van 2 bevindingen; bedrag in het geding: <strong>€ 3.100,00</strong>" in everything
    by_rule = pages.get("insurer", path, params={"regel": "PAR-002"}).text
    assert "1 van 2 bevindingen; bedrag in het geding: <strong>€ 2.100,00</strong>" in by_rule
    assert "SAME-V00115" in by_rule and "AMST-V00038" not in by_rule
    by_hospital = pages.get("insurer", path, params={"ziekenhuis": FLEVO}).text
    assert "1 van 2 bevindingen; bedrag in het geding: <strong>€ 1.000,00</strong>" in by_hospital
    by_amount = pages.get("insurer", path, params={"vanaf": "1.000,01"}).text
    assert "<strong>€ 2.100,00</strong>" in by_amount
    edge = pages.get("insurer", path, params={"vanaf": "1000", "tot": "1.000,00"}).text
    assert "1 van 2 bevindingen; bedrag in het geding: <strong>€ 1.000,00</strong>" in edge
    # By the period of the line a finding rests on: AMST-V00038 runs 27-04-2024 to 16-05-2024,
    # SAME-V00115 11-03-2024 to 10-05-2024; a period meets a line on its first or last day.
    periods = {
        ("2024-05-11", ""): ["AMST-V00038"],
        ("10-05-2024", ""): ["AMST-V00038", "SAME-V00115"],
        ("", "2024-04-26"): ["SAME-V00115"],
        ("", "2024-04-27"): ["AMST-V00038", "SAME-V00115"],
        ("2024-05-17", "2024-12-31"): [],
    }
    for (first, last), expected in periods.items():
        html = pages.get("insurer", path, params={"sinds": first, "tot_en_met": last}).text
        assert sorted(set(re.findall(r"declaratie (\w+-V\d+)", html))) == expected, (first, last)
    assert "PS-B0A960EF230B<br>131999061" in everything  # the line SAME-V00115 rests on
    wrong_day = pages.get("insurer", path, params={"sinds": "morgen"})
    assert wrong_day.status_code == 422 and 'id="sinds-fout">Vul een datum in.' in wrong_day.text
    wrong = pages.get("insurer", path, params={"tot": "veel"})
    assert wrong.status_code == 422
    assert 'id="tot-fout">Vul een bedrag in, bijvoorbeeld 1.234,56.' in wrong.text
    csv = pages.get("insurer", f"{path}/bevindingen.csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert sorted(line.split(",")[0] for line in csv.text.splitlines()[1:]) == [
        "PAR-001",
        "PAR-002",
    ]


def test_the_bureau_sees_its_agreement_with_the_pathway_as_steps(pages: Pages) -> None:
    html = pages.get("bureau", "/portaal/overeenkomsten").text
    assert SAMEN in html and "amc-flevo-2024" not in html
    assert '<ol class="steps"' in html


def test_the_bureau_sees_its_volumes_against_the_plan(pages: Pages) -> None:
    html = pages.get("bureau", "/portaal/volumes?jaar=2024").text
    seen = cells(html)
    # Samen+ plans 120 liesbreuk and 8 rectumcarcinoom patients in 2024; the samples settle
    # 16 and 6 of them, with 12 and 6 performed transfers.
    liesbreuk = [SAMEN, "liesbreuk", "120", "16", "onder plan", "16", "—", "0", "12"]
    rectum = [SAMEN, "rectumcarcinoom", "8", "6", "onder plan", "6", "—", "0", "6"]
    assert seen[9:27] == liesbreuk + rectum
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" role="img"') == 2
    assert "amc-flevo-2024" not in html


TRANSFER = {
    "transfer_id": "PAGE-T1",
    "agreement_id": SAMEN,
    "care_type": "liesbreuk",
    "patient_ref": "PS-PAGE",
    "from_agb": ALRIJNE,
    "to_agb": GROENE_HART,
    "transfer_date": "2024-11-01",
    "status": "planned",
    "phase": "",
}


def test_the_bureau_registers_a_transfer_and_sees_an_error_next_to_its_field(
    pages: Pages,
) -> None:
    client = pages.sign_in("bureau")
    token = csrf_of(client.get("/portaal/overdrachten").text)
    wrong = client.post(
        "/portaal/overdrachten", data={**TRANSFER, "to_agb": "12345678", "csrf": token}
    )
    assert wrong.status_code == 422
    error = re.search(r'<p class="error" id="to_agb-fout">(.*?)</p>', wrong.text)
    assert error, wrong.text
    assert 'id="to_agb" name="to_agb" value="12345678"' in wrong.text  # kept to correct
    assert "PAGE-T1</th>" not in wrong.text
    empty = client.post(
        "/portaal/overdrachten", data={**TRANSFER, "transfer_id": "", "status": "x", "csrf": token}
    )
    assert empty.status_code == 422
    assert '<p class="error" id="transfer_id-fout">Vul dit veld in.</p>' in empty.text
    assert (
        '<p class="error" id="status-fout">Kies gepland, uitgevoerd of geannuleerd.</p>'
        in empty.text
    )
    right = client.post(
        "/portaal/overdrachten", data={**TRANSFER, "csrf": token}, follow_redirects=False
    )
    assert (right.status_code, right.headers["location"]) == (
        303,
        "/portaal/overdrachten?geregistreerd=PAGE-T1",
    )
    listed = client.get(right.headers["location"]).text
    assert "Overdracht PAGE-T1 is geregistreerd." in listed
    assert '<th scope="row">PAGE-T1</th>' in listed
    # The API reads what the page stored.
    stored = client.get("/transfers/PAGE-T1", headers={"X-API-Key": pages.keys["bureau"]})
    assert stored.json()["status"] == "planned"
    performed = client.post(
        "/portaal/overdrachten/PAGE-T1/status",
        data={"status": "performed", "csrf": token},
        follow_redirects=False,
    )
    assert performed.status_code == 303
    stored = client.get("/transfers/PAGE-T1", headers={"X-API-Key": pages.keys["bureau"]})
    assert stored.json()["status"] == "performed"
    bad = client.post(
        "/portaal/overdrachten/PAGE-T1/status", data={"status": "gedaan", "csrf": token}
    )
    assert bad.status_code == 422 and "Kies gepland, uitgevoerd of geannuleerd." in bad.text


def test_a_hospital_may_not_register_a_transfer(pages: Pages) -> None:
    client = pages.sign_in("alrijne")
    token = csrf_of(client.get("/portaal").text)
    refused = client.post("/portaal/overdrachten", data={**TRANSFER, "csrf": token})
    assert refused.status_code == 403
    assert "Registreren</button>" not in client.get("/portaal/overdrachten").text


FORMS = [
    ("bureau", "/portaal/overdrachten", TRANSFER),
    ("bureau", "/portaal/overdrachten/SAME-T00004/status", {"status": "cancelled"}),
    ("admin", "/portaal/sleutels", {"role": "admin"}),
    ("admin", "/portaal/sleutels/{key_id}/intrekken", {}),
    ("alrijne", "/portaal/uitloggen", {}),
]


@pytest.mark.parametrize(("role", "path", "data"), FORMS, ids=[p for _, p, _ in FORMS])
@pytest.mark.parametrize("token", ["missing", "wrong"])
def test_every_form_is_refused_without_its_csrf_token(
    pages: Pages, role: str, path: str, data: dict[str, str], token: str
) -> None:
    client = pages.sign_in(role)
    key_id = pages.keys["insurer"].split("_")[1]
    sent = data if token == "missing" else {**data, "csrf": "not-the-token"}
    response = client.post(path.format(key_id=key_id), data=sent, follow_redirects=False)
    assert response.status_code == 403
    assert "zonder geldige beveiligingscode" in response.text
    # Nothing happened: the transfer is not stored, the key works, the session goes on.
    assert client.get("/portaal", follow_redirects=False).status_code == 200
    assert "PAGE-T1</th>" not in pages.get("admin", "/portaal/overdrachten").text
    assert (
        pages.client().get("/hospitals", headers={"X-API-Key": pages.keys["insurer"]}).status_code
        == 200
    )
    transfer = pages.client().get(
        "/transfers/SAME-T00004", headers={"X-API-Key": pages.keys["admin"]}
    )
    assert transfer.json()["status"] == "performed"


def test_sign_in_without_the_form_token_is_refused(pages: Pages) -> None:
    client = pages.client()
    client.get("/portaal/inloggen")
    response = client.post("/portaal/inloggen", data={"sleutel": pages.keys["admin"]})
    assert response.status_code == 403
    assert client.get("/portaal", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("key", ["spr_nope_secret", "", "x" * 500, "{alrijne}x"])
def test_a_wrong_key_gets_a_plain_message_and_no_session(pages: Pages, key: str) -> None:
    client = pages.client()
    token = csrf_of(client.get("/portaal/inloggen").text)
    response = client.post(
        "/portaal/inloggen", data={"sleutel": key.format(**pages.keys), "csrf": token}
    )
    assert response.status_code == 401
    assert re.findall(r'<p class="error"[^>]*>(.*?)</p>', response.text) == [
        "Deze sleutel wordt niet geaccepteerd."
    ]
    assert "spreiding_sessie" not in response.headers.get("set-cookie", "")
    assert client.get("/portaal", follow_redirects=False).status_code == 303


def test_failed_sign_ins_are_limited_as_the_api_limits_keys(pages: Pages) -> None:
    pages.app.dependency_overrides[get_failure_limit] = lambda: FailureLimit(2, 300)
    client = pages.client()
    token = csrf_of(client.get("/portaal/inloggen").text)
    for _ in range(2):
        wrong = client.post("/portaal/inloggen", data={"sleutel": "spr_x_y", "csrf": token})
        assert wrong.status_code == 401
    # The third attempt, even with a right key, waits out the window.
    limited = client.post("/portaal/inloggen", data={"sleutel": pages.keys["admin"], "csrf": token})
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 300
    assert "Te veel mislukte aanmeldingen." in limited.text


def test_pages_are_not_framed_cached_or_fed_from_elsewhere(pages: Pages) -> None:
    for response in (
        pages.get("alrijne", f"/portaal/verrekeningen/{pages.run}"),
        pages.client().get("/portaal/inloggen"),
        pages.get("bureau", "/portaal/sleutels"),  # a refusal too
    ):
        assert response.headers["content-security-policy"] == (
            "default-src 'self'; frame-ancestors 'none'; form-action 'self'"
        )
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["cache-control"] == "no-store"


def test_the_session_cookie_is_http_only_and_strict_and_secure_over_tls(pages: Pages) -> None:
    for base, secure in (("http://testserver", False), ("https://testserver", True)):
        client = pages.client(base_url=base)
        token = csrf_of(client.get("/portaal/inloggen").text)
        response = client.post(
            "/portaal/inloggen",
            data={"sleutel": pages.keys["amc"], "csrf": token},
            follow_redirects=False,
        )
        cookie = next(
            c for c in response.headers.get_list("set-cookie") if c.startswith("spreiding_sessie=")
        )
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
        assert {"httponly", "samesite"} <= attributes
        assert "samesite=strict" in cookie.lower()
        assert ("secure" in attributes) is secure
        assert pages.keys["amc"] not in cookie  # only a session id, never the key


def test_sign_out_ends_the_session(pages: Pages) -> None:
    client = pages.sign_in("amc")
    token = csrf_of(client.get("/portaal").text)
    response = client.post("/portaal/uitloggen", data={"csrf": token}, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/portaal/inloggen")
    assert client.get("/portaal", follow_redirects=False).status_code == 303


def test_the_admin_issues_a_key_that_signs_in_and_revokes_it(pages: Pages) -> None:
    admin = pages.sign_in("admin")
    token = csrf_of(admin.get("/portaal/sleutels").text)
    wrong = admin.post(
        "/portaal/sleutels", data={"role": "hospital", "agb": "99999999", "csrf": token}
    )
    assert wrong.status_code == 422 and "there is no hospital with AGB" in wrong.text
    issued = admin.post(
        "/portaal/sleutels",
        data={"role": "hospital", "agb": FLEVO, "label": "flevo financiën", "csrf": token},
    )
    assert issued.status_code == 201
    key = re.search(r'<code class="key">(spr_[^<]+)</code>', issued.text)
    assert key
    flevo = pages.client()
    login = csrf_of(flevo.get("/portaal/inloggen").text)
    signed_in = flevo.post("/portaal/inloggen", data={"sleutel": key.group(1), "csrf": login})
    assert signed_in.status_code == 200 and "ziekenhuis 06020202" in signed_in.text
    key_id = key.group(1).split("_")[1]
    revoked = admin.post(
        f"/portaal/sleutels/{key_id}/intrekken", data={"csrf": token}, follow_redirects=False
    )
    assert revoked.status_code == 303
    # The session of a revoked key ends at its next request.
    assert flevo.get("/portaal", follow_redirects=False).status_code == 303


def test_the_event_log_shows_what_each_key_may_read(pages: Pages) -> None:
    client = pages.sign_in("bureau")
    token = csrf_of(client.get("/portaal/overdrachten").text)
    client.post("/portaal/overdrachten", data={**TRANSFER, "csrf": token})
    admin = pages.get("admin", "/portaal/gebeurtenissen?soort=transfer.register").text
    row = [c for c in cells(admin) if c in ("overdracht geregistreerd", "transfer:PAGE-T1")]
    assert row == ["overdracht geregistreerd", "transfer:PAGE-T1"]
    assert f"{ALRIJNE}, {GROENE_HART}" in admin
    # AMC is not a party of the transfer: the event is not its to read.
    assert "transfer:PAGE-T1" not in pages.get("amc", "/portaal/gebeurtenissen").text
    assert "transfer:PAGE-T1" in pages.get("alrijne", "/portaal/gebeurtenissen").text


def test_docs_work_offline_and_declare_the_api_key_scheme(pages: Pages) -> None:
    client = pages.client()
    html = client.get("/docs").text
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/static/swagger/") for a in assets), assets
    assert "cdn" not in html and "https://" not in html
    for asset in assets:
        assert client.get(asset).status_code == 200
    document = client.get("/openapi.json").json()
    assert document["components"]["securitySchemes"]["ApiKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "An API key: spr_<id>_<secret> (`spreiding keys create`)",
    }
    assert document["paths"]["/settlement-runs"]["get"]["security"] == [{"ApiKey": []}]
    assert not [path for path in document["paths"] if path.startswith("/portaal")]
