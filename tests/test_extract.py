import numpy as np
import pytest
from brute import brute_trace
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import optimap
from optimap.trace import _extract, _footprint, extract_traces, get_default_trace_window, set_default_trace_window

DTYPES = [np.uint8, np.uint16, np.int16, np.float32, np.float64]
WINDOWS = ["rect", "disc", "pixel"]


def random_video(rng, shape, dtype, nan_fraction=0.0):
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        video = rng.integers(max(info.min, -3000), min(info.max, 4000), size=shape, endpoint=True).astype(dtype)
    else:
        video = (rng.standard_normal(shape) * 100 + 1000).astype(dtype)
        if nan_fraction:
            video[rng.random(shape) < nan_fraction] = np.nan
    return video


def expected_dtype(video_dtype, window, size):
    if window == "pixel" or size <= 1:
        return np.dtype(video_dtype)
    return np.dtype(video_dtype) if np.issubdtype(video_dtype, np.floating) else np.dtype(np.float64)


def assert_matches_brute(video, positions, window, size, traces):
    expected = np.stack([brute_trace(video, x, y, window, size) for x, y in positions], axis=1)
    scale = np.nanmax(np.abs(video.astype(np.float64))) if np.isfinite(video.astype(float)).any() else 1.0
    rtol = 1e-5 if traces.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(traces.astype(np.float64), expected, rtol=rtol, atol=rtol * scale + 1e-12)


# --- values against the brute-force reference ------------------------------------------------------------


@st.composite
def cases(draw):
    dtype = draw(st.sampled_from(DTYPES))
    n_frames = draw(st.integers(1, 4))
    height = draw(st.integers(1, 11))
    width = draw(st.integers(1, 11))
    window = draw(st.sampled_from(WINDOWS))
    size = draw(st.integers(0, 9))
    edges_x = [0, width - 1, width // 2]
    edges_y = [0, height - 1, height // 2]
    corner = st.tuples(st.sampled_from(edges_x), st.sampled_from(edges_y))
    anywhere = st.tuples(st.integers(0, width - 1), st.integers(0, height - 1))
    positions = draw(st.lists(st.one_of(corner, anywhere), min_size=1, max_size=40))
    nan_fraction = draw(st.sampled_from([0.0, 0.0, 0.3, 0.9])) if np.issubdtype(dtype, np.floating) else 0.0
    seed = draw(st.integers(0, 2**32 - 1))
    return dtype, (n_frames, height, width), window, size, positions, nan_fraction, seed


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_matches_brute_force(case):
    dtype, shape, window, size, positions, nan_fraction, seed = case
    video = random_video(np.random.default_rng(seed), shape, dtype, nan_fraction)
    before = video.copy()
    traces = extract_traces(video, positions, size=size, window=window)
    assert traces.shape == (shape[0], len(positions))
    assert traces.dtype == expected_dtype(dtype, window, size)
    assert_matches_brute(video, positions, window, size, traces)
    np.testing.assert_array_equal(video, before)  # the input is untouched


@pytest.mark.parametrize("window", WINDOWS)
@pytest.mark.parametrize("size", [0, 1, 2, 3, 4, 5, 8, 9, 17, 20])
@pytest.mark.parametrize("dtype", DTYPES)
def test_every_pixel_of_a_frame(window, size, dtype):
    """Every pixel as a position: the dense (box) kernel and the sparse one both agree with brute force."""
    rng = np.random.default_rng(size)
    video = random_video(rng, (3, 13, 24), dtype)
    rows, cols = np.mgrid[0:13, 0:24]
    positions = np.column_stack([cols.ravel(), rows.ravel()])
    traces = extract_traces(video, positions, size=size, window=window)
    assert traces.dtype == expected_dtype(dtype, window, size)
    assert_matches_brute(video, positions.tolist(), window, size, traces)


@pytest.mark.parametrize("window", WINDOWS)
def test_nan_pixels_are_left_out(window):
    video = np.ones((2, 7, 7), dtype=np.float32)
    video[0, 3, 3] = np.nan  # one NaN pixel in the window of frame 0
    video[1] = np.nan  # a frame where every pixel is NaN
    video[0, 3, 4] = 4.0
    traces = extract_traces(video, [(3, 3), (4, 3)], size=3, window=window)
    if window == "pixel":
        assert np.isnan(traces[0, 0]) and traces[0, 1] == 4.0
    else:
        n = 9  # a disc of size 3 (radius 1.5) covers the full 3 x 3 square too
        assert traces[0, 0] == pytest.approx((n - 2 + 4) / (n - 1))
    assert np.isnan(traces[1]).all()


def test_dense_nan_pixels_use_nan_aware_path():
    rng = np.random.default_rng(1)
    video = random_video(rng, (5, 16, 16), np.float32, nan_fraction=0.05)
    rows, cols = np.mgrid[0:16, 0:16]
    positions = np.column_stack([cols.ravel(), rows.ravel()])
    traces = extract_traces(video, positions, size=3, window="rect")
    assert_matches_brute(video, positions.tolist(), "rect", 3, traces)


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("block", [1, 2, 7, 1000])
@pytest.mark.parametrize("positions", [5, 300])
@pytest.mark.parametrize("window", WINDOWS)
def test_blocks_and_threads_give_the_same_traces(threads, block, positions, window):
    rng = np.random.default_rng(3)
    video = random_video(rng, (23, 20, 20), np.float64)
    xy = rng.integers(0, 20, size=(positions, 2))
    footprint = _footprint.Footprint.from_windows(xy[:, 1], xy[:, 0], (20, 20), window, 5)
    traces = _extract.run_blocks(video, footprint, block=block, threads=threads)
    np.testing.assert_allclose(traces, extract_traces(video, xy, size=5, window=window), rtol=1e-12)


# --- shapes and position forms --------------------------------------------------------------------------


@pytest.fixture
def video():
    return np.arange(4 * 6 * 8, dtype=np.float64).reshape(4, 6, 8)


@pytest.mark.parametrize(
    "single", [(5, 2), [5, 2], np.array([5, 2]), (np.int64(5), np.int32(2)), (np.float32(5.2), 2.4)]
)
def test_one_position_gives_one_trace(video, single):
    trace = extract_traces(video, single, size=1)
    assert trace.shape == (4,)
    np.testing.assert_array_equal(trace, video[:, 2, 5])  # x is the column, y the row


@pytest.mark.parametrize(
    "many", [[(5, 2)], [[5, 2]], np.array([[5, 2]]), ((5, 2),), [np.array([5, 2])], iter([(5, 2)])]
)
def test_a_sequence_of_one_position_gives_a_column(video, many):
    traces = extract_traces(video, many, size=1)
    assert traces.shape == (4, 1)
    np.testing.assert_array_equal(traces[:, 0], video[:, 2, 5])


@pytest.mark.parametrize("empty", [[], (), np.empty((0, 2)), np.empty(0)])
def test_no_positions_give_an_empty_array(video, empty):
    traces = extract_traces(video, empty)
    assert traces.shape == (4, 0)
    assert traces.dtype == np.float64


def test_float_positions_round_to_the_nearest_pixel(video):
    np.testing.assert_array_equal(extract_traces(video, [(4.6, 1.5), (0.49, 0.2)], size=0), video[:, [2, 0], [5, 0]])


def test_spec_example_position_5_10_is_row_10_column_5():
    video = np.zeros((1, 20, 20))
    video[0, 10, 5] = 1.0
    assert extract_traces(video, (5, 10), size=1)[0] == 1.0


def test_even_rect_sits_up_and_left():
    video = np.zeros((1, 6, 6))
    video[0, 1:3, 1:3] = 1.0  # rows 1-2, columns 1-2
    assert extract_traces(video, (2, 2), size=2, window="rect")[0] == 1.0


def test_rect_is_clipped_at_the_corner():
    video = np.arange(25, dtype=np.float64).reshape(1, 5, 5)
    assert extract_traces(video, (0, 0), size=3)[0] == np.mean([0, 1, 5, 6])


def test_default_window_is_used_and_can_be_changed():
    video = np.random.default_rng(0).random((3, 9, 9))
    assert get_default_trace_window() == "rect"
    rect = extract_traces(video, (4, 4), size=5)
    set_default_trace_window("disc")
    assert get_default_trace_window() == "disc"
    disc = extract_traces(video, (4, 4), size=5)
    np.testing.assert_allclose(disc, brute_trace(video, 4, 4, "disc", 5))
    assert not np.allclose(rect, disc)
    with pytest.raises(ValueError, match="window must be one of"):
        set_default_trace_window("square")
    assert get_default_trace_window() == "disc"


def test_non_contiguous_and_list_videos():
    base = np.random.default_rng(0).random((6, 10, 12))
    view = base[::2, :, ::-1]
    positions = [(0, 0), (5, 5), (11, 9)]
    expected = np.stack([brute_trace(view, x, y, "rect", 3) for x, y in positions], axis=1)
    np.testing.assert_allclose(extract_traces(view, positions, size=3), expected)
    np.testing.assert_allclose(extract_traces(view.tolist(), positions, size=3), expected)


def test_float16_keeps_its_dtype():
    video = np.ones((2, 5, 5), dtype=np.float16)
    trace = extract_traces(video, (2, 2), size=3)
    assert trace.dtype == np.float16
    np.testing.assert_array_equal(trace, [1, 1])


def test_top_level_reexport():
    assert optimap.extract_traces is extract_traces


def test_show_plots_the_traces():
    import matplotlib.pyplot as plt

    video = np.random.default_rng(0).random((10, 8, 8))
    fig, ax = plt.subplots()
    traces = extract_traces(video, [(1, 1), (5, 5)], ax=ax, fps=100, labels=["a", "b"])
    assert traces.shape == (10, 2)
    assert len(ax.lines) == 2 and ax.get_xlabel() == "Time [s]"
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), traces[:, 1])
    extract_traces(video, (1, 1), show=True)  # a new figure, shown under Agg
    assert len(plt.get_fignums()) == 2


# --- bad input --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("video", "error", "match"),
    [
        (np.zeros((4, 4)), ValueError, "video must be 3-D"),
        (np.zeros((2, 4, 4, 3)), ValueError, "video must be 3-D"),
        (np.zeros((2, 4, 4), dtype=bool), TypeError, "real numbers"),
        (np.zeros((2, 4, 4), dtype=complex), TypeError, "real numbers"),
        (np.array([[["a"]]]), TypeError, "real numbers"),
        ("video.npy", TypeError, "string"),
        (None, ValueError, "video must be 3-D"),
    ],
)
def test_bad_video(video, error, match):
    with pytest.raises(error, match=match):
        extract_traces(video, (0, 0))


@pytest.mark.parametrize(
    ("coords", "error", "match"),
    [
        ((1, np.nan), ValueError, "not two finite numbers"),
        ([(1, 2), (np.inf, 0)], ValueError, "not two finite numbers"),
        (np.array([[1, 2], [3, np.nan]]), ValueError, "not two finite numbers"),
        ([(1, 2), (1, 2, 3)], ValueError, "pair"),
        ([(1, 2), (1,)], ValueError, "pair"),
        ([(1, 2), 3], TypeError, "pair"),
        ("12", TypeError, "coords must be"),
        ([("1", "2")], TypeError, "pair"),
        (("a", "b"), TypeError, "pair"),
        ([(True, 2), (1, 2)], TypeError, "pair"),
        (np.zeros((3, 3)), ValueError, r"\(N, 2\)"),
        (np.array([["1", "2"]]), TypeError, "real numbers"),
        (5, TypeError, "coords must be"),
        ({"x": 1}, TypeError, "coords must be"),
    ],
)
def test_bad_positions(video, coords, error, match):
    with pytest.raises(error, match=match):
        extract_traces(video, coords)


@pytest.mark.parametrize(
    ("coords", "message"),
    [
        ((8, 0), r"position \(8, 0\) is outside the frame \(width 8, height 6\)"),
        ((0, 6), r"position \(0, 6\) is outside the frame"),
        ([(1, 1), (-1, 0)], r"position \(-1, 0\) is outside"),
        ((7.6, 0), r"position \(7.6, 0\) is outside"),
    ],
)
def test_positions_outside_the_frame(video, coords, message):
    with pytest.raises(ValueError, match=message):
        extract_traces(video, coords)


@pytest.mark.parametrize(
    ("size", "error", "match"),
    [
        (-1, ValueError, "size must be >= 0"),
        (2.5, ValueError, "whole number"),
        ("5", TypeError, "size must be an integer"),
        (True, TypeError, "size must be an integer"),
        (np.nan, ValueError, "whole number"),
    ],
)
def test_bad_size(video, size, error, match):
    with pytest.raises(error, match=match):
        extract_traces(video, (1, 1), size=size)


def test_integral_float_size_is_accepted(video):
    np.testing.assert_array_equal(extract_traces(video, (1, 1), size=3.0), extract_traces(video, (1, 1), size=3))


@pytest.mark.parametrize("window", ["square", "", 3, "RECT"])
def test_unknown_window(video, window):
    with pytest.raises(ValueError, match="window must be one of 'rect', 'disc', 'pixel'"):
        extract_traces(video, (1, 1), window=window)


def test_no_warnings_and_no_nan_from_a_zero_frame_video():
    traces = extract_traces(np.zeros((0, 5, 5)), [(1, 1), (2, 2)])
    assert traces.shape == (0, 2)
