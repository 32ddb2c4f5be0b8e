"""``keyfile create``, ``pseudonymise``, ``import-zh308`` and ``prices import-opendis``: the
formats the field already uses, in and out of the contract's."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from spreiding.cli.common import INVALID, database, err, out, refuse
from spreiding.domain.errors import DatasetConflict, DatasetInvalid
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


def import_zh308(
    files: Annotated[list[Path], typer.Argument(help=N_("ZH308 v9.0 declaration files."))],
    key_file: KeyFile,
    dataset: Annotated[
        Path | None,
        typer.Option(
            "--dataset",
            help=N_(
                "Store the declarations in the database with this dataset folder "
                "(its hospitals, insurers, agreements, prices and DBCs)."
            ),
        ),
    ] = None,
    out_csv: Annotated[
        Path | None,
        typer.Option("--out", help=N_("Write the declarations as a declarations.csv here.")),
    ] = None,
    activities: Annotated[
        Path | None,
        typer.Option(
            "--activities", help=N_("Write the zorgactiviteiten (with field 1616) as CSV here.")
        ),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            help=N_(
                "With --dataset: list ACT-001, care performed at another institution (1616) "
                "without an agreement covering it, for this year."
            ),
        ),
    ] = None,
    check_only: Annotated[
        bool,
        typer.Option("--check-only", help=N_("With --dataset: check, store nothing.")),
    ] = False,
) -> None:
    """Read ZH308 declaration files: check every record, then store or write the
    declarations; all or nothing."""
    key = _key(key_file)
    what = _("{count} ZH308 file(s): invalid, nothing stored").format(count=len(files))
    try:
        report = findings = None
        if dataset is None:
            content = formats.read_zh308_files(files, key)
        elif check_only:
            done = formats.import_zh308(None, files, key, folder=dataset, year=year)
            content, findings = done.content, done.findings
        else:
            with database() as engine, engine.begin() as connection:
                done = formats.import_zh308(connection, files, key, folder=dataset, year=year)
            content, report, findings = done.content, done.report, done.findings
    except (DatasetInvalid, DatasetConflict) as exc:
        raise refuse(exc, what) from None
    if out_csv is not None:
        out_csv.write_text(formats.declarations_csv(content.declarations), encoding="utf-8")
    if activities is not None:
        activities.write_text(formats.activities_csv(content.activities), encoding="utf-8")
    elsewhere = sum(1 for a in content.activities if a.performed_at)
    message = _(
        "{files} file(s): {declarations} declaration(s), {credits} credit(s), "
        "{activities} activity record(s), {elsewhere} performed at another institution"
    )
    summary = message.format(
        files=len(files),
        declarations=len(content.declarations),
        credits=len(content.credits),
        activities=len(content.activities),
        elsewhere=elsewhere,
    )
    if report is not None:
        summary += " — " + report.summary()
    out.print(summary, markup=False)
    for finding in findings or []:
        amount = finding.amount_at_stake_cents or 0
        sign = "-" if amount < 0 else ""
        euros = f"{sign}{abs(amount) // 100}.{abs(amount) % 100:02d}"
        out.print(
            f"{finding.rule} {finding.severity} {finding.agb} {finding.declaration_id} "
            f"{euros}: {finding.message}",
            markup=False,
        )


prices_app = typer.Typer(no_args_is_help=True, help=N_("Benchmark price lists."))


@prices_app.command(
    "import-opendis",
    help=N_(
        "A price list per year from NZa Open DIS 01_DBC.csv (GEMIDDELDE_VERKOOPPRIJS): one "
        "price per zorgproduct and year, as prices.csv."
    ),
)
def import_opendis(
    source: Annotated[Path, typer.Argument(help=N_("The Open DIS file 01_DBC.csv."))],
    price_list: Annotated[str, typer.Option("--list", help=N_("The price list's name."))],
    target: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help=N_("Write prices.csv here (its other rows kept); without it, to stdout."),
        ),
    ] = None,
) -> None:
    try:
        text = formats.opendis_prices(source, price_list=price_list, merge_into=target)
    except DatasetInvalid as exc:
        raise refuse(exc, _("{file}: invalid, nothing written").format(file=source)) from None
    if target is None:
        typer.echo(text, nl=False)
        return
    target.write_text(text, encoding="utf-8")
    count = text.count("\n") - 1
    out.print(_("{target}: {count} price(s)").format(target=target, count=count), markup=False)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``spreiding`` command (called once by ``cli``)."""
    app.add_typer(keyfile_app, name="keyfile")
    app.add_typer(prices_app, name="prices")
    app.command(
        "pseudonymise",
        help=N_("Replace the BSN column of a CSV file by the alliance's patient_ref."),
    )(pseudonymise)
    app.command(
        "import-zh308",
        help=N_(
            "Read ZH308 v9.0 declaration files (Vektis EI) with the alliance key: store "
            "them with a dataset (--dataset) or write a declarations.csv (--out)."
        ),
    )(import_zh308)
