"""Text ids in a path: what the database can look up. A NUL character is refused by
PostgreSQL outright (a DataError, a 500) and no stored id is longer than 1,000 characters, so
such a path names nothing: it is answered 422 before any query, the same on every database."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

TextId = Annotated[
    str, Path(min_length=1, max_length=1000, pattern=r"^[^\x00]+$", description="An id")
]
