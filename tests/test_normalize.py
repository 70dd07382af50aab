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
