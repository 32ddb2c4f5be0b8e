"""What a file's checks flagged, per check: the first ``MAX_SAME`` lines are reported one by
one, the rest counted on one line (issue 15). ``Rows.flag`` keeps one ``Tally`` per frame;
a file checked in blocks shares one over all its blocks, so that a rule broken on many lines
is reported on the file's first ``MAX_SAME`` of them and one count of the rest.
"""

from __future__ import annotations

from collections.abc import Hashable

from spreiding.domain.errors import DatasetError

# The rows one check reports one by one in one column; the rest are counted on one line.
MAX_SAME = 5


class Tally:
    """Per check (a hashable key): how many lines were reported one by one, and the column,
    count, first and last line of the rest."""

    def __init__(self) -> None:
        self.shown: dict[Hashable, int] = {}
        self.rest: dict[Hashable, tuple[str, int, int, int]] = {}

    def record(self, key: Hashable, column: str, lines: list[int]) -> list[int]:
        """Count the flagged ``lines`` (in file order) of the check ``key``; return those to
        report one by one."""
        shown = self.shown.get(key, 0)
        now = lines[: max(MAX_SAME - shown, 0)]
        self.shown[key] = shown + len(now)
        later = lines[len(now) :]
        if later:
            _column, count, first, _last = self.rest.get(key, (column, 0, later[0], 0))
            self.rest[key] = (column, count + len(later), first, later[-1])
        return now

    def counts(self, file: str) -> list[DatasetError]:
        """One error per check for the lines not reported one by one, in the order the checks
        first had such lines; they are counted afresh after this."""
        errors = [
            DatasetError(
                file,
                first,
                column,
                f"{count:,} more rows with the same error, from this line to line {last}",
            )
            for column, count, first, last in self.rest.values()
        ]
        self.rest.clear()
        return errors
