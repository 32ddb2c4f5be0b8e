"""Summaries and pages are kept once made (issue 10, ``api.bodies``), and still every request
is let in by its key first: a kept body is never sent to another tenant, a revoked key stops at
once; the bodies kept are bounded in bytes. (Wrong keys counted and limited, with the
server's own transactions: ``tests/test_keys.py``.)"""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

from sqlalchemy import Connection

from api import bodies
from api.routes import statement_pages
from spreiding.store import keys
from tests.api.conftest import AMC, FLEVO, Api
from tests.api.test_statement_pages import PAIR, _run

PARTS = ("/summary", "/lines?limit=4", "/hours", "/costs")


def test_a_kept_body_is_not_sent_to_another_tenant(api: Api) -> None:
    run_id = _run(api)
    theirs = f"/settlement-runs/{run_id}/statements/{AMC}/{FLEVO}"
    for part in PARTS:
        made = api.get("amc", f"{theirs}{part}")
        assert made.status_code == 200, part
        assert (api.get("amc", f"{theirs}{part}").content, part) == (made.content, part)
        assert api.get("alrijne", f"{theirs}{part}").status_code == 404, part
        assert api.client.get(f"{theirs}{part}").status_code == 401, part
        wrong = api.client.get(f"{theirs}{part}", headers={"X-API-Key": "spr_nokey_wrong"})
        assert wrong.status_code == 401, part


def test_a_revoked_key_stops_at_once_on_a_kept_page(
    api: Api, stored: tuple[Connection, dict[str, str]]
) -> None:
    connection, _ = stored
    run_id = _run(api)
    base = f"/settlement-runs/{run_id}/statements/{PAIR}"
    for part in PARTS:
        assert api.get("alrijne", f"{base}{part}").status_code == 200, part
    key_id = keys.key_id_of(api.keys["alrijne"])
    assert key_id is not None
    assert keys.revoke_key(connection, key_id, at=datetime.now(UTC))
    for part in PARTS:
        assert api.get("alrijne", f"{base}{part}").status_code == 401, part
    assert api.get("admin", f"{base}/summary").status_code == 200


def test_kept_bodies_are_bounded_least_recently_used_first() -> None:
    kept = bodies.Bodies(limit=2400)  # a body of more than 2400 / 8 = 300 bytes is not kept
    for n in range(9):
        kept.put(("db", str(n)), bodies.made(b"x" * 300))  # under 1 kB: not gzipped
    assert (kept.size, len(kept), kept.get(("db", "0"))) == (2400, 8, None)  # 9 x 300 > 2400
    assert kept.get(("db", "1")) is not None  # used: now the last to leave
    kept.put(("db", "9"), bodies.made(b"y" * 300))
    assert kept.get(("db", "2")) is None and kept.get(("db", "1")) is not None
    kept.put(("db", "small"), bodies.made(b"z" * 10))  # 2410: the oldest, 3, leaves
    assert (kept.size, kept.get(("db", "3"))) == (2110, None)
    big = bodies.made(b"b" * 301)
    assert kept.put(("db", "big"), big) is big and kept.get(("db", "big")) is None
    assert kept.size == 2110


def test_a_kept_body_is_the_same_bytes_gzipped_or_not(api: Api) -> None:
    run_id = _run(api)
    path = f"/settlement-runs/{run_id}/statements/{PAIR}/lines?limit=20"
    statement_pages._BODIES.clear()
    answers = [
        api.client.get(path, headers={"X-API-Key": api.keys["alrijne"], "Accept-Encoding": e})
        for e in ("gzip", "identity", "gzip")
    ]
    assert [a.headers.get("content-encoding") for a in answers] == ["gzip", None, "gzip"]
    assert answers[0].content == answers[1].content == answers[2].content
    assert answers[0].headers["vary"] == answers[1].headers["vary"] == "Accept-Encoding"
    (body,) = [b for b in statement_pages._BODIES._kept.values()]
    assert body.gzipped is not None and gzip.decompress(body.gzipped) == body.plain
    assert body.plain == answers[1].content
    assert bodies.made(body.plain) == body  # made again, the same bytes (no time stamp)
