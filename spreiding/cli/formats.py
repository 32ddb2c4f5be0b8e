"""``keyfile create``, ``pseudonymise``, ``import-zh308`` and ``prices import-opendis``: the
formats the field already uses, in and out of the contract's."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from spreiding.cli.common import INVALID, err, out, refuse
from spreiding.domain.errors import DatasetInvalid
from spreiding.render.i18n import N_, _
from spreiding.services import formats
from spreiding.services.formats import KeyFileProblem

keyfile_app = typer.Typer(no_args_is_help=True, help=N_("Alliance key files for pseudonyms."))

KeyFile = Annotated[
    Path,
    typer.Option(
        "--key-file",
        help=N_("The alliance key file (made with `spreiding keyfile create`)."),
    ),
]


def _key(path: Path) -> bytes:
    try:
        return formats.load_key(path)
    except KeyFileProblem as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(INVALID) from None


@keyfile_app.command(
    "create",
    help=N_(
        "Make a new random alliance key in PATH (readable by you only); refuses to overwrite. "
        "Share it with the alliance's hospitals by a safe channel, never in a repository."
    ),
)
def keyfile_create(
    path: Annotated[Path, typer.Argument(help=N_("Where to write the key file."))],
) -> None:
    try:
        formats.create_key_file(path)
    except KeyFileProblem as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(INVALID) from None
    out.print(_("{path}: new alliance key written (mode 0600)").format(path=path), markup=False)


def pseudonymise(
    source: Annotated[Path, typer.Argument(help=N_("The CSV file with BSNs."))],
    target: Annotated[Path, typer.Argument(help=N_("The CSV file to write."))],
    key_file: KeyFile,
    column: Annotated[
        str, typer.Option("--column", help=N_("The column that holds the BSN."))
    ] = "bsn",
) -> None:
    """Replace the BSN column of a CSV file by the alliance's patient_ref; all or nothing."""
    key = _key(key_file)
    try:
        count = formats.pseudonymise_csv(key, source, target, column=column)
    except DatasetInvalid as exc:
        raise refuse(
            exc, _("{file}: not pseudonymised, nothing written").format(file=source)
        ) from None
    message = _("{target}: {count} row(s) pseudonymised")
    out.print(message.format(target=target, count=count), markup=False)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``spreiding`` command (called once by ``cli``)."""
    app.add_typer(keyfile_app, name="keyfile")
    app.command(
        "pseudonymise",
        help=N_("Replace the BSN column of a CSV file by the alliance's patient_ref."),
    )(pseudonymise)
