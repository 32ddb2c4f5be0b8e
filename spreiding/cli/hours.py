"""``hours``: hours a hospital's staff worked at another hospital, from the command line.

The same service functions as the API's ``/hours`` routes, called as the operator (whoever
runs the command holds the database, as for ``import``). Example::

    spreiding hours add --hours-id U1 --agreement samen-plus \\
        --employer 06010001 --host 06010002 --role medisch-specialist --date 2024-03-04 \\
        --hours 7.50
    spreiding hours list --agreement samen-plus
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from spreiding.cli.common import Format, FormatOption, chosen_format, database, err, fail, refuse
from spreiding.domain.errors import DatasetConflict, DatasetInvalid
from spreiding.render.i18n import N_, _
from spreiding.services import hours
from spreiding.services.access import OPERATOR
from spreiding.services.errors import Forbidden

hours_app = typer.Typer(
    no_args_is_help=True, help=N_("Hours a hospital's staff worked at another hospital.")
)
COLUMNS = (
    "hours_id", "agreement_id", "employer_agb", "host_agb", "role", "work_date", "hours",
    "person_ref", "care_type", "specialism",
)  # fmt: skip


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    shown = {column: row.get(column) for column in COLUMNS}
    day = row["work_date"]
    shown["work_date"] = day if isinstance(day, str) else day.isoformat()
    shown["hours"] = hours.hours_text(row["hours_hundredths"])
    return shown


def _line(row: dict[str, Any]) -> str:
    return (
        f"{row['hours_id']:<16} {row['agreement_id']:<32} {row['employer_agb']:<9} "
        f"{row['host_agb']:<9} {row['role']:<20} {row['work_date']:<10} {row['hours']:>6}"
    )


def _header() -> str:
    # Each label outside the f-string, where the message extractor finds it.
    hours_id, agreement, employer, host = _("hours id"), _("agreement"), _("employer"), _("host")
    role, day, worked = _("role"), _("date"), _("hours")
    return (
        f"{hours_id:<16} {agreement:<32} {employer:<9} {host:<9} {role:<20} {day:<10} {worked:>6}"
    )


@hours_app.command("list", help=N_("Stored hours worked at another hospital, by id."))
def hours_list(
    agreement: Annotated[
        str | None, typer.Option("--agreement", help=N_("Only the hours of this agreement."))
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help=N_("At most this many."))] = 1000,
    offset: Annotated[int, typer.Option(min=0, help=N_("Skip this many first."))] = 0,
    format_: FormatOption = None,
) -> None:
    with database() as engine, engine.connect() as connection:
        rows = hours.list_hours(
            connection, OPERATOR, limit=limit, offset=offset, agreement_id=agreement
        )
    shown = [_shown(row) for row in rows]
    if chosen_format(format_, Format.table, Format.json) is Format.json:
        typer.echo(json.dumps(shown, ensure_ascii=False))
        if not shown:
            err.print(_("no hours"), markup=False)
        return
    if not shown:
        typer.echo(_("no hours"))
        return
    typer.echo(_header())
    for row in shown:
        typer.echo(_line(row))


@hours_app.command("add", help=N_("Register hours worked, checked by the rules of hours.csv."))
def hours_add(
    hours_id: Annotated[str, typer.Option("--hours-id", help=N_("The hours' id."))],
    agreement: Annotated[str, typer.Option("--agreement", help=N_("The agreement's id."))],
    employer: Annotated[
        str, typer.Option("--employer", help=N_("AGB of the hospital whose staff worked."))
    ],
    host: Annotated[
        str, typer.Option("--host", help=N_("AGB of the hospital worked at, which pays."))
    ],
    role: Annotated[
        str, typer.Option("--role", help=N_("The person's role, as in a secondment rate."))
    ],
    date: Annotated[str, typer.Option("--date", help=N_("The day worked, YYYY-MM-DD."))],
    worked: Annotated[
        str, typer.Option("--hours", help=N_("Hours worked: more than 0, at most 24, 7.50."))
    ],
    person: Annotated[
        str | None, typer.Option("--person", help=N_("The person's pseudonym (not a BSN)."))
    ] = None,
    care_type: Annotated[
        str | None, typer.Option("--care-type", help=N_("A care type of the agreement."))
    ] = None,
    specialism: Annotated[
        str | None, typer.Option("--specialism", help=N_("The specialism, four digits."))
    ] = None,
    format_: FormatOption = None,
) -> None:
    row = {
        "hours_id": hours_id,
        "agreement_id": agreement,
        "employer_agb": employer,
        "host_agb": host,
        "role": role,
        "work_date": date,
        "hours": worked,
        "person_ref": person,
        "care_type": care_type,
        "specialism": specialism,
    }
    try:
        with database() as engine, engine.begin() as connection:
            stored = hours.register_hours(connection, OPERATOR, row)
    except (DatasetInvalid, DatasetConflict) as exc:
        raise refuse(exc, _("hours {id}: not stored").format(id=hours_id)) from None
    except Forbidden as exc:
        raise fail(exc) from None
    shown = _shown(stored)
    if chosen_format(format_, Format.table, Format.json) is Format.json:
        typer.echo(json.dumps(shown, ensure_ascii=False))
    else:
        typer.echo(_line(shown))
