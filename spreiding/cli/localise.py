"""The command line in the user's language: help texts, option help and Typer's own words.

The help strings are written in English in the code, marked with ``N_`` for the catalogue,
and translated when the command tree is built for one invocation: ``LocalisedGroup`` reads
``--lang`` (or the locale) from the arguments before Click parses them, so that ``--help``,
which Click answers while parsing, is already in the chosen language.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import typer.rich_utils
from typer.core import TyperGroup

from spreiding.render import i18n
from spreiding.render.i18n import N_, _

# Typer's own words in the help screen (typer.rich_utils), as msgids of our catalogue.
TYPER_WORDS = {
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "ERRORS_PANEL_TITLE": N_("Error"),
    "ABORTED_TEXT": N_("Aborted."),
    "DEFAULT_STRING": N_("[default: {}]"),
    "REQUIRED_LONG_STRING": N_("[required]"),
    "RICH_HELP": N_("Try [blue]'{command_path} {help_option}'[/] for help."),
}
# The help of the options Typer adds itself (--help and the completion options).
OWN_OPTIONS = (
    N_("Show this message and exit."),
    N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
)


def language_option(args: Sequence[str]) -> str | None:
    """The value of ``--lang`` among the arguments (``--lang en`` or ``--lang=en``), if any."""
    for index, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def translate_tree(command: Any) -> None:
    """Every help text of ``command`` and its subcommands in the current language. The
    English text is kept on the object, so translating twice starts from it."""
    for owner, attribute in _texts(command):
        original = getattr(owner, "_msgid_" + attribute, None)
        if original is None:
            original = getattr(owner, attribute)
            setattr(owner, "_msgid_" + attribute, original)
        setattr(owner, attribute, _(original) if original else original)
    for name, english in TYPER_WORDS.items():
        setattr(typer.rich_utils, name, _(english))
    for each in _commands(command):
        _translate_help_option(each)


def _commands(command: Any) -> list[Any]:
    return [
        command,
        *(c for sub in getattr(command, "commands", {}).values() for c in _commands(sub)),
    ]


def _translate_help_option(command: Any) -> None:
    """Click makes the --help option when it is asked for, with its English help."""
    made = type(command).get_help_option

    def get_help_option(ctx: Any) -> Any:
        option = made(command, ctx)
        if option is not None:
            option.help = _(OWN_OPTIONS[0])
        return option

    command.get_help_option = get_help_option


def _texts(command: Any) -> list[tuple[Any, str]]:
    found: list[tuple[Any, str]] = []
    for attribute in ("help", "short_help", "epilog"):
        if getattr(command, attribute, None):
            found.append((command, attribute))
    for param in getattr(command, "params", ()):
        if getattr(param, "help", None):
            found.append((param, "help"))
    for sub in getattr(command, "commands", {}).values():
        found += _texts(sub)
    return found


class LocalisedGroup(TyperGroup):
    """The root command: chooses the language before anything is parsed or printed."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        if parent is None:
            i18n.use(i18n.choose(language_option(args), os.environ))
            translate_tree(self)
        return super().make_context(info_name, args, parent, **extra)
