"""The trend kinds of seasonal's ``fit_trend``, for many traces at once.

The traces are the rows of a C-contiguous float64 array ``(N, T)``:

* the mean filter is a cumulative sum along the rows;
* the median filter is the fast 1-D median filter of ``scipy.ndimage`` over
  the rows laid end to end, of which only windows lying inside one row are kept;
* all traces with the same smoothing window share one B-spline basis and one
  banded least-squares solve with many right-hand sides (``spline``);
* the ends of the filtered trends are replaced by Theil-Sen lines over one
  smoothing window ("aglets"), and ``line`` is a Theil-Sen line through the
  median-filtered trace, flat where its 95% interval holds 0; the slopes are
  exact order statistics (:mod:`._theil_sen`).

:mod:`._detrend` checks the data and picks the windows; :mod:`._period`
estimates the period when none is given.
"""

import numpy as np

from ._theil_sen import count_slopes_at_most, groups, theil_sen_slope

# scipy's submodules are imported where they are used: scipy.ndimage, scipy.interpolate and
# scipy.linalg take a second or more to import between them, which a trend that needs none of
# them (or a command-line run) should not pay.

HUGE_WINDOW = 2**62 + 1  # stands for every window longer than any series
# The standard normal's 2.5% quantile, scipy.special.ndtri(0.025) to the last bit (a test checks it).
NORMAL_QUANTILE_2_5 = -1.9599639845400545


def smoothing_window(period, ptimes):
    """The odd smoothing window of seasonal: int(period * ptimes) // 2 * 2 - 1.

    Windows longer than any series (``period * ptimes`` of 2**62 or more, or
    overflowing to infinity) are all ``HUGE_WINDOW``, which no series passes.
    """
    product = period * ptimes
    if not product < HUGE_WINDOW:
        return HUGE_WINDOW
    return (int(product) // 2) * 2 - 1


def take(rows, idx):
    """rows[idx], without a copy when idx is every row in order."""
    if idx.size == rows.shape[0]:
        return rows
    return rows[idx]


def trend_by_window(rows, kind, windows):
    """Trends for rows with per-row windows: filters per window, Theil-Sen batched."""
    n = rows.shape[1]
    if kind == "line":
        lengths = n - windows + 1
        coarse = np.zeros((rows.shape[0], int(lengths.max())))
        for window, idx in groups(windows):
            coarse[idx, : n - int(window) + 1] = median_inner(take(rows, idx), int(window))
        return line_trend(rows, coarse, lengths)
    smooth = None
    for window, idx in groups(windows):
        window = int(window)
        if kind == "mean":
            part = mean_filter(take(rows, idx), window)
        elif kind == "median":
            part = median_filter(take(rows, idx), window)
        else:
            part = spline_fit(take(rows, idx), n // (window * 2) + 1)
        if idx.size == rows.shape[0]:
            smooth = part
        else:
            if smooth is None:
                smooth = np.empty_like(rows)
            smooth[idx] = part
    return aglet(smooth, windows)


def mean_filter(rows, window):
    """Moving mean over full windows (cumulative sums, as seasonal); ends untouched."""
    out = rows.copy()
    n = rows.shape[1]
    half = window // 2
    if n >= window:
        cum = np.zeros((rows.shape[0], n + 1))
        np.cumsum(rows, axis=1, out=cum[:, 1:])
        inner = out[:, half : n - half]
        np.subtract(cum[:, window:], cum[:, :-window], out=inner)
        inner /= window
    return out


def median_inner(rows, window):
    """Moving medians of all full windows of each row: shape (N, T - window + 1)."""
    n_rows, n = rows.shape
    half = window // 2
    # The 1-D median filter of scipy.ndimage is O(T log w); run it over the rows
    # laid end to end and keep the windows that lie inside one row.
    import scipy.ndimage

    flat = scipy.ndimage.median_filter(rows.reshape(-1), size=window, mode="nearest")
    return flat.reshape(n_rows, n)[:, half : n - half]


def median_filter(rows, window):
    """Moving median over full windows; the partial windows at the ends are untouched."""
    out = rows.copy()
    n = rows.shape[1]
    if n >= window:
        half = window // 2
        out[:, half : n - half] = median_inner(rows, window)
    return out


def spline_fit(rows, n_segments):
    """Least-squares cubic spline with seasonal's knots, evaluated at the samples."""
    import scipy.interpolate
    import scipy.linalg

    n = rows.shape[1]
    x = np.arange(n, dtype=np.float64)
    n_knots = max(2, n_segments + 1)
    inner = np.linspace(0, n - 1, n_knots + 2)[1:-2]
    knots = np.concatenate([[0.0] * 4, inner, [float(n - 1)] * 4])
    basis = scipy.interpolate.BSpline.design_matrix(x, knots, 3).tocsr()
    gram = (basis.T @ basis).tocsr()
    m = gram.shape[0]
    banded = np.zeros((4, m))
    for d in range(4):
        banded[3 - d, d:] = gram.diagonal(d)
    offset = rows.mean(axis=1, keepdims=True)  # constants lie in the spline space
    rhs = basis.T @ (rows - offset).T
    coefficients = scipy.linalg.solveh_banded(banded, rhs, check_finite=False)
    return (basis @ coefficients).T + offset


def aglet(smooth, windows):
    """Replace window // 2 samples at each end by Theil-Sen lines over the end windows.

    ``smooth`` is modified in place and returned."""
    n_rows, n = smooth.shape
    lengths = np.minimum(windows, n)
    width = int(lengths.max())
    ends = np.zeros((2 * n_rows, width))
    for length, idx in groups(lengths):
        ends[idx, :length] = smooth[idx, :length]
        ends[n_rows + idx, :length] = smooth[idx, n - length :]
    slopes = theil_sen_slope(ends, np.concatenate([lengths, lengths]))
    left, right = slopes[:n_rows], slopes[n_rows:]
    # Lines through the values next to the ends, before any of them is replaced.
    left_base = np.array([smooth[i, windows[i] // 2] for i in range(n_rows)])
    right_base = np.array([smooth[i, n - windows[i] // 2 - 1] for i in range(n_rows)])
    for window, idx in groups(windows):
        half = int(window) // 2
        smooth[idx, :half] = np.arange(-half, 0) * left[idx, None] + left_base[idx, None]
        smooth[idx, n - half :] = np.arange(1, half + 1) * right[idx, None] + right_base[idx, None]
    return smooth


def line_trend(rows, padded, lengths):
    """Theil-Sen line through the median-filtered rows, flat if its 95% interval holds 0.

    ``padded[i, :lengths[i]]`` is the median-filtered row i (full windows only)."""
    n_rows, n = rows.shape
    pairs = lengths * (lengths - 1) // 2
    below_or_zero = count_slopes_at_most(padded, lengths, np.zeros(n_rows))
    below_zero = count_slopes_at_most(padded, lengths, np.zeros(n_rows), strict=True)
    # Sen's (1968) interval as scipy.stats.theilslopes computes it (alpha 0.95).
    z = NORMAL_QUANTILE_2_5
    flat = np.zeros(n_rows, dtype=bool)
    for i in range(n_rows):
        m = int(lengths[i])
        nt = int(pairs[i])
        sigsq = 1 / 18.0 * float(m * (m - 1) * (2 * m + 5) - _tie_term(padded[i, :m]))
        sigma = np.sqrt(sigsq)
        upper = min(int(np.round((nt - z * sigma) / 2.0)), nt - 1)
        lower = max(int(np.round((nt + z * sigma) / 2.0)) - 1, 0)
        # slopes[lower] <= 0 and slopes[upper] >= 0, from exact counts at 0
        flat[i] = below_or_zero[i] >= lower + 1 and below_zero[i] <= upper
    median = np.median(rows, axis=1)
    trend = np.repeat(median[:, None], n, axis=1)
    sloped = np.flatnonzero(~flat)
    if sloped.size:
        zero_counts = (below_zero[sloped], below_or_zero[sloped])
        slope = theil_sen_slope(padded[sloped], lengths[sloped], zero_counts=zero_counts)
        intercept = median[sloped] - (n - 1) / 2 * slope
        trend[sloped] = slope[:, None] * np.arange(n) + intercept[:, None]
    return trend


def _tie_term(values):
    """Sum of k (k - 1) (2k + 5) over groups of k equal values."""
    ordered = np.sort(values)
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1], [True]]))
    k = np.diff(starts).astype(np.int64)
    return int((k * (k - 1) * (2 * k + 5)).sum())
