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


def _divide_row(sums, counts, out):
    for col in range(len(out)):
        out[col] = sums[col] / counts[col]


def _column_cumsum(frames, t, cumulative):
    """``cumulative[r + 1, c] = cumulative[r, c] + frames[t, r, c]``, vectorised along the row."""
    height, width = frames.shape[1], frames.shape[2]
    for col in range(width):
        cumulative[0, col] = 0
    for row in range(height):
        above, below, line = cumulative[row], cumulative[row + 1], frames[t, row]
        for col in range(width):
            below[col] = above[col] + line[col]


def _column_cumsum_nan(frames, t, cumulative, kind):
    height, width = frames.shape[1], frames.shape[2]
    for col in range(width):
        cumulative[0, col] = 0.0
    for row in range(height):
        for col in range(width):
            cumulative[row + 1, col] = cumulative[row, col] + _indicator_jit(frames[t, row, col], kind)


def _box_row(frames, t, cumulative, row, low, high, col_start, col_stop, padded, row_sums, direct_rows):
    """``row_sums[c]``: the clipped window at ``(row, c)`` for every column ``c``.

    Window rows ``low ... high - 1`` are added down the columns (directly when few, else as a
    difference of ``cumulative`` rows), into ``padded``, which has zeros on each side so windows
    running off the frame need no clipping; then along the row (directly when narrow, else as a
    running sum that adds the column entering the window and drops the one leaving it)."""
    # Inner loops run over slice views: indices that numba knows are non-negative vectorise.
    width = len(row_sums)
    margin = (len(padded) - width) // 2
    middle = padded[margin : margin + width]
    if direct_rows and high - low <= 8:
        line = frames[t, low]
        for col in range(width):
            middle[col] = line[col]
        for source in range(low + 1, high):
            line = frames[t, source]
            for col in range(width):
                middle[col] += line[col]
    else:
        top, bottom = cumulative[low], cumulative[high]
        for col in range(width):
            middle[col] = bottom[col] - top[col]
    if col_stop - col_start <= 8:
        shifted = padded[margin + col_start : margin + col_start + width]
        for col in range(width):
            row_sums[col] = shifted[col]
        for offset in range(col_start + 1, col_stop):
            shifted = padded[margin + offset : margin + offset + width]
            for col in range(width):
                row_sums[col] += shifted[col]
    else:
        running = padded[0]
        for offset in range(col_start, col_stop):
            running += padded[margin + offset]
        row_sums[0] = running
        entering = padded[margin + col_stop : margin + col_stop + width - 1]
        leaving = padded[margin + col_start : margin + col_start + width - 1]
        for col in range(width - 1):
            running += entering[col] - leaving[col]
            row_sums[col + 1] = running


def _box_kernel(frames, row_start, row_stop, col_start, col_stop, centre_rows, centre_cols, counts, need_row,
                identity, accumulator, check, out):
    """Rect windows (rows ``row_start <= dr < row_stop``, columns ``col_start <= dc < col_stop``
    around each centre) in every frame of the block. ``identity``: the centres are every pixel
    in order, so each row of sums goes straight into ``out``."""
    height, width = frames.shape[1], frames.shape[2]
    margin = max(-col_start, col_stop, 0) + 1
    tall = row_stop - row_start > 8
    cumulative = np.empty((height + 1 if tall else 0, width), accumulator.dtype)
    padded = np.zeros(width + 2 * margin, accumulator.dtype)
    sums = np.empty((height, width), accumulator.dtype)
    nan_sums = np.empty((0, 0, 0))
    nan_cumulative = np.empty((0, 0))
    nan_padded = np.empty(0)
    for t in range(frames.shape[0]):
        if tall:
            _column_cumsum_jit(frames, t, cumulative)
        bad = 0
        for row in range(height):
            if not need_row[row]:
                continue
            low, high = max(row + row_start, 0), min(row + row_stop, height)
            _box_row_jit(frames, t, cumulative, row, low, high, col_start, col_stop, padded, sums[row], True)
            if check:  # NaN or inf in a window shows in its sum
                for col in range(width):
                    bad += sums[row, col] - sums[row, col] != 0
        if bad == 0:
            if identity:
                for row in range(height):
                    _divide_row_jit(sums[row], counts[row * width : (row + 1) * width],
                                    out[t, row * width : (row + 1) * width])
            else:
                for i in range(len(centre_rows)):
                    out[t, i] = sums[centre_rows[i], centre_cols[i]] / counts[i]
            continue
        if nan_sums.shape[0] == 0:
            nan_sums = np.empty((4, height, width))
            nan_cumulative = np.empty((height + 1, width))
            nan_padded = np.zeros(width + 2 * margin)
        for kind in range(4):
            _column_cumsum_nan_jit(frames, t, nan_cumulative, kind)
            for row in range(height):
                if need_row[row]:
                    low, high = max(row + row_start, 0), min(row + row_stop, height)
                    _box_row_jit(frames, t, nan_cumulative, row, low, high, col_start, col_stop, nan_padded,
                                 nan_sums[kind, row], False)
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
        line_a, line_b, line_c, line_d = frames[t, first], frames[t, first + 1], frames[t, first + 2], frames[t, first + 3]
        out_a = prefix[first, margin + 1 : margin + 1 + width]
        out_b = prefix[first + 1, margin + 1 : margin + 1 + width]
        out_c = prefix[first + 2, margin + 1 : margin + 1 + width]
        out_d = prefix[first + 3, margin + 1 : margin + 1 + width]
        for col in range(width):
            a += line_a[col]
            b += line_b[col]
            c += line_c[col]
            d += line_d[col]
            out_a[col] = a
            out_b[col] = b
            out_c[col] = c
            out_d[col] = d
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


def _profile_row(prefix, margin, row, row_offsets, col_starts, col_stops, row_sums):
    """``row_sums[c]``: the window at ``(row, c)`` from the row prefixes, one difference per window row."""
    height, width = prefix.shape[0], len(row_sums)
    for col in range(width):
        row_sums[col] = 0
    for k in range(len(row_offsets)):
        source = row + row_offsets[k]
        if source < 0 or source >= height:
            continue
        high = prefix[source, margin + col_stops[k] : margin + col_stops[k] + width]
        low = prefix[source, margin + col_starts[k] : margin + col_starts[k] + width]
        for col in range(width):
            row_sums[col] += high[col] - low[col]


def _profile_kernel(frames, row_offsets, col_starts, col_stops, centre_rows, centre_cols, counts, need_row,
                    identity, accumulator, check, out):
    """Windows of any shape (row offsets ``row_offsets``, each spanning ``col_starts <= dc < col_stops``).
    ``identity``: the centres are every pixel in order, so sums go straight into ``out``."""
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
            for row in range(height):
                if need_row[row]:
                    _profile_row_jit(prefix, margin, row, row_offsets, col_starts, col_stops, sums[row])
                    if identity:
                        _divide_row_jit(sums[row], counts[row * width : (row + 1) * width],
                                        out[t, row * width : (row + 1) * width])
            if not identity:
                for i in range(len(centre_rows)):
                    out[t, i] = sums[centre_rows[i], centre_cols[i]] / counts[i]
            continue
        if nan_sums.shape[0] == 0:
            nan_sums = np.empty((4, height, width))
            nan_prefix = np.empty((height, width + 2 * margin + 1))
        for kind in range(4):
            _row_prefix_nan_jit(frames, t, nan_prefix, margin, kind)
            for row in range(height):
                if need_row[row]:
                    _profile_row_jit(nan_prefix, margin, row, row_offsets, col_starts, col_stops,
                                     nan_sums[kind, row])
        for i in range(len(centre_rows)):
            r, c = centre_rows[i], centre_cols[i]
            out[t, i] = _nan_aware_mean_jit(nan_sums[0, r, c], nan_sums[1, r, c], nan_sums[2, r, c],
                                            nan_sums[3, r, c])


# --- compilation ------------------------------------------------------------------------------------

_HELPERS = ("_nan_aware_mean", "_divide_row", "_region_nan_aware", "_indicator", "_column_cumsum", "_column_cumsum_nan",
            "_box_row", "_row_prefix", "_row_prefix_nan", "_profile_row")
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
        for helper in _HELPERS:  # helpers first: the kernels call them by these names, inlined
            namespace[helper + "_jit"] = numba.njit(inline="always", **options)(namespace[helper])
        for kernel_name, function in KERNELS.items():
            _compiled[kernel_name] = numba.njit(**options)(namespace[function])
    return _compiled[name]
