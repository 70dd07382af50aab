"""Tests of detrend_timeseries: against seasonal.fit_trend, 2-D layouts, semantics, errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from signals import beat_shape

from optimap.trace import detrend_timeseries
from optimap.trace._detrend import _guess_period
from optimap.trace._theil_sen import count_slopes_at_most, theil_sen_slope

KINDS = ["mean", "median", "line", "spline"]


def action_potentials(n, period, rng, noise=0.05, offset=0.0):
    """Optical-mapping-like trace: beats (fast upstroke, plateau, repolarisation)
    every ``period`` samples, exponential photobleaching and Gaussian noise."""
    t = np.arange(n, dtype=np.float64)
    beat = beat_shape((t + rng.uniform(0, period)) % period, period)
    bleaching = rng.uniform(0.5, 2.0) * np.exp(-t / rng.uniform(n / 3, 3 * n))
    return offset + bleaching + rng.uniform(0.3, 1.5) * beat + noise * rng.standard_normal(n)


def assert_close_to_reference(ours, reference, trace):
    limit = 1e-6 * np.ptp(trace)
    assert np.max(np.abs(ours - reference)) <= limit


# --------------------------------------------------------------------------- #
# against seasonal
# --------------------------------------------------------------------------- #

# (length, period, seed, offset). seasonal's line fit lists all O(T^2) pair
# slopes in memory, so the longer traces are not used for "line".
TRACES = [(1500, 40, 0, 0.0), (3000, 120, 1, 100.0), (5000, 300, 2, -3.0), (10000, 75, 3, 0.0)]
REFERENCE_CASES = [
    pytest.param(n, period, seed, offset, kind, mode, id=f"{kind}-{mode}-T{n}-p{period}")
    for n, period, seed, offset in TRACES
    for kind in KINDS
    for mode in ("given", "estimated")
    if not (kind == "line" and n > 3000)
]


@pytest.mark.parametrize("n, period, seed, offset, kind, mode", REFERENCE_CASES)
def test_trend_matches_seasonal(n, period, seed, offset, kind, mode):
    import seasonal

    trace = action_potentials(n, period, np.random.default_rng(seed), offset=offset)
    p = period if mode == "given" else None
    reference = seasonal.fit_trend(trace, kind=kind, period=p, ptimes=2)
    ours = detrend_timeseries(trace, kind=kind, period=p, return_trend_data=True)
    assert ours.dtype == np.float64 and ours.shape == trace.shape
    assert_close_to_reference(ours, reference, trace)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("ptimes", [1.5, 3])
def test_ptimes_matches_seasonal(kind, ptimes):
    import seasonal

    trace = action_potentials(2000, 90, np.random.default_rng(11))
    reference = seasonal.fit_trend(trace, kind=kind, period=90, ptimes=ptimes)
    ours = detrend_timeseries(trace, kind=kind, period=90, ptimes=ptimes, return_trend_data=True)
    assert_close_to_reference(ours, reference, trace)


def test_columns_match_seasonal():
    """A 2-D call with different (estimated) periods per column, column by column."""
    import seasonal

    rng = np.random.default_rng(7)
    periods = [40, 65, 100, 150, 220, 300]
    data = np.column_stack([action_potentials(2500, p, rng) for p in periods])
    for kind in KINDS:
        for p in (None, 80):
            ours = detrend_timeseries(data, kind=kind, period=p, return_trend_data=True)
            for i in range(data.shape[1]):
                reference = seasonal.fit_trend(data[:, i], kind=kind, period=p)
                assert_close_to_reference(ours[:, i], reference, data[:, i])


def test_quantised_data_matches_seasonal():
    """Integer-valued data has many equal values and equal slopes (ties)."""
    import seasonal

    rng = np.random.default_rng(5)
    trace = np.round(40 * action_potentials(3000, 110, rng))
    for kind in KINDS:
        for p in (None, 110):
            reference = seasonal.fit_trend(trace, kind=kind, period=p)
            ours = detrend_timeseries(trace.astype(np.int32), kind=kind, period=p, return_trend_data=True)
            assert_close_to_reference(ours, reference, trace)


@pytest.mark.parametrize(
    "make",
    [
        lambda rng: action_potentials(1500, 40, rng),
        lambda rng: action_potentials(4000, 250, rng, noise=0.2),
        lambda rng: action_potentials(2048, 64, rng, noise=0.0),
        lambda rng: np.round(30 * action_potentials(3000, 120, rng)),
        lambda rng: 1e-5 * action_potentials(3000, 120, rng),  # seasonal: too little power, no peak
        lambda rng: rng.standard_normal(700),
        lambda rng: np.full(900, 4.0),
        lambda rng: np.sin(np.arange(30)),
    ],
    ids=["short", "long-period", "noiseless", "quantised", "tiny-amplitude", "noise", "constant", "6-periods"],
)
def test_estimated_period_matches_seasonal(make):
    from seasonal.trend import guess_trended_period

    trace = make(np.random.default_rng(3))
    assert _guess_period(trace) == guess_trended_period(trace)


def test_estimated_period_of_columns():
    from seasonal.trend import guess_trended_period

    rng = np.random.default_rng(9)
    data = np.column_stack([action_potentials(2000, p, rng) for p in (50, 90, 170)] + [np.full(2000, np.nan)])
    periods = _guess_period(data)
    assert periods.dtype == np.int64
    assert list(periods[:3]) == [guess_trended_period(data[:, i]) for i in range(3)]
    assert periods[3] == 0
    assert list(_guess_period(data.T, axis=1)) == list(periods)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 300),
    segment_fraction=st.floats(0.0, 1.0),
    rows=st.integers(1, 3),
    seed=st.integers(0, 2**32 - 1),
)
def test_welch_spectrum_matches_scipy(n, segment_fraction, rows, seed):
    """The period's periodogram is scipy.signal.welch's (Hann, half overlap, constant detrend, spectrum)."""
    import scipy.signal

    from optimap.trace._period import welch_power_spectrum

    segment = 2 + int(segment_fraction * (n - 2))
    data = np.random.default_rng(seed).normal(size=(rows, n)).cumsum(axis=1)
    freqs, power = welch_power_spectrum(data, segment)
    expected_freqs, expected = scipy.signal.welch(data, 1.0, scaling="spectrum", nperseg=segment, axis=-1)
    np.testing.assert_array_equal(freqs, expected_freqs)
    np.testing.assert_allclose(power, expected, rtol=1e-9, atol=1e-12 * np.abs(expected).max())


def test_line_interval_quantile_is_scipys():
    import scipy.special

    from optimap.trace._trends import NORMAL_QUANTILE_2_5

    assert NORMAL_QUANTILE_2_5 == scipy.special.ndtri(0.025)


def test_detrending_imports_only_the_scipy_it_needs():
    """scipy.signal (seconds to import) is never needed; interpolate only for splines."""
    import subprocess
    import sys

    code = (
        "import sys, numpy as np\n"
        "from optimap.trace import detrend_timeseries\n"
        "x = np.sin(np.arange(600) / 9.0)[:, None] + np.linspace(0, 2, 600)[:, None]\n"
        "for kind in ('mean', 'median', 'line'):\n"
        "    detrend_timeseries(x, kind=kind)\n"
        "print(sorted(m for m in ('scipy.signal', 'scipy.stats', 'scipy.interpolate', 'scipy.ndimage') "
        "if m in sys.modules))\n"
        "detrend_timeseries(x, kind='spline')\n"
        "print('scipy.interpolate' in sys.modules, 'scipy.signal' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split("\n")[:2] == ["['scipy.ndimage']", "True False"]


def test_retain_baseline_matches_optimap_0_3_1_with_seasonal():
    """optimap 0.3.1 returned data - trend + mean(trend), trend from seasonal.fit_trend."""
    import seasonal

    trace = action_potentials(2000, 100, np.random.default_rng(4))
    trend = seasonal.fit_trend(trace, kind="spline", period=None)
    assert_close_to_reference(detrend_timeseries(trace), trace - trend + np.mean(trend), trace)
    assert_close_to_reference(detrend_timeseries(trace, retain_baseline=False), trace - trend, trace)


# --------------------------------------------------------------------------- #
# Theil-Sen helpers (exact order statistics without listing the slopes)
# --------------------------------------------------------------------------- #


def _tie_heavy_rows(width, rng):
    return [
        rng.standard_normal(width).cumsum(),
        rng.integers(0, 4, width).astype(float),
        np.round(3 * np.sin(np.arange(width) / 17.0)),
        0.1 * np.arange(width) + 3.0,
        np.r_[np.zeros(width // 2), rng.standard_normal(width - width // 2)],
        np.full(width, 2.5),
        np.where(np.arange(width) % 5 == 0, 1.0, 0.0),
    ]


@pytest.mark.parametrize("width", [20, 129, 130, 300, 1023])
def test_theil_sen_slope_equals_scipy(width):
    from scipy import stats

    rows = _tie_heavy_rows(width, np.random.default_rng(width))
    values = np.array(rows)
    ours = theil_sen_slope(values, np.full(len(rows), width))
    for got, row in zip(ours, rows):
        expected = stats.theilslopes(row)[0]
        assert abs(got - expected) <= 1e-12 * max(abs(expected), np.ptp(row) / width)


def test_theil_sen_slope_rows_of_different_lengths():
    from scipy import stats

    rng = np.random.default_rng(1)
    lengths = rng.integers(100, 700, 25)
    values = np.zeros((25, lengths.max()))
    for i, m in enumerate(lengths):
        values[i, :m] = np.round(rng.standard_normal(m).cumsum())
    ours = theil_sen_slope(values, lengths)
    expected = [stats.theilslopes(values[i, :m])[0] for i, m in enumerate(lengths)]
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("strict", [False, True])
def test_count_slopes_against_listing_them(strict):
    rng = np.random.default_rng(2)
    width = 300
    rows = _tie_heavy_rows(width, rng)
    i, j = np.triu_indices(width, 1)
    # Exact at 0 and away from slope values (at a slope value other than 0 the
    # ordering of y - s * x may differ from the slope's rounding; the selection
    # only relies on counts and orders being consistent with each other).
    for s in (0.0, 0.0513, -0.3071):
        counts = count_slopes_at_most(np.array(rows), np.full(len(rows), width), np.full(len(rows), s), strict)
        for count, row in zip(counts, rows):
            slopes = (row[j] - row[i]) / (j - i)
            assert count == np.count_nonzero(slopes < s if strict else slopes <= s)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(-3, 3), min_size=130, max_size=400))
def test_theil_sen_slope_property(values):
    from scipy import stats

    row = np.array(values, dtype=np.float64)
    ours = theil_sen_slope(row[None, :], np.array([row.size]))[0]
    assert abs(ours - stats.theilslopes(row)[0]) <= 1e-12 * max(1.0, np.ptp(row))


# --------------------------------------------------------------------------- #
# 2-D layouts and NaN columns
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def columns():
    rng = np.random.default_rng(12)
    data = np.column_stack([action_potentials(1800, p, rng) for p in (45, 70, 130, 180, 260)])
    data = np.column_stack([data[:, :2], np.full(1800, np.nan), data[:, 2:], np.full(1800, 3.5)])
    return data


@pytest.mark.parametrize("kind", KINDS + [None])
@pytest.mark.parametrize("period", [None, 60])
def test_2d_equals_column_by_column(columns, kind, period):
    full = detrend_timeseries(columns, kind=kind, period=period)
    one_by_one = np.column_stack(
        [detrend_timeseries(columns[:, i], kind=kind, period=period) for i in range(columns.shape[1])]
    )
    assert full.shape == columns.shape
    assert np.array_equal(full, one_by_one, equal_nan=True)


@pytest.mark.parametrize("kind", ["spline", "line"])
def test_axis_1_layout(columns, kind):
    expected = detrend_timeseries(columns, kind=kind, return_trend_data=True)
    rows = np.ascontiguousarray(columns.T)
    got = detrend_timeseries(rows, kind=kind, return_trend_data=True, axis=1)
    assert got.shape == rows.shape
    assert np.array_equal(got, expected.T, equal_nan=True)
    assert np.array_equal(
        detrend_timeseries(rows, kind=kind, axis=-1), detrend_timeseries(columns, kind=kind).T, equal_nan=True
    )


def test_all_nan_columns_stay_nan(columns):
    for flag in (False, True):
        result = detrend_timeseries(columns, kind="mean", period=60, return_trend_data=flag)
        assert np.isnan(result[:, 2]).all()
        assert np.isfinite(np.delete(result, 2, axis=1)).all()
    all_nan = np.full((500, 2), np.nan)
    assert np.isnan(detrend_timeseries(all_nan)).all()
    assert np.isnan(detrend_timeseries(np.full(50, np.nan))).all()


def test_1d_axis():
    trace = action_potentials(600, 50, np.random.default_rng(0))
    assert np.array_equal(detrend_timeseries(trace, axis=-1), detrend_timeseries(trace))


# --------------------------------------------------------------------------- #
# semantics
# --------------------------------------------------------------------------- #


def test_retain_baseline_and_return_trend_data():
    trace = action_potentials(1200, 60, np.random.default_rng(8), offset=50.0)
    trend = detrend_timeseries(trace, kind="median", period=60, return_trend_data=True)
    # return_trend_data ignores retain_baseline
    assert np.array_equal(
        trend, detrend_timeseries(trace, kind="median", period=60, return_trend_data=True, retain_baseline=False)
    )
    kept = detrend_timeseries(trace, kind="median", period=60)
    assert np.array_equal(kept, trace - trend + trend.mean())
    removed = detrend_timeseries(trace, kind="median", period=60, retain_baseline=False)
    assert np.array_equal(removed, trace - trend)
    assert abs(kept.mean() - trace.mean()) < 1e-9 * np.abs(trace).max()


def test_retain_baseline_per_column():
    rng = np.random.default_rng(6)
    data = np.column_stack([action_potentials(900, 45, rng, offset=o) for o in (0.0, 10.0, -20.0)])
    trend = detrend_timeseries(data, kind="spline", period=45, return_trend_data=True)
    kept = detrend_timeseries(data, kind="spline", period=45)
    np.testing.assert_allclose(kept, data - trend + trend.mean(axis=0), rtol=0, atol=1e-12 * np.abs(data).max())


def test_kind_none_gives_zero_trend():
    trace = action_potentials(300, 30, np.random.default_rng(1), offset=7.0)
    assert np.array_equal(detrend_timeseries(trace, kind=None, return_trend_data=True), np.zeros(300))
    assert np.array_equal(detrend_timeseries(trace, kind=None), trace)
    assert np.array_equal(detrend_timeseries(trace, kind=None, retain_baseline=False), trace)


@pytest.mark.parametrize("kind", KINDS)
def test_constant_trace(kind):
    trace = np.full(400, 2.75)
    assert np.array_equal(detrend_timeseries(trace, kind=kind, return_trend_data=True), trace)
    assert np.array_equal(detrend_timeseries(trace, kind=kind), trace)
    assert np.array_equal(detrend_timeseries(trace, kind=kind, retain_baseline=False), np.zeros(400))


def test_input_untouched_and_dtypes():
    rng = np.random.default_rng(2)
    trace = action_potentials(800, 40, rng)
    copy = trace.copy()
    result = detrend_timeseries(trace, kind="mean", period=40)
    assert np.array_equal(trace, copy)
    assert not np.shares_memory(result, trace)

    as_float32 = trace.astype(np.float32)
    out32 = detrend_timeseries(as_float32, kind="mean", period=40)
    assert out32.dtype == np.float64
    assert np.array_equal(out32, detrend_timeseries(as_float32.astype(np.float64), kind="mean", period=40))

    counts = np.round(1000 * trace).astype(np.uint16)
    out_int = detrend_timeseries(counts, kind="median", period=40)
    assert out_int.dtype == np.float64
    assert np.array_equal(out_int, detrend_timeseries(counts.astype(np.float64), kind="median", period=40))
    assert detrend_timeseries([1.0, 2.0, 3.0, 2.0, 1.0, 2.0, 3.0], kind="mean", period=2).dtype == np.float64


def test_short_series_at_the_minimum_length():
    # window 19 for period 10: mean/median need 10 samples, spline 10, line 20
    for kind, need in (("mean", 10), ("median", 10), ("spline", 10), ("line", 20)):
        trace = np.sin(np.arange(need))
        assert detrend_timeseries(trace, kind=kind, period=10).shape == (need,)
        with pytest.raises(ValueError, match=f"at least {need} samples"):
            detrend_timeseries(trace[:-1], kind=kind, period=10)


# --------------------------------------------------------------------------- #
# properties
# --------------------------------------------------------------------------- #


@settings(max_examples=30, deadline=None)
@given(
    st.integers(30, 400),
    st.floats(-1e3, 1e3),
    st.floats(-10, 10).filter(lambda b: b == 0 or abs(b) > 1e-6),
    st.sampled_from([3, 5, 8]),
)
def test_line_removes_a_linear_trend(n, intercept, slope, period):
    trace = intercept + slope * np.arange(n)
    flat = detrend_timeseries(trace, kind="line", period=period)
    assert np.ptp(flat) <= 1e-9 * (abs(intercept) + abs(slope) * n + 1)
    trend = detrend_timeseries(trace, kind="line", period=period, return_trend_data=True)
    np.testing.assert_allclose(trend, trace, rtol=0, atol=1e-9 * (abs(intercept) + abs(slope) * n + 1))


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(KINDS), st.floats(-1e3, 1e3), st.integers(0, 2**32 - 1))
def test_adding_a_constant_shifts_only_the_trend(kind, shift, seed):
    trace = action_potentials(500, 25, np.random.default_rng(seed))
    trend = detrend_timeseries(trace, kind=kind, period=25, return_trend_data=True)
    shifted = detrend_timeseries(trace + shift, kind=kind, period=25, return_trend_data=True)
    scale = (abs(shift) + np.abs(trace).max()) * 1e-9
    np.testing.assert_allclose(shifted, trend + shift, rtol=0, atol=scale)
    flat = detrend_timeseries(trace, kind=kind, period=25, retain_baseline=False)
    flat_shifted = detrend_timeseries(trace + shift, kind=kind, period=25, retain_baseline=False)
    np.testing.assert_allclose(flat_shifted, flat, rtol=0, atol=scale)


# --------------------------------------------------------------------------- #
# errors
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("kind", ["cubic", "Spline", "", 3])
def test_unknown_kind(kind):
    with pytest.raises(ValueError, match=r"kind must be one of 'mean', 'median', 'line', 'spline', None"):
        detrend_timeseries(np.arange(100.0), kind=kind)


@pytest.mark.parametrize("shape", [(), (10, 3, 2)])
def test_data_not_1d_or_2d(shape):
    with pytest.raises(ValueError, match=r"data must be 1-D \(T,\) or 2-D \(T, N\)"):
        detrend_timeseries(np.zeros(shape))


@pytest.mark.parametrize("data", ["abc", np.array(["a", "b"]), np.ones(10, dtype=complex), [1.0, None, 2.0]])
def test_non_numeric_data(data):
    with pytest.raises(TypeError, match="data must"):
        detrend_timeseries(data)


def test_empty_data():
    with pytest.raises(ValueError, match="no samples"):
        detrend_timeseries(np.zeros(0))


@pytest.mark.parametrize("name", ["period", "ptimes"])
@pytest.mark.parametrize("value", [0, -2, np.nan, np.inf])
def test_period_and_ptimes_not_positive(name, value):
    with pytest.raises(ValueError, match=name):
        detrend_timeseries(np.arange(100.0), **{name: value})


@pytest.mark.parametrize("name", ["period", "ptimes"])
@pytest.mark.parametrize("value", ["10", True, [10]])
def test_period_and_ptimes_wrong_type(name, value):
    with pytest.raises(TypeError, match=name):
        detrend_timeseries(np.arange(100.0), **{name: value})


def test_window_too_small():
    with pytest.raises(ValueError, match=r"period \* ptimes must be at least 4"):
        detrend_timeseries(np.arange(100.0), period=1.5)
    with pytest.raises(ValueError, match=r"period \* ptimes must be at least 4"):
        detrend_timeseries(np.arange(100.0), period=10, ptimes=0.3)


@pytest.mark.parametrize(
    "kind, n, need", [("mean", 50, 60), ("median", 10, 60), ("spline", 59, 60), ("line", 100, 120)]
)
def test_series_too_short(kind, n, need):
    with pytest.raises(ValueError, match=f"too short.*window is 119 samples.*at least {need} samples.*got {n}"):
        detrend_timeseries(np.sin(np.arange(n)), kind=kind, period=60)


def test_series_too_short_to_estimate_the_period():
    with pytest.raises(ValueError, match="estimate the period: at least 6 samples"):
        detrend_timeseries(np.arange(5.0))


def test_nan_inside_a_trace():
    data = np.random.default_rng(0).standard_normal((300, 4))
    data[10, 2] = np.nan
    with pytest.raises(ValueError, match="column 2 contains NaN"):
        detrend_timeseries(data, period=20)
    data[10, 2] = np.inf
    with pytest.raises(ValueError, match="column 2 contains NaN or infinite"):
        detrend_timeseries(data, period=20)
    with pytest.raises(ValueError, match="row 2 contains NaN"):
        detrend_timeseries(data.T, period=20, axis=1)
    data[20, 3] = np.nan
    with pytest.raises(ValueError, match=r"column 2 \(and 1 more columns\) contains NaN"):
        detrend_timeseries(data, period=20)
    trace = np.arange(100.0)
    trace[5] = np.nan
    with pytest.raises(ValueError, match="data contains NaN"):
        detrend_timeseries(trace)


@pytest.mark.parametrize("axis, ndim", [(1, 1), (-2, 1), (2, 2), (-3, 2)])
def test_axis_out_of_range(axis, ndim):
    data = np.zeros((100,) * ndim)
    with pytest.raises(ValueError, match=f"axis {axis} is out of range"):
        detrend_timeseries(data, axis=axis)


@pytest.mark.parametrize("axis", [1.0, "0", None])
def test_axis_wrong_type(axis):
    with pytest.raises(TypeError, match="axis must be an integer"):
        detrend_timeseries(np.zeros((100, 2)), axis=axis)


def test_axis_is_keyword_only():
    with pytest.raises(TypeError):
        detrend_timeseries(np.zeros(100), "spline", None, 2, True, False, 0)


def test_huge_values_rejected():
    with pytest.raises(ValueError, match="data values must be smaller"):
        detrend_timeseries(np.full(100, 1e200))


def test_estimated_window_too_small_names_the_column():
    t = np.arange(1200)
    data = np.column_stack([np.sin(2 * np.pi * t / 60), np.sin(2 * np.pi * t / 5)])
    with pytest.raises(ValueError, match=r"column 1: estimated period 5; period \* ptimes must be at least 4"):
        detrend_timeseries(data, ptimes=0.5)


@pytest.mark.parametrize("kind", ["spline", "mean", "median", "line", None])
@pytest.mark.parametrize("shape", [(100, 0), (3, 0), (0, 0)])
def test_no_traces_gives_an_empty_result(kind, shape):
    """What extract_traces(video, []) returns detrends to the same empty shape, trend included."""
    data = np.zeros(shape, dtype=np.float32)
    for options in ({}, {"return_trend_data": True}, {"period": 10}, {"retain_baseline": False}):
        result = detrend_timeseries(data, kind=kind, **options)
        assert result.shape == shape and result.dtype == np.float64
    assert detrend_timeseries(np.zeros((0, 100)), axis=1).shape == (0, 100)
    with pytest.raises(ValueError, match="no samples"):
        detrend_timeseries(np.zeros((0, 4)))


@pytest.mark.parametrize(
    ("period", "ptimes", "match"),
    [
        (1e300, 1e300, r"period \* ptimes = inf samples is longer than the 100 samples"),
        (1e308, 10, "longer than the 100 samples"),
        (None, 1e307, "estimated period .*longer than the 100 samples"),
        (10**400, 2, r"period must be a finite number > 0, got 1000.*\(401 digits\)"),
        (5, 10**400, "ptimes must be a finite number > 0"),
    ],
)
def test_huge_period_or_ptimes_is_a_value_error(period, ptimes, match):
    """No OverflowError from int(inf) or float(10**400): the window is simply too long."""
    with pytest.raises(ValueError, match=match):
        detrend_timeseries(np.random.default_rng(0).random(100), period=period, ptimes=ptimes)
