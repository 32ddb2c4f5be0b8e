"""``python -m spreiding.cli.catalogue``: the message template (``spreiding/locale/spreiding.pot``)
of the command line, for ``make locale``.

Babel extracts the messages marked ``_`` or ``N_`` in ``spreiding/cli`` and
``spreiding/render``; to them are added the help texts of every command, option and argument
as they stand in the command tree (``localise.translate_tree`` translates them by their text),
so a command whose help is not marked is in the catalogue too.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po

from spreiding.render.i18n import LOCALE_DIR

SOURCES = (Path(__file__).resolve().parent, LOCALE_DIR.parent / "render")


def help_texts(command: Any) -> list[str]:
    """Every help text in the tree under ``command``, in the order met."""
    texts = [getattr(command, attribute, None) for attribute in ("help", "short_help")]
    texts += [getattr(param, "help", None) for param in getattr(command, "params", ())]
    found = [t for t in texts if t]
    for sub in getattr(command, "commands", {}).values():
        found += help_texts(sub)
    return found


def template() -> Catalog:
    from spreiding.cli import app

    catalog = Catalog(project="spreiding", version="0.1.0", fuzzy=False)
    for source in SOURCES:
        for _file, _line, message, _comments, _context in extract_from_dir(source):
            if isinstance(message, str):
                catalog.add(message)
    for text in help_texts(typer.main.get_command(app)):
        catalog.add(text)
    return catalog


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else LOCALE_DIR / "spreiding.pot"
    with target.open("wb") as file:
        write_po(file, template(), width=0, omit_header=False, sort_output=True)


if __name__ == "__main__":
    main()
