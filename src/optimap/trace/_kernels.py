"""Compiled kernels: the traces of one in-memory block of frames.

Every kernel reads a block ``frames`` ``(b, H, W)`` (any strides, any integer
or float dtype numba handles; a gathered block of pixels is ``(b, 1, P)``) and
writes the means into ``out`` ``(b, N)``. Which kernel runs, with which
accumulator, is decided once by :mod:`._plan`; the kernels only execute.

* ``runs``: the boxes of all regions (a window's rows grouped, a mask's
  horizontal runs) in memory order, whatever region each belongs to, summed
  pixel by pixel into their regions' sums, eight frames at a time (eight
  independent sums, so the loads of eight frames are in flight together, each
  frame read about front to back). The cost is the footprint's pixels. Few
  positions, masks, label images, weights.
* ``box``: rect windows at many centres, four rows of the frame at a time:
  sums down the columns (direct for short windows, else one running sum per
  column that adds the row entering the window and drops the one leaving it),
  then along the rows (shifted adds for narrow windows, else four interleaved
  running sums), about three loops a row. A handful of operations per pixel
  whatever the size; with every pixel as a centre the means go straight into
  ``out``.
* ``profile``: any window shape (disc) at many centres. Prefix sums along
  every row (four rows interleaved), then one difference of two prefix values
  per window row, four window rows per pass.

Each kernel allocates its scratch arrays and hands them to a frame loop
compiled without numba's reference counting (see :mod:`optimap._jit`): numba
counts references to every array view with atomic operations, which in the
loops over rows would cost more than the arithmetic.

Sums run in the dtype of the plan's ``accumulator`` (a 1-element zero array):
int32 for small integers while a window's sum fits (exact, and twice the
lanes of int64), int64 for other integers (exact), float64 for floats. A mean
that ends as float64 (integer and float64 videos) is one division, the
correctly rounded quotient, so a constant's mean is the constant; float32
means multiply by the plan's reciprocal counts (``scales``), whose error of
an ulp of float64 the rounding to float32 removes. Frames (or regions)
holding NaN or inf are redone NaN-aware, so a clean block pays only a
finiteness check: NaN pixels are left out, ``+inf`` with finite values gives
``+inf``, ``+inf`` with ``-inf`` gives NaN, no valid pixel gives NaN.

numba is imported on the first call (see :mod:`optimap._jit`); the compiled
code is cached on disk, so later processes only load it.

Why one module of some 750 lines: numba resolves the helpers a kernel calls by
name in the kernel's own module, where :class:`~optimap._jit.LazyKernels`
rebinds them to their compiled versions; kernels split over several modules
would each need every helper rebound in their namespace. The sections below
(NaN and inf, runs, dense rows, box, profile, compilation, the numpy path)
are the module's parts.
"""

import math

import numpy as np

from .._jit import LazyKernels

# fmt: off
# (The kernels take many arrays each: their calls stay packed at the project's width, a line or two,
# rather than the formatter's one argument per line, which would double the module's length.)

# Windows up to this many rows are summed down the columns directly, taller ones with running sums.
DIRECT_ROWS = 4
# Windows up to this many columns are summed along the rows with shifted adds, wider ones with running sums.
DIRECT_COLS = 4


# --- NaN and inf -----------------------------------------------------------------------------------------------


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


# --- runs ------------------------------------------------------------------------------------------------------


def _region_nan_aware(frames, t, first, last, boxes, weights):
    """The NaN-aware mean of the region made of ``boxes[first:last]`` in frame ``t``."""
    total = 0.0
    valid = 0.0
    positive = 0
    negative = 0
    for k in range(first, last):
        weight = weights[k] if len(weights) else 1.0
        for row in range(boxes[k, 0], boxes[k, 1]):
            for col in range(boxes[k, 2], boxes[k, 3]):
                value = float(frames[t, row, col])
                if math.isfinite(value):
                    total += weight * value
                    valid += weight
                elif value > 0:
                    positive += 1
                elif value < 0:
                    negative += 1
    return _nan_aware_mean(total, valid, positive, negative)


def _store_mean(frames, t, i, first, last, boxes, weights, mean, check, out):
    """``out[t, i] = mean``, redone NaN-aware when it is not finite (floats only)."""
    if check and not math.isfinite(mean):
        mean = _region_nan_aware(frames, t, first, last, boxes, weights)
    out[t, i] = mean


def _runs_eight(frames, t, ordered, ordered_weights, sums, weighted_sums):
    """Sums of frames ``t ... t + 7`` into ``sums[i, 0:8]`` (or ``weighted_sums``) of each box's region.

    The boxes come sorted by where they start in memory, so each frame is read about front to back,
    a stream the prefetcher can follow, and each pixel is read in all eight frames before the next
    one: eight independent sums keep many loads in flight (the frames are far apart in memory)."""
    zero = sums[0, 0] - sums[0, 0]
    weighted = len(ordered_weights) > 0
    for k in range(len(ordered)):
        start, stop, i = ordered[k, 2], ordered[k, 3], ordered[k, 4]
        p0 = p1 = p2 = p3 = p4 = p5 = p6 = p7 = zero
        for row in range(ordered[k, 0], ordered[k, 1]):
            for col in range(start, stop):
                p0 += frames[t, row, col]
                p1 += frames[t + 1, row, col]
                p2 += frames[t + 2, row, col]
                p3 += frames[t + 3, row, col]
                p4 += frames[t + 4, row, col]
                p5 += frames[t + 5, row, col]
                p6 += frames[t + 6, row, col]
                p7 += frames[t + 7, row, col]
        if weighted:
            weight = ordered_weights[k]
            weighted_sums[i, 0] += weight * p0
            weighted_sums[i, 1] += weight * p1
            weighted_sums[i, 2] += weight * p2
            weighted_sums[i, 3] += weight * p3
            weighted_sums[i, 4] += weight * p4
            weighted_sums[i, 5] += weight * p5
            weighted_sums[i, 6] += weight * p6
            weighted_sums[i, 7] += weight * p7
        else:
            sums[i, 0] += p0
            sums[i, 1] += p1
            sums[i, 2] += p2
            sums[i, 3] += p3
            sums[i, 4] += p4
            sums[i, 5] += p5
            sums[i, 6] += p6
            sums[i, 7] += p7


def _runs_one(frames, t, ordered, ordered_weights, sums, weighted_sums):
    """Sums of frame ``t`` alone (the last frames of a block) into ``sums[i, 0]`` (or ``weighted_sums``)."""
    zero = sums[0, 0] - sums[0, 0]
    weighted = len(ordered_weights) > 0
    for k in range(len(ordered)):
        part = zero
        for row in range(ordered[k, 0], ordered[k, 1]):
            for col in range(ordered[k, 2], ordered[k, 3]):
                part += frames[t, row, col]
        i = ordered[k, 4]
        if weighted:
            weighted_sums[i, 0] += ordered_weights[k] * part
        else:
            sums[i, 0] += part


def _runs_kernel(frames, region_starts, boxes, weights, totals, ordered, ordered_weights, accumulator, check, out):
    """``out[t, i]``: the weighted mean of region ``i`` in frame ``t``.

    ``ordered`` is ``(B, 5)``: first row, stop row, first column, stop column
    and region of each box of pixels (a window's rows grouped, or a horizontal
    run of a mask), sorted by where the boxes start in memory (a few are left
    in region order, see :mod:`._plan`); ``ordered_weights`` per box (empty:
    all 1, summed exactly in the accumulator's dtype); ``totals`` the regions'
    weight totals. ``boxes`` ``(B, 4)`` lists the same boxes region by region,
    region ``i`` as ``boxes[region_starts[i]:region_starts[i + 1]]`` with
    ``weights`` per box, for a mean redone NaN-aware.
    """
    n_regions = max(len(region_starts) - 1, 1)
    weighted = len(ordered_weights) > 0
    sums = np.zeros((1 if weighted else n_regions, 8), dtype=accumulator.dtype)  # exact sums, unweighted
    weighted_sums = np.zeros((n_regions if weighted else 1, 8))
    _runs_frames(frames, region_starts, boxes, weights, totals, ordered, ordered_weights, check, sums, weighted_sums,
                 out)


def _runs_frames(frames, region_starts, boxes, weights, totals, ordered, ordered_weights, check, sums, weighted_sums,
                 out):
    """The frame loop of :func:`_runs_kernel` (compiled without reference counting): eight frames at a
    time, then one at a time; each group's sums start at zero and end as means in ``out``."""
    n_frames = frames.shape[0]
    weighted = len(ordered_weights) > 0
    zero = sums[0, 0] - sums[0, 0]
    t = 0
    while t < n_frames:
        group = 8 if t + 8 <= n_frames else 1
        if weighted:  # only the sums this footprint uses: the other array is a dummy row
            weighted_sums[:, :group] = 0.0
        else:
            sums[:, :group] = zero
        if group == 8:
            _runs_eight(frames, t, ordered, ordered_weights, sums, weighted_sums)
        else:
            _runs_one(frames, t, ordered, ordered_weights, sums, weighted_sums)
        for i in range(len(region_starts) - 1):
            first, last = region_starts[i], region_starts[i + 1]
            for j in range(group):
                total = weighted_sums[i, j] if weighted else sums[i, j]
                _store_mean(frames, t + j, i, first, last, boxes, weights, total / totals[i], check, out)
        t += group


# --- means of dense window sums (box and profile) ------------------------------------------------------------------


def _finish_row(sums, j, counts, scales, check, out, t, base):
    """``out[t, base + c]``: the mean of the window sum ``sums[j, c]`` of pixel ``base + c``; returns
    how many sums are not finite (only counted when ``check``). With ``scales``, multiply by the
    reciprocal count (float32 means), else divide (float64 means: one rounding)."""
    width = sums.shape[1]
    row = sums[j]
    dest = out[t, base : base + width]
    bad = 0
    if len(scales):
        scale = scales[base : base + width]
        if check:
            for col in range(width):
                total = row[col]
                dest[col] = total * scale[col]
                bad += total - total != 0
        else:
            for col in range(width):
                dest[col] = row[col] * scale[col]
    else:
        count = counts[base : base + width]
        if check:
            for col in range(width):
                total = row[col]
                dest[col] = total / count[col]
                bad += total - total != 0
        else:
            for col in range(width):
                dest[col] = row[col] / count[col]
    return bad


def _finish_centres(sums, centre_rows, centre_cols, counts, scales, check, out, t):
    """``out[t, i]``: the mean of the window sum at centre ``i`` (any centres); returns how many are
    not finite (only counted when ``check``)."""
    bad = 0
    for i in range(len(centre_rows)):
        total = sums[centre_rows[i], centre_cols[i]]
        mean = total * scales[i] if len(scales) else total / counts[i]
        if check and not math.isfinite(mean):
            bad += 1
        out[t, i] = mean
    return bad


def _finish_nan_aware(nan_sums, centre_rows, centre_cols, out, t):
    for i in range(len(centre_rows)):
        r, c = centre_rows[i], centre_cols[i]
        out[t, i] = _nan_aware_mean(nan_sums[0, r, c], nan_sums[1, r, c], nan_sums[2, r, c], nan_sums[3, r, c])


def _indicator_frame(frames, t, kind, target):
    """``target[0]``: the indicator ``kind`` (see :func:`_indicator`) of every pixel of frame ``t``."""
    for row in range(target.shape[1]):
        for col in range(target.shape[2]):
            target[0, row, col] = _indicator(frames[t, row, col], kind)


# --- box (rect windows) ------------------------------------------------------------------------------------------
#
# A frame is processed row by row with about three loops a row (each loop has a fixed cost that
# matters at these widths, so the sums are fused into as few as possible): the window's column sums
# into ``padded[j]`` (between zero margins, so windows running off the frame need no clipping), the
# sums along the row into ``group[j]``, then the means.


def _box_vertical(frames, t, row, top, bottom, tall, zero, colsum, padded, j, margin):
    """``padded[j, margin:margin + W]``: the column sums of the window rows of centre row ``row``
    (clipped to the frame), in the accumulator's type (``zero``).

    Short windows add their rows in one loop. Tall ones keep ``colsum`` running
    down the frame (it must hold the previous row's sums): add the row entering
    the window, drop the one leaving it, so the cost does not grow with the size."""
    height, width = frames.shape[1], frames.shape[2]
    mid = padded[j, margin : margin + width]
    if tall:
        enter, leave = row + bottom - 1, row + top - 1
        if enter < height and leave >= 0:
            line_in, line_out = frames[t, enter], frames[t, leave]
            for col in range(width):
                total = colsum[col] + line_in[col] - line_out[col]
                colsum[col] = total
                mid[col] = total
        elif enter < height:
            line_in = frames[t, enter]
            for col in range(width):
                total = colsum[col] + line_in[col]
                colsum[col] = total
                mid[col] = total
        elif leave >= 0:
            line_out = frames[t, leave]
            for col in range(width):
                total = colsum[col] - line_out[col]
                colsum[col] = total
                mid[col] = total
        else:
            for col in range(width):
                mid[col] = colsum[col]
        return
    low, high = max(row + top, 0), min(row + bottom, height)
    a = frames[t, low]
    if high - low == 1:
        for col in range(width):
            mid[col] = zero + a[col]
    elif high - low == 2:
        b = frames[t, low + 1]
        for col in range(width):
            mid[col] = zero + a[col] + b[col]
    elif high - low == 3:
        b, c = frames[t, low + 1], frames[t, low + 2]
        for col in range(width):
            mid[col] = zero + a[col] + b[col] + c[col]
    else:
        b, c, d = frames[t, low + 1], frames[t, low + 2], frames[t, low + 3]
        for col in range(width):
            mid[col] = zero + a[col] + b[col] + c[col] + d[col]


def _box_start(frames, t, top, bottom, tall, colsum):
    """Running column sums before row 0: the rows a window centred on row -1 holds."""
    if not tall:
        return
    width = len(colsum)
    for col in range(width):
        colsum[col] = 0
    for row in range(min(bottom - 1, frames.shape[1])):
        line = frames[t, row]
        for col in range(width):
            colsum[col] += line[col]


def _box_narrow(padded, j, margin, left, right, sums, k):
    """``sums[k, c]``: ``padded[j]`` (column sums between zero margins) summed over the window's
    columns around ``c``, for windows up to DIRECT_COLS wide: one loop of shifted adds."""
    width = sums.shape[1]
    out = sums[k]
    first = margin + left
    a = padded[j, first : first + width]
    if right - left == 1:
        for col in range(width):
            out[col] = a[col]
    elif right - left == 2:
        b = padded[j, first + 1 : first + 1 + width]
        for col in range(width):
            out[col] = a[col] + b[col]
    elif right - left == 3:
        b = padded[j, first + 1 : first + 1 + width]
        c = padded[j, first + 2 : first + 2 + width]
        for col in range(width):
            out[col] = a[col] + b[col] + c[col]
    else:
        b = padded[j, first + 1 : first + 1 + width]
        c = padded[j, first + 2 : first + 2 + width]
        d = padded[j, first + 3 : first + 3 + width]
        for col in range(width):
            out[col] = a[col] + b[col] + c[col] + d[col]


def _box_wide(padded, n_rows, margin, left, right, sums):
    """``sums[j, c]``: ``padded[j]`` summed over the window's columns around ``c`` for the first
    ``n_rows`` rows, as running sums (add the column entering the window, drop the one leaving),
    four rows interleaved so that their additions overlap."""
    width = sums.shape[1]
    for j in range(n_rows):  # the window at column 0 (padded[j, 0] is in the zero margin)
        running = padded[j, 0]
        for offset in range(left, right):
            running += padded[j, margin + offset]
        sums[j, 0] = running
    if n_rows == 4:
        a, b, c, d = sums[0, 0], sums[1, 0], sums[2, 0], sums[3, 0]
        enter_a = padded[0, margin + right : margin + right + width - 1]
        enter_b = padded[1, margin + right : margin + right + width - 1]
        enter_c = padded[2, margin + right : margin + right + width - 1]
        enter_d = padded[3, margin + right : margin + right + width - 1]
        leave_a = padded[0, margin + left : margin + left + width - 1]
        leave_b = padded[1, margin + left : margin + left + width - 1]
        leave_c = padded[2, margin + left : margin + left + width - 1]
        leave_d = padded[3, margin + left : margin + left + width - 1]
        out_a, out_b, out_c, out_d = sums[0, 1:], sums[1, 1:], sums[2, 1:], sums[3, 1:]
        for col in range(width - 1):
            a += enter_a[col] - leave_a[col]
            b += enter_b[col] - leave_b[col]
            c += enter_c[col] - leave_c[col]
            d += enter_d[col] - leave_d[col]
            out_a[col] = a
            out_b[col] = b
            out_c[col] = c
            out_d[col] = d
        return
    for j in range(n_rows):
        running = sums[j, 0]
        enter = padded[j, margin + right : margin + right + width - 1]
        leave = padded[j, margin + left : margin + left + width - 1]
        out = sums[j, 1:]
        for col in range(width - 1):
            running += enter[col] - leave[col]
            out[col] = running


def _box_frame(frames, t, top, bottom, left, right, margin, need_row, every, zero, colsum, padded, group, counts,
               scales, check, out, sums):
    """Window sums of frame ``t``. With ``every`` (every pixel a centre, in order) they become means
    in ``out[t]`` at once and the count of non-finite sums is returned; else they go to ``sums[r]``
    for every needed row ``r``. Four rows at a time (wide windows interleave their running sums)."""
    height, width = frames.shape[1], frames.shape[2]
    tall, wide = bottom - top > DIRECT_ROWS, right - left > DIRECT_COLS
    _box_start(frames, t, top, bottom, tall, colsum)
    bad = 0
    for first in range(0, height, 4):
        n_rows = min(4, height - first)
        needed = every
        for j in range(n_rows):
            needed = needed or need_row[first + j]
        if not needed and not tall:
            continue
        for j in range(n_rows):
            _box_vertical(frames, t, first + j, top, bottom, tall, zero, colsum, padded, j, margin)
        if not needed:
            continue
        if wide:
            _box_wide(padded, n_rows, margin, left, right, group)
        for j in range(n_rows):
            row = first + j
            if every:
                if not wide:
                    _box_narrow(padded, j, margin, left, right, group, j)
                bad += _finish_row(group, j, counts, scales, check, out, t, row * width)
            elif need_row[row]:
                if wide:
                    target, source = sums[row], group[j]
                    for col in range(width):
                        target[col] = source[col]
                else:
                    _box_narrow(padded, j, margin, left, right, sums, row)
    return bad


def _box_kernel(frames, top, bottom, left, right, centre_rows, centre_cols, counts, scales, need_row, identity,
                accumulator, check, out):
    """Rect windows (rows ``top <= dr < bottom``, columns ``left <= dc < right`` around each
    centre, clipped) in every frame of the block. ``identity``: the centres are every pixel in
    order, so means go straight into ``out``."""
    n_frames, height, width = frames.shape
    margin = max(-left, right, 0) + 1
    dtype = accumulator.dtype
    zero = accumulator[0]
    colsum = np.zeros(width, dtype)
    padded = np.zeros((4, width + 2 * margin), dtype)
    group = np.empty((4, width), dtype)
    sums = np.empty((0, 0), dtype) if identity else np.empty((height, width), dtype)
    nan_sums, nan_frame = np.empty((4, 0, 0)), np.empty((1, 0, 0))  # the NaN-aware redo's, on its first frame
    nan_colsum = np.zeros(width)
    nan_padded = np.zeros((4, width + 2 * margin))
    nan_group = np.empty((4, width))
    t = 0
    while t < n_frames:
        t = _box_frames(frames, t, top, bottom, left, right, margin, centre_rows, centre_cols, counts, scales,
                            need_row, identity, zero, check, colsum, padded, group, sums, out)
        if t == n_frames:
            break
        if nan_sums.shape[1] == 0:
            nan_sums, nan_frame = np.empty((4, height, width)), np.empty((1, height, width))
        _box_nan_aware(frames, t, top, bottom, left, right, margin, centre_rows, centre_cols, counts, scales,
                           need_row, nan_sums, nan_frame, nan_colsum, nan_padded, nan_group, out)
        t += 1


def _box_frames(frames, start, top, bottom, left, right, margin, centre_rows, centre_cols, counts, scales, need_row,
                identity, zero, check, colsum, padded, group, sums, out):
    """The frame loop of :func:`_box_kernel` from frame ``start`` on (compiled without reference
    counting, so its scratch arrays come from the kernel). Returns the first frame whose sums were
    not finite (to be redone NaN-aware), or the number of frames."""
    n_frames = frames.shape[0]
    for t in range(start, n_frames):
        bad = _box_frame(frames, t, top, bottom, left, right, margin, need_row, identity, zero, colsum, padded,
                             group, counts, scales, check, out, sums)
        if not identity:
            bad = _finish_centres(sums, centre_rows, centre_cols, counts, scales, check, out, t)
        if bad:
            return t
    return n_frames


def _box_nan_aware(frames, t, top, bottom, left, right, margin, centre_rows, centre_cols, counts, scales, need_row,
                   nan_sums, nan_frame, nan_colsum, nan_padded, nan_group, out):
    """Frame ``t`` again, NaN-aware: the four indicator sums (see :func:`_indicator`) of every
    window, then IEEE's mean."""
    for kind in range(4):
        _indicator_frame(frames, t, kind, nan_frame)
        _box_frame(nan_frame, 0, top, bottom, left, right, margin, need_row, False, 0.0, nan_colsum,
                       nan_padded, nan_group, counts, scales, False, out, nan_sums[kind])
    _finish_nan_aware(nan_sums, centre_rows, centre_cols, out, t)


# --- profile (any window shape) ----------------------------------------------------------------------------------


def _row_prefix(frames, t, prefix, margin):
    """Cumulative sums along every row of frame ``t`` into ``prefix[r, margin + 1 + c]`` (zeros
    before the row, its total after it). Four rows at a time: their additions are independent, so
    they overlap."""
    height, width = frames.shape[1], frames.shape[2]
    size = prefix.shape[1]
    first = 0
    while first + 4 <= height:
        a = prefix[first, 0]
        b = a
        c = a
        d = a
        line_a, line_b = frames[t, first], frames[t, first + 1]
        line_c, line_d = frames[t, first + 2], frames[t, first + 3]
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
        line, out = frames[t, row], prefix[row, margin + 1 : margin + 1 + width]
        for col in range(width):
            running += line[col]
            out[col] = running
    for row in range(height):
        total = prefix[row, margin + width]
        tail = prefix[row, margin + 1 + width : size]
        for j in range(len(tail)):
            tail[j] = total


def _profile_pass(prefix, margin, rows, starts, stops, n, assign, sums, k):
    """``sums[k, c]`` (``=`` when ``assign``, else ``+=``) the sum over ``n`` (1, 2 or 4) window rows of
    ``prefix[rows[i], margin + stops[i] + c] - prefix[rows[i], margin + starts[i] + c]``: one loop."""
    width = sums.shape[1]
    out = sums[k]
    ha = prefix[rows[0], margin + stops[0] : margin + stops[0] + width]
    la = prefix[rows[0], margin + starts[0] : margin + starts[0] + width]
    if n == 1:
        if assign:
            for col in range(width):
                out[col] = ha[col] - la[col]
        else:
            for col in range(width):
                out[col] += ha[col] - la[col]
        return
    hb = prefix[rows[1], margin + stops[1] : margin + stops[1] + width]
    lb = prefix[rows[1], margin + starts[1] : margin + starts[1] + width]
    if n == 2:
        if assign:
            for col in range(width):
                out[col] = (ha[col] - la[col]) + (hb[col] - lb[col])
        else:
            for col in range(width):
                out[col] += (ha[col] - la[col]) + (hb[col] - lb[col])
        return
    hc = prefix[rows[2], margin + stops[2] : margin + stops[2] + width]
    lc = prefix[rows[2], margin + starts[2] : margin + starts[2] + width]
    hd = prefix[rows[3], margin + stops[3] : margin + stops[3] + width]
    ld = prefix[rows[3], margin + starts[3] : margin + starts[3] + width]
    if assign:
        for col in range(width):
            out[col] = (ha[col] - la[col]) + (hb[col] - lb[col]) + ((hc[col] - lc[col]) + (hd[col] - ld[col]))
    else:
        for col in range(width):
            out[col] += (ha[col] - la[col]) + (hb[col] - lb[col]) + ((hc[col] - lc[col]) + (hd[col] - ld[col]))


def _profile_row(prefix, margin, row, row_offsets, col_starts, col_stops, chosen, sums, k):
    """``sums[k, c]``: the window at ``(row, c)`` from the row prefixes, one difference per window
    row inside the frame, four window rows per pass (``chosen`` is scratch ``(3, 4)``)."""
    height = prefix.shape[0]
    n = 0
    assign = True
    for i in range(len(row_offsets)):
        source = row + row_offsets[i]
        if source < 0 or source >= height:
            continue
        chosen[0, n], chosen[1, n], chosen[2, n] = source, col_starts[i], col_stops[i]
        n += 1
        if n == 4:
            _profile_pass(prefix, margin, chosen[0], chosen[1], chosen[2], 4, assign, sums, k)
            n = 0
            assign = False
    if n == 3:  # a fourth, empty row (starts == stops: exact zeros) rather than a loop of its own
        chosen[0, 3], chosen[1, 3], chosen[2, 3] = chosen[0, 0], 0, 0
        n = 4
    if n > 0:
        _profile_pass(prefix, margin, chosen[0], chosen[1], chosen[2], n, assign, sums, k)


def _profile_margin(col_starts, col_stops):
    margin = 1
    for k in range(len(col_starts)):
        margin = max(margin, -col_starts[k] + 1, col_stops[k] + 1)
    return margin


def _profile_kernel(frames, row_offsets, col_starts, col_stops, centre_rows, centre_cols, counts, scales, need_row,
                    identity, accumulator, check, out):
    """Windows of any shape (row offsets ``row_offsets``, each spanning ``col_starts <= dc < col_stops``).
    ``identity``: the centres are every pixel in order, so means go straight into ``out``."""
    n_frames, height, width = frames.shape
    margin = _profile_margin(col_starts, col_stops)
    prefix = np.zeros((height, width + 2 * margin + 1), accumulator.dtype)
    row_sums = np.empty((1, width), accumulator.dtype)
    sums = np.empty((0, 0), accumulator.dtype) if identity else np.empty((height, width), accumulator.dtype)
    nan_sums, nan_frame = np.empty((4, 0, 0)), np.empty((1, 0, 0))  # the NaN-aware redo's, on its first frame
    nan_prefix = np.zeros((0, 0))
    chosen = np.empty((3, 4), np.int64)
    t = 0
    while t < n_frames:
        t = _profile_frames(frames, t, row_offsets, col_starts, col_stops, margin, centre_rows, centre_cols,
                                counts, scales, need_row, identity, check, prefix, row_sums, sums, chosen, out)
        if t == n_frames:
            break
        if nan_sums.shape[1] == 0:
            nan_sums, nan_frame = np.empty((4, height, width)), np.empty((1, height, width))
            nan_prefix = np.zeros((height, width + 2 * margin + 1))
        _profile_nan_aware(frames, t, row_offsets, col_starts, col_stops, margin, centre_rows, centre_cols,
                               need_row, nan_sums, nan_frame, nan_prefix, chosen, out)
        t += 1


def _profile_frames(frames, start, row_offsets, col_starts, col_stops, margin, centre_rows, centre_cols, counts,
                    scales, need_row, identity, check, prefix, row_sums, sums, chosen, out):
    """The frame loop of :func:`_profile_kernel` from frame ``start`` on (compiled without
    reference counting, so its scratch arrays come from the kernel). Returns the first frame holding
    NaN or inf (to be redone NaN-aware), or the number of frames."""
    n_frames, height, width = frames.shape
    for t in range(start, n_frames):
        _row_prefix(frames, t, prefix, margin)
        if check:  # a NaN or inf anywhere shows in its row's total
            for row in range(height):
                if not math.isfinite(prefix[row, margin + width]):
                    return t
        if identity:
            for row in range(height):
                _profile_row(prefix, margin, row, row_offsets, col_starts, col_stops, chosen, row_sums, 0)
                _finish_row(row_sums, 0, counts, scales, False, out, t, row * width)
        else:
            for row in range(height):
                if need_row[row]:
                    _profile_row(prefix, margin, row, row_offsets, col_starts, col_stops, chosen, sums, row)
            _finish_centres(sums, centre_rows, centre_cols, counts, scales, False, out, t)
    return n_frames


def _profile_nan_aware(frames, t, row_offsets, col_starts, col_stops, margin, centre_rows, centre_cols, need_row,
                       nan_sums, nan_frame, nan_prefix, chosen, out):
    """Frame ``t`` again, NaN-aware: the four indicator sums (see :func:`_indicator`) of every
    window, then IEEE's mean."""
    height = nan_sums.shape[1]
    for kind in range(4):
        _indicator_frame(frames, t, kind, nan_frame)
        _row_prefix(nan_frame, 0, nan_prefix, margin)
        for row in range(height):
            if need_row[row]:
                _profile_row(nan_prefix, margin, row, row_offsets, col_starts, col_stops, chosen,
                                 nan_sums[kind], row)
    _finish_nan_aware(nan_sums, centre_rows, centre_cols, out, t)


# --- compilation ---------------------------------------------------------------------------------------------------

# Every helper is compiled on its own, without numba's reference counting (none allocates; see
# optimap._jit.LazyKernels): numba's own inlining would copy the big ones into every caller and
# multiply the compile time, and LLVM still inlines the small ones.
_HELPERS = ("_nan_aware_mean", "_indicator", "_region_nan_aware", "_store_mean", "_runs_eight", "_runs_one",
            "_runs_frames", "_finish_row", "_finish_centres", "_finish_nan_aware", "_indicator_frame",
            "_box_vertical", "_box_start", "_box_narrow", "_box_wide", "_box_frame", "_box_frames", "_box_nan_aware",
            "_row_prefix", "_profile_pass", "_profile_row", "_profile_margin", "_profile_frames",
            "_profile_nan_aware")
KERNELS = {"runs": "_runs_kernel", "box": "_box_kernel", "profile": "_profile_kernel"}
COMPILED = LazyKernels(globals(), KERNELS.values(), functions=_HELPERS)


def kernel(name):
    """The compiled kernel ``name`` (``'runs'``, ``'box'`` or ``'profile'``), compiling on first use.

    numba is imported here, not at module import. Kernels release the GIL, so
    the engine's threads run them in parallel; they are cached on disk.
    """
    return COMPILED[KERNELS[name]]


# --- numpy: little work, nothing to compile ------------------------------------------------------------------------


def direct_means(frames, boxes, totals, check, out):
    """``out[:, i]``: the mean of region ``i``'s boxes (``(r0, r1, c0, c1)``: rows ``r0:r1``, columns
    ``c0:c1``) in every frame, with numpy alone: the path for unweighted regions and windows in a
    process where no compiled code has run yet, while loading numba does not pay. Box sums are float64,
    exact for the integer and float32 videos this path gets (a sum's order then cannot change it),
    so the means equal the runs kernel's."""
    for i, region in enumerate(boxes):
        if not region:  # an empty region has no mean
            out[:, i] = np.nan
            continue
        sums = None
        for r0, r1, c0, c1 in region:
            part = np.einsum("tij->t", frames[:, r0:r1, c0:c1], dtype=np.float64)
            if sums is None:
                sums = part
            else:
                sums += part
        means = sums / totals[i]
        if check:
            bad = ~np.isfinite(means)
            if bad.any():
                values = np.concatenate([frames[bad, r0:r1, c0:c1].reshape(int(bad.sum()), -1)
                                         for r0, r1, c0, c1 in region], axis=1)
                means[bad] = nan_aware_means(values)
        out[:, i] = means


def nan_aware_means(values):
    """Row means of ``values`` ``(b, p)`` by IEEE's rules, without warnings (see :func:`_nan_aware_mean`)."""
    values = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(values)
    valid = finite.sum(axis=1)
    positive = (values == np.inf).sum(axis=1)
    negative = (values == -np.inf).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(finite, values, 0.0).sum(axis=1) / valid
    means[positive > 0] = np.inf
    means[negative > 0] = -np.inf
    means[(positive > 0) & (negative > 0)] = np.nan
    return means
