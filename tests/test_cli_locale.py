"""The command line in Dutch by default and in English on request; its version, completion,
output chosen by where stdout goes, empty lists, and the catalogue the Dutch comes from."""

from __future__ import annotations

import gettext
import json
import re
from pathlib import Path
from typing import Any

import pytest
import typer
from babel.messages.extract import extract_python
from babel.messages.pofile import read_po
from sqlalchemy import Engine
from typer.testing import CliRunner

from spreiding.cli import app, common
from spreiding.cli.catalogue import help_texts, template
from spreiding.cli.localise import LocalisedGroup, language_option
from spreiding.render import i18n
from tests import files as f
from tests.conftest import V1

runner = CliRunner()
PO = i18n.LOCALE_DIR / "nl" / "LC_MESSAGES" / "spreiding.po"
MO = PO.with_suffix(".mo")


@pytest.fixture
def database(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("SPREIDING_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def catalogue() -> dict[str, str]:
    with PO.open("rb") as file:
        return {m.id: m.string for m in read_po(file) if m.id}  # type: ignore[misc]


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert (result.exit_code, result.stdout) == (0, "spreiding 0.1.0\n")


@pytest.mark.parametrize(
    ("option", "environ", "language"),
    [
        (None, {}, "nl"),
        (None, {"LANG": "C.UTF-8"}, "nl"),
        (None, {"LANG": "nl_NL.UTF-8"}, "nl"),
        (None, {"LANG": "en_US.UTF-8"}, "en"),
        (None, {"LANG": "de_DE.UTF-8"}, "en"),
        (None, {"LC_ALL": "nl_NL.UTF-8", "LANG": "en_US.UTF-8"}, "nl"),
        (None, {"LC_MESSAGES": "en_GB", "LANG": "nl_NL.UTF-8"}, "en"),
        ("en", {"LANG": "nl_NL.UTF-8"}, "en"),
        ("nl", {"LANG": "en_US.UTF-8"}, "nl"),
    ],
)
def test_the_language_chosen(option: str | None, environ: dict[str, str], language: str) -> None:
    assert i18n.choose(option, environ) == language


def test_lang_is_found_before_parsing() -> None:
    assert language_option(["--lang", "en", "runs", "list"]) == "en"
    assert language_option(["--lang=nl", "audit"]) == "nl"
    assert language_option(["validate", "--", "--lang", "en"]) is None


def test_empty_runs_list_in_dutch_and_in_english(
    database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common, "stdout_is_terminal", lambda: True)
    assert runner.invoke(app, ["--lang", "nl", "runs", "list"]).stdout == "geen runs\n"
    assert runner.invoke(app, ["--lang", "en", "runs", "list"]).stdout == "no runs\n"
    monkeypatch.setenv("LANG", "nl_NL.UTF-8")
    assert runner.invoke(app, ["runs", "list"]).stdout == "geen runs\n"
    monkeypatch.setenv("LANG", "C.UTF-8")  # no language named: Dutch
    assert runner.invoke(app, ["runs", "list"]).stdout == "geen runs\n"


def test_empty_runs_list_in_a_pipe_is_an_empty_json_list(database: Engine) -> None:
    result = runner.invoke(app, ["runs", "list"])
    assert (result.exit_code, result.stdout, result.stderr) == (0, "[]\n", "no runs\n")


def test_runs_list_table_and_json(database: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = V1 / "samen-plus"
    assert runner.invoke(app, ["import", str(folder)]).exit_code == 0
    assert runner.invoke(app, ["settle", "--year", "2024"]).exit_code == 0
    listed = json.loads(runner.invoke(app, ["runs", "list"]).stdout)
    assert [(r["kind"], r["status"], r["year"], r["netting"]) for r in listed] == [
        ("settlement", "draft", 2024, "bilateral")
    ]
    total = listed[0]["total"]
    monkeypatch.setattr(common, "stdout_is_terminal", lambda: True)
    table = runner.invoke(app, ["--lang", "nl", "runs", "list"]).stdout.splitlines()
    assert table[0].split() == [
        "run",
        "soort",
        "jaar",
        "saldering",
        "status",
        "totaal",
        "vingerafdruk",
    ]
    whole, cents = total.split(".")
    dutch_total = f"€\xa0{int(whole):,}".replace(",", ".") + f",{cents}"
    assert re.match(
        rf"\s+{listed[0]['run_id']}  verrekening\s+2024\s+bilateraal\s+concept\s+{dutch_total}  ",
        table[1],
    ), table[1]


def test_settle_is_json_in_a_pipe_and_a_table_at_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = str(f.write(tmp_path, f.base_files()))
    piped = runner.invoke(app, ["settle", "--data", folder, "--year", "2024"])
    assert json.loads(piped.stdout)["total"] == "1799.10"
    monkeypatch.setattr(common, "stdout_is_terminal", lambda: True)
    shown = runner.invoke(app, ["--lang", "nl", "settle", "--data", folder, "--year", "2024"])
    assert shown.stdout.startswith("Verrekening 2024 (bilateraal)\n")
    assert "06010001 Alrijne betaalt 06010002 Groene Hart: €\xa01.799,10" in shown.stdout
    # --format json gives the contract's bytes, at a terminal too and in Dutch.
    explicit = runner.invoke(
        app, ["--lang", "nl", "settle", "--data", folder, "--year", "2024", "--format", "json"]
    )
    assert explicit.stdout == piped.stdout


def test_audit_is_json_in_a_pipe_and_a_table_at_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    args = ["audit", "--data", str(V1 / "samen-plus"), "--year", "2024"]
    assert json.loads(runner.invoke(app, args).stdout)["year"] == 2024
    monkeypatch.setattr(common, "stdout_is_terminal", lambda: True)
    table = runner.invoke(app, ["--lang", "nl", *args]).stdout
    assert table.startswith("Controle 2024\n")
    assert "  PAR-002  fout      06010101  declaratie SAME-V00115" in table
    assert "€\xa02.100,00" in table


def test_messages_in_dutch(tmp_path: Path) -> None:
    folder = f.write(tmp_path, f.base_files())
    result = runner.invoke(app, ["--lang", "nl", "validate", str(folder)])
    assert result.stdout.startswith(f"{folder}: geldig — ")
    files = f.base_files()
    files["dbcs.csv"][1]["end_date"] = "2024-02-01"
    refused = runner.invoke(app, ["--lang", "nl", "validate", str(f.write(tmp_path / "b", files))])
    assert refused.exit_code == 2
    assert refused.stderr.splitlines()[-1] == f"{tmp_path / 'b'}: ongeldig: 1 fout(en)"


def test_help_in_dutch_and_english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LANG")  # no locale: Dutch
    dutch = runner.invoke(app, ["--help"]).stdout
    assert "Verreken en controleer de zorg die ziekenhuizen onderling spreiden" in dutch
    assert "Opdrachten" in dutch and "Toon de versie en stop." in dutch
    english = runner.invoke(app, ["--lang", "en", "--help"]).stdout
    assert "Settle and audit the care Dutch hospitals spread between them" in english
    assert "Commands" in english and "Show the version and stop." in english
    assert "composition root" not in dutch + english  # not the developer's docstring
    sub = runner.invoke(app, ["runs", "finalise", "--help"]).stdout
    assert "Definitief maken zonder te vragen (voor scripts)." in sub
    assert "Toon deze hulp en stop." in sub


def test_choices_are_shown_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    keys = runner.invoke(app, ["--lang", "en", "keys", "create", "--help"]).stdout
    assert "hospital|bureau|insurer|admin" in keys
    settle = runner.invoke(app, ["--lang", "en", "settle", "--help"]).stdout
    assert "bilateral|multilateral" in settle
    wrong = runner.invoke(app, ["keys", "create", "--role", "superuser"])
    assert wrong.exit_code == 2
    assert "superuser" in wrong.output and "hospital" in wrong.output


def test_shell_completion_is_offered() -> None:
    result = runner.invoke(app, ["--lang", "en", "--help"])
    assert "--install-completion" in result.stdout and "--show-completion" in result.stdout


def test_serve_prints_its_address(database: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    started: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: started.update(kwargs))
    result = runner.invoke(app, ["--lang", "en", "serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "serving the API at http://127.0.0.1:8123 (OpenAPI: http://127.0.0.1:8123/docs); "
        "Ctrl+C stops\n"
    )
    assert (started["host"], started["port"]) == ("127.0.0.1", 8123)
    ipv6 = runner.invoke(app, ["--lang", "nl", "serve", "--host", "::1", "--port", "9000"])
    assert ipv6.stdout.startswith("de API draait op http://[::1]:9000 ")


# The commands and modules whose words this test holds to a translation: those of issue 15's
# command line. The other commands' words are in the catalogue too (`make locale` collects
# every help text and marked message) and translated, but a word added there shows in English
# until it is, rather than failing the build of whoever added it.
COVERED = (
    "validate", "init-db", "import", "demo", "settle", "audit", "runs", "agreements",
    "transfers", "serve", "keys",
)  # fmt: skip
SOURCES = (
    "cli/__init__.py", "cli/bureau.py", "cli/common.py", "cli/data.py", "cli/demo.py",
    "cli/keys.py", "cli/localise.py", "cli/runs.py", "cli/server.py", "cli/settle.py",
    "render/audit.py", "render/i18n.py", "render/settlement.py",
)  # fmt: skip


def test_every_message_and_help_text_has_a_dutch_translation() -> None:
    command = typer.main.get_command(app)
    assert isinstance(command, LocalisedGroup)
    assert set(COVERED) <= set(command.commands)
    texts = [command.help, *(param.help for param in command.params)]
    for name in COVERED:
        texts += help_texts(command.commands[name])
    root = i18n.LOCALE_DIR.parent
    for source in SOURCES:
        with (root / source).open("rb") as file:
            texts += [m for _l, _f, m, _c in extract_python(file, ["_", "N_"], [], {})]
    translated = catalogue()
    assert sorted({t for t in texts if isinstance(t, str) and not translated.get(t)}) == []


def test_the_template_holds_every_help_text() -> None:
    """``make locale`` (``spreiding.cli.catalogue``) collects the help of every command."""
    wanted = {m.id for m in template() if m.id}
    assert set(help_texts(typer.main.get_command(app))) <= wanted
    assert "Show the version and stop." in wanted and "no runs" in wanted


def test_the_committed_mo_is_the_compiled_po() -> None:
    """The .mo is committed (a fresh clone needs no build step); it must say what the .po
    says: `make locale` compiles it."""
    with MO.open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    translated = {msgid: msgstr for msgid, msgstr in catalogue().items() if msgstr}
    for msgid, msgstr in translated.items():
        assert compiled.gettext(msgid) == msgstr, msgid
    # The .mo holds the translated messages and its header, nothing more.
    assert len(compiled._catalog) - 1 == len(translated)  # type: ignore[attr-defined]


def test_translations_keep_their_placeholders() -> None:
    field = re.compile(r"\{[^}]*\}")
    for msgid, msgstr in catalogue().items():
        if msgstr:  # an untranslated message is shown as written
            assert sorted(field.findall(msgid)) == sorted(field.findall(msgstr)), msgid


@pytest.mark.parametrize("command", ["settle", "audit"])
def test_json_is_the_same_bytes_in_every_language(
    command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CONTRACT §3/§4 fix the JSON: no word or amount in it follows the language."""
    args = [command, "--data", str(V1 / "samen-plus"), "--year", "2024", "--format", "json"]
    english = runner.invoke(app, ["--lang", "en", *args]).stdout_bytes
    monkeypatch.setenv("LANG", "nl_NL.UTF-8")
    monkeypatch.setattr(common, "stdout_is_terminal", lambda: True)
    dutch = runner.invoke(app, args).stdout_bytes
    assert dutch == english
    assert json.loads(dutch)["year"] == 2024


def test_completion_offers_the_roles() -> None:
    env = {
        "_SPREIDING_COMPLETE": "complete_bash",
        "COMP_WORDS": "spreiding keys create --role ",
        "COMP_CWORD": "4",
    }
    result = runner.invoke(app, [], env=env, prog_name="spreiding")
    assert result.stdout.split() == ["hospital", "bureau", "insurer", "admin"]
