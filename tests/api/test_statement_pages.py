"""A statement in parts (issue 10): its summary, its lines a page at a time behind a cursor,
ETags and gzip, with the access of the full statement.

samen-plus, 2024: Alrijne performed for Groene Hart 10 DBC lines, 77,907.00, and Groene Hart
for Alrijne 19 lines, 38,466.32; on balance Groene Hart owes Alrijne 77,907.00 - 38,466.32 =
39,440.68. Their 29 lines in pages of 4: 8 pages (7 of 4, one of 1)."""

from __future__ import annotations

import base64
import gzip
from typing import Any

import pytest

from tests.api.conftest import ALRIJNE, AMC, FLEVO, GROENE_HART, Api

PAIR = f"{ALRIJNE}/{GROENE_HART}"


def _get(api: Api, path: str, *, headers: dict[str, str], **kwargs: Any) -> Any:
    """As ``alrijne``, with more headers."""
    return api.client.get(path, headers={"X-API-Key": api.keys["alrijne"], **headers}, **kwargs)


def _run(api: Api) -> int:
    created = api.post("admin", "/settlement-runs", json={"year": 2024})
    assert created.status_code == 201, created.text
    return int(created.json()["run_id"])


def _pages(api: Api, path: str, limit: int) -> list[dict[str, Any]]:
    pages, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        response = api.get("alrijne", path, params=params)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        cursor = pages[-1]["next"]
        if cursor is None:
            return pages


def test_pages_put_together_are_the_full_statements_lines(api: Api) -> None:
    run_id = _run(api)
    base = f"/settlement-runs/{run_id}/statements/{PAIR}"
    full = api.get("alrijne", base).json()
    pages = _pages(api, f"{base}/lines", limit=4)
    assert [len(p["items"]) for p in pages] == [4] * 7 + [1]
    items = [item for page in pages for item in page["items"]]
    expected = [
        {**line, "creditor_agb": d["creditor"]["agb"], "debtor_agb": d["debtor"]["agb"]}
        for d in full["directions"]
        for line in d["lines"]
    ]
    assert items == expected
    assert {i["change"] for i in items} == {None}  # a settlement's lines, not a correction's
    # By hand: 10 lines Alrijne -> Groene Hart, 77,907.00; 19 the other way, 38,466.32.
    alrijne_owed = [i for i in items if i["creditor_agb"] == ALRIJNE]
    assert len(alrijne_owed) == 10 and items[:10] == alrijne_owed
    cents = sum(int(i["amount"].replace(".", "")) for i in alrijne_owed)
    assert cents == 7_790_700
    assert sum(int(i["amount"].replace(".", "")) for i in items[10:]) == 3_846_632
    # One page of 500 holds them all; the default page (100) too.
    (whole,) = _pages(api, f"{base}/lines", limit=500)
    assert whole["items"] == items and whole["next"] is None
    assert api.get("alrijne", f"{base}/lines").json()["items"] == items
    # A pair with only DBC lines has empty hours and cost pages, and no cursor.
    for section in ("hours", "costs"):
        empty = api.get("alrijne", f"{base}/{section}").json()
        assert (empty["items"], empty["next"]) == ([], None)


def test_the_summary_has_the_totals_and_counts_without_lines(api: Api) -> None:
    run_id = _run(api)
    base = f"/settlement-runs/{run_id}/statements/{PAIR}"
    full = api.get("alrijne", base).json()
    summary = api.get("alrijne", f"{base}/summary").json()
    a_for_b, b_for_a = summary["directions"]
    assert (a_for_b["creditor"]["agb"], a_for_b["lines"], a_for_b["total"]) == (
        ALRIJNE, 10, "77907.00",
    )  # fmt: skip
    assert (b_for_a["creditor"]["agb"], b_for_a["lines"], b_for_a["total"]) == (
        GROENE_HART, 19, "38466.32",
    )  # fmt: skip
    assert (summary["payer"]["agb"], summary["payee"]["agb"], summary["net"]) == (
        GROENE_HART, ALRIJNE, "39440.68",
    )  # fmt: skip
    assert summary["excluded"] == len(full["excluded"])
    for short, long in zip(summary["directions"], full["directions"], strict=True):
        assert short["subtotals"] == long["subtotals"]
        assert (short["hours"], short["costs"]) == (len(long["hours"]), len(long["costs"]))
        for key in ("total", "lines_amount", "hours_amount", "vat_amount", "costs_amount", "vat"):
            assert short[key] == long[key]
    for key in ("run_id", "status", "fingerprint", "first", "second", "agreements", "payments"):
        assert summary[key] == full[key]
    assert all(isinstance(d["lines"], int) for d in summary["directions"])  # counts, no lines
    assert (
        len(api.get("alrijne", f"{base}/summary").content)
        < len(api.get("alrijne", base).content) / 3
    )


@pytest.mark.parametrize("limit", [0, 501, -1])
def test_a_limit_outside_1_to_500_is_refused(api: Api, limit: int) -> None:
    run_id = _run(api)
    response = api.get(
        "alrijne", f"/settlement-runs/{run_id}/statements/{PAIR}/lines", params={"limit": limit}
    )
    assert response.status_code == 422
    assert "limit" in str(response.json()["detail"])


def _altered(cursor: str) -> list[str]:
    text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    payload, digest = text.rsplit("|", 1)
    moved = payload.rsplit(":", 1)[0] + ":0"  # another seq, the digest kept
    return [
        base64.urlsafe_b64encode(f"{moved}|{digest}".encode()).decode(),
        cursor[:-2],
        cursor + "x",
        "not a cursor",
        "%%%",
        base64.urlsafe_b64encode(b"1:lines:1:x:a:b:0:3").decode(),
    ]


def test_an_altered_or_foreign_cursor_is_refused_with_422(api: Api) -> None:
    run_id = _run(api)
    base = f"/settlement-runs/{run_id}/statements/{PAIR}"
    cursor = api.get("alrijne", f"{base}/lines", params={"limit": 4}).json()["next"]
    assert cursor
    for bad in _altered(cursor):
        response = api.get("alrijne", f"{base}/lines", params={"cursor": bad})
        assert response.status_code == 422, (bad, response.text)
        assert response.json()["error"] == "CursorInvalid"
        assert "start again without a cursor" in response.json()["detail"]
    # The cursor of the lines is not one of the hours, nor of another run.
    other_section = api.get("alrijne", f"{base}/hours", params={"cursor": cursor})
    assert other_section.status_code == 422
    other = api.post("admin", "/settlement-runs", json={"year": 2024, "netting": "multilateral"})
    foreign = api.get(
        "alrijne",
        f"/settlement-runs/{other.json()['run_id']}/statements/{PAIR}/lines",
        params={"cursor": cursor},
    )
    assert foreign.status_code == 422
    # Held or not, the cursor is checked: If-None-Match does not turn it into a 304.
    held = _get(
        api, f"{base}/lines", params={"cursor": cursor[:-2]}, headers={"If-None-Match": "*"}
    )
    assert held.status_code == 422


def test_etags_answer_304_and_change_when_the_run_does(api: Api) -> None:
    run_id = _run(api)
    base = f"/settlement-runs/{run_id}/statements/{PAIR}"
    for path in (f"{base}/lines?limit=4", f"{base}/summary"):
        first = api.get("alrijne", path)
        etag = first.headers["etag"]
        assert etag.startswith('"') and first.headers["cache-control"] == "private, no-cache"
        again = _get(api, path, headers={"If-None-Match": etag})
        assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
        assert _get(api, path, headers={"If-None-Match": '"other"'}).status_code == 200
    lines_etag = api.get("alrijne", f"{base}/lines?limit=4").headers["etag"]
    assert api.get("alrijne", f"{base}/lines?limit=5").headers["etag"] != lines_etag
    # Finalised, the run's pages are another representation: the draft's ETag no longer holds.
    final = api.post("admin", f"/settlement-runs/{run_id}/finalise", json={"override": "test"})
    assert final.status_code == 200, final.text
    now = _get(api, f"{base}/lines?limit=4", headers={"If-None-Match": lines_etag})
    assert now.status_code == 200 and now.headers["etag"] != lines_etag
    assert now.headers["cache-control"] == "private, max-age=86400"
    assert now.json()["items"] == api.get("alrijne", f"{base}/lines?limit=4").json()["items"]


def test_gzip_when_the_client_accepts_it(api: Api) -> None:
    run_id = _run(api)
    path = f"/settlement-runs/{run_id}/statements/{PAIR}"
    for url in (path, f"{path}/lines?limit=500"):
        zipped = api.client.get(
            url, headers={"X-API-Key": api.keys["alrijne"], "Accept-Encoding": "gzip"}
        )
        assert zipped.headers["content-encoding"] == "gzip"
        plain = api.client.get(
            url, headers={"X-API-Key": api.keys["alrijne"], "Accept-Encoding": "identity"}
        )
        assert "content-encoding" not in plain.headers
        assert zipped.json() == plain.json()
    # What went over the wire is gzip: read the raw bytes once.
    with api.client.stream(
        "GET", path, headers={"X-API-Key": api.keys["alrijne"], "Accept-Encoding": "gzip"}
    ) as raw:
        body = b"".join(raw.iter_raw())
    assert len(body) < len(gzip.decompress(body)) / 3


def test_another_tenant_reads_not_found_as_for_the_full_statement(api: Api) -> None:
    run_id = _run(api)
    theirs = f"/settlement-runs/{run_id}/statements/{AMC}/{FLEVO}"
    for part in ("", "/summary", "/lines", "/hours", "/costs"):
        assert api.get("alrijne", f"{theirs}{part}").status_code == 404, part
        assert api.get("amc", f"{theirs}{part}").status_code == 200, part
        held = _get(api, f"{theirs}{part}", headers={"If-None-Match": "*"})
        assert held.status_code == 404, part
    for part in ("/summary", "/lines"):
        assert (
            api.get("alrijne", f"/settlement-runs/999999/statements/{PAIR}{part}").status_code
            == 404
        )
        no_pair = f"/settlement-runs/{run_id}/statements/{ALRIJNE}/{ALRIJNE}{part}"
        assert api.get("alrijne", no_pair).status_code == 404
    assert api.client.get(f"{theirs}/lines").status_code == 401
