"""The ETags of a statement's summary and pages are made from the run's header, the pair and
what is asked, without reading a line (issue 10): they hold across workers and restarts, a
summary's differs per viewer (a hospital sees only its own payments), and ``*`` answers 304
only for a statement that exists."""

from __future__ import annotations

from api.routes import statement_pages
from tests.api.conftest import ALRIJNE, GROENE_HART, Api
from tests.api.test_statement_pages import PAIR, _get, _run


def test_a_summarys_etag_holds_without_its_body_being_made_again(api: Api) -> None:
    run_id = _run(api)
    path = f"/settlement-runs/{run_id}/statements/{PAIR}/summary"
    first = api.get("alrijne", path)
    etag = first.headers["etag"]
    statement_pages._BODIES.clear()  # another worker, or after a restart
    held = _get(api, path, headers={"If-None-Match": etag})
    assert (held.status_code, held.content) == (304, b"")
    assert not statement_pages._BODIES  # answered without making the summary
    again = api.get("alrijne", path)
    assert (again.headers["etag"], again.content) == (etag, first.content)


def test_a_summarys_etag_differs_per_viewer_and_per_run_state(api: Api) -> None:
    run_id = _run(api)
    path = f"/settlement-runs/{run_id}/statements/{PAIR}/summary"
    tags = {who: api.get(who, path).headers["etag"] for who in ("alrijne", "admin")}
    assert tags["alrijne"] != tags["admin"]
    # The admin holding a hospital's copy is sent its own.
    crossed = api.client.get(
        path, headers={"X-API-Key": api.keys["admin"], "If-None-Match": tags["alrijne"]}
    )
    assert crossed.status_code == 200 and crossed.headers["etag"] == tags["admin"]
    final = api.post("admin", f"/settlement-runs/{run_id}/finalise", json={"override": "test"})
    assert final.status_code == 200, final.text
    now = _get(api, path, headers={"If-None-Match": tags["alrijne"]})
    assert now.status_code == 200 and now.json()["status"] == "final"
    assert now.headers["etag"] != tags["alrijne"]


def test_any_copy_is_not_modified_only_for_a_statement_that_exists(api: Api) -> None:
    run_id = _run(api)
    base = f"/settlement-runs/{run_id}/statements"
    for part in ("/summary", "/lines"):
        held = _get(api, f"{base}/{PAIR}{part}", headers={"If-None-Match": "*"})
        assert held.status_code == 304, part
        none = _get(api, f"{base}/{ALRIJNE}/{ALRIJNE}{part}", headers={"If-None-Match": "*"})
        assert none.status_code == 404, part
    reverse = api.get("alrijne", f"{base}/{GROENE_HART}/{ALRIJNE}/lines?limit=4")
    assert (
        reverse.headers["etag"]
        == api.get("alrijne", f"{base}/{PAIR}/lines?limit=4").headers["etag"]
    )
