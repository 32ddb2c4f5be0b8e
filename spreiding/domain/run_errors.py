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
