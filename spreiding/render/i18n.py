"""The language people read: Dutch by default, English on request, from Babel catalogues.

Example: ``use("nl")`` then ``_("no runs")`` gives ``"geen runs"``; ``use("en")`` gives the
message as written. The messages are English in the code (the msgids); the Dutch catalogue is
``spreiding/locale/nl/LC_MESSAGES/spreiding.po``, compiled by Babel (``make locale``) into the
``.mo`` beside it, which is committed so that a fresh clone needs no build step.

The language is a setting of the whole process, like a locale: the command line chooses it
once (``--lang``, else ``LC_ALL`` / ``LC_MESSAGES`` / ``LANG``) before anything is printed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from babel.support import NullTranslations, Translations

DOMAIN = "spreiding"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
Language = Literal["nl", "en"]
DEFAULT: Language = "nl"

_current: NullTranslations = NullTranslations()
_language: Language = "en"


def use(language: Language) -> None:
    """Translate every following message into ``language``."""
    global _current, _language
    if language == "en":
        _current = NullTranslations()
    else:
        _current = Translations.load(str(LOCALE_DIR), [language], DOMAIN)
    _language = language


def current() -> Language:
    return _language


def _(message: str) -> str:
    """``message`` in the current language (the message itself when it has no translation)."""
    return _current.gettext(message) if message else message


def N_(message: str) -> str:
    """Marks ``message`` for the catalogue; it is translated where it is shown."""
    return message


def locale_language(environ: Mapping[str, str]) -> str | None:
    """The language the user's locale names (``nl_NL.UTF-8`` -> ``nl``), or None when it names
    none (unset, ``C`` or ``POSIX``). The first of ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` that is
    set decides, as for every POSIX program."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            code = value.split(".")[0].split("_")[0].split("@")[0].lower()
            return None if code in ("c", "posix") else code
    return None


def choose(option: str | None, environ: Mapping[str, str]) -> Language:
    """``--lang`` when given; else English when the locale names another language than Dutch;
    else Dutch (also when the locale names no language)."""
    if option in ("nl", "en"):
        return option  # type: ignore[return-value]
    named = locale_language(environ)
    return "en" if named not in (None, "nl") else DEFAULT


# Words that reach ``_`` as values (a run's kind and status, a finding's severity, a
# netting, a transfer's status), listed here so that the catalogue holds them.
VALUES = (
    N_("error"), N_("warning"), N_("settlement"), N_("correction"), N_("draft"), N_("final"),
    N_("bilateral"), N_("multilateral"), N_("planned"), N_("performed"), N_("cancelled"),
)  # fmt: skip
# Column headers of the tables, translated where the tables are laid out.
HEADERS = (
    N_("rule"), N_("severity"), N_("findings"), N_("at stake"), N_("total"), N_("run"),
    N_("kind"), N_("year"), N_("netting"), N_("status"), N_("fingerprint"), N_("debtor"),
    N_("creditor"), N_("lines"), N_("amount"), N_("agreement"), N_("stage"), N_("valid from"),
    N_("valid to"), N_("care types"), N_("parties"), N_("transfer"), N_("care type"),
    N_("patient"), N_("from"), N_("to"), N_("date"), N_("phase"),
)  # fmt: skip
