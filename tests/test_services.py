"""The service layer: the CLI and the API settle and audit through the same service function,
and the store reads behind the services read only what a use case needs."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pandas.testing import assert_frame_equal
from sqlalchemy import Engine, event
from typer.testing import CliRunner

from settlement.engine import Settlement
from settlement.statement import pairs_of
from spreiding.cli import app
from spreiding.domain.access import Principal
from spreiding.domain.errors import DatasetInvalid
from spreiding.render.settlement import settlement_to_json
from spreiding.services import audit, datasets, settlement, statements, transfers
from spreiding.services.access import OPERATOR
from spreiding.services.errors import NotFound
from spreiding.services.runs import load_run
from spreiding.store.datasets import load_dataset, load_settlement_inputs
from spreiding.store.idempotency import KeptResponse, keep_response, kept_response
from spreiding.store.keys import authenticate, create_key, grant_agreement
from spreiding.store.runs import RunStore
from tests.conftest import SAMPLES, V1, app_for

ALRIJNE, GROENE_HART, AMC, FLEVO = "06010101", "06010102", "06020201", "06020202"
HOSPITALS = (ALRIJNE, GROENE_HART, AMC, FLEVO)
runner = CliRunner()


def import_samples(engine: Engine, *names: str) -> None:
    for name in names:
        with engine.begin() as connection:
            datasets.import_dataset(connection, datasets.read_folder(V1 / name))


@contextmanager
def statements_run(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement sent to the database inside the block."""
    sent: list[str] = []

    def record(*args: Any) -> None:
        sent.append(" ".join(str(args[2]).split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def tables_read(sent: list[str]) -> set[str]:
    return {
        table
        for sql in sent
        if sql.startswith("SELECT")
        for table in re.findall(r"(?:FROM|JOIN) (\w+)", sql)
    }


def recording(
    monkeypatch: pytest.MonkeyPatch, module: Any, name: str
) -> list[tuple[str, str, dict[str, Any]]]:
    """Replace ``module.name`` with a wrapper that records (principal's key id, role, keyword
    arguments) of every call and then calls the real function."""
    real: Callable[..., Any] = getattr(module, name)
    calls: list[tuple[str, str, dict[str, Any]]] = []

    def wrapper(connection: Any, principal: Principal, **kwargs: Any) -> Any:
        calls.append((principal.key_id, principal.role, kwargs))
        return real(connection, principal, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


@pytest.fixture
def front_ends(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The samen-plus sample stored; the CLI on its database, and the API with two keys."""
    monkeypatch.setenv("SPREIDING_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    import_samples(engine, "samen-plus")
    with engine.begin() as connection:
        keys = {
            "admin": create_key(connection, role="admin"),
            "insurer": create_key(connection, role="insurer", uzovi="3358"),
        }
    with TestClient(app_for(engine)) as client:
        yield client, keys


def test_the_cli_and_the_api_settle_through_the_same_service(
    front_ends: tuple[TestClient, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, keys = front_ends
    calls = recording(monkeypatch, settlement, "settle_year")
    cli = runner.invoke(app, ["settle", "--year", "2024"])
    assert cli.exit_code == 0, cli.stderr
    assert cli.stderr.startswith("created run ")
    response = client.post(
        "/settlement-runs", json={"year": 2024}, headers={"X-API-Key": keys["admin"]}
    )
    assert response.status_code == 200  # the run the CLI stored: the same inputs
    admin_key_id = keys["admin"].split("_")[1]
    assert calls == [
        ("operator", "admin", {"year": 2024, "netting": "bilateral"}),
        (admin_key_id, "admin", {"year": 2024, "netting": "bilateral"}),
    ]
    assert cli.stderr.startswith(f"created run {response.json()['run_id']}: settlement 2024")


def test_the_cli_and_the_api_audit_through_the_same_service(
    front_ends: tuple[TestClient, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, keys = front_ends
    calls = recording(monkeypatch, audit, "audit_year")
    response = client.post(
        "/audit-runs", json={"year": 2024}, headers={"X-API-Key": keys["insurer"]}
    )
    assert response.status_code == 201
    cli = runner.invoke(app, ["audit", "--year", "2024"])
    assert cli.exit_code == 0, cli.stderr
    run_id = response.json()["run_id"]
    assert cli.stderr == f"unchanged inputs, existing audit run {run_id}: 2024, 5 findings\n"
    insurer_key_id = keys["insurer"].split("_")[1]
    assert calls == [
        (insurer_key_id, "insurer", {"year": 2024}),
        ("operator", "admin", {"year": 2024}),
    ]


def test_settling_reads_only_dbcs_prices_and_agreements(engine: Engine) -> None:
    import_samples(engine, "samen-plus")
    with engine.connect() as connection, statements_run(engine) as sent:
        inputs = load_settlement_inputs(connection)
    assert tables_read(sent) == {
        "dbc", "price", "agreement", "agreement_party", "care_type", "care_type_product",
        "parallel_consent", "planned_volume", "pathway_step",
        # v2: the agreements' ceilings, rates and costs, and the hours worked elsewhere.
        "settlement_ceiling", "secondment_rate", "agreement_cost", "cost_key", "hours",
    }  # fmt: skip
    with engine.connect() as connection:
        everything = load_dataset(connection)
    assert_frame_equal(inputs.dbcs, everything.dbcs)
    assert_frame_equal(inputs.prices, everything.prices)
    assert inputs.agreements == everything.agreements
    assert_frame_equal(inputs.hours, everything.hours)


def test_settling_returns_what_it_stored_without_reading_it_back(engine: Engine) -> None:
    import_samples(engine, "samen-plus")
    with engine.begin() as connection, statements_run(engine) as sent:
        settled = settlement.settle_year(connection, OPERATOR, year=2024)
    assert settled.created and settled.result is not None
    read = tables_read(sent)
    assert read & {"settlement_line", "settlement_pair", "settlement_payment"} == set()
    assert "hospital" not in read and "declaration" not in read and "transfer" not in read
    with engine.connect() as connection:
        stored = settlement.get_run(connection, OPERATOR, settled.run.run_id)
        again = settlement.settle_year(connection, OPERATOR, year=2024)
    assert stored.run == settled.run
    assert settlement_to_json(stored.result) == settlement_to_json(settled.result)
    assert (again.run, again.created, again.result) == (settled.run, False, None)


def pandas_visible_part(result: Settlement, principal: Principal) -> Settlement:
    """What a hospital was shown of a run before the rule moved into SQL (the removed
    ``settlement/visibility.py``), kept here as the reference."""
    if principal.is_admin:
        return result
    agb = principal.agb
    lines, excluded = result.lines, result.excluded
    concerns_exclusion = (excluded["agb"] == agb) | (excluded["requesting_agb"] == agb)
    return replace(
        result,
        lines=lines.loc[((lines["creditor_agb"] == agb) | (lines["debtor_agb"] == agb)).to_numpy()],
        excluded=excluded.loc[concerns_exclusion.to_numpy()],
        pairs=result.pairs.loc[
            ((result.pairs["debtor_agb"] == agb) | (result.pairs["creditor_agb"] == agb)).to_numpy()
        ],
        positions=result.positions.loc[(result.positions["agb"] == agb).to_numpy()],
        payments=result.payments.loc[
            ((result.payments["from_agb"] == agb) | (result.payments["to_agb"] == agb)).to_numpy()
        ],
    )


FRAMES = ("lines", "excluded", "pairs", "positions", "payments")


@pytest.mark.parametrize("netting", ["bilateral", "multilateral"])
def test_the_visible_part_of_a_run_read_in_sql_is_what_a_hospital_saw(
    engine: Engine, netting: str
) -> None:
    import_samples(engine, "samen-plus", "amsterdam-flevo")
    with engine.begin() as connection:
        run_id = settlement.settle_year(connection, OPERATOR, year=2024, netting=netting).run.run_id  # type: ignore[arg-type]
    with engine.connect() as connection:
        _, whole = load_run(RunStore(connection), run_id)
        for agb in HOSPITALS:
            hospital = Principal(f"key-{agb}", "hospital", agb=agb)
            seen = settlement.get_run(connection, hospital, run_id).result
            before = pandas_visible_part(whole, hospital)
            for name in FRAMES:
                assert_frame_equal(
                    getattr(seen, name).reset_index(drop=True),
                    getattr(before, name).reset_index(drop=True),
                )
            assert settlement_to_json(seen) == settlement_to_json(before)
            pairs = statements.statement_pairs(connection, hospital, run_id)
            assert pairs == [p for p in pairs_of(whole) if agb in p]
        admin = settlement.get_run(connection, OPERATOR, run_id).result
        assert settlement_to_json(admin) == settlement_to_json(whole)
        assert statements.statement_pairs(connection, OPERATOR, run_id) == pairs_of(whole)
        alrijne = Principal("key-a", "hospital", agb=ALRIJNE)
        seen = settlement.get_run(connection, alrijne, run_id).result
    # Exact rows: Alrijne sees its own position only and the two pairs with Groene Hart.
    assert seen.positions["agb"].tolist() == [ALRIJNE]
    assert sorted(zip(seen.pairs["debtor_agb"], seen.pairs["creditor_agb"], strict=True)) == [
        (ALRIJNE, GROENE_HART),
        (GROENE_HART, ALRIJNE),
    ]
    assert set(seen.lines["creditor_agb"]) | set(seen.lines["debtor_agb"]) == {
        ALRIJNE,
        GROENE_HART,
    }


def test_another_tenant_or_no_tenant_sees_no_run(engine: Engine) -> None:
    import_samples(engine, "amsterdam-flevo")
    with engine.begin() as connection:
        run = settlement.settle_year(connection, OPERATOR, year=2024).run
    outsiders = [
        Principal("k1", "hospital", agb=ALRIJNE),  # no line of this run concerns it
        Principal("k2", "insurer", uzovi="3358"),
        Principal("k3", "bureau", agreements=frozenset({"amc-flevo-2024"})),
    ]
    with engine.connect() as connection:
        for principal in outsiders:
            assert settlement.list_runs(connection, principal) == []
            with pytest.raises(NotFound, match=f"there is no settlement run {run.run_id}"):
                settlement.get_run(connection, principal, run.run_id)
        assert settlement.list_runs(connection, Principal("k4", "hospital", agb=AMC)) == [run]


def test_listing_runs_is_one_query(engine: Engine) -> None:
    import_samples(engine, "samen-plus")
    with engine.begin() as connection:
        first = settlement.settle_year(connection, OPERATOR, year=2024).run
        second = settlement.settle_year(connection, OPERATOR, year=2024, netting="multilateral").run
    with engine.connect() as connection, statements_run(engine) as sent:
        runs = settlement.list_runs(connection, Principal("k", "hospital", agb=ALRIJNE))
    assert runs == [first, second]
    assert len(sent) == 1


def test_registering_a_transfer_reads_only_what_it_names(engine: Engine) -> None:
    import_samples(engine, "samen-plus")
    bureau = Principal("k", "bureau", agreements=frozenset({"samen-plus-liesbreuk-2024"}))
    row = {
        "transfer_id": "S-T1", "agreement_id": "samen-plus-liesbreuk-2024",
        "care_type": "liesbreuk", "patient_ref": "PS-S1", "from_agb": ALRIJNE,
        "to_agb": GROENE_HART, "transfer_date": "2024-11-01", "status": "planned", "phase": None,
    }  # fmt: skip
    with engine.begin() as connection, statements_run(engine) as sent:
        stored = transfers.register_transfer(connection, bureau, row)
    assert (stored["transfer_id"], stored["status"]) == ("S-T1", "planned")
    selects = [sql for sql in sent if sql.startswith("SELECT")]
    for table in ("transfer", "hospital", "agreement"):
        reads = [sql for sql in selects if re.search(rf"FROM {table}\b", sql)]
        assert reads and all(" WHERE " in sql for sql in reads), table


def test_a_kept_response_reads_back_as_kept(engine: Engine) -> None:
    kept = KeptResponse("ab" * 32, 201, '{"run_id": 1}')
    with engine.begin() as connection:
        key = create_key(connection, role="admin")
        key_id = key.split("_")[1]
        keep_response(connection, key_id, "once", kept)
        assert kept_response(connection, key_id, "once") == kept
        assert kept_response(connection, key_id, "other") is None


def test_a_granted_agreement_is_the_bureaus(engine: Engine) -> None:
    import_samples(engine, "samen-plus")
    with engine.begin() as connection:
        key = create_key(connection, role="bureau", agreements=("samen-plus-liesbreuk-2024",))
        principal = authenticate(connection, key)
        assert principal is not None
        grant_agreement(connection, principal.key_id, "samen-plus-raam")
        again = authenticate(connection, key)
    assert again is not None
    assert again.agreements == frozenset({"samen-plus-liesbreuk-2024", "samen-plus-raam"})


def test_an_uploaded_dataset_is_stored_as_a_folder_is(engine: Engine) -> None:
    folder = SAMPLES / "hartnet"
    files = {path.name: path.read_bytes() for path in sorted(folder.iterdir())}
    with engine.begin() as connection:
        report = datasets.import_files(connection, OPERATOR, files)
        again = datasets.import_dataset(connection, datasets.read_folder(folder))
    assert report.added["hospitals"] == 5
    assert set(again.added.values()) == {0}
    assert again.unchanged == report.added
    with pytest.raises(
        DatasetInvalid, match=r"^notes.txt:0: \(file\): not a file of the contract$"
    ):
        datasets.check_upload(OPERATOR, ["hospitals.csv", "notes.txt"])
