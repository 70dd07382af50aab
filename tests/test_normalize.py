import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from optimap.trace import normalize


def test_defaults_map_min_and_max_to_0_and_1():
    result = normalize(np.array([2, 4, 10]))
    assert result.dtype == np.float32
    np.testing.assert_allclose(result, [0, 0.25, 1])


def test_each_column_is_scaled_on_its_own():
    traces = np.array([[0.0, 100.0], [5.0, 300.0], [10.0, 200.0]])
    np.testing.assert_allclose(normalize(traces), [[0, 0], [0.5, 1], [1, 0.5]])


def test_vmin_vmax_clip_and_ranges():
    data = np.array([-5.0, 0.0, 5.0, 10.0, 15.0])
    np.testing.assert_allclose(normalize(data, vmin=0, vmax=10), [0, 0, 0.5, 1, 1])
    np.testing.assert_allclose(normalize(data, vmin=0, vmax=10, clip=False), [-0.5, 0, 0.5, 1, 1.5])
    np.testing.assert_allclose(normalize(data, ymin=-1, ymax=1), [-1, -0.5, 0, 0.5, 1])
    np.testing.assert_allclose(normalize(np.array([[0.0, 0], [2, 4]]), vmax=[2, 4]), [[0, 0], [1, 1]])


def test_integer_dtype_uses_its_range_and_rounds():
    result = normalize(np.array([0.0, 1.0, 2.0]), dtype=np.uint8)
    assert result.dtype == np.uint8
    np.testing.assert_array_equal(result, [0, 128, 255])  # 127.5 rounds, not truncates
    np.testing.assert_array_equal(normalize(np.arange(3), dtype=np.int16), [0, 16384, 32767])
    np.testing.assert_array_equal(normalize(np.arange(3), dtype="uint16", ymax=10), [0, 5, 10])


def test_constant_and_nan():
    np.testing.assert_array_equal(normalize(np.full(4, 7.0)), np.zeros(4))
    result = normalize(np.array([[np.nan, 1.0], [np.nan, 3.0], [np.nan, np.nan]]))
    assert np.isnan(result[:, 0]).all()
    np.testing.assert_allclose(result[:2, 1], [0, 1])
    assert np.isnan(result[2, 1])


@settings(max_examples=200, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=20),
        elements=st.floats(-1e6, 1e6),
    )
)
def test_property_range_order_and_no_mutation(data):
    before = data.copy()
    result = normalize(data, dtype=np.float64)
    np.testing.assert_array_equal(data, before)
    assert result.shape == data.shape
    assert result.min() >= 0 and result.max() <= 1
    columns = data if data.ndim == 2 else data[:, None]
    out = result if result.ndim == 2 else result[:, None]
    for column, normed in zip(columns.T, out.T):
        if np.ptp(column) > 0:
            assert normed[np.argmax(column)] == 1 and normed[np.argmin(column)] == 0
            # order is kept
            order = np.argsort(column, kind="stable")
            assert np.all(np.diff(normed[order]) >= -1e-12)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"array": np.array([])}, ValueError, "empty"),
        ({"array": np.zeros((0, 3))}, ValueError, "empty"),
        ({"array": np.zeros((2, 2, 2))}, ValueError, "1-D"),
        ({"array": np.zeros(3), "dtype": "complex128"}, ValueError, "dtype"),
        ({"array": np.zeros(3), "dtype": "banana"}, TypeError, "dtype"),
        ({"array": np.zeros(3), "dtype": bool}, ValueError, "dtype"),
        ({"array": np.array([1.0, np.nan]), "dtype": np.uint8}, ValueError, "NaN"),
        ({"array": np.zeros(3), "vmin": 1, "vmax": 1}, ValueError, "differ"),
        ({"array": np.zeros((3, 2)), "vmin": [1, 2, 3]}, ValueError, "vmin"),
        ({"array": np.zeros(3), "ymax": np.nan}, ValueError, "ymax"),
        ({"array": np.array(["a"])}, TypeError, "real numbers"),
    ],
)
def test_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        normalize(**kwargs)


# --- edges: infinities, huge values, dtype ranges (no RuntimeWarning, no silent NaN or saturation) ------------


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (np.array([1.0, np.inf, 2.0]), r"infinite values \(first inf at index 1\)"),
        (np.array([-np.inf, np.inf]), r"infinite values \(first -inf at index 0\)"),
        (np.array([[0.0, 1.0], [2.0, -np.inf]]), r"first -inf at index \(1, 1\)"),
    ],
)
def test_infinite_values_are_a_value_error(data, match):
    with pytest.raises(ValueError, match=match):
        normalize(data)


def test_values_whose_span_overflows():
    np.testing.assert_array_equal(normalize(np.array([-1e308, 0.0, 1e308]), dtype=np.float64), [0, 0.5, 1])
    big = np.finfo(np.float64).max
    np.testing.assert_array_equal(normalize(np.array([-big, big]), dtype=np.float64), [0, 1])
    np.testing.assert_array_equal(
        normalize(np.array([0.0, 1.0]), ymin=-1e308, ymax=1e308, dtype=np.float64), [-1e308, 1e308]
    )
    np.testing.assert_allclose(
        normalize(np.array([[0.0, -1e308], [1.0, 1e308]]), vmin=[0, -1e308], vmax=[1, 1e308]), [[0, 0], [1, 1]]
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"ymax": 1e6, "dtype": np.float16}, r"ymax=1000000.0 is outside the range of float16 \(-65504 to 65504\)"),
        ({"ymin": -1e39, "dtype": np.float32}, "ymin=-1e.39 is outside the range of float32"),
        ({"ymax": 300, "dtype": np.uint8}, r"ymax=300 is outside the range of uint8 \(0 to 255\)"),
        ({"ymin": -1, "dtype": np.uint8}, r"ymin=-1 is outside the range of uint8 \(0 to 255\)"),
        ({"ymin": -129, "dtype": np.int8}, r"ymin=-129 is outside the range of int8 \(-128 to 127\)"),
        ({"ymax": 2**64, "dtype": np.uint64}, "ymax=18446744073709551616 is outside the range of uint64"),
        ({"ymax": 10**400}, "ymax must be a finite number"),
        ({"vmin": 10**400}, "vmin must be finite"),
        (
            {"vmin": 0, "vmax": 1, "clip": False, "dtype": np.float16},
            r"reach 1e\+06, outside the range of float16 .*use clip=True",
        ),
        ({"vmin": 0, "vmax": 1, "clip": False, "dtype": np.uint8, "ymax": 100}, r"reach 1e\+08, outside .* uint8"),
        ({"vmin": 0, "vmax": 1e-303, "clip": False, "dtype": np.float64}, "reach inf, outside the range of float64"),
    ],
)
def test_results_that_do_not_fit_the_dtype_are_a_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        normalize(np.array([0.0, 0.5, 1e6]), **kwargs)


@pytest.mark.parametrize(("ymin", "ymax"), [(10, 20), (20, 10), (3, 3)])
def test_far_outside_a_tiny_vmin_vmax_clips_without_nan(ymin, ymax):
    data = np.array([-1e300, 0.0, 1e-300, 1e300])
    result = normalize(data, vmin=0, vmax=1e-300, ymin=ymin, ymax=ymax, dtype=np.float64)
    np.testing.assert_array_equal(result, [ymin, ymin, ymax, ymax])


def test_integer_dtypes_up_to_64_bits():
    top = normalize(np.array([0, 2**62, 2**63 - 1]), dtype=np.int64)
    assert top.dtype == np.int64 and top[0] == 0 and 0 < np.iinfo(np.int64).max - top[-1] <= 1024
    unsigned = normalize(np.array([0.0, 1.0]), dtype=np.uint64)
    assert unsigned[0] == 0 and 0 < np.iinfo(np.uint64).max - unsigned[-1] <= 2048
    np.testing.assert_array_equal(normalize(np.array([0.0, 1.0]), ymin=-128, ymax=127, dtype=np.int8), [-128, 127])
    np.testing.assert_array_equal(normalize(np.array([-5.0, 5.0]), vmin=0, vmax=1, dtype=np.uint8), [0, 255])


def test_bad_limit_types():
    with pytest.raises(TypeError, match="vmin must be a number"):
        normalize(np.zeros(3), vmin="low")
    with pytest.raises(TypeError, match="ymax must be a number"):
        normalize(np.zeros(3), ymax="high")


@settings(max_examples=300, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=12),
        elements=st.floats(allow_nan=False, allow_infinity=False),
    ),
    st.sampled_from([np.float64, np.float32, np.uint8, np.int64]),
)
def test_property_any_finite_values(data, dtype):
    """Full float range: no warning (they are errors here), result inside [0, ymax], ends exact."""
    result = normalize(data, dtype=dtype)
    top = 1 if np.issubdtype(dtype, np.floating) else np.iinfo(dtype).max
    assert result.dtype == dtype and result.shape == data.shape
    columns = data if data.ndim == 2 else data[:, None]
    out = result if result.ndim == 2 else result[:, None]
    for column, normed in zip(columns.T, out.T):
        assert normed.min() >= 0 and normed.max() <= top
        if column.max() > column.min():
            assert normed[np.argmin(column)] == 0
            assert top - normed[np.argmax(column)] <= (2048 if dtype == np.int64 else 0)
            order = np.argsort(column, kind="stable")
            assert np.all(np.diff(normed[order].astype(np.float64)) >= 0)
