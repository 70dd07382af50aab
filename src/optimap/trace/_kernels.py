"""Compiled kernels: the traces of one in-memory block of frames.

Every kernel reads a block ``frames`` ``(b, H, W)`` (any strides, any integer
or float dtype numba handles; a gathered block of pixels is ``(b, 1, P)``) and
writes the means into ``out`` ``(b, N)``. Which kernel runs, with which
accumulator, is decided once by :mod:`._plan`; the kernels only execute.

* ``runs``: each region is a list of horizontal runs summed pixel by pixel;
  the cost is the footprint's pixels. Few positions, masks, weights.
* ``box``: rect windows at many centres. Cumulative sums down the columns,
  then sums along the rows (direct for narrow windows, running sums for wide
  ones): a handful of passes whatever the size.
* ``profile``: any window shape (disc) at many centres. Cumulative sums
  along every row, then one difference of two prefix values per window row.

Sums run in the dtype of the plan's ``accumulator`` (a 1-element zero array: int64 for integer
videos, exact; float64 for float videos) and every mean is one division.
Frames (or regions) holding NaN or inf are redone NaN-aware, so a clean block
pays nothing for it: NaN pixels are left out, ``+inf`` with finite values
gives ``+inf``, ``+inf`` with ``-inf`` gives NaN, no valid pixel gives NaN.

numba is imported on the first call (``import optimap.trace`` stays fast);
the compiled code is cached on disk, so later processes only load it.
"""

import math

import numpy as np

def _nan_aware_mean(total, valid, positive, negative):
    """IEEE's answer for a mean whose pixels held NaN or inf, without a floating-point warning."""
    if positive > 0 and negative > 0:
        return np.nan
    if positive > 0:
        return np.inf
    if negative > 0:
        return -np.inf
    if valid == 0:
        return np.nan
    return total / valid


# --- runs ------------------------------------------------------------------------------------------


def _region_nan_aware(frames, t, first, last, rows, col_starts, col_stops, weights):
    total = 0.0
    valid = 0.0
    positive = 0
    negative = 0
    for k in range(first, last):
        weight = weights[k] if len(weights) else 1.0
        row = rows[k]
        for col in range(col_starts[k], col_stops[k]):
            value = float(frames[t, row, col])
            if math.isfinite(value):
                total += weight * value
                valid += weight
            elif value > 0:
                positive += 1
            elif value < 0:
                negative += 1
    return _nan_aware_mean_jit(total, valid, positive, negative)


def _runs_kernel(frames, region_starts, rows, col_starts, col_stops, weights, totals, accumulator, check, out):
    """``out[t, i]``: the weighted mean of region ``i``'s runs in frame ``t``."""
    weighted = len(weights) > 0
    zero = accumulator[0]
    for t in range(frames.shape[0]):
        for i in range(len(region_starts) - 1):
            first, last = region_starts[i], region_starts[i + 1]
            if weighted:
                total = 0.0
                for k in range(first, last):
                    part = zero
                    row = rows[k]
                    for col in range(col_starts[k], col_stops[k]):
                        part += frames[t, row, col]
                    total += weights[k] * part
                mean = total / totals[i]
            else:
                exact = zero
                for k in range(first, last):
                    row = rows[k]
                    for col in range(col_starts[k], col_stops[k]):
                        exact += frames[t, row, col]
                mean = exact / totals[i]
            if check and not math.isfinite(mean):
                mean = _region_nan_aware_jit(frames, t, first, last, rows, col_starts, col_stops, weights)
            out[t, i] = mean


# --- box (rect windows) -------------------------------------------------------------------------------


def _indicator(value, kind):
    """What the NaN-aware passes sum for one pixel: ``kind`` 0 the value if finite (else 0), 1 one
    for a finite value, 2 one for +inf, 3 one for -inf."""
    value = float(value)
    finite = math.isfinite(value)
    if kind == 0:
        return value if finite else 0.0
    if kind == 1:
        return 1.0 if finite else 0.0
    if kind == 2:
        return 1.0 if (not finite and value > 0) else 0.0
    return 1.0 if (not finite and value < 0) else 0.0


def _column_cumsum(frames, t, cumulative):
    """``cumulative[r + 1, c] = cumulative[r, c] + frames[t, r, c]``, vectorised along the row."""
    height, width = frames.shape[1], frames.shape[2]
    for col in range(width):
        cumulative[0, col] = 0
    for row in range(height):
        for col in range(width):
            cumulative[row + 1, col] = cumulative[row, col] + frames[t, row, col]


def _column_cumsum_nan(frames, t, cumulative, kind):
    height, width = frames.shape[1], frames.shape[2]
    for col in range(width):
        cumulative[0, col] = 0.0
    for row in range(height):
        for col in range(width):
            cumulative[row + 1, col] = cumulative[row, col] + _indicator_jit(frames[t, row, col], kind)


def _box_sums(cumulative, row_start, row_stop, col_start, col_stop, need_row, padded, sums):
    """``sums[r, c]``: the clipped window at every needed row ``r``, from column cumulative sums.

    ``padded`` holds one row of window-row sums with zeros on each side, so windows
    running off the frame need no clipping in the inner loops."""
    height, width = sums.shape
    margin = (len(padded) - width) // 2
    for row in range(height):
        if not need_row[row]:
            continue
        low, high = max(row + row_start, 0), min(row + row_stop, height)
        for col in range(width):
            padded[margin + col] = cumulative[high, col] - cumulative[low, col]
        if col_stop - col_start <= 8:  # narrow: add the shifted rows (vectorised)
            for col in range(width):
                sums[row, col] = padded[margin + col + col_start]
            for offset in range(col_start + 1, col_stop):
                for col in range(width):
                    sums[row, col] += padded[margin + col + offset]
        else:  # wide: a running sum adds the column entering the window and drops the one leaving
            running = padded[0]
            for offset in range(col_start, col_stop):
                running += padded[margin + offset]
            sums[row, 0] = running
            for col in range(1, width):
                running += padded[margin + col + col_stop - 1] - padded[margin + col + col_start - 1]
                sums[row, col] = running


def _box_kernel(frames, row_start, row_stop, col_start, col_stop, centre_rows, centre_cols, counts, need_row,
                accumulator, check, out):
    """Rect windows (rows ``row_start <= dr < row_stop``, columns ``col_start <= dc < col_stop``
    around each centre) in every frame of the block."""
    height, width = frames.shape[1], frames.shape[2]
    margin = max(-col_start, col_stop, 0) + 1
    cumulative = np.empty((height + 1, width), accumulator.dtype)
    padded = np.zeros(width + 2 * margin, accumulator.dtype)
    sums = np.empty((height, width), accumulator.dtype)
    nan_sums = np.empty((0, 0, 0))
    nan_cumulative = np.empty((0, 0))
    nan_padded = np.empty(0)
    for t in range(frames.shape[0]):
        _column_cumsum_jit(frames, t, cumulative)
        clean = True
        if check:  # a NaN or inf anywhere shows in its column's total
            for col in range(width):
                if not math.isfinite(cumulative[height, col]):
                    clean = False
        if clean:
            _box_sums_jit(cumulative, row_start, row_stop, col_start, col_stop, need_row, padded, sums)
            for i in range(len(centre_rows)):
                out[t, i] = sums[centre_rows[i], centre_cols[i]] / counts[i]
            continue
        if nan_sums.shape[0] == 0:
            nan_sums = np.empty((4, height, width))
            nan_cumulative = np.empty((height + 1, width))
            nan_padded = np.zeros(width + 2 * margin)
        for kind in range(4):
            _column_cumsum_nan_jit(frames, t, nan_cumulative, kind)
            _box_sums_jit(nan_cumulative, row_start, row_stop, col_start, col_stop, need_row, nan_padded,
                          nan_sums[kind])
        for i in range(len(centre_rows)):
            r, c = centre_rows[i], centre_cols[i]
            out[t, i] = _nan_aware_mean_jit(nan_sums[0, r, c], nan_sums[1, r, c], nan_sums[2, r, c],
                                            nan_sums[3, r, c])


# --- profile (any window shape) ---------------------------------------------------------------------


def _row_prefix(frames, t, prefix, margin):
    """Cumulative sums along every row into ``prefix[r, margin + 1 + c]`` (zeros before the row,
    its total after it). Four rows at a time: their additions are independent, so they overlap."""
    height, width = frames.shape[1], frames.shape[2]
    size = prefix.shape[1]
    for row in range(height):
        for j in range(margin + 1):
            prefix[row, j] = 0
    first = 0
    while first + 4 <= height:
        a = prefix[first, 0]
        b = a
        c = a
        d = a
        for col in range(width):
            a += frames[t, first, col]
            b += frames[t, first + 1, col]
            c += frames[t, first + 2, col]
            d += frames[t, first + 3, col]
            prefix[first, margin + 1 + col] = a
            prefix[first + 1, margin + 1 + col] = b
            prefix[first + 2, margin + 1 + col] = c
            prefix[first + 3, margin + 1 + col] = d
        first += 4
    for row in range(first, height):
        running = prefix[row, 0]
        for col in range(width):
            running += frames[t, row, col]
            prefix[row, margin + 1 + col] = running
    for row in range(height):
        total = prefix[row, margin + width]
        for j in range(margin + 1 + width, size):
            prefix[row, j] = total


def _row_prefix_nan(frames, t, prefix, margin, kind):
    height, width = frames.shape[1], frames.shape[2]
    for row in range(height):
        running = 0.0
        for j in range(margin + 1):
            prefix[row, j] = 0.0
        for col in range(width):
            running += _indicator_jit(frames[t, row, col], kind)
            prefix[row, margin + 1 + col] = running
        for j in range(margin + 1 + width, prefix.shape[1]):
            prefix[row, j] = running


def _profile_sums(prefix, margin, row_offsets, col_starts, col_stops, need_row, sums):
    """``sums[r, c]``: the window at ``(r, c)`` from the row prefixes, one difference per window row."""
    height, width = sums.shape
    for row in range(height):
        if not need_row[row]:
            continue
        for col in range(width):
            sums[row, col] = 0
        for k in range(len(row_offsets)):
            source = row + row_offsets[k]
            if source < 0 or source >= height:
                continue
            high = margin + col_stops[k]
            low = margin + col_starts[k]
            for col in range(width):
                sums[row, col] += prefix[source, high + col] - prefix[source, low + col]


def _profile_kernel(frames, row_offsets, col_starts, col_stops, centre_rows, centre_cols, counts, need_row,
                    accumulator, check, out):
    """Windows of any shape (row offsets ``row_offsets``, each spanning ``col_starts <= dc < col_stops``)."""
    height, width = frames.shape[1], frames.shape[2]
    margin = 1
    for k in range(len(col_starts)):
        margin = max(margin, -col_starts[k] + 1, col_stops[k] + 1)
    prefix = np.empty((height, width + 2 * margin + 1), accumulator.dtype)
    sums = np.empty((height, width), accumulator.dtype)
    nan_sums = np.empty((0, 0, 0))
    nan_prefix = np.empty((0, 0))
    for t in range(frames.shape[0]):
        _row_prefix_jit(frames, t, prefix, margin)
        clean = True
        if check:  # a NaN or inf anywhere shows in its row's total
            for row in range(height):
                if not math.isfinite(prefix[row, margin + width]):
                    clean = False
        if clean:
            _profile_sums_jit(prefix, margin, row_offsets, col_starts, col_stops, need_row, sums)
            for i in range(len(centre_rows)):
                out[t, i] = sums[centre_rows[i], centre_cols[i]] / counts[i]
            continue
        if nan_sums.shape[0] == 0:
            nan_sums = np.empty((4, height, width))
            nan_prefix = np.empty((height, width + 2 * margin + 1))
        for kind in range(4):
            _row_prefix_nan_jit(frames, t, nan_prefix, margin, kind)
            _profile_sums_jit(nan_prefix, margin, row_offsets, col_starts, col_stops, need_row, nan_sums[kind])
        for i in range(len(centre_rows)):
            r, c = centre_rows[i], centre_cols[i]
            out[t, i] = _nan_aware_mean_jit(nan_sums[0, r, c], nan_sums[1, r, c], nan_sums[2, r, c],
                                            nan_sums[3, r, c])


# --- compilation ------------------------------------------------------------------------------------

_HELPERS = ("_nan_aware_mean", "_region_nan_aware", "_indicator", "_column_cumsum", "_column_cumsum_nan",
            "_box_sums", "_row_prefix", "_row_prefix_nan", "_profile_sums")
KERNELS = {"runs": "_runs_kernel", "box": "_box_kernel", "profile": "_profile_kernel"}
_compiled = {}


def kernel(name):
    """The compiled kernel ``name`` (``'runs'``, ``'box'`` or ``'profile'``), compiling on first use.

    numba is imported here, not at module import. Kernels release the GIL, so
    the engine's threads run them in parallel; they are cached on disk.
    """
    if not _compiled:
        import numba

        options = dict(cache=True, nogil=True, error_model="numpy")
        namespace = globals()
        for helper in _HELPERS:  # helpers first: the kernels call them by these names
            namespace[helper + "_jit"] = numba.njit(**options)(namespace[helper])
        for kernel_name, function in KERNELS.items():
            _compiled[kernel_name] = numba.njit(**options)(namespace[function])
    return _compiled[name]
