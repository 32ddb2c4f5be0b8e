"""Refusals of the service layer, named as facts and without an HTTP status (``api.errors``
maps each class to one; the CLI prints the message)."""

from __future__ import annotations

from collections.abc import Iterable

from spreiding.domain.errors import DatasetError


class NotFound(Exception):
    """Nothing with this id that the caller may see (another tenant's id reads the same)."""


class CursorInvalid(Exception):
    """A page cursor that was altered, or that another statement, run or section gave."""


class Forbidden(Exception):
    """The caller's role may not do this."""


class WriteNotPermitted(Forbidden):
    """Rows the caller may not write (``spreiding.services.writes``): ``errors`` names each as
    ``FILE:LINE: COLUMN: message``, the message stating the rule and never a stored value."""

    def __init__(self, errors: Iterable[DatasetError]):
        self.errors = sorted(set(errors), key=DatasetError.sort_key)
        super().__init__(f"{len(self.errors)} row(s) this key may not write")

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)
