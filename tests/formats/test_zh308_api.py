"""POST /declarations/zh308: ZH308 files uploaded as received, pseudonymised with the server's
alliance key and stored against the stored hospitals, insurers and DBCs, or refused whole."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from spreiding.formats.pseudonyms import key_text, pseudonym
from spreiding.formats.zh308 import write_files
from tests.api import conftest as api_conftest
from tests.api.conftest import Api
from tests.formats.test_zh308 import KEY, SAMPLE, bsn_for, declarations_of

# The API's fixtures: a database with samen-plus and amsterdam-flevo, and a key per role.
api = api_conftest.api
stored = api_conftest.stored


@pytest.fixture
def server_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The server's alliance key; named before ``api`` in a test's arguments, so that the app
    is made with it (the upload is served only then)."""
    path = tmp_path / "server.key"
    path.write_text(key_text(KEY))
    os.chmod(path, 0o600)
    monkeypatch.setenv("SPREIDING_ALLIANCE_KEY_FILE", str(path))
    return path


def upload(agb: str | None = None) -> tuple[list[tuple[str, tuple[str, bytes]]], list[str]]:
    """samen-plus's declarations under new ids (the stored ones keep theirs) as ZH308 files,
    and the BSNs in them."""
    declarations = [
        dataclasses.replace(d, declaration_id="Z" + d.declaration_id, agb=agb or d.agb)
        for d in declarations_of(SAMPLE)
    ]
    refs = sorted({d.patient_ref for d in declarations})
    bsns = {ref: bsn_for(i) for i, ref in enumerate(refs)}
    files = write_files(declarations, bsn_of=bsns.__getitem__)
    parts = [("files", (name, content.encode("latin-1"))) for name, content in files.items()]
    return parts, list(bsns.values())


def test_an_admin_upload_stores_the_declarations_under_pseudonyms(
    server_key: Path,
    api: Api,
    stored: tuple[Connection, dict[str, str]],
) -> None:
    connection, _keys = stored
    before = connection.execute(text("SELECT count(*) FROM declaration")).scalar_one()
    parts, bsns = upload()
    response = api.post("admin", "/declarations/zh308", files=parts)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["declarations"], body["credits"], body["activities"]) == (35, 2, 0)
    assert body["added"]["declarations"] == 35
    after = connection.execute(text("SELECT count(*) FROM declaration")).scalar_one()
    assert after == before + 35
    refs = {
        row[0]
        for row in connection.execute(
            text("SELECT patient_ref FROM declaration WHERE declaration_id LIKE 'ZSAME-%'")
        )
    }
    assert refs == {pseudonym(KEY, bsn) for bsn in bsns}
    for bsn in bsns:
        assert bsn not in response.text


def test_an_unknown_hospital_is_named_at_its_file_line_and_field(
    server_key: Path, api: Api
) -> None:
    parts, _bsns = upload(agb="06099999")
    response = api.post("admin", "/declarations/zh308", files=parts)
    assert response.status_code == 422
    detail = response.json()["detail"]
    # Every line: its hospital, and the DBC it names (34 of the 35 name one).
    assert len(detail) == 35 + 34
    name = parts[0][1][0]
    assert f"{name}:3: field 440 INSTELLINGSCODE: unknown hospital 06099999" in detail


def test_a_server_without_an_alliance_key_has_no_upload(api: Api) -> None:
    assert "SPREIDING_ALLIANCE_KEY_FILE" not in os.environ
    parts, _bsns = upload()
    assert api.post("admin", "/declarations/zh308", files=parts).status_code == 404


def test_a_damaged_server_key_is_unavailable_without_saying_where(
    server_key: Path, api: Api
) -> None:
    server_key.write_text("not a key")
    parts, _bsns = upload()
    response = api.post("admin", "/declarations/zh308", files=parts)
    assert response.status_code == 503
    assert response.json() == {
        "error": "AllianceKeyUnavailable",
        "detail": "the server's alliance key file cannot be used",
    }


@pytest.mark.parametrize("role", ["alrijne", "bureau", "insurer"])
def test_only_the_admin_uploads_and_a_refusal_tells_nothing_of_what_is_stored(
    server_key: Path, api: Api, stored: tuple[Connection, dict[str, str]], role: str
) -> None:
    """Declarations are the admin's to write. Before the refusal came first, a hospital's
    upload was answered 'unknown hospital 06099999' for an AGB that is not stored and
    otherwise differently: a way to probe what another tenant has. Now a stored and an
    unknown hospital get the same answer, and nothing is stored."""
    connection, _keys = stored
    before = connection.execute(text("SELECT count(*) FROM declaration")).scalar_one()
    answers = []
    for agb in (None, "06099999"):
        parts, _bsns = upload(agb=agb)
        response = api.post(role, "/declarations/zh308", files=parts)
        assert response.status_code == 403, response.text
        body = response.json()
        # The caller's own file names are the only thing that differs between the two.
        names = sorted(name for _field, (name, _content) in parts)
        if role == "bureau":
            assert sorted(body["detail"]) == [
                f"{name}:0: (file): a bureau may not upload declarations" for name in names
            ]
            body["detail"] = [line.split(":", 1)[1] for line in body["detail"]]
        answers.append(body)
    assert answers[0] == answers[1]
    after = connection.execute(text("SELECT count(*) FROM declaration")).scalar_one()
    assert after == before
