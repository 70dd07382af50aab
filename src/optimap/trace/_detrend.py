"""Detrending of time series: ``detrend_timeseries``, its checks and its choice of windows.

The trend models are the ones of the ``seasonal`` package (``fit_trend``):
period-based mean and median filters, a robust line and a coarse least-squares
cubic spline, with the ends of the filtered trends replaced by robust
(Theil-Sen) line fits over one smoothing window ("aglets"), and an estimate of
the period from a Welch periodogram when none is given.

Everything is computed for many traces at once, the traces being the rows of a
C-contiguous float64 array ``(N, T)``. This module checks the data, turns it
into rows and picks each row's smoothing window; the trend kinds are in
:mod:`._trends`, their exact Theil-Sen slopes in :mod:`._theil_sen` and the
period estimate in :mod:`._period`.
"""

import numbers

import numpy as np

from .._validate import as_positive_float, is_real_dtype
from ._period import guess_period_rows
from ._trends import HUGE_WINDOW, smoothing_window, take, trend_by_window

__all__ = ["detrend_timeseries"]

KINDS = ("mean", "median", "line", "spline", None)

_SPLINE_MIN_SAMPLES = 5  # a cubic spline with one interior knot needs 5 samples
_LIMIT = 1e100  # larger magnitudes could overflow the squared spectra


# --------------------------------------------------------------------------- #
# public function
# --------------------------------------------------------------------------- #


def detrend_timeseries(
    data, kind="spline", period=None, ptimes=2, retain_baseline=True, return_trend_data=False, *, axis=0
):
    """Detrend a time series, or every column of a 2-D array of time series.

    The trend is that of ``seasonal.fit_trend(data, kind, period, ptimes)``
    (to floating-point rounding), computed for all traces at once.

    Parameters
    ----------
    data : array_like, shape (T,) or (T, N)
        One time series, or one per column (the layout ``extract_traces``
        returns); see `axis` for other layouts. Integer input is converted to
        float. Columns that are all NaN (masked background) give all-NaN
        columns; any other NaN or infinite value is an error.
    kind : {"spline", "mean", "median", "line", None}, optional
        Trend model, by default "spline":

        * ``"mean"``: period-based mean filter;
        * ``"median"``: period-based median filter;
        * ``"line"``: Theil-Sen line through the median-filtered series, or a
          flat line at the median when the 95 % confidence interval of the
          slope contains zero;
        * ``"spline"``: coarse least-squares cubic spline, with one knot every
          two smoothing windows;
        * ``None``: no trend (zeros).

        The ``window // 2`` samples at each end of the mean, median and spline
        trends are replaced by Theil-Sen lines fitted to the first and last
        `window` samples of the trend.
    period : float, optional
        Seasonal periodicity in samples, used to size the smoothing window.
        If None (default) it is estimated for each trace from a Welch
        periodogram of the trace minus a broad median-filtered trend, as
        ``seasonal`` does (if no peak is found: ``min(T // 3, 512)``).
    ptimes : float, optional
        Multiple of the period used as the smoothing window, by default 2. The
        window is the odd number ``int(period * ptimes) // 2 * 2 - 1`` and must
        be at least 3 samples.
    retain_baseline : bool, optional
        Add the mean of the trend back to the detrended series (by default
        True), so that it keeps the level of the input.
    return_trend_data : bool, optional
        Return the trend instead of the detrended series (`retain_baseline`
        is then ignored). By default False.
    axis : int, optional
        Keyword-only. Axis of `data` along which time runs, by default 0.

    Returns
    -------
    numpy.ndarray of float64, same shape as `data`
        ``data - trend + mean(trend)`` (with `retain_baseline`),
        ``data - trend`` (without), or ``trend`` (with `return_trend_data`);
        the mean is taken over time, trace by trace. The result is always a
        new float64 array (float32 input is computed and returned in float64,
        to match ``seasonal``); each trace of it is contiguous in memory.
        `data` is not modified. Data holding no trace (shape ``(T, 0)``, what
        ``extract_traces(video, [])`` returns) gives an empty array of its shape.

    Raises
    ------
    TypeError
        If `data` is not numeric, or `period`, `ptimes` or `axis` has the
        wrong type.
    ValueError
        If `kind` is unknown; `data` is not 1-D or 2-D; `axis` is out of range;
        `period` or `ptimes` is not a positive number or the smoothing window
        is shorter than 3 samples; the series is too short for the window
        (``window // 2 + 1`` samples for "mean" and "median", also at least 5
        for "spline", ``window + 1`` for "line", and 6 to estimate a period);
        or a column holds NaN or infinite values without being all NaN.

    Notes
    -----
    Differences from ``seasonal.fit_trend`` (which optimap 0.3.1 called):

    * ``kind=None`` gives a zero trend, as documented; ``seasonal`` returns
      the mean of the data.
    * Integer data are converted to float first; ``seasonal`` keeps the
      integer dtype and so truncates its mean and line trends to integers.
    * A constant trace is its own trend, for every `kind` (``seasonal``
      agrees up to rounding).

    Like ``seasonal``, the period estimate depends on the scale of the data:
    when the whole periodogram is below 1e-8 (e.g. for signals of amplitude
    around 1e-4 or less) no period is found and ``min(T // 3, 512)`` is used.

    Examples
    --------
    >>> import numpy as np
    >>> from optimap.trace import detrend_timeseries
    >>> t = np.arange(400)
    >>> series = 5 + 0.01 * t + (t % 20 < 5)  # a beat every 20 samples, on a ramp
    >>> trend = detrend_timeseries(series, kind="line", period=20, return_trend_data=True)
    >>> print(np.round(trend[:3], 2), np.round(trend[-1], 2))
    [5.25 5.26 5.27] 9.24
    >>> flat = detrend_timeseries(series, kind="line", period=20, retain_baseline=False)
    >>> print(np.round(flat[:8], 2))
    [ 0.75  0.75  0.75  0.75  0.75 -0.25 -0.25 -0.25]
    >>> print(np.round(flat[-20:-12], 2))  # the ramp is gone
    [ 0.75  0.75  0.75  0.75  0.75 -0.25 -0.25 -0.25]

    Every column of a 2-D array is detrended on its own:

    >>> columns = np.column_stack([series, 2 * series, np.full(400, np.nan)])
    >>> detrended = detrend_timeseries(columns, kind="mean", period=20)
    >>> detrended.shape, bool(np.isnan(detrended[:, 2]).all())
    ((400, 3), True)
    """
    kind = _check_kind(kind)
    if period is not None:
        period = as_positive_float(period, "period")
    ptimes = as_positive_float(ptimes, "ptimes")
    array, axis, rows, name, valid = _as_rows(data, axis)
    if array.size == 0:  # no traces, e.g. extract_traces(video, []) of shape (T, 0)
        return np.empty(array.shape, dtype=np.float64)
    one_d = array.ndim == 1

    if valid.all():
        trend = _fit_trend_rows(rows, kind, period, ptimes, np.arange(rows.shape[0]), name)
    else:
        trend = np.full(rows.shape, np.nan)
        columns = np.flatnonzero(valid)
        if columns.size:
            trend[columns] = _fit_trend_rows(rows[columns], kind, period, ptimes, columns, name)

    if return_trend_data:
        result = trend
    else:
        result = rows  # our own copy: work in place
        result -= trend
        if retain_baseline:
            result += trend.mean(axis=1, keepdims=True)
    if one_d:
        return result[0]
    return np.moveaxis(result, 1, axis)


# --------------------------------------------------------------------------- #
# validation
# --------------------------------------------------------------------------- #


def _as_rows(data, axis):
    """Checked ``data`` with its traces as the rows of a C-contiguous float64 copy.

    Returns ``(array, axis, rows, name, valid)``: the data as an array, the time
    axis (non-negative), the rows ``(N, T)``, how messages name a trace and the
    mask of the rows to work on (not all NaN).
    """
    array, axis = _check_data(data, axis)
    rows = array[np.newaxis, :] if array.ndim == 1 else np.moveaxis(array, axis, 1)
    rows = np.array(rows, dtype=np.float64, order="C")  # always a copy: the input is never changed
    name = _trace_name(array, axis)
    valid = _check_values(rows, name) if rows.size else np.zeros(rows.shape[0], dtype=bool)
    return array, axis, rows, name, valid


def _check_kind(kind):
    if kind is None or (isinstance(kind, str) and kind in KINDS):
        return None if kind is None else str(kind)
    allowed = ", ".join(repr(k) for k in KINDS)
    raise ValueError(f"kind must be one of {allowed}, got {kind!r}")


def _check_data(data, axis):
    if isinstance(data, (str, bytes)):
        raise TypeError("data must be a numeric 1-D or 2-D array, got a string")
    try:
        array = np.asarray(data)
    except (ValueError, TypeError) as exc:
        raise TypeError(f"data must be a numeric 1-D or 2-D array: {exc}") from None
    if not (is_real_dtype(array.dtype) or array.dtype == np.bool_):
        raise TypeError(f"data must hold real numbers (integer or float), got dtype {array.dtype}")
    if array.ndim not in (1, 2):
        raise ValueError(f"data must be 1-D (T,) or 2-D (T, N), got {array.ndim}-D with shape {array.shape}")
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"axis must be an integer, got {axis!r} of type {type(axis).__name__}")
    axis = int(axis)
    if not -array.ndim <= axis < array.ndim:
        raise ValueError(
            f"axis {axis} is out of range for {array.ndim}-D data (allowed: {-array.ndim}..{array.ndim - 1})"
        )
    axis %= array.ndim
    no_traces = array.ndim == 2 and array.shape[1 - axis] == 0
    if array.shape[axis] == 0 and not no_traces:
        raise ValueError("data has no samples along the time axis")
    return array, axis


def _trace_name(array, axis):
    """How errors name a trace: None for 1-D data, else "column" or "row"."""
    if array.ndim == 1:
        return None
    return "column" if axis == 0 else "row"


def _check_values(rows, name):
    """Mask of the rows to detrend (not all NaN); raise for other non-finite values."""
    low, high = rows.min(axis=1), rows.max(axis=1)  # NaN and inf show up in these
    good = np.isfinite(low) & np.isfinite(high)
    bad = np.flatnonzero(~good)
    if bad.size:
        bad = bad[~np.isnan(rows[bad]).all(axis=1)]
    if bad.size:
        where = "data" if name is None else f"data {name} {bad[0]}"
        more = f" (and {bad.size - 1} more {name}s)" if bad.size > 1 else ""
        raise ValueError(
            f"{where}{more} contains NaN or infinite values; only columns that are entirely NaN "
            "(masked background) are allowed"
        )
    if good.any() and max(-low[good].min(), high[good].max()) > _LIMIT:
        raise ValueError(f"data values must be smaller than {_LIMIT:g} in magnitude")
    return good


def _min_length(kind, window):
    half = window // 2
    if kind == "line":
        return window + 1
    if kind == "spline":
        return max(half + 1, _SPLINE_MIN_SAMPLES)
    return half + 1


def _check_window(kind, window, period, ptimes, n, where):
    if window < 3:
        raise ValueError(
            f"{where}period * ptimes must be at least 4 (period={period:g}, ptimes={ptimes:g}): "
            f"the smoothing window int(period * ptimes) // 2 * 2 - 1 = {window} must be at least 3 samples"
        )
    if window >= HUGE_WINDOW:
        raise ValueError(
            f"{where}data is too short for kind={kind!r} with period={period:g}, ptimes={ptimes:g}: "
            f"the smoothing window period * ptimes = {period * ptimes:g} samples is longer than the {n} samples"
        )
    need = _min_length(kind, window)
    if n < need:
        raise ValueError(
            f"{where}data is too short for kind={kind!r} with period={period:g}, ptimes={ptimes:g}: "
            f"the smoothing window is {window} samples, so at least {need} samples are needed, got {n}"
        )


# --------------------------------------------------------------------------- #
# trend of many rows
# --------------------------------------------------------------------------- #


def _fit_trend_rows(rows, kind, period, ptimes, columns, name):
    """Trend of each row of ``rows`` (N, T), all finite.

    ``columns`` are the indices of the rows in the data and ``name`` what a
    trace is called there ("column", "row" or None for 1-D data), for errors."""
    n_rows, n = rows.shape
    if kind is None:
        return np.zeros_like(rows)
    trend = np.empty_like(rows)
    constant = (rows == rows[:, :1]).all(axis=1)
    trend[constant] = rows[constant, :1]
    todo = np.flatnonzero(~constant)
    if period is None:
        _check_period_length(n)
        periods = np.zeros(n_rows, dtype=np.int64)
        if todo.size:
            periods[todo] = guess_period_rows(take(rows, todo))
        windows = np.array([smoothing_window(p, ptimes) for p in periods])
        for i in np.flatnonzero(~constant):
            where = "" if name is None else f"{name} {columns[i]}: "
            _check_window(kind, windows[i], periods[i], ptimes, n, f"{where}estimated period {periods[i]}; ")
    else:
        window = smoothing_window(period, ptimes)
        _check_window(kind, window, period, ptimes, n, "")
        windows = np.full(n_rows, window)
    if todo.size == n_rows:
        return trend_by_window(rows, kind, windows)
    if todo.size:
        trend[todo] = trend_by_window(rows[todo], kind, windows[todo])
    return trend


# --------------------------------------------------------------------------- #
# period estimate
# --------------------------------------------------------------------------- #


def _check_period_length(n):
    """Raise if ``n`` samples are too few to estimate a period (6 are needed)."""
    if n < 6:
        raise ValueError(f"data is too short to estimate the period: at least 6 samples are needed, got {n}")


def _guess_period(data, axis=0):
    """Integer period estimate of seasonal's ``fit_trend`` when ``period=None``.

    ``data`` is one series or a 2-D array with time along ``axis``; returns an
    int for 1-D input, else an int64 array with one period per column (0 for
    all-NaN columns). Constant series get ``min(T // 3, 512)``. The data are
    checked as :func:`detrend_timeseries` checks them; the estimate itself is
    :func:`._period.guess_period_rows`.
    """
    array, axis, rows, _, valid = _as_rows(data, axis)
    _check_period_length(rows.shape[1])
    periods = np.zeros(rows.shape[0], dtype=np.int64)
    if valid.any():
        periods[valid] = guess_period_rows(rows[valid])
    return int(periods[0]) if array.ndim == 1 else periods
