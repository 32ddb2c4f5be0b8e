"""Sessions of the pages live in the database (``page_session``, migration 0014): a session
started by one instance of the app is known to another on the same database (a restart, or
another worker); sign-out deletes it; it ends 8 hours after sign-in; a revoked or expired key
ends it at its next request; forms still need its CSRF token; only a hash of its token is
stored. On SQLite and PostgreSQL; the service itself: ``tests/test_sessions.py``."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, text

from api.app import create_app
from api.deps import get_now
from spreiding.services import access
from spreiding.store.keys import create_key
from tests.api.conftest import ALRIJNE
from tests.pages.conftest import Pages, csrf_of

COOKIE = "spreiding_sessie"
START = "/portaal"
SIGN_IN = "/portaal/inloggen"


@pytest.fixture
def other_app(pages: Pages) -> FastAPI:
    """A second instance of the app on the same database: the server after a restart, or
    another worker."""
    app = create_app(pages.app.state.engine)
    app.dependency_overrides.update(pages.app.dependency_overrides)
    return app


def with_cookie(app: FastAPI, client: TestClient) -> TestClient:
    """A client of ``app`` holding ``client``'s session cookie."""
    return TestClient(app, cookies={COOKIE: client.cookies[COOKIE]})


def at(app: FastAPI, when: datetime) -> None:
    app.dependency_overrides[get_now] = lambda: when


def test_a_session_holds_on_another_instance_of_the_app(pages: Pages, other_app: FastAPI) -> None:
    client = pages.sign_in("alrijne")
    elsewhere = with_cookie(other_app, client)
    page = elsewhere.get(START, follow_redirects=False)
    assert page.status_code == 200
    assert f"ziekenhuis {ALRIJNE}" in page.text
    # Its forms carry the same session's token, accepted by either instance.
    assert csrf_of(page.text) == csrf_of(client.get(START).text)


def test_only_a_hash_of_the_token_is_stored(
    pages: Pages, settled: tuple[Connection, dict[str, str], int, int]
) -> None:
    client = pages.sign_in("alrijne")
    token = client.cookies[COOKIE]
    hashes = list(settled[0].execute(text("SELECT token_sha256 FROM page_session")).scalars())
    assert hashlib.sha256(token.encode()).hexdigest() in hashes
    assert token not in hashes
    row = (
        settled[0]
        .execute(text("SELECT * FROM page_session WHERE key_id = :k"), {"k": key_id(pages)})
        .one()
    )
    assert token not in [str(value) for value in row]
    assert pages.keys["alrijne"] not in [str(value) for value in row]


def key_id(pages: Pages, role: str = "alrijne") -> str:
    return pages.keys[role].split("_")[1]


def test_sign_out_ends_the_session_everywhere(pages: Pages, other_app: FastAPI) -> None:
    client = pages.sign_in("alrijne")
    elsewhere = with_cookie(other_app, client)
    token = csrf_of(client.get(START).text)
    out = client.post("/portaal/uitloggen", data={"csrf": token}, follow_redirects=False)
    assert out.status_code == 303
    refused = elsewhere.get(START, follow_redirects=False)
    assert (refused.status_code, refused.headers["location"]) == (303, SIGN_IN)


def test_a_session_ends_eight_hours_after_sign_in(pages: Pages, other_app: FastAPI) -> None:
    signed_in = datetime.now(UTC)
    at(pages.app, signed_in)
    client = pages.sign_in("alrijne")
    elsewhere = with_cookie(other_app, client)
    at(other_app, signed_in + timedelta(hours=7, minutes=59))
    assert elsewhere.get(START, follow_redirects=False).status_code == 200
    at(other_app, signed_in + timedelta(hours=8))
    assert elsewhere.get(START, follow_redirects=False).status_code == 303


def test_a_revoked_key_ends_its_session_on_every_instance(
    pages: Pages, other_app: FastAPI, settled: tuple[Connection, dict[str, str], int, int]
) -> None:
    client = pages.sign_in("alrijne")
    elsewhere = with_cookie(other_app, client)
    access.revoke_api_key(settled[0], key_id(pages), now=datetime.now(UTC))
    assert elsewhere.get(START, follow_redirects=False).status_code == 303
    assert client.get(START, follow_redirects=False).status_code == 303


def test_a_key_that_expires_ends_its_session(
    pages: Pages, other_app: FastAPI, settled: tuple[Connection, dict[str, str], int, int]
) -> None:
    now = datetime.now(UTC)
    pages.keys = {
        **pages.keys,
        "brief": create_key(
            settled[0], role="hospital", agb=ALRIJNE, expires_at=now + timedelta(hours=1)
        ),
    }
    at(pages.app, now)
    client = pages.sign_in("brief")
    elsewhere = with_cookie(other_app, client)
    at(other_app, now + timedelta(minutes=59))
    assert elsewhere.get(START, follow_redirects=False).status_code == 200
    at(other_app, now + timedelta(hours=1))
    assert elsewhere.get(START, follow_redirects=False).status_code == 303


def test_forms_still_need_the_sessions_own_token(pages: Pages, other_app: FastAPI) -> None:
    client = pages.sign_in("alrijne")
    elsewhere = with_cookie(other_app, client)
    others = csrf_of(pages.sign_in("amc").get(START).text)
    for data in ({}, {"csrf": ""}, {"csrf": others}):
        refused = elsewhere.post("/portaal/uitloggen", data=data, follow_redirects=False)
        assert refused.status_code == 403
    assert elsewhere.get(START, follow_redirects=False).status_code == 200
    own = csrf_of(client.get(START).text)
    assert (
        elsewhere.post("/portaal/uitloggen", data={"csrf": own}, follow_redirects=False).status_code
        == 303
    )


def test_an_unknown_cookie_is_sent_to_sign_in(other_app: FastAPI) -> None:
    client = TestClient(other_app, cookies={COOKIE: "not-a-session"})
    response = client.get(START, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, SIGN_IN)
