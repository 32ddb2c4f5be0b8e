"""String columns (pandas ``str``, held by Arrow) worked on through their Arrow buffers.

``take`` gathers rows by position (``take_table``: those of an Arrow table). Arrow takes a
string column's rows one value at a time, a random read for every row; for the codes most
columns hold (an AGB code is 8 characters, a zorgproduct code 9, an id of a file usually one
width), every value has the same width or is empty, and the column is then a fixed-width array
to numpy, whose ``take`` copies ``width`` bytes a row: about twice as fast on a million
shuffled rows (a column of several widths is taken as pandas takes it). The result is the same
either way (``tests/test_string_columns.py`` holds it to ``Series.take`` and Arrow's take).

``blank_as_missing`` makes the empty values of a column missing: a new validity bitmap over the
same bytes, where pandas compares every value with ``""`` and copies the column.

``hashes`` gives each value a 64-bit hash of its UTF-8 bytes, the same for a value on every run
and machine, eight bytes of all values at a time: pandas hashes a string column as Python
objects, each made first.

Example::

    >>> s = pd.Series(["06900017", None, "", "06900008"], dtype="str")
    >>> take(s, np.array([3, 0, 1])).tolist()
    ['06900008', '06900017', nan]
    >>> blank_as_missing(s).tolist()
    ['06900017', nan, nan, '06900008']
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from spreiding.domain.threads import mapped

PARALLEL_ROWS = 100_000  # a frame of fewer rows is taken on the calling thread
SERIAL_ROWS = 4_000_000  # ``take_columns``: of more rows, one column at a time (its memory)


def take(series: pd.Series, positions: np.ndarray) -> pd.Series:
    """``series.take(positions)`` with a fresh ``RangeIndex``."""
    array = series.array
    if isinstance(array, pd.arrays.ArrowStringArray) and len(positions):
        taken = _take_fixed(array.__arrow_array__(), np.asarray(positions, dtype=np.intp))
        if taken is not None:
            return pd.Series(pd.array(taken, dtype=series.dtype), name=series.name)
    return series.take(positions).reset_index(drop=True)


def take_table(table: pa.Table, positions: np.ndarray) -> pa.Table:
    """``table.take(positions).combine_chunks()``: each ``large_string`` column of one width
    taken by numpy (``_take_fixed``), any other column by Arrow; one chunk a column."""
    positions = np.asarray(positions, dtype=np.intp)
    taken = []
    for column in table.columns:
        fixed = _take_fixed(column, positions) if len(positions) else None
        taken.append(fixed if fixed is not None else pc.take(column, positions).combine_chunks())
    return pa.Table.from_arrays(taken, schema=table.schema)


def take_frame(frame: pd.DataFrame, positions: np.ndarray) -> pd.DataFrame:
    """``frame.take(positions)`` with a fresh ``RangeIndex``, column by column: for a large
    frame on two threads (numpy and Arrow copy without holding the interpreter's lock), which
    end before it returns. The caller keeps ``frame``; ``take_columns`` lets each go."""
    columns = [frame.iloc[:, at] for at in range(len(frame.columns))]
    two = len(positions) >= PARALLEL_ROWS
    taken = mapped(lambda column: take(column, positions), columns, threads=2 if two else 1)
    return pd.DataFrame(dict(zip(frame.columns, taken, strict=True)), columns=frame.columns)


def take_columns(columns: dict[str, pd.Series], positions: np.ndarray) -> dict[str, pd.Series]:
    """Each of ``columns`` taken at ``positions`` (``take``), in their order, taken out of
    ``columns`` as they are taken: when the caller holds them nowhere else, each column's
    values are freed (and Arrow's allocator told to give back what it no longer uses) once its
    copy is made, so a large frame is not held twice: the reader's sort of ten million
    declaration lines no longer raises its peak (3.5 GiB at the sort's height when each column
    was freed but Arrow's allocator kept its memory, 3.9 GiB when every column stayed until
    all were copied). From ``PARALLEL_ROWS`` rows on two threads, which end before it returns;
    from ``SERIAL_ROWS`` one column at a time again, each gone before the next is taken: two
    in flight held two copies (reading those ten million lines peaked at 3,017–3,146 MiB,
    one at a time 2,781–2,796), where for 1,330,463 DBCs the second thread is worth its
    memory (read and checked in 1.15 s, one at a time 1.43–1.63 s)."""
    names = list(columns)
    boxes = [[columns.pop(name)] for name in names]
    two = PARALLEL_ROWS <= len(positions) < SERIAL_ROWS
    taken = mapped(lambda box: _take_out(box, positions), boxes, threads=2 if two else 1)
    return dict(zip(names, taken, strict=True))


def _take_out(box: list[pd.Series], positions: np.ndarray) -> pd.Series:
    """``take`` of the one column in ``box``, which is emptied: the column is then held by
    nobody (unless the caller kept it) and is freed before this returns."""
    column = box.pop()
    taken = take(column, positions)
    del column
    pa.default_memory_pool().release_unused()
    return taken


def blank_as_missing(series: pd.Series) -> pd.Series:
    """``series`` with its empty values missing (``str`` dtype, a fresh ``RangeIndex``). An
    Arrow-backed column gets a new validity bitmap per chunk over the same values and offsets:
    nothing of its strings is copied (the reader's ten million lines have two such columns)."""
    array = series.array
    if not isinstance(array, pd.arrays.ArrowStringArray):
        values = series.astype("str")
        return values.mask(values.isna() | (values == ""), None).astype("str")
    column = array.__arrow_array__()
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    blanked = pa.chunked_array(
        [_blanked(_large_strings(chunk)) for chunk in chunks], type=pa.large_string()
    )
    return pd.Series(pd.array(blanked, dtype=series.dtype), name=series.name)


def _blanked(arrow: pa.LargeStringArray) -> pa.Array:
    """``arrow`` with its empty values missing, on its own buffers."""
    _, offsets_buffer, data_buffer = arrow.buffers()
    filled = np.diff(offsets(arrow)) > 0
    if arrow.null_count:
        filled &= arrow.is_valid().to_numpy(zero_copy_only=False)
    # The bitmap is read from bit ``arrow.offset`` on, as the offsets are.
    bits = np.concatenate([np.zeros(arrow.offset, dtype=bool), filled])
    validity = pa.py_buffer(np.packbits(bits, bitorder="little"))
    return pa.LargeStringArray.from_buffers(
        len(arrow), offsets_buffer, data_buffer, validity, offset=arrow.offset
    )


_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)


def hashes(series: pd.Series) -> np.ndarray:
    """Per value a 64-bit hash of its UTF-8 bytes, the same on every run and machine: the bytes
    as little-endian 64-bit words (the last one padded with zeros), each folded in FNV-1a's
    way (xor, times the FNV prime), then the byte length, then MurmurHash3's finaliser
    (``fmix64``), so that the low bits are as good as the high ones. A missing value hashes as
    the empty string. Where every value has one width the words are read straight from the
    data buffer; otherwise they are gathered a byte place at a time; the same hash either way."""
    array = _large_strings(pa.array(series))
    if array.null_count:  # a missing value may still span bytes in Arrow's buffer
        array = array.fill_null("")
    starts = offsets(array)
    lengths = np.diff(starts)
    hashed = np.full(len(array), _FNV_OFFSET, dtype=np.uint64)
    widest = int(lengths.max()) if len(lengths) else 0
    if widest:
        data = np.frombuffer(array.buffers()[2], dtype=np.uint8)
        uniform = bool((lengths == widest).all())
        for place, word in enumerate(_words(data, starts, lengths, widest, uniform)):
            mixed = (hashed ^ word) * _FNV_PRIME
            hashed = mixed if uniform else np.where(lengths > place * 8, mixed, hashed)
    hashed = (hashed ^ lengths.astype(np.uint64)) * _FNV_PRIME
    hashed ^= hashed >> np.uint64(33)
    hashed *= np.uint64(0xFF51AFD7ED558CCD)
    hashed ^= hashed >> np.uint64(33)
    hashed *= np.uint64(0xC4CEB9FE1A85EC53)
    hashed ^= hashed >> np.uint64(33)
    return hashed


def _words(
    data: np.ndarray, starts: np.ndarray, lengths: np.ndarray, widest: int, uniform: bool
) -> list[np.ndarray]:
    """The values' bytes as little-endian 64-bit words, zero-padded: word j of every value."""
    count = (widest + 7) // 8
    if uniform:  # every value ``widest`` bytes, one after the other from ``starts[0]``
        matrix = data[starts[0] : starts[0] + len(lengths) * widest].reshape(-1, widest)
        padded = np.zeros((len(lengths), count * 8), dtype=np.uint8)
        padded[:, :widest] = matrix
        as_words = padded.view("<u8")
        return [as_words[:, j] for j in range(count)]
    found = []
    begins = starts[:-1]
    for j in range(count):
        word = np.zeros(len(lengths), dtype=np.uint64)
        for k in range(8):
            place = j * 8 + k
            within = lengths > place
            byte = data[np.where(within, begins + place, 0)].astype(np.uint64)
            word |= np.where(within, byte, np.uint64(0)) << np.uint64(8 * k)
        found.append(word)
    return found


def equal_at(series: pd.Series, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Per i, whether ``series`` holds the same value at ``first[i]`` and ``second[i]`` (two
    missing values are the same); by numpy where every value has one width."""
    array = pa.array(series)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_large_string(array.type) and len(array) and not array.null_count:
        starts = offsets(array)
        lengths = np.diff(starts)
        width = int(lengths[0])
        if width and bool((lengths == width).all()):
            values = np.frombuffer(
                array.buffers()[2], dtype=f"S{width}", count=len(array), offset=int(starts[0])
            )
            return np.asarray(values[first] == values[second], dtype=bool)
    left, right = array.take(pa.array(first)), array.take(pa.array(second))
    same = pc.equal(left, right).fill_null(False)
    both_missing = pc.and_(left.is_null(), right.is_null())
    return np.asarray(pc.or_(same, both_missing).to_numpy(zero_copy_only=False), dtype=bool)


def _large_strings(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``column`` as one ``large_string`` array (64-bit offsets), chunks joined."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    return array if pa.types.is_large_string(array.type) else array.cast(pa.large_string())


def offsets(array: pa.Array) -> np.ndarray:
    """A ``large_string`` array's value offsets into its data buffer, as numpy (one more than
    the values: value i is bytes ``offsets[i]`` to ``offsets[i + 1]``), without a copy."""
    return np.frombuffer(
        array.buffers()[1], dtype=np.int64, count=len(array) + 1, offset=array.offset * 8
    )


def _take_fixed(column: pa.ChunkedArray, positions: np.ndarray) -> pa.Array | None:
    """The rows at ``positions`` of a string column whose values all have one width in bytes
    or are empty (missing values are empty in Arrow), taken by numpy; None for any other
    column. ``positions`` must lie in the column (numpy raises ``IndexError`` otherwise)."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if not pa.types.is_large_string(array.type) or len(array) == 0:
        return None
    starts = offsets(array)
    lengths = np.diff(starts)
    width = int(lengths.max())
    if width == 0 or not np.all((lengths == 0) | (lengths == width)):
        return None
    filled = lengths == width
    count = int(starts[-1] - starts[0]) // width
    data_buffer = array.buffers()[2]
    values = np.frombuffer(data_buffer, dtype=f"S{width}", count=count, offset=int(starts[0]))
    if count == len(array):
        data = values[positions]
        new_offsets = np.arange(len(positions) + 1, dtype=np.int64) * width
    else:
        # Each filled row's place among the filled rows: where its bytes are in ``values``.
        place = np.cumsum(filled) - 1
        kept = filled[positions]
        data = values[place[positions][kept]]
        new_offsets = np.zeros(len(positions) + 1, dtype=np.int64)
        np.cumsum(kept * width, out=new_offsets[1:])
    validity = None
    if array.null_count:
        valid = array.is_valid().to_numpy(zero_copy_only=False)[positions]
        validity = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.LargeStringArray.from_buffers(
        len(positions),
        pa.py_buffer(new_offsets),
        pa.py_buffer(np.ascontiguousarray(data)),
        validity,
    )
