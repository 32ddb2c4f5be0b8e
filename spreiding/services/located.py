"""Rows of an import named by where they are in the dataset's files: the file (or workbook
sheet), the line (row) and the column, with each value as the user typed it.

Example: re-importing a ``prices.csv`` whose line 12 now says ``11300,00`` where ``11234,55``
was stored gives the conflict ``prices.csv:12: price_eur: stored 11234,55, dataset 11300,00``:
the amount in euros, in the file's own notation (a decimal comma in a ``;`` file, a point in a
``,`` file or a workbook's number cell), the dataset's value exactly as typed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from spreiding.contract.files import DECIMAL_COMMA, LINE
from spreiding.contract.sources import read_table, source_of
from spreiding.domain.dataset import SCHEMAS, Dataset, TableSchema
from spreiding.domain.errors import DatasetError
from spreiding.domain.money import format_cents
from spreiding.store.datasets import Comparison, ImportPlan

EMPTY = "(empty)"


class Lines:
    """Where a row of the dataset is in its file: the line of a CSV row (the header is line
    1) or a workbook's row, the index of an agreement in ``agreements.json``; 0 when the file
    is not at hand."""

    def __init__(self, dataset: Dataset, folder: Path | None):
        self.folder = folder
        # The dataset holds its agreements by id; the file, in its own order.
        ids = [a.agreement_id for a in dataset.agreements]
        if folder is not None:
            listed = json.loads((folder / "agreements.json").read_text(encoding="utf-8-sig"))
            ids = [str(a.get("agreement_id")) for a in listed]
        self.agreements = {agreement_id: i for i, agreement_id in enumerate(ids)}
        self.raw: dict[str, pd.DataFrame | None] = {}
        self.rows: dict[str, dict[tuple[str, ...], int]] = {}

    def locate(self, table: str, key: tuple[str, ...]) -> tuple[str, int]:
        """The file (``dbcs.csv``, ``data.xlsx[dbcs]``) and line of the row of ``key``."""
        if table == "agreements":
            return "agreements.json", self.agreements.get(key[0], 0)
        raw = self.frame(table)
        place = _schema(table).file if raw is None else source_of(raw, table)
        return place, self._line(table, key)

    def frame(self, table: str) -> pd.DataFrame | None:
        """The table's rows as typed in its file (None when the file is not at hand)."""
        if table not in self.raw:
            self.raw[table] = None if self.folder is None else read_table(self.folder, table)
        return self.raw[table]

    def index(self, table: str) -> dict[tuple[str, ...], int]:
        """Per key (as text), the position of its row in ``frame``."""
        if table not in self.rows:
            raw = self.frame(table)
            if raw is None:
                self.rows[table] = {}
            else:
                columns = (raw[c].tolist() for c in _schema(table).key)
                self.rows[table] = {k: i for i, k in enumerate(zip(*columns, strict=True))}
        return self.rows[table]

    def _line(self, table: str, key: tuple[str, ...]) -> int:
        raw = self.frame(table)
        position = self.index(table).get(key)
        if raw is None or position is None:
            return 0
        return int(raw[LINE].iloc[position])


def located_conflicts(plan: ImportPlan, lines: Lines) -> list[str]:
    """The conflicts of ``plan``, a row's each in the form of a dataset error: one per column
    stored with another value, ``FILE:LINE: COLUMN: stored S, dataset D``. Agreements keep
    their own form (the agreement's id, each field's path)."""
    conflicts = list(plan.agreements.clashes)
    for table, compared in plan.tables.items():
        conflicts += _table_conflicts(_schema(table), compared, lines)
    return conflicts


def _table_conflicts(schema: TableSchema, compared: Comparison, lines: Lines) -> list[str]:
    stored = compared.stored
    if stored is None or compared.clashing.empty:
        return list(compared.clashes)
    raw = lines.frame(schema.name)
    index = lines.index(schema.name)
    values = [c for c in schema.columns if c not in schema.key]
    out = []
    for (_, incoming), (_, before) in zip(
        compared.clashing.iterrows(), stored.iterrows(), strict=True
    ):
        key = tuple(_text(incoming[c]) for c in schema.key)
        place, line = lines.locate(schema.name, key)
        position = index.get(key)
        for column in values:
            if _text(incoming[column]) == _text(before[column]):
                continue
            name = schema.file_column(column)
            typed = _text(incoming[column])
            if raw is not None and position is not None:
                typed = str(raw[name].iloc[position]) or EMPTY
            comma = _comma(raw, place, name, typed)
            shown = _stored(before[column], schema.columns[column], comma=comma)
            error = DatasetError(place, line, name, f"stored {shown}, dataset {typed}")
            out.append(str(error))
    return out


def _comma(raw: pd.DataFrame | None, place: str, column: str, typed: str) -> bool:
    """Whether the file writes this column's decimals with a comma: a ``;`` CSV file does; in a
    workbook, a text cell typed so."""
    if raw is None or column not in raw.attrs.get(DECIMAL_COMMA, ()):
        return False
    return "," in typed if place.endswith("]") else True


def _stored(value: Any, kind: str, *, comma: bool) -> str:
    """A stored value as the file would write it: an amount (or hours) in its notation."""
    if kind in ("cents", "hundredths") and not _absent(value):
        text = format_cents(int(value))
        return text.replace(".", ",") if comma else text
    return _text(value)


def _absent(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _text(value: Any) -> str:
    """A typed value as the contract writes it; ``(empty)`` for none."""
    if _absent(value):
        return EMPTY
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    return str(value)


def _schema(table: str) -> TableSchema:
    return next(s for s in SCHEMAS if s.name == table)
