"""CSV text of traces, streamed in blocks of rows, at full precision.

Every number is written as the shortest text that reads back as the same
number: Python's ``repr`` for float64 and integers; for float32, the shortest
text that reads back as the same float32 (``2422.4``, not the float64 digits
``2422.39990234375`` of the same value). Rows are formatted and written a block
at a time, so memory stays at one block whatever the size of the table.
"""

import numpy as np

# Rows per block: about a million values, a few tens of MB of text at most.
_BLOCK_VALUES = 1 << 20


def shortest_float32(values):
    """float64 values whose ``repr`` is the shortest text of each float32 value.

    For each value the fewest significant digits (1 to 9) whose decimal rounds
    back to the same float32 are found, and the float64 nearest to that
    decimal is returned: its ``repr`` is that decimal.

    Examples
    --------
    >>> import numpy as np
    >>> value = np.float32(2422.4)
    >>> float(value), shortest_float32(np.array([value])).tolist()
    (2422.39990234375, [2422.4])
    """
    shape = np.shape(values)
    values = np.asarray(values, dtype=np.float32).ravel()
    exact = values.astype(np.float64)
    result = exact.copy()
    magnitude = np.abs(exact)
    todo = np.isfinite(exact) & (magnitude > 0)
    # Exponent of the leading digit; an estimate off by one only costs a digit
    # (the round-trip check below keeps every result exact).
    exponent = np.floor(np.log10(np.where(todo, magnitude, 1.0)))
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        for digits in range(1, 10):
            if not todo.any():
                break
            index = np.flatnonzero(todo)
            shift = digits - 1 - exponent[index]  # decimals kept: round to 10**-shift
            # Powers of ten up to 1e22 are exact floats, so rounding and scaling back give
            # the float64 nearest the decimal; beyond, numpy's own text is used (below).
            power = 10.0 ** np.abs(shift)
            value = exact[index]
            candidate = np.where(shift >= 0, np.rint(value * power) / power, np.rint(value / power) * power)
            good = (candidate.astype(np.float32) == values[index]) & (np.abs(shift) <= 22)
            result[index[good]] = candidate[good]
            todo[index[good]] = False
    for i in np.flatnonzero(todo):  # below about 1e-13 or above 1e31: rare, one at a time
        result[i] = float(str(values[i]))
    return result.reshape(shape)


def _text_columns(array):
    """Columns of Python numbers whose ``repr`` is the CSV text of ``array``'s values."""
    if array.dtype == np.float32 or array.dtype == np.float16:
        array = shortest_float32(array)
    return array.tolist()


def write_csv(handle, traces, names, time, time_name):
    """Write a header and one row per frame to the binary file ``handle``.

    Parameters
    ----------
    handle : binary file
        Where to write (a file opened with ``"wb"``, ``sys.stdout.buffer``).
    traces : ndarray, shape (T, N)
    names : sequence of str, length N
        Column names of the traces.
    time : ndarray, shape (T,)
        The first column (frame numbers or seconds).
    time_name : str
        Its name.
    """
    n_frames, n_traces = traces.shape
    handle.write((",".join([time_name, *names]) + "\n").encode())
    block = max(1, _BLOCK_VALUES // max(n_traces, 1))
    for start in range(0, n_frames, block):
        stop = min(start + block, n_frames)
        times = np.asarray(time[start:stop]).tolist()
        rows = _text_columns(np.asarray(traces[start:stop]))
        lines = [",".join(map(repr, [t, *row])) for t, row in zip(times, rows)]
        handle.write(("\n".join(lines) + "\n").encode())
