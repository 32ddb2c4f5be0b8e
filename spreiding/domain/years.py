"""The years a settlement or an audit may be asked for: one bound for the API and the CLI.

A year has four digits: ``--year 24`` is a slip for 2024, not the year 24, and is refused
rather than settled as an empty run. A year inside the bounds with nothing stored in it is
refused by the service instead (``NothingToSettle``)."""

from __future__ import annotations

FIRST_YEAR = 1900
LAST_YEAR = 2999
