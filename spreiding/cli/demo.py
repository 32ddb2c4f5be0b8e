"""``demo``: every sample validated, imported, settled and audited; the year signed off by
both hospitals of every pair and made final; every invoice and statement written as PDF, and
a payment registered. It ends with how to serve the pages on the demo database and a demo key
per role (admin, a hospital, a bureau, an insurer) to sign in with: keys are secrets, printed
here only because the demo database is a local one made for trying things out."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Connection, Engine

from spreiding.cli.common import SAMPLE_YEAR, database, names, out, refuse
from spreiding.cli.runs import write_statements
from spreiding.domain.access import Principal
from spreiding.domain.errors import DatasetConflict, DatasetInvalid
from spreiding.domain.money import format_cents
from spreiding.domain.payments import RegisteredPayment
from spreiding.render.audit import audit_table
from spreiding.render.csvout import CsvDialect
from spreiding.render.exports import run_to_xlsx
from spreiding.render.i18n import N_, _
from spreiding.render.invoice import invoice_file_name, journal_to_csv, render_invoice
from spreiding.render.numbers import euros
from spreiding.render.settlement import settlement_table
from spreiding.render.simulation import report_table, sensitivity_svg
from spreiding.render.simulation_pdf import render_simulation
from spreiding.services import (
    access,
    agreements,
    audit,
    datasets,
    invoices,
    payments,
    positions,
    reference,
    settlement,
    signoff,
    simulation,
    statements,
)
from spreiding.services.access import OPERATOR

SAMPLES = Path(__file__).resolve().parent.parent.parent / "samples"
# Issue 12's worked example: a draft for the exploring Vaatnetwerk Utrecht, simulated.
DRAFT = SAMPLES.parent / "docs" / "examples" / "concept-vaatnetwerk-aorta.json"
PAGES_ADDRESS = "http://127.0.0.1:8000/portaal"  # where ``spreiding serve`` shows the pages


def demo(
    samples: Annotated[Path, typer.Option(help=N_("The folder of sample datasets."))] = SAMPLES,
    out_dir: Annotated[Path, typer.Option("--out", help=N_("Where the demo writes."))] = Path(
        "out"
    ),
) -> None:
    """Validate and import every sample into a fresh local SQLite database and show it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    db_file = out_dir / "demo.db"
    db_file.unlink(missing_ok=True)
    with database(f"sqlite:///{db_file}") as engine:
        _samples(engine, samples)
        with engine.begin() as connection:
            # Settle the year on everything imported (a draft run) and state every pair.
            settled = settlement.settle_year(connection, OPERATOR, year=SAMPLE_YEAR)
            run_id = settled.run.run_id
            signed = _sign_off_and_finalise(connection, run_id)
            issued = _invoices(connection, run_id, out_dir / "facturen")
            paid = _pay_first(connection, run_id)
            ledgers = _exports(connection, run_id, out_dir)
            every = statements.non_empty(statements.run_statements(connection, OPERATOR, run_id))
            paths = write_statements(every, out_dir / "statements")
            standing = positions.hospital_positions(connection, OPERATOR, run_id)
            demo_keys = _demo_keys(connection)
    out.rule(_("positions over all alliances"))
    line = _(
        "{agb} {name} (agreements: {count}): receivable {receivable}, payable {payable}, net {net}"
    )
    for p in standing:
        values = {"receivable": p.receivable_cents, "payable": p.payable_cents, "net": p.net_cents}
        money = {key: euros(cents) for key, cents in values.items()}
        out.print(
            line.format(agb=p.agb, name=p.name, count=len(p.agreements), **money), markup=False
        )
    out.rule(_("sign-off, invoices, payment"))
    message = _("{count} pairs accepted by both hospitals; run {run} final")
    out.print(message.format(count=signed, run=run_id), markup=False)
    message = _("{count} invoices (PDF) written to {folder}")
    out.print(message.format(count=issued, folder=out_dir / "facturen"), markup=False)
    if paid is not None:
        message = _("payment {reference} registered: {payer} paid {payee} {amount}")
        out.print(
            message.format(
                reference=paid.reference, payer=paid.from_agb, payee=paid.to_agb,
                amount=euros(paid.amount_cents),
            ),
            markup=False,
        )  # fmt: skip
    message = _("export {workbook} and {count} journals (journal-AGB.csv) written")
    out.print(message.format(workbook=out_dir / "export.xlsx", count=ledgers), markup=False)
    out.rule(_("statements"))
    for path in paths:
        out.print(str(path), markup=False)
    message = _("{count} statements (PDF) written; demo database: {path}")
    out.print(message.format(count=len(paths), path=db_file), markup=False)
    if DRAFT.is_file() and (samples / "vaatnetwerk-utrecht").is_dir():
        _simulate(engine, out_dir / "simulatie")
    _serve_with(db_file, demo_keys)


def _demo_keys(connection: Connection) -> list[tuple[str, str]]:
    """A key per role in the demo database, each with who it stands for: the admin; the
    first hospital (by AGB); a bureau for every agreement that hospital is a party to; the
    first insurer (by UZOVI)."""
    hospital = min(reference.hospitals(connection), key=lambda row: row["agb"])
    insurer = min(reference.insurers(connection), key=lambda row: row["uzovi"])
    own = tuple(
        sorted(
            a.agreement_id
            for a in agreements.list_agreements(connection, OPERATOR)
            if hospital["agb"] in a.parties
        )
    )
    label = "demo"
    return [
        ("admin", access.create_api_key(connection, role="admin", label=label)),
        (
            f"hospital {hospital['agb']} {hospital['name']}",
            access.create_api_key(connection, role="hospital", agb=hospital["agb"], label=label),
        ),
        (
            f"bureau ({', '.join(own)})",
            access.create_api_key(connection, role="bureau", agreements=own, label=label),
        ),
        (
            f"insurer {insurer['uzovi']} {insurer['name']}",
            access.create_api_key(connection, role="insurer", uzovi=insurer["uzovi"], label=label),
        ),
    ]


def _serve_with(db_file: Path, keys: list[tuple[str, str]]) -> None:
    """How to serve the pages on the demo database, and the demo keys to sign in with."""
    out.rule(_("pages"))
    url = f"sqlite:///{db_file.resolve()}"
    message = _(
        "serve the pages on the demo database: SPREIDING_DATABASE_URL={url} spreiding serve, "
        "then open {address} and sign in with a key below"
    )
    out.print(message.format(url=url, address=PAGES_ADDRESS), markup=False)
    out.print(
        _(
            "demo keys (secrets: printed only because this is a local demo database; "
            "never share a real key):"
        ),
        markup=False,
    )
    for who, key in keys:
        out.print(f"  {who}: {key}", markup=False)


def _sign_off_and_finalise(connection: Connection, run_id: int) -> int:
    """Each hospital of each pair accepts it (as its own key would), then the run is final:
    no override needed. How many pairs were signed."""
    pairs = signoff.pair_states(connection, OPERATOR, run_id)
    for pair in pairs:
        for agb in (pair.debtor_agb, pair.creditor_agb):
            hospital = Principal(key_id=f"demo{agb}", role="hospital", agb=agb)
            signoff.sign(
                connection, hospital, run_id, pair.debtor_agb, pair.creditor_agb,
                decision="accept",
            )  # fmt: skip
    settlement.finalise_run(connection, OPERATOR, run_id)
    return len(pairs)


def _invoices(connection: Connection, run_id: int, folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    issued = invoices.list_invoices(connection, OPERATOR, run_id=run_id)
    for invoice in issued:
        doc = invoices.invoice_document(connection, OPERATOR, invoice.number)
        (folder / invoice_file_name(doc)).write_bytes(render_invoice(doc))
    return len(issued)


def _exports(connection: Connection, run_id: int, out_dir: Path) -> int:
    """The run as one workbook, and the journal of every hospital with an invoice."""
    result, issued = invoices.run_export(connection, OPERATOR, run_id)
    (out_dir / "export.xlsx").write_bytes(run_to_xlsx(result, issued))
    folder = out_dir / "journaal"
    folder.mkdir(parents=True, exist_ok=True)
    hospitals = sorted({i.creditor_agb for i in issued} | {i.debtor_agb for i in issued})
    for agb in hospitals:
        lines = invoices.hospital_journal(connection, OPERATOR, agb)
        text = journal_to_csv(lines, CsvDialect.standard)
        (folder / f"journal-{agb}.csv").write_bytes(text.encode("utf-8"))
    return len(hospitals)


def _pay_first(connection: Connection, run_id: int) -> RegisteredPayment | None:
    """The run's first netting payment, paid in full today."""
    due = payments.netting_payments(
        connection, OPERATOR, today=datetime.now(UTC).date(), run_id=run_id
    )
    if not due:
        return None
    first = due[0]
    return payments.register_payment(
        connection, OPERATOR, run_id=run_id, from_agb=first.from_agb, to_agb=first.to_agb,
        paid_on=datetime.now(UTC).date(), amount=format_cents(first.amount_cents),
        reference="DEMO-1",
    )  # fmt: skip


def _samples(engine: Engine, samples: Path) -> None:
    folders = sorted(p for p in samples.iterdir() if (p / "hospitals.csv").is_file())
    for folder in folders:
        try:
            dataset = datasets.read_folder(folder)
            with engine.begin() as connection:
                report = datasets.import_dataset(connection, dataset)
        except (DatasetInvalid, DatasetConflict) as exc:
            raise refuse(exc, _("sample {name}").format(name=folder.name)) from None
        out.rule(folder.name)
        out.print(_("loaded: {summary}").format(summary=dataset.summary()), markup=False)
        out.print(_("stored: {summary}").format(summary=report.summary()), markup=False)
        result = settlement.settle_dataset(dataset, year=SAMPLE_YEAR)
        out.print(settlement_table(result, names(dataset)), markup=False)
        findings = audit.audit_dataset(dataset, year=SAMPLE_YEAR)
        out.print(audit_table(SAMPLE_YEAR, findings), markup=False)
    message = _("{count} samples loaded, settled and audited for {year}")
    out.print(message.format(count=len(folders), year=SAMPLE_YEAR), markup=False)


def _simulate(engine: Engine, folder: Path) -> None:
    """The draft simulated on the demo database from plan, replayed on the sample year and
    over shares and volumes; its board PDF and chart written. Nothing is stored."""
    draft = json.loads(DRAFT.read_text(encoding="utf-8"))
    request = simulation.SimulationRequest(
        year=SAMPLE_YEAR, draft=draft, replay=True, volumes=(-20, -10, 0, 10, 20),
        source=str(DRAFT),
    )  # fmt: skip
    with engine.connect() as connection:
        report = simulation.simulate_stored(connection, OPERATOR, request)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"simulatie-{report.agreement.agreement_id}-{SAMPLE_YEAR}"
    (folder / f"{name}.pdf").write_bytes(render_simulation(report))
    title = f"Saldo per ziekenhuis, {report.agreement.name} {SAMPLE_YEAR}"
    chart = sensitivity_svg(report.sensitivity, names=report.names, title=title)
    (folder / f"{name}.svg").write_text(chart, encoding="utf-8")
    out.rule(_("simulation"))
    out.print(report_table(report), markup=False)
    out.print(str(folder / f"{name}.pdf"), markup=False)
    out.print(str(folder / f"{name}.svg"), markup=False)
