"""Domain errors of settlement runs, named as facts. They carry no HTTP status: ``api`` maps
each class to one in a single place."""

from __future__ import annotations


class SettlementError(Exception):
    """Base class: a request about runs that the rules refuse."""


class RunNotFound(SettlementError):
    def __init__(self, run_id: int):
        self.run_id = run_id
        super().__init__(f"there is no settlement run {run_id}")


class SettlementAlreadyFinal(SettlementError):
    def __init__(self, year: int, final_run_id: int):
        self.year = year
        self.final_run_id = final_run_id
        super().__init__(
            f"{year} already has a final settlement (run {final_run_id}); a recomputation "
            "becomes a correction of it"
        )


class RunAlreadyFinal(SettlementError):
    def __init__(self, run_id: int):
        self.run_id = run_id
        super().__init__(f"settlement run {run_id} is already final")


class CorrectionOutdated(SettlementError):
    def __init__(self, run_id: int, corrects_run_id: int):
        self.run_id = run_id
        super().__init__(
            f"correction run {run_id} corrects run {corrects_run_id}, which has since been "
            "corrected by another final run; settle the year again for a current correction"
        )


class NothingToSettle(SettlementError):
    """A settlement or correction without a single line: nothing is paid by it, yet stored
    and finalised it would be the year's run, and every real settlement of the year after it
    a correction. ``excluded``: how many DBCs of the year were excluded (open ones, say)."""

    def __init__(self, year: int, corrects_run_id: int | None = None, excluded: int = 0):
        self.year = year
        self.corrects_run_id = corrects_run_id
        self.excluded = excluded
        if corrects_run_id is None:
            what = f"no stored ODV DBC of {year} settles ({excluded} excluded)"
        else:
            what = f"every DBC of {year} settles as settled up to run {corrects_run_id}"
        super().__init__(f"nothing to settle in {year}: {what}; no run was stored")


class RunNotSignedOff(SettlementError):
    """Finalising a run of which a pair is not accepted by both of its hospitals, without an
    admin's written override reason."""

    def __init__(self, run_id: int, pairs: list[tuple[str, str]]):
        self.run_id = run_id
        self.pairs = pairs
        named = ", ".join(f"{debtor}→{creditor}" for debtor, creditor in pairs)
        super().__init__(
            f"settlement run {run_id} is not accepted by both hospitals of every pair; not yet "
            f"accepted (debtor→creditor): {named}; an admin may finalise it with an override "
            "reason"
        )


class SignoffInvalid(SettlementError):
    """An acceptance or a dispute the rules refuse (a dispute without a reason, a line that
    is not the pair's, an override without a reason)."""
