"""Field types for request bodies: an id or code held to the contract reader's rules."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from spreiding.contract.cells import formula_message, unstorable


def _id(value: str) -> str:
    """An id as the contract reader takes it: storable, and nothing a spreadsheet would run."""
    message = unstorable(value) or formula_message(value)
    if message is not None:
        raise ValueError(message)
    return value


def _storable(value: str) -> str:
    message = unstorable(value)
    if message is not None:
        raise ValueError(message)
    return value


# An id of a known shape in a request body; refused with the reader's message.
Id = Annotated[str, AfterValidator(_id)]
# A code that is looked up before the reader checks it: nothing the database cannot hold.
Storable = Annotated[str, AfterValidator(_storable)]
