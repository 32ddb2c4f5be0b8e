"""``agreements`` and ``transfers``: what an alliance bureau keeps, from the command line.

The same service functions as the API's ``/agreements`` and ``/transfers`` routes, called as
the operator (whoever runs the command holds the database, as for ``import``). Example::

    spreiding transfers add --transfer-id T1 --agreement samen-plus \\
        --care-type liesbreuk --patient P-0001 --from 06010101 --to 06010102 --date 2024-03-04
    spreiding transfers set-status T1 performed
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

import typer

from spreiding.cli.common import (
    Format,
    FormatOption,
    chosen_format,
    database,
    err,
    fail,
    refuse,
)
from spreiding.domain.agreements import Agreement, agreement_to_json
from spreiding.domain.errors import DatasetConflict, DatasetInvalid
from spreiding.render.i18n import N_, _
from spreiding.render.numbers import euros
from spreiding.services import agreements, transfers
from spreiding.services.access import OPERATOR
from spreiding.services.errors import Forbidden, NotFound

agreements_app = typer.Typer(
    no_args_is_help=True, help=N_("Cooperation agreements stored in the database.")
)
transfers_app = typer.Typer(
    no_args_is_help=True, help=N_("Patient transfers the alliance bureau registers.")
)
TRANSFER_COLUMNS = (
    "transfer_id", "agreement_id", "care_type", "patient_ref", "from_agb", "to_agb",
    "transfer_date", "status", "phase",
)  # fmt: skip


class Status(StrEnum):
    planned = "planned"
    performed = "performed"
    cancelled = "cancelled"


class Phase(StrEnum):
    diagnostiek = "diagnostiek"
    voortraject = "voortraject"
    interventie = "interventie"
    opname = "opname"
    nazorg = "nazorg"


@agreements_app.command("list", help=N_("Every stored agreement, by id."))
def agreements_list(format_: FormatOption = None) -> None:
    with database() as engine, engine.connect() as connection:
        found = agreements.list_agreements(connection, OPERATOR)
    if chosen_format(format_, Format.table, Format.json) is Format.json:
        typer.echo(json.dumps([agreement_to_json(a) for a in found], ensure_ascii=False))
        if not found:
            err.print(_("no agreements"), markup=False)
        return
    if not found:
        typer.echo(_("no agreements"))
        return
    header = (
        f"{_('agreement'):<32} {_('stage'):<14} {_('valid from'):<10} {_('valid to'):<10} "
        f"{_('care types'):>10}  {_('parties')}"
    )
    typer.echo(header)
    for a in found:
        valid_to = a.valid_to.isoformat() if a.valid_to else "-"
        typer.echo(
            f"{a.agreement_id:<32} {a.stage:<14} {a.valid_from.isoformat():<10} {valid_to:<10} "
            f"{len(a.care_types):>10}  {' '.join(a.parties)}"
        )


@agreements_app.command("show", help=N_("One agreement: its parties, care types and terms."))
def agreements_show(
    agreement_id: Annotated[str, typer.Argument(help=N_("The agreement's id."))],
    format_: FormatOption = None,
) -> None:
    try:
        with database() as engine, engine.connect() as connection:
            found = agreements.get_agreement(connection, OPERATOR, agreement_id)
    except NotFound as exc:
        raise fail(exc) from None
    if chosen_format(format_, Format.table, Format.json) is Format.json:
        typer.echo(json.dumps(agreement_to_json(found), ensure_ascii=False))
    else:
        typer.echo(agreement_text(found), nl=False)


def agreement_text(agreement: Agreement) -> str:
    """An agreement as a person reads it: who, when, and per care type what is settled how."""
    valid_to = agreement.valid_to.isoformat() if agreement.valid_to else _("open-ended")
    out = [
        f"{agreement.agreement_id}: {agreement.name}",
        _("category {category}, stage {stage}").format(
            category=agreement.category, stage=agreement.stage
        ),
        _("parties: {parties}").format(parties=", ".join(agreement.parties)),
        _("valid {start} to {end}").format(start=agreement.valid_from.isoformat(), end=valid_to),
    ]
    if agreement.parent_id:
        out.append(_("under framework agreement {id}").format(id=agreement.parent_id))
    for care in agreement.care_types:
        terms = care.settlement
        if terms.method == "odv_benchmark":
            how = _("{method}: price list {list}, share {share}").format(
                method=terms.method, list=terms.price_list, share=terms.share
            )
        elif terms.method == "fixed_fee" and terms.fee_cents is not None:
            how = _("{method}: {fee} per DBC").format(
                method=terms.method, fee=euros(terms.fee_cents)
            )
        else:
            how = terms.method
        codes = " ".join(care.zorgproduct_codes + care.zorgproductgroepen)
        performer = care.performing_agb or _("any party")
        out += [
            "",
            f"  {care.care_type}",
            "    " + _("codes: {codes}").format(codes=codes),
            "    " + _("performed by: {agb}").format(agb=performer),
            "    " + _("settled as {how}").format(how=how),
        ]
    return "\n".join(out) + "\n"


def _transfer(row: dict[str, Any]) -> dict[str, Any]:
    shown = {column: row.get(column) for column in TRANSFER_COLUMNS}
    day = shown["transfer_date"]
    shown["transfer_date"] = day if day is None or isinstance(day, str) else day.isoformat()
    return shown


def _transfer_line(row: dict[str, Any]) -> str:
    return (
        f"{row['transfer_id']:<16} {row['agreement_id']:<32} {row['care_type']:<16} "
        f"{row['patient_ref']:<12} {row['from_agb']:<9} {row['to_agb']:<9} "
        f"{row['transfer_date']:<10} {_(row['status']):<10} {row['phase'] or ''}"
    )


def _show_transfer(row: dict[str, Any], format_: Format | None) -> None:
    shown = _transfer(row)
    if chosen_format(format_, Format.table, Format.json) is Format.json:
        typer.echo(json.dumps(shown, ensure_ascii=False))
    else:
        typer.echo(_transfer_line(shown))


@transfers_app.command("list", help=N_("Stored transfers, by id."))
def transfers_list(
    limit: Annotated[int, typer.Option(min=1, help=N_("At most this many."))] = 1000,
    offset: Annotated[int, typer.Option(min=0, help=N_("Skip this many first."))] = 0,
    format_: FormatOption = None,
) -> None:
    with database() as engine, engine.connect() as connection:
        rows = transfers.list_transfers(connection, OPERATOR, limit=limit, offset=offset)
    shown = [_transfer(row) for row in rows]
    if chosen_format(format_, Format.table, Format.json) is Format.json:
        typer.echo(json.dumps(shown, ensure_ascii=False))
        if not shown:
            err.print(_("no transfers"), markup=False)
        return
    if not shown:
        typer.echo(_("no transfers"))
        return
    typer.echo(
        f"{_('transfer'):<16} {_('agreement'):<32} {_('care type'):<16} {_('patient'):<12} "
        f"{_('from'):<9} {_('to'):<9} {_('date'):<10} {_('status'):<10} {_('phase')}"
    )
    for row in shown:
        typer.echo(_transfer_line(row))


@transfers_app.command(
    "add", help=N_("Register a transfer, checked by the rules of transfers.csv.")
)
def transfers_add(
    transfer_id: Annotated[str, typer.Option("--transfer-id", help=N_("The transfer's id."))],
    agreement: Annotated[str, typer.Option("--agreement", help=N_("The agreement's id."))],
    care_type: Annotated[
        str, typer.Option("--care-type", help=N_("A care type of the agreement."))
    ],
    patient: Annotated[str, typer.Option("--patient", help=N_("The patient's pseudonym."))],
    from_agb: Annotated[str, typer.Option("--from", help=N_("AGB of the sending hospital."))],
    to_agb: Annotated[str, typer.Option("--to", help=N_("AGB of the receiving hospital."))],
    date: Annotated[str, typer.Option("--date", help=N_("The transfer date, YYYY-MM-DD."))],
    status: Annotated[Status, typer.Option(help=N_("The transfer's status."))] = Status.planned,
    phase: Annotated[Phase | None, typer.Option(help=N_("The pathway phase it is for."))] = None,
    format_: FormatOption = None,
) -> None:
    row = {
        "transfer_id": transfer_id,
        "agreement_id": agreement,
        "care_type": care_type,
        "patient_ref": patient,
        "from_agb": from_agb,
        "to_agb": to_agb,
        "transfer_date": date,
        "status": status.value,
        "phase": None if phase is None else phase.value,
    }
    try:
        with database() as engine, engine.begin() as connection:
            stored = transfers.register_transfer(connection, OPERATOR, row)
    except (DatasetInvalid, DatasetConflict) as exc:
        raise refuse(exc, _("transfer {id}: not stored").format(id=transfer_id)) from None
    except Forbidden as exc:
        raise fail(exc) from None
    _show_transfer(stored, format_)


@transfers_app.command("set-status", help=N_("Record that a transfer was performed or cancelled."))
def transfers_set_status(
    transfer_id: Annotated[str, typer.Argument(help=N_("The transfer's id."))],
    status: Annotated[Status, typer.Argument(help=N_("The new status."))],
    format_: FormatOption = None,
) -> None:
    try:
        with database() as engine, engine.begin() as connection:
            stored = transfers.update_transfer(connection, OPERATOR, transfer_id, status.value)
    except NotFound as exc:
        raise fail(exc) from None
    _show_transfer(stored, format_)
