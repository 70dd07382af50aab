"""The engine at its edges: huge windows, inf, masked arrays, every dtype, arbitrary footprints."""

import threading
import time
import tracemalloc
import warnings

import numpy as np
import pytest
from brute import brute_trace, window_mask
from brute_regions import brute_traces
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimap import _jit
from optimap.trace import _extract, _footprint, _plan, _positions, extract_traces

INT_DTYPES = [np.uint8, np.int8, np.uint16, np.int16, np.uint32, np.int32, np.uint64, np.int64]
FLOAT_DTYPES = [np.float16, np.float32, np.float64]
WINDOWS = ["rect", "disc", "pixel"]


def brute_all(video, positions, window, size):
    return np.stack([brute_trace(video, x, y, window, size) for x, y in positions], axis=1)


def every_pixel(height, width):
    rows, cols = np.mgrid[0:height, 0:width]
    return np.column_stack([cols.ravel(), rows.ravel()])


# --- windows larger than the frame ----------------------------------------------------------------------


@pytest.mark.parametrize("window", ["rect", "disc"])
@pytest.mark.parametrize("size", [100000, 3000, 10**12])
def test_a_window_larger_than_the_frame_costs_what_the_frame_costs(window, size):
    video = np.random.default_rng(0).random((50, 128, 128)).astype(np.float32)
    positions = [(0, 0), (127, 127), (64, 3)]
    extract_traces(video[:2], positions, size=size, window=window)  # load this footprint's kernel first
    tracemalloc.start()
    try:
        traces = extract_traces(video, positions, size=size, window=window)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2**20, f"peak {peak / 2**20:.1f} MiB"
    # both cover the whole frame from every centre: the frame mean
    expected = video.astype(np.float64).mean(axis=(1, 2))
    np.testing.assert_allclose(traces, np.repeat(expected[:, None], 3, axis=1), rtol=1e-6)


@pytest.mark.parametrize("window", ["rect", "disc"])
def test_every_pixel_with_a_huge_window_is_bounded(window):
    video = np.random.default_rng(1).random((4, 40, 30))
    traces = extract_traces(video, every_pixel(40, 30), size=100000, window=window)
    np.testing.assert_allclose(traces, np.repeat(video.mean(axis=(1, 2))[:, None], 1200, axis=1), rtol=1e-12)


@pytest.mark.parametrize("window", ["rect", "disc"])
@pytest.mark.parametrize("size", [9, 10, 13, 20, 21, 40, 63])
def test_windows_partly_larger_than_the_frame(window, size):
    video = np.random.default_rng(size).random((3, 9, 14))
    positions = [(0, 0), (13, 8), (7, 4), (2, 6)]
    np.testing.assert_allclose(
        extract_traces(video, positions, size=size, window=window),
        brute_all(video, positions, window, size),
        rtol=1e-12,
    )


# --- inf and overflow: IEEE answers, never a warning -------------------------------------------------------


@pytest.mark.parametrize("dense", [False, True])
@pytest.mark.parametrize("window", ["rect", "disc"])
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_inf_gives_ieee_answers_without_warnings(dense, window, dtype):
    video = np.ones((4, 9, 9), dtype=dtype)
    video[0, 4, 4] = np.inf  # +inf with finite values: +inf
    video[1, 4, 4], video[1, 4, 5] = np.inf, -np.inf  # +inf with -inf: NaN
    video[2, 3:6, 3:6] = -np.inf  # only -inf in the window: -inf
    video[3, 4, 4] = np.nan  # NaN left out
    positions = every_pixel(9, 9) if dense else [(4, 4)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traces = extract_traces(video, positions, size=3, window=window)
    centre = traces[:, 40] if dense else traces[:, 0]
    assert centre[0] == np.inf
    assert np.isnan(centre[1])
    assert centre[2] == -np.inf
    assert centre[3] == 1.0
    if dense:
        with np.errstate(all="ignore"):
            np.testing.assert_array_equal(traces, brute_all(video, positions.tolist(), window, 3).astype(dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_huge_finite_values_do_not_overflow_or_warn(dtype):
    big = np.finfo(dtype).max
    video = np.full((2, 6, 6), big, dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traces = extract_traces(video, [(2, 2), (0, 0)], size=5)
    if dtype == np.float32:  # summed in float64: the exact mean
        np.testing.assert_array_equal(traces, big)
    else:  # float64 sums overflow to inf, as IEEE says, quietly
        assert np.isinf(traces).all()


# --- masked arrays --------------------------------------------------------------------------------------


@pytest.mark.parametrize("dense", [False, True])
@pytest.mark.parametrize("window", WINDOWS)
@pytest.mark.parametrize("dtype", [np.uint16, np.float32, np.float64])
def test_masked_pixels_are_left_out_like_nan(dense, window, dtype):
    rng = np.random.default_rng(2)
    data = rng.integers(0, 1000, size=(5, 12, 10)).astype(dtype)
    mask = rng.random(data.shape) < 0.3
    mask[2] = True  # a frame with every pixel masked gives NaN
    video = np.ma.masked_array(data, mask=mask)
    before = (video.data.copy(), video.mask.copy())
    positions = every_pixel(12, 10) if dense else [(0, 0), (5, 6), (9, 11)]
    traces = extract_traces(video, positions, size=4, window=window)
    as_nan = np.where(mask, np.nan, data.astype(np.float64))
    expected = brute_all(as_nan, [tuple(p) for p in positions], window, 4)
    assert traces.dtype == (np.dtype(dtype) if np.dtype(dtype).kind == "f" else np.float64)
    rtol = 1e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(traces, expected, rtol=rtol)
    assert np.isnan(traces[2]).all()
    np.testing.assert_array_equal(video.data, before[0])
    np.testing.assert_array_equal(video.mask, before[1])


def test_masked_array_without_mask_equals_its_data():
    data = np.random.default_rng(3).random((3, 8, 8))
    np.testing.assert_array_equal(
        extract_traces(np.ma.masked_array(data), [(1, 1), (4, 5)], size=3),
        extract_traces(data, [(1, 1), (4, 5)], size=3),
    )


# --- every dtype, exact integer sums ------------------------------------------------------------------------


@pytest.mark.parametrize("dense", [False, True])
@pytest.mark.parametrize("window", WINDOWS)
@pytest.mark.parametrize("dtype", INT_DTYPES + FLOAT_DTYPES)
def test_every_dtype(dense, window, dtype):
    rng = np.random.default_rng(4)
    if np.dtype(dtype).kind in "iu":
        info = np.iinfo(dtype)
        video = rng.integers(info.min, info.max, size=(3, 11, 9), dtype=dtype, endpoint=True)
    else:
        video = (rng.standard_normal((3, 11, 9)) * 10).astype(dtype)
    positions = every_pixel(11, 9) if dense else [(0, 0), (4, 5), (8, 10)]
    traces = extract_traces(video, positions, size=5, window=window)
    single = window == "pixel"
    assert traces.dtype == (np.dtype(dtype) if single or np.dtype(dtype).kind == "f" else np.float64)
    if single:
        np.testing.assert_array_equal(
            traces,
            video[:, positions[:, 1], positions[:, 0]]
            if dense
            else np.stack([video[:, y, x] for x, y in positions], axis=1),
        )
        return
    expected = exact_means(video, [tuple(p) for p in positions], window, 5)
    rtol = {2: 1e-3, 4: 1e-6}.get(np.dtype(dtype).itemsize, 1e-12) if np.dtype(dtype).kind == "f" else 2e-16
    np.testing.assert_allclose(traces.astype(np.float64), expected, rtol=rtol, atol=0)


@pytest.mark.parametrize("shape", [(2, 0, 3), (2, 3, 0), (2, 0, 0), (0, 0, 3)])
@pytest.mark.parametrize("window", WINDOWS)
def test_frames_without_pixels_have_no_positions(shape, window):
    """A frame with no rows or columns holds no position: no traces, and no IndexError from inside."""
    for size in (0, 1, 3, 8):
        traces = extract_traces(np.zeros(shape, dtype=np.float32), [], size, window=window)
        assert traces.shape == (shape[0], 0)
    with pytest.raises(ValueError, match=r"position \(0, 0\) is outside the frame"):
        extract_traces(np.zeros(shape), [(0, 0)])


@pytest.mark.parametrize("dense", [False, True])
@pytest.mark.parametrize("window", ["rect", "disc"])
@pytest.mark.parametrize("dtype", INT_DTYPES + FLOAT_DTYPES)
def test_the_mean_of_a_constant_is_the_constant(dense, window, dtype):
    """Exactly, like numpy's mean, whatever the kernel: every pixel takes the dense kernels (running sums
    for the wide sizes), a few positions the runs kernel; windows clipped at every edge."""
    info = np.iinfo(dtype) if np.dtype(dtype).kind in "iu" else None
    values = [7, int(info.max), int(info.min)] if info else [3.0, -0.375, 1000.0, 2.0**-20]
    if np.dtype(dtype) == np.float64:
        values.append(2.0**40 + 1)
    positions = every_pixel(40, 36) if dense else [(0, 0), (35, 39), (17, 3), (20, 20)]
    for value in values:
        video = np.full((9, 40, 36), value, dtype=dtype)
        expected = float(value) if info else video[0, 0, 0]
        for size in (3, 7, 15, 31):
            traces = extract_traces(video, positions, size=size, window=window)
            assert (traces == expected).all(), (value, size)


def exact_means(video, positions, window, size):
    """Means with Python integers (exact) for integer videos, float64 otherwise."""
    means = np.empty((len(video), len(positions)))
    for i, (x, y) in enumerate(positions):
        mask = window_mask(video.shape[1], video.shape[2], x, y, window, size)
        for t in range(len(video)):
            values = video[t][mask]
            if values.dtype.kind in "iu":
                total = sum(int(v) for v in values)
                means[t, i] = total / len(values)  # Python rounds int / int once
            else:
                means[t, i] = values.astype(np.float64).mean()
    return means


@pytest.mark.parametrize("dtype", [np.uint64, np.int64])
def test_64_bit_integers_near_their_limits_are_exact(dtype):
    info = np.iinfo(dtype)
    video = np.full((2, 6, 6), info.max, dtype=dtype)
    video[1, ::2] = info.max - 12345
    if info.min < 0:
        video[1, 1::2] = info.min + 7
    positions = [(0, 0), (3, 3), (5, 5)]
    for window in ("rect", "disc"):
        np.testing.assert_array_equal(
            extract_traces(video, positions, size=5, window=window), exact_means(video, positions, window, 5)
        )


def test_big_endian_and_strided_videos():
    base = np.random.default_rng(5).integers(0, 60000, size=(4, 14, 12)).astype(">u2")
    view = base[::2, 1:, ::-1]
    positions = [(0, 0), (5, 6), (11, 12)]
    for window in WINDOWS:
        expected = exact_means(view.astype(np.uint16), positions, window, 3)
        np.testing.assert_array_equal(extract_traces(view, positions, size=3, window=window), expected)
    floats = np.random.default_rng(6).random((3, 10, 10)).astype(">f8")
    np.testing.assert_allclose(
        extract_traces(floats, every_pixel(10, 10), size=4, window="disc"),
        brute_all(floats, every_pixel(10, 10).tolist(), "disc", 4),
        rtol=1e-12,
    )


# --- property test against brute force: sizes 0-63, edges, dtypes, NaN and inf ------------------------------


@st.composite
def cases(draw):
    dtype = draw(st.sampled_from([np.uint8, np.int16, np.uint64, np.float16, np.float32, np.float64]))
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 12)), draw(st.integers(1, 12)))
    window = draw(st.sampled_from(WINDOWS))
    size = draw(st.integers(0, 63))
    height, width = shape[1:]
    edge = st.tuples(st.sampled_from([0, width - 1]), st.integers(0, height - 1))
    anywhere = st.tuples(st.integers(0, width - 1), st.integers(0, height - 1))
    dense = draw(st.booleans())
    positions = (
        every_pixel(height, width).tolist()
        if dense
        else draw(st.lists(st.one_of(edge, anywhere), min_size=1, max_size=12))
    )
    specials = draw(st.sampled_from([0.0, 0.2])) if np.dtype(dtype).kind == "f" else 0.0
    return dtype, shape, window, size, positions, specials, draw(st.integers(0, 2**32 - 1))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_matches_brute_force_at_every_size(case):
    dtype, shape, window, size, positions, specials, seed = case
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind in "iu":
        info = np.iinfo(dtype)
        video = rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)
    else:
        video = (rng.standard_normal(shape) * 100).astype(dtype)
        picks = rng.random(shape)
        video[picks < specials] = np.nan
        video[picks < specials / 4] = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traces = extract_traces(video, positions, size=size, window=window)
    if window == "pixel" or size <= 1:
        np.testing.assert_array_equal(traces, np.stack([video[:, y, x] for x, y in positions], axis=1))
        return
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = (
            exact_means(video, positions, window, size)
            if np.dtype(dtype).kind in "iu"
            else brute_all(video, positions, window, size)
        )
    rtol = {2: 2e-3, 4: 1e-5}.get(np.dtype(dtype).itemsize, 1e-9) if np.dtype(dtype).kind == "f" else 2e-16
    scale = 100.0 if np.dtype(dtype).kind == "f" else 0.0
    np.testing.assert_allclose(
        traces.astype(np.float64),
        expected.astype(dtype).astype(np.float64) if np.dtype(dtype).kind == "f" else expected,
        rtol=rtol,
        atol=rtol * scale,
    )


# --- footprints from masks and triplets --------------------------------------------------------------------


def weighted_brute(video, masks):
    video = video.astype(np.float64)
    out = np.full((len(video), len(masks)), np.nan)
    for i, mask in enumerate(masks):
        for t in range(len(video)):
            keep = (mask > 0) & ~np.isnan(video[t])
            if keep.any():
                out[t, i] = (video[t][keep] * mask[keep]).sum() / mask[keep].sum()
    return out


@pytest.mark.parametrize("reads", ["frames", "pixels"])
def test_weighted_masks(reads):
    rng = np.random.default_rng(7)
    video = rng.random((6, 9, 11))
    video[video < 0.05] = np.nan
    masks = rng.random((5, 9, 11))
    masks[masks < 0.6] = 0
    masks[1] = masks[1] > 0  # an unweighted region
    masks[3] = 0  # an empty region: NaN
    footprint = _footprint.Footprint.from_masks(masks)
    plan = _plan.make_plan(footprint, video.dtype, reads=reads, pixels=footprint.pixels, n_frames=len(video))
    assert plan.kernel == "runs"
    out = np.empty((6, 5))
    block = video if reads == "frames" else video.reshape(6, 1, -1)[:, :, footprint.pixels]
    plan.extract(block, out)
    np.testing.assert_allclose(out, weighted_brute(video, masks), rtol=1e-12)
    assert np.isnan(out[:, 3]).all()


@pytest.mark.parametrize("reads", ["frames", "pixels"])
@pytest.mark.parametrize("weighted", [False, True])
def test_many_overlapping_regions_in_memory_order(reads, weighted):
    """More boxes than the runs kernel reads in the footprint's order: it then sums them in memory
    order, into regions that overlap and interleave, and redoes non-finite means NaN-aware."""
    rng = np.random.default_rng(11)
    video = rng.random((19, 23, 29))  # 19 frames: two groups of eight and three single frames
    video[rng.random(video.shape) < 0.01] = np.nan
    video[4, 3, 5], video[9, 7, 7] = np.inf, -np.inf
    masks = (rng.random((40, 23, 29)) < 0.08).astype(float)
    if weighted:
        masks *= rng.random(masks.shape) + 0.5
    masks[17] = 0  # an empty region in the middle: NaN
    footprint = _footprint.Footprint.from_masks(masks)
    assert footprint.n_boxes > _plan._UNSORTED_BOXES
    plan = _plan.make_plan(footprint, video.dtype, reads=reads, pixels=footprint.pixels, n_frames=len(video))
    runs = plan.args[4]
    assert plan.kernel == "runs" and (np.diff(runs[:, 0] * 29 + runs[:, 2]) >= 0).all()  # memory order
    out = np.empty((19, 40))
    block = video if reads == "frames" else video.reshape(19, 1, -1)[:, :, footprint.pixels]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plan.extract(block, out)
    np.testing.assert_allclose(out, weighted_brute_ieee(video, masks), rtol=1e-12)
    assert np.isnan(out[:, 17]).all()


def weighted_brute_ieee(video, masks):
    """Weighted means leaving NaN out, with inf by IEEE's rules (+inf and -inf together: NaN)."""
    out = np.full((len(video), len(masks)), np.nan)
    for i, mask in enumerate(masks):
        for t in range(len(video)):
            values, weights = video[t][mask > 0], mask[mask > 0]
            keep = ~np.isnan(values)
            if not keep.any():
                continue
            values, weights = values[keep], weights[keep]
            if np.isinf(values).any():
                infinite = values[np.isinf(values)]
                out[t, i] = np.nan if (infinite > 0).any() and (infinite < 0).any() else infinite[0]
            else:
                out[t, i] = (values * weights).sum() / weights.sum()
    return out


def test_triplets_merge_repeats_and_drop_zero_weights():
    video = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    footprint = _footprint.Footprint.from_triplets([0, 0, 0, 1], [5, 5, 6, 0], [1.0, 1.0, 0.0, 3.0], 2, (3, 4))
    traces = _extract.run_blocks(video, footprint)
    np.testing.assert_array_equal(traces, [[5, 0], [17, 12]])
    with pytest.raises(ValueError, match="weights"):
        _footprint.Footprint.from_triplets([0], [0], [-1.0], 1, (3, 4))


def test_plan_is_made_once_and_picks_dense_kernels_for_every_pixel():
    footprint = _footprint.Footprint.from_windows(*every_pixel(64, 64)[:, ::-1].T, (64, 64), "rect", 63)
    assert _plan.choose_kernel(footprint) == "box"
    disc = _footprint.Footprint.from_windows(*every_pixel(64, 64)[:, ::-1].T, (64, 64), "disc", 31)
    assert _plan.choose_kernel(disc) == "profile"
    few = _footprint.Footprint.from_windows([3, 4], [5, 6], (64, 64), "disc", 5)
    assert _plan.choose_kernel(few) == "runs"
    plan = _plan.make_plan(few, np.uint16, n_frames=10)
    assert plan.accumulator.dtype == np.int64 and plan.out_dtype == np.float64 and plan.threads == 1


# --- the numpy path, the accumulators, the fast position parser ----------------------------------------------


def exactly_summed_video(rng, shape, dtype):
    """A video whose float64 sums are exact, whatever their order: integers over the dtype's whole range,
    or eighths for floats, with NaN, inf and -inf (one frame each, the last in the frame's corner)."""
    if np.dtype(dtype).kind in "iu":
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)
    video = (rng.integers(-2000, 2000, size=shape) / 8).astype(dtype)
    video[2, 3, 4], video[5, -1, -1], video[6, 0, 0] = np.nan, np.inf, -np.inf
    return video


def numpy_path_and_compiled(monkeypatch, footprint, video, reads="frames"):
    """The traces of the numpy path (a process without compiled code) and of the compiled kernel the
    plan picks, which must be equal bit for bit; returns the kernel's. With ``reads="pixels"`` both
    get the footprint's pixels gathered, as from a chunked store."""
    pixels = footprint.pixels if reads == "pixels" else None
    if reads == "pixels":
        video = video.reshape(len(video), 1, -1)[:, :, pixels]
    monkeypatch.setattr(_jit, "_WARM", threading.Event())  # as in a process where no compiled code ran
    monkeypatch.setattr(_plan, "compiled_pays", lambda estimate: False)
    numpy_plan = _plan.make_plan(footprint, video.dtype, reads=reads, pixels=pixels, n_frames=len(video))
    monkeypatch.setattr(_plan, "compiled_pays", lambda estimate: True)
    compiled_plan = _plan.make_plan(footprint, video.dtype, reads=reads, pixels=pixels, n_frames=len(video))
    assert numpy_plan.kernel == "direct" and compiled_plan.kernel != "direct"
    shape = (len(video), footprint.n_regions)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        by_numpy = numpy_plan.extract(video, np.empty(shape, numpy_plan.out_dtype))
        compiled = compiled_plan.extract(video, np.empty(shape, compiled_plan.out_dtype))
    np.testing.assert_array_equal(by_numpy, compiled)
    return compiled


@pytest.mark.parametrize("reads", ["frames", "pixels"])
@pytest.mark.parametrize("window", ["rect", "disc"])
@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.float16, np.float32])
def test_numpy_path_equals_the_compiled_kernels(monkeypatch, window, dtype, reads):
    """A few windows in a process without numba take the numpy path, on whole frames or on the pixels a
    chunked store's reader gathered; its means are the runs kernel's, bit for bit (box sums are exact
    there)."""
    video = exactly_summed_video(np.random.default_rng(8), (11, 13, 12), dtype)
    positions = [(0, 0), (11, 12), (5, 6), (11, 0)]
    footprint = _footprint.Footprint.from_windows(
        [p[1] for p in positions], [p[0] for p in positions], (13, 12), window, 5
    )
    compiled = numpy_path_and_compiled(monkeypatch, footprint, video, reads)
    np.testing.assert_allclose(compiled, brute_all(video, positions, window, 5).astype(compiled.dtype), rtol=1e-6)


@pytest.fixture
def cold_process(monkeypatch):
    """The process as if no compiled code had run and no stand-in had spent any time yet."""
    monkeypatch.setattr(_jit, "_WARM", threading.Event())
    monkeypatch.setattr(_jit, "_stand_in_seconds", 0.0)
    return _jit


def test_numpy_path_runs_until_loading_numba_pays(cold_process):
    few = _footprint.Footprint.from_windows([3, 4], [5, 6], (64, 64), "disc", 5)
    assert _plan.make_plan(few, np.float32, n_frames=100).kernel == "direct"
    assert _plan.make_plan(few, np.float64, n_frames=100).kernel == "runs"  # float64 sums: order matters
    assert _plan.make_plan(few, np.int64, n_frames=100).kernel == "runs"
    assert _plan.make_plan(few, np.float32, n_frames=10**7).kernel == "runs"  # seconds of numpy
    dense = _footprint.Footprint.from_windows(*every_pixel(64, 64)[:, ::-1].T, (64, 64), "rect", 3)
    assert _plan.make_plan(dense, np.float32, n_frames=10**4).kernel == "box"
    masks = np.zeros((2, 64, 64), dtype=bool)
    masks[0, 10:30, 5:9], masks[1, 40:, :] = True, True
    assert _plan.make_plan(_footprint.Footprint.from_masks(masks), np.uint16, n_frames=1000).kernel == "direct"
    assert _plan.make_plan(_footprint.Footprint.from_masks(masks), np.uint16, n_frames=10**6).kernel == "runs"
    weighted = _footprint.Footprint.from_masks(masks * 0.5)  # weighted sums: the kernels' float order
    assert _plan.make_plan(weighted, np.uint16, n_frames=1000).kernel == "runs"
    # the numpy path's time adds up; once it would pass numba's load, compiled code runs
    plan = _plan.make_plan(few, np.float32, n_frames=100)
    plan.extract(np.ones((100, 64, 64), np.float32), np.empty((100, 2), np.float32))
    assert 0 < cold_process._stand_in_seconds < 0.5
    cold_process._stand_in_seconds = cold_process.LOAD_SECONDS
    assert _plan.make_plan(few, np.float32, n_frames=100).kernel == "runs"


def test_compiled_code_pays_once_the_stand_ins_cost_a_load(cold_process):
    assert not cold_process.compiled_pays(0.9 * cold_process.LOAD_SECONDS)
    assert cold_process.compiled_pays(1.1 * cold_process.LOAD_SECONDS)
    with cold_process.standing_in():
        time.sleep(0.05)
    with pytest.raises(KeyError), cold_process.standing_in():  # the time counts, whatever happens
        time.sleep(0.05)
        raise KeyError
    spent = cold_process._stand_in_seconds
    assert 0.1 <= spent < 0.5
    assert not cold_process.compiled_pays(cold_process.LOAD_SECONDS - spent - 0.01)
    assert cold_process.compiled_pays(cold_process.LOAD_SECONDS - spent + 0.01)
    cold_process.warm_up()
    assert cold_process.compiled_pays(0.0)


@pytest.mark.parametrize(("window", "size", "kernel"), [("rect", 3, "box"), ("disc", 7, "profile")])
@pytest.mark.parametrize("dtype", [np.uint16, np.int32, np.float32])
def test_numpy_path_at_every_pixel_equals_the_dense_kernels(monkeypatch, window, size, kernel, dtype):
    """Every pixel of a small video takes the numpy path too while numba is not worth loading; its
    means are the dense kernels' (prefix sums), bit for bit, edges, NaN and inf included."""
    rng = np.random.default_rng(13)
    shape = (9, 40, 33)
    video = exactly_summed_video(rng, shape, dtype)
    positions = every_pixel(*shape[1:])
    footprint = _footprint.Footprint.from_windows(positions[:, 1], positions[:, 0], shape[1:], window, size)
    assert _plan.choose_kernel(footprint) == kernel
    compiled = numpy_path_and_compiled(monkeypatch, footprint, video)
    picked = rng.choice(len(positions), 40, replace=False)
    expected = brute_all(video, positions[picked], window, size).astype(compiled.dtype)
    np.testing.assert_allclose(compiled[:, picked], expected, rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.uint16, np.int32, np.float16, np.float32])
@pytest.mark.parametrize("reads", ["frames", "pixels"])
def test_numpy_path_for_regions_equals_the_compiled_kernels(monkeypatch, dtype, reads):
    """Unweighted regions (a label image's, overlapping masks, one pixel, an empty one) take the numpy
    path in a process without compiled code, on whole frames or gathered pixels; its means are the
    runs kernel's, bit for bit."""
    rng = np.random.default_rng(12)
    shape = (9, 14, 11)
    video = exactly_summed_video(rng, shape, dtype)
    masks = np.zeros((5,) + shape[1:], dtype=bool)
    masks[0] = rng.random(shape[1:]) < 0.4  # ragged runs
    masks[1, 3:12, 2:9] = True  # a block: rows of equal runs
    masks[2, 5:, :] = masks[0, 5:, :]  # overlaps region 0
    masks[3, 13, 10] = True  # one pixel, in the corner
    footprint = _footprint.Footprint.from_masks(masks)  # region 4 is empty
    compiled = numpy_path_and_compiled(monkeypatch, footprint, video, reads)
    expected = brute_traces(video, masks[:4])
    np.testing.assert_allclose(compiled[:, :4], expected.astype(compiled.dtype), rtol=1e-6)
    assert np.isnan(compiled[:, 4]).all()


@pytest.mark.parametrize("window", ["rect", "disc"])
@pytest.mark.parametrize("size, accumulator", [(181, np.int32), (190, np.int64)])
def test_int32_sums_only_while_they_fit(window, size, accumulator):
    """uint16 windows sum in int32 while size**2 * 65535 < 2**31 (rect 181), else in int64: exact either way."""
    video = np.full((2, 200, 200), 65535, dtype=np.uint16)
    video[1, ::3] = 65534
    footprint = _footprint.Footprint.from_windows(*every_pixel(200, 200)[:, ::-1].T, (200, 200), window, size)
    plan = _plan.make_plan(footprint, video.dtype, n_frames=2)
    if window == "rect":
        assert plan.accumulator.dtype == accumulator
    traces = extract_traces(video, every_pixel(200, 200)[::997], size=size, window=window)
    positions = [tuple(p) for p in every_pixel(200, 200)[::997]]
    np.testing.assert_array_equal(traces, exact_means(video, positions, window, size))
    dense = extract_traces(video, every_pixel(200, 200), size=size, window=window)
    np.testing.assert_array_equal(dense[:, ::997], traces)


@pytest.mark.parametrize(
    "coords",
    [
        (3, 4),
        [3, 4],
        [(0, 0), (9, 7)],
        [[1, 2], (3, 4)],
        [(9, 7)],
        (10, 4),
        (3, 8),
        (-1, 2),
        [(1, 2), (1, 8)],
        (True, 2),
        (np.int64(3), 4),
        (3.0, 4),
        [(1, 2), (3,)],
        [(1, 2, 3)],
        [(1, 2), "ab"],
        ((1, 2), (3, 4)),
        [],
    ],
)
def test_integer_positions_fast_path_agrees_with_the_parser(coords):
    fast = _extract._int_positions(coords, (8, 10))
    if fast is None:
        return  # the general parser takes it (and explains any error)
    rows, cols, single = _positions.positions_to_pixels(coords, (8, 10))
    np.testing.assert_array_equal(fast[0], rows)
    np.testing.assert_array_equal(fast[1], cols)
    assert fast[2] == single and fast[0].dtype == rows.dtype


@pytest.mark.parametrize(
    "window, size", [("rect", 3), ("rect", 4), ("rect", 6), ("rect", 15), ("disc", 5), ("disc", 9)]
)
def test_dense_kernels_on_strided_frames(window, size):
    base = np.random.default_rng(9).integers(0, 1000, size=(3, 30, 26)).astype(np.float32)
    view = base[:, 1::2, ::-1]
    positions = every_pixel(*view.shape[1:])
    traces = extract_traces(view, positions, size=size, window=window)
    np.testing.assert_allclose(traces, brute_all(view, positions.tolist(), window, size), rtol=1e-6)
