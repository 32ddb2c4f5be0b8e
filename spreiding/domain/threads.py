"""Work mapped over threads: numpy's and Arrow's heavy steps run without the interpreter's
lock, so a second thread finds a second core for them (issue 10). The threads end before
``mapped`` returns, so no thread outlives a call (a process forked afterwards has none)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def mapped(function: Callable[[T], R], items: Sequence[T], *, threads: int) -> list[R]:
    """``function`` of each item, in the items' order: on ``threads`` threads when that is
    more than one and there are two items or more, else one after the other on the calling
    thread. An item's error is raised here."""
    if threads < 2 or len(items) < 2:
        return [function(item) for item in items]
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(function, items))
