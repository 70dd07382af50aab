"""delta_f_over_f: ΔF/F against a baseline fitted to the resting samples."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimap.trace import delta_f_over_f, detrend_timeseries

T = np.arange(1500) / 500  # 3 s at 500 fps
BEATS = (T % 0.4 < 0.12).astype(float)  # a 120 ms beat every 400 ms


def bleached(depth, offset=3000.0, tau=2.0):
    """A dye whose fluorescence changes by ``depth`` (a fraction) during beats, bleaching exponentially."""
    return offset * (0.55 + 0.45 * np.exp(-T / tau)) * (1 + depth * BEATS)


@pytest.mark.parametrize(("depth", "inverted"), [(-0.05, True), (0.3, False)])
def test_multiplicative_bleaching_is_removed_beats_included(depth, inverted):
    dff = delta_f_over_f(bleached(depth), inverted=inverted)
    np.testing.assert_allclose(dff[BEATS == 0], 0, atol=2e-3)
    np.testing.assert_allclose(dff[BEATS == 1], depth, rtol=0.05)  # every beat as tall as the first
    # a subtracted trend cannot do that: the beats fade with the dye
    detrended = detrend_timeseries(bleached(depth), kind="spline")
    first, last = detrended[BEATS == 1][:50], detrended[BEATS == 1][-50:]
    assert abs(last.mean() - detrended[BEATS == 0].mean()) < 0.8 * abs(first.mean() - detrended[BEATS == 0].mean())


@pytest.mark.parametrize("seed", range(5))
def test_a_recording_cut_during_a_beat_keeps_the_beat_as_tall(seed):
    """0.3 s at rest, then a beat until the recording ends: there is no rest after the beat to fit, and
    a cubic fitted to the first half alone, extrapolated over the second, made the beat vanish or
    several times too tall (4 of these 5 noisy traces). The baseline goes on with its slope instead."""
    t = np.arange(300) / 500
    beat = t >= 0.3
    noise = np.random.default_rng(seed).normal(0, 3, t.size)
    dff = delta_f_over_f(3000 * (0.55 + 0.45 * np.exp(-t / 2)) * (1 - 0.05 * beat) + noise, inverted=True)
    np.testing.assert_allclose(dff[~beat], 0, atol=5e-3)
    np.testing.assert_allclose(dff[beat], -0.05, rtol=0.2)  # (the bleaching bends away from the line)


def test_columns_are_independent_and_the_input_is_kept():
    traces = np.column_stack([bleached(-0.05), 2 * bleached(-0.1, tau=5.0), np.full(T.size, 7.0)])
    before = traces.copy()
    result = delta_f_over_f(traces, inverted=True)
    assert result.shape == traces.shape and result.dtype == np.float64
    np.testing.assert_array_equal(traces, before)
    np.testing.assert_allclose(result[:, 0], delta_f_over_f(traces[:, 0], inverted=True))
    np.testing.assert_allclose(result[:, 1], delta_f_over_f(traces[:, 1], inverted=True))
    np.testing.assert_array_equal(result[:, 2], 0)  # a constant trace: no beats, zeros


def test_a_line_is_fitted_exactly_with_degree_1():
    line = 1000 - 100 * np.linspace(0, 1, 200)
    np.testing.assert_allclose(delta_f_over_f(line, degree=1), 0, atol=1e-12)


def test_integer_traces_and_no_traces():
    counts = np.round(bleached(-0.05)).astype(np.uint16)
    assert np.abs(delta_f_over_f(counts, inverted=True)[BEATS == 0]).max() < 2e-3
    assert delta_f_over_f(np.empty((T.size, 0))).shape == (T.size, 0)


@settings(max_examples=50, deadline=None)
@given(st.floats(1e-3, 1e6), st.floats(-0.5, 1.0).filter(lambda d: abs(d) > 0.01), st.booleans())
def test_the_result_does_not_depend_on_the_brightness(scale, depth, inverted):
    """ΔF/F is a ratio: the same recording, brighter or dimmer, gives the same result."""
    trace = bleached(depth)
    np.testing.assert_allclose(
        delta_f_over_f(scale * trace, inverted=inverted),
        delta_f_over_f(trace, inverted=inverted),
        rtol=1e-8,
        atol=1e-10,
    )


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: delta_f_over_f(np.ones((10, 2, 2))), ValueError, "1-D"),
        (lambda: delta_f_over_f("abc"), TypeError, "string"),
        (lambda: delta_f_over_f(np.ones(5)), ValueError, "at least 8 samples"),
        (lambda: delta_f_over_f(np.ones(3), degree=1), ValueError, "at least 4 samples"),
        (lambda: delta_f_over_f(np.r_[np.ones(9), np.nan]), ValueError, "finite"),
        (lambda: delta_f_over_f(-np.ones(20)), ValueError, "not positive"),
        (lambda: delta_f_over_f(np.linspace(-2.0, -1.0, 20)), ValueError, "column 0.*not positive"),
        (lambda: delta_f_over_f(np.ones(20), inverted="yes"), TypeError, "inverted must be True or False"),
        (lambda: delta_f_over_f(np.ones(20), degree=-1), ValueError, "degree must be >= 0"),
        (lambda: delta_f_over_f(np.ones(20), degree=1.5), ValueError, "degree must be a whole number"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
