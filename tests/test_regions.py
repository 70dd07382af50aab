"""Region traces: masks, stacks, label images, polygons and weights, against brute-force references."""

import warnings

import numpy as np
import pytest
from brute_regions import brute_polygon_mask, brute_traces
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from optimap.trace import extract_region_traces, extract_traces, region_masks, region_names, show_regions
from optimap.trace._regions import mask_outlines


def out_dtype(dtype):
    """numpy.mean's dtype: floats keep theirs, integers give float64."""
    return np.dtype(dtype) if np.dtype(dtype).kind == "f" else np.dtype(np.float64)


def random_video(rng, shape, dtype, nan_fraction=0.0):
    if np.dtype(dtype).kind in "iu":
        info = np.iinfo(dtype)
        return rng.integers(max(info.min, -(2**20)), min(info.max, 2**20), size=shape, dtype=dtype, endpoint=True)
    video = (rng.standard_normal(shape) * 50).astype(dtype)
    video[rng.random(shape) < nan_fraction] = np.nan
    return video


def rtol_for(dtype):
    return {2: 2e-3, 4: 2e-6}.get(np.dtype(dtype).itemsize, 1e-12) if np.dtype(dtype).kind == "f" else 1e-13


# --- masks, stacks and label images --------------------------------------------------------------------------------


@st.composite
def mask_cases(draw):
    dtype = draw(st.sampled_from([np.uint8, np.int16, np.uint16, np.int64, np.float16, np.float32, np.float64]))
    shape = (draw(st.integers(1, 4)), draw(st.integers(1, 10)), draw(st.integers(1, 10)))
    n = draw(st.integers(1, 5))
    seed = draw(st.integers(0, 2**32 - 1))
    weighted = draw(st.sampled_from([None, "map", "per region"]))
    nan = draw(st.sampled_from([0.0, 0.3])) if np.dtype(dtype).kind == "f" else 0.0
    return dtype, shape, n, seed, weighted, nan


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mask_cases())
@example((np.int64, (1, 10, 10), 4, 2, "per region", 0.0))  # weighted signed values that nearly cancel
def test_masks_match_brute_force(case):
    dtype, shape, n, seed, weighted, nan = case
    rng = np.random.default_rng(seed)
    video = random_video(rng, shape, dtype, nan)
    masks = rng.random((n, *shape[1:])) < rng.uniform(0.1, 0.9)
    for i in range(n):
        if not masks[i].any():
            masks[i, rng.integers(shape[1]), rng.integers(shape[2])] = True
    weights = None
    if weighted == "map":
        weights = rng.random(shape[1:]) + 0.01
    elif weighted == "per region":
        weights = rng.random((n, *shape[1:]))
        weights[rng.random(weights.shape) < 0.3] = 0.0
        weights[masks & (weights == 0)] = 0.5  # every region keeps weight on its pixels
    before = (video.copy(), masks.copy(), None if weights is None else weights.copy())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traces = extract_region_traces(video, masks, weights=weights)
    assert traces.shape == (shape[0], n) and traces.dtype == out_dtype(dtype)
    expected = brute_traces(video, masks, weights)
    # weighted means of signed values may cancel: the rounding error scales with the values, not the mean
    values = np.abs(video[np.isfinite(video)].astype(np.float64))
    scale = max(float(values.max()) if values.size else 1.0, 1.0)
    np.testing.assert_allclose(traces.astype(np.float64), expected, rtol=rtol_for(dtype), atol=rtol_for(dtype) * scale)
    np.testing.assert_array_equal(video, before[0])
    np.testing.assert_array_equal(masks, before[1])
    if weights is not None:
        np.testing.assert_array_equal(weights, before[2])


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 9),
    st.integers(1, 9),
    st.sampled_from([np.uint8, np.int32, np.uint64, np.int64]),
    st.integers(0, 2**32 - 1),
)
def test_label_images_give_one_column_per_label_in_increasing_order(height, width, label_dtype, seed):
    rng = np.random.default_rng(seed)
    choices = np.array([0, 1, 2, 5, 7, 100, np.iinfo(label_dtype).max], dtype=label_dtype)
    labels = choices[rng.integers(0, len(choices), size=(height, width))]
    video = random_video(rng, (3, height, width), np.uint16)
    traces = extract_region_traces(video, labels)
    present = sorted(int(v) for v in np.unique(labels) if v != 0)
    assert traces.shape == (3, len(present))
    assert region_names(labels, (height, width)) == [f"label_{k}" for k in present]
    expected = brute_traces(video, [labels == k for k in present])
    np.testing.assert_allclose(traces, expected.reshape(3, len(present)), rtol=1e-13)


def test_label_image_and_masks_with_nan_pixels():
    rng = np.random.default_rng(1)
    video = rng.random((6, 8, 9)).astype(np.float32)
    video[:, 2, 3] = np.nan
    video[4, :4, :] = np.nan  # every pixel of label 1 in frame 4
    labels = np.zeros((8, 9), dtype=np.int16)
    labels[:4, :] = 1
    labels[4:, 5:] = 3
    traces = extract_region_traces(video, labels)
    assert traces.dtype == np.float32
    np.testing.assert_allclose(traces, brute_traces(video, [labels == 1, labels == 3]), rtol=2e-6)
    assert np.isnan(traces[4, 0]) and not np.isnan(traces[4, 1])


def test_integer_videos_are_summed_exactly():
    big = np.iinfo(np.int64).max // 4
    video = np.full((2, 4, 4), big, dtype=np.int64)
    video[1, 0, 0] = big - 3
    labels = np.ones((4, 4), dtype=np.uint8)
    traces = extract_region_traces(video, labels)
    assert traces[0, 0] == float(big)
    assert traces[1, 0] == (big * 16 - 3) / 16  # one correctly rounded division of the exact sum


def test_shapes_one_region_or_many():
    video = np.random.default_rng(2).random((5, 6, 7))
    mask = np.zeros((6, 7), dtype=bool)
    mask[1:3, 2:5] = True
    square = [(2, 1), (4, 1), (4, 2), (2, 2)]
    assert extract_region_traces(video, mask).shape == (5,)
    assert extract_region_traces(video, square).shape == (5,)
    assert extract_region_traces(video, np.array(square, dtype=float)).shape == (5,)
    assert extract_region_traces(video, mask[None]).shape == (5, 1)
    assert extract_region_traces(video, [square]).shape == (5, 1)
    assert extract_region_traces(video, [mask, square]).shape == (5, 2)
    assert extract_region_traces(video, mask.astype(np.uint8)).shape == (5, 1)  # an integer image: labels
    assert extract_region_traces(video, []).shape == (5, 0)
    np.testing.assert_array_equal(extract_region_traces(video, mask), extract_region_traces(video, square))
    np.testing.assert_allclose(extract_region_traces(video, mask), video[:, mask].mean(axis=1), rtol=1e-14)


def test_integer_stack_non_zero_pixels_belong():
    video = np.random.default_rng(3).random((4, 5, 5))
    stack = np.zeros((2, 5, 5), dtype=np.int32)
    stack[0, :2, :2] = 7
    stack[1, 3:, 1:] = -1
    np.testing.assert_allclose(extract_region_traces(video, stack), brute_traces(video, stack != 0), rtol=1e-14)


def test_region_masks_and_names():
    labels = np.array([[0, 4, 4], [9, 9, 0]])
    masks = region_masks(labels, (2, 3))
    assert masks.dtype == bool and masks.shape == (2, 2, 3)
    np.testing.assert_array_equal(masks, [labels == 4, labels == 9])
    assert region_names(labels, (2, 3)) == ["label_4", "label_9"]
    assert region_names([np.ones((2, 3), bool), [(0, 0), (2, 0), (0, 1)], [(0, 0), (1, 0), (0, 1)]]) == [
        "region_0",
        "region_1",
        "region_2",
    ]
    with pytest.raises(TypeError, match="frame_shape"):
        region_masks(labels, 5)
    with pytest.raises(ValueError, match="frame_shape height must be >= 1"):
        region_masks(labels, (0, 3))


def test_a_frame_shaped_integer_array_is_a_label_image_and_an_m_by_2_array_a_polygon():
    video = np.random.default_rng(4).random((3, 5, 2))
    labels = np.array([[1, 1], [0, 2], [2, 2], [0, 0], [3, 0]])  # shape (5, 2): the frame's
    assert extract_region_traces(video, labels).shape == (3, 3)
    wide = np.random.default_rng(4).random((3, 6, 6))
    triangle = np.array([[0, 0], [4, 0], [0, 4]])  # (3, 2): not the frame's shape
    assert extract_region_traces(wide, triangle).shape == (3,)


# --- polygons --------------------------------------------------------------------------------------------------


def integer_vertex(height, width):
    return st.tuples(st.integers(-3, width + 2), st.integers(-3, height + 2))


@st.composite
def polygon_cases(draw):
    height, width = draw(st.integers(1, 11)), draw(st.integers(1, 11))
    kind = draw(st.sampled_from(["integer", "half", "float"]))
    n = draw(st.integers(3, 9))
    if kind == "integer":
        vertices = draw(st.lists(integer_vertex(height, width), min_size=n, max_size=n))
    elif kind == "half":
        vertices = [
            (x / 2, y / 2) for x, y in draw(st.lists(integer_vertex(2 * height, 2 * width), min_size=n, max_size=n))
        ]
    else:
        coordinate = st.floats(-3, max(height, width) + 2, allow_nan=False, allow_infinity=False)
        vertices = draw(st.lists(st.tuples(coordinate, coordinate), min_size=n, max_size=n))
    return height, width, vertices


CONCAVE_AND_SELF_TOUCHING = [
    (9, 9, [(0, 0), (8, 0), (8, 8), (4, 2), (0, 8)]),  # concave (an arrow head)
    (9, 9, [(0, 0), (4, 4), (8, 0), (8, 8), (4, 4), (0, 8)]),  # two triangles touching at (4, 4)
    (9, 9, [(0, 0), (8, 8), (8, 0), (0, 8)]),  # a bow tie: self-crossing
    (9, 9, [(1, 1), (7, 1), (7, 7), (1, 7), (1, 1), (3, 3), (3, 5), (5, 5), (5, 3), (3, 3)]),  # a hole by a slit
    (6, 6, [(0.1, 0.1), (3.1, 3.1), (0.1, 3.1)]),  # a slanted edge through centres, non-grid floats
    (6, 6, [(-2, -2), (9, -2), (9, 9), (-2, 9)]),  # larger than the frame
    (5, 5, [(2, 2), (2, 2), (2, 2)]),  # a point: the one pixel under it
    (5, 5, [(0, 2), (4, 2), (2, 2)]),  # a line along a row
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(polygon_cases())
@example(CONCAVE_AND_SELF_TOUCHING[0])
@example(CONCAVE_AND_SELF_TOUCHING[1])
@example(CONCAVE_AND_SELF_TOUCHING[2])
@example(CONCAVE_AND_SELF_TOUCHING[3])
@example(CONCAVE_AND_SELF_TOUCHING[4])
@example((2, 1, [(-0.25, 5e-324), (0.25, 0.0), (0.0, 1.0)]))  # a product of tiny differences underflows
def test_polygons_match_exact_brute_force(case):
    height, width, vertices = case
    expected = brute_polygon_mask([vertices], height, width)
    if not expected.any():
        with pytest.raises(ValueError, match="region 0 has no pixel inside the frame"):
            region_masks(vertices, (height, width))
        return
    np.testing.assert_array_equal(region_masks(vertices, (height, width))[0], expected)


@pytest.mark.parametrize("case", CONCAVE_AND_SELF_TOUCHING)
def test_named_polygons(case):
    height, width, vertices = case
    expected = brute_polygon_mask([vertices], height, width)
    np.testing.assert_array_equal(region_masks(vertices, (height, width))[0], expected)
    video = np.random.default_rng(5).random((3, height, width))
    np.testing.assert_allclose(
        extract_region_traces(video, vertices), brute_traces(video, expected[None])[:, 0], rtol=1e-13
    )


def test_many_polygons_at_once_match_one_by_one():
    rng = np.random.default_rng(6)
    polygons = [rng.integers(-2, 20, size=(rng.integers(3, 9), 2)) for _ in range(25)]
    expected = [brute_polygon_mask([p], 14, 17) for p in polygons]
    polygons = [p for p, mask in zip(polygons, expected) if mask.any()]
    np.testing.assert_array_equal(region_masks(polygons, (14, 17)), [mask for mask in expected if mask.any()])


def test_polygon_edge_centres_belong_and_the_even_odd_rule_holds():
    # square with a diagonal: centres on all four edges belong
    masks = region_masks([(1, 1), (4, 1), (4, 4), (1, 4)], (6, 6))[0]
    assert masks[1:5, 1:5].all() and masks.sum() == 16
    # a pentagram: its centre is enclosed twice, hence outside
    angles = np.pi / 2 + np.arange(5) * 4 * np.pi / 5
    star = np.column_stack([20 + 18 * np.cos(angles), 20 - 18 * np.sin(angles)])
    mask = region_masks(star, (41, 41))[0]
    assert not mask[20, 20] and mask[5, 20]


# --- weights -----------------------------------------------------------------------------------------------------


def test_weighted_label_regions_with_nan_pixels():
    rng = np.random.default_rng(7)
    video = rng.random((5, 6, 6))
    video[2, 0, 0] = np.nan
    labels = np.zeros((6, 6), dtype=int)
    labels[:3], labels[3:, 2:] = 1, 2
    weights = rng.random((6, 6))
    traces = extract_region_traces(video, labels, weights=weights)
    np.testing.assert_allclose(traces, brute_traces(video, [labels == 1, labels == 2], weights), rtol=1e-13)
    # a uniform weight map changes nothing
    np.testing.assert_allclose(
        extract_region_traces(video, labels, weights=np.full((6, 6), 3.0)),
        extract_region_traces(video, labels),
        rtol=1e-14,
    )


def test_suite2p_style_footprints():
    rng = np.random.default_rng(8)
    video = rng.integers(0, 4000, size=(7, 10, 10)).astype(np.uint16)
    footprint = np.zeros((2, 10, 10))
    footprint[0, 2:5, 2:5] = [[0.1, 0.5, 0.1], [0.5, 1.0, 0.5], [0.1, 0.5, 0.1]]
    footprint[1, 6:9, 5:9] = 0.25
    traces = extract_region_traces(video, footprint > 0, weights=footprint)
    assert traces.dtype == np.float64
    np.testing.assert_allclose(traces, brute_traces(video, footprint > 0, footprint), rtol=1e-13)


# --- sources -----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def source_case():
    rng = np.random.default_rng(9)
    video = rng.integers(0, 4096, size=(23, 40, 36), dtype=np.uint16)
    labels = np.zeros((40, 36), dtype=np.int32)
    labels[:10, :12], labels[20:40, 30:], labels[5:25, 15:20] = 3, 1, 8
    regions = [np.asarray(labels == k) for k in (1, 3, 8)] + [[(2, 30), (20, 25), (33, 38), (10, 39)]]
    return video, labels, regions


def sources_equal(actual, expected):
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=1e-13)


def test_memmap_and_tiff(tmp_path, source_case):
    from optimap.video import load_video

    video, labels, regions = source_case
    expected = extract_region_traces(video, regions)
    np.save(tmp_path / "v.npy", video)
    sources_equal(extract_region_traces(np.load(tmp_path / "v.npy", mmap_mode="r"), regions), expected)
    tifffile = pytest.importorskip("tifffile")
    tifffile.imwrite(tmp_path / "v.tif", video)
    sources_equal(extract_region_traces(load_video(tmp_path / "v.tif", use_mmap=True), regions), expected)
    sources_equal(extract_region_traces(video, labels), extract_region_traces(video, regions[:3]))


@pytest.mark.parametrize("chunks", [(5, 16, 16), (23, 40, 36), (1, 7, 36)])
def test_zarr_and_hdf5(tmp_path, source_case, chunks):
    zarr = pytest.importorskip("zarr")
    h5py = pytest.importorskip("h5py")
    video, labels, regions = source_case
    expected = extract_region_traces(video, regions)
    store = zarr.create_array(tmp_path / "v.zarr", shape=video.shape, chunks=chunks, dtype=video.dtype)
    store[:] = video
    sources_equal(extract_region_traces(zarr.open_array(tmp_path / "v.zarr", mode="r"), regions), expected)
    with h5py.File(tmp_path / "v.h5", "w") as file:
        file.create_dataset("video", data=video, chunks=chunks)
    with h5py.File(tmp_path / "v.h5", "r") as file:
        sources_equal(extract_region_traces(file["video"], regions), expected)
        sources_equal(extract_region_traces(file["video"], labels), extract_region_traces(video, labels))


def test_zarr_reads_only_chunks_holding_region_pixels(tmp_path, source_case):
    """Chunks without a pixel of any region are damaged: extraction must never read them."""
    zarr = pytest.importorskip("zarr")
    video, _, _ = source_case
    path = tmp_path / "v.zarr"
    store = zarr.create_array(path, shape=video.shape, chunks=(10, 16, 16), dtype=video.dtype)
    store[:] = video
    mask = np.zeros(video.shape[1:], dtype=bool)
    mask[2:9, 3:14] = True  # spatial chunk (0, 0) only
    for chunk in (p for p in (path / "c").rglob("*") if p.is_file()):
        if chunk.relative_to(path / "c").parts[1:] != ("0", "0"):
            chunk.write_bytes(b"damaged")
    array = zarr.open_array(path, mode="r")
    np.testing.assert_array_equal(extract_region_traces(array, mask), extract_region_traces(video, mask))
    import dask.array as da

    np.testing.assert_array_equal(
        extract_region_traces(da.from_zarr(array), mask).compute(), extract_region_traces(video, mask)
    )


@pytest.mark.parametrize("chunks", [(6, -1, -1), (5, 16, 12)])
def test_dask_is_lazy_and_equal(source_case, chunks):
    da = pytest.importorskip("dask.array")
    video, labels, regions = source_case
    lazy = extract_region_traces(da.from_array(video, chunks=chunks), regions)
    assert isinstance(lazy, da.Array) and lazy.shape == (23, 4)
    sources_equal(lazy.compute(scheduler="threads"), extract_region_traces(video, regions))
    single = extract_region_traces(da.from_array(video, chunks=chunks), regions[0])
    assert single.shape == (23,)
    sources_equal(single.compute(), extract_region_traces(video, regions[0]))


def test_dask_distributed_local_cluster(source_case):
    distributed = pytest.importorskip("distributed")
    da = pytest.importorskip("dask.array")
    video, labels, regions = source_case
    weights = np.random.default_rng(10).random(labels.shape)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        lazy_video = da.from_array(video, chunks=(8, 20, -1))
        traces = extract_region_traces(lazy_video, labels, weights=weights)
        sources_equal(client.compute(traces).result(), extract_region_traces(video, labels, weights=weights))
        assert len(client.scheduler_info()["workers"]) == 2


def test_masked_array_video():
    rng = np.random.default_rng(11)
    data = rng.integers(0, 100, size=(4, 6, 6)).astype(np.uint16)
    hidden = rng.random(data.shape) < 0.3
    video = np.ma.masked_array(data, mask=hidden)
    labels = (np.arange(36).reshape(6, 6) % 3).astype(np.uint8)
    traces = extract_region_traces(video, labels)
    expected = brute_traces(np.where(hidden, np.nan, data), [labels == 1, labels == 2])
    np.testing.assert_allclose(traces, expected, rtol=1e-13)


def test_progress_bar(capsys, monkeypatch, source_case):
    from optimap.trace import _extract

    pytest.importorskip("tqdm")
    video, labels, _ = source_case
    monkeypatch.setattr(_extract, "_PROGRESS_DELAY", 0.0)
    np.testing.assert_array_equal(
        extract_region_traces(video, labels, progress=True), extract_region_traces(video, labels)
    )
    assert "extracting traces" in capsys.readouterr().err
    with pytest.raises(TypeError, match="progress must be True or False"):
        extract_region_traces(video, labels, progress=1)


# --- bad input -------------------------------------------------------------------------------------------------

VIDEO = np.zeros((3, 8, 10))
MASK = np.zeros((8, 10), dtype=bool)
MASK[2:4, 2:4] = True


@pytest.mark.parametrize(
    ("regions", "weights", "error", "match"),
    [
        (
            np.ones((8, 9), dtype=bool),
            None,
            ValueError,
            r"regions: the mask has shape \(8, 9\) but the frame's is \(8, 10\)",
        ),
        (np.ones((2, 7, 10), dtype=bool), None, ValueError, r"each mask of the stack has shape \(7, 10\)"),
        (np.ones((9, 10), dtype=np.int32), None, ValueError, r"the label image has shape \(9, 10\)"),
        (
            MASK,
            np.ones((8, 9)),
            ValueError,
            r"weights has shape \(8, 9\); it must be one map .* \(8, 10\) or one per "
            r"region \(1, 8, 10\)",
        ),
        (
            MASK,
            np.where(MASK, -1.0, 1.0),
            ValueError,
            r"weights must be finite and >= 0, got -1.0 at \(x, y\) = \(2, 2\)",
        ),
        (
            MASK,
            np.where(MASK, np.nan, 1.0),
            ValueError,
            r"weights must be finite and >= 0, got nan at \(x, y\) = \(2, 2\)",
        ),
        (MASK, np.where(MASK, 0.0, 1.0), ValueError, r"weights: the weights of region 0 sum to 0 over its pixels"),
        (MASK, "heavy", TypeError, r"weights must be a weight map"),
        (
            np.stack([MASK, np.zeros_like(MASK)]),
            None,
            ValueError,
            r"regions: region 1 has no pixel inside the frame \(width 10, height 8\)",
        ),
        (
            [[(0, 0), (3, 0), (0, 3)], [(20, 20), (30, 20), (20, 30)]],
            None,
            ValueError,
            r"regions: region 1 has no pixel inside the frame",
        ),
        (np.full((8, 10), 1.5), None, TypeError, r"a float image \(8, 10\) is neither a mask .* nor a label image"),
        (np.ones((2, 8, 10)), None, TypeError, r"a float stack \(2, 8, 10\) is not a stack of masks"),
        (np.where(MASK, -3, 1), None, ValueError, r"labels >= 0 .* got -3 at \(x, y\) = \(2, 2\)"),
        ([(0, 0), (3, 3)], None, ValueError, r"the polygon has 2 vertices; a polygon needs at least 3"),
        ([(0, 0), (3, np.nan), (0, 3)], None, ValueError, r"the polygon: vertex 1 \(3, nan\) must be two finite"),
        ([(0, 0), (3, np.inf), (0, 3)], None, ValueError, r"vertex 1 \(3, inf\) must be two finite numbers"),
        ([[(0, 0), (1, 1)], MASK], None, ValueError, r"regions\[0\] has 2 vertices"),
        ([np.ones((8, 10), dtype=np.int64)], None, TypeError, r"regions\[0\] must be a polygon"),
        ({"a": MASK}, None, TypeError, r"regions must be a mask, a stack of masks, a label image"),
        (np.array(["a", "b"]), None, TypeError, r"regions must hold booleans, integers or real numbers"),
        (np.zeros(5, dtype=bool), None, ValueError, r"got an array of shape \(5,\)"),
        (
            "no-such-file.zip",
            None,
            FileNotFoundError,
            r"regions: no such ImageJ ROI or RoiSet file: 'no-such-file.zip'",
        ),
    ],
)
def test_bad_input(regions, weights, error, match):
    with pytest.raises(error, match=match):
        extract_region_traces(VIDEO, regions, weights=weights)


def test_regions_partly_outside_the_frame_are_clipped():
    video = np.random.default_rng(12).random((2, 8, 10))
    square = [(-5, -5), (2, -5), (2, 3), (-5, 3)]
    expected = np.zeros((8, 10), dtype=bool)
    expected[:4, :3] = True
    np.testing.assert_array_equal(region_masks(square, (8, 10))[0], expected)
    np.testing.assert_allclose(extract_region_traces(video, square), video[:, expected].mean(axis=1), rtol=1e-14)


# --- outlines and show_regions -----------------------------------------------------------------------------------


def winding_numbers(rings, height, width):
    """Winding number of every pixel centre around closed rings (how a renderer's non-zero rule fills them)."""
    rows, cols = np.mgrid[0:height, 0:width]
    total = np.zeros((height, width), dtype=int)
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, np.roll(ring, -1, axis=0)):
            upward = (y1 <= rows) & (rows < y2)
            downward = (y2 <= rows) & (rows < y1)
            with np.errstate(divide="ignore", invalid="ignore"):
                cross = x1 + (rows - y1) * (x2 - x1) / (y2 - y1)
            total += np.where(upward & (cross > cols), 1, 0) - np.where(downward & (cross > cols), 1, 0)
    return total


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 9), st.integers(1, 9), st.integers(0, 2**32 - 1))
def test_outlines_enclose_exactly_the_mask(height, width, seed):
    mask = np.random.default_rng(seed).random((height, width)) < 0.5
    rings = mask_outlines(mask)
    if not mask.any():
        assert rings == []
        return
    np.testing.assert_array_equal(brute_polygon_mask(rings, height, width), mask)  # even-odd (ImageJ)
    winding = winding_numbers(rings, height, width)  # non-zero (matplotlib's fill): holes run the other way
    assert set(np.unique(winding).tolist()) <= {0, 1} or set(np.unique(winding).tolist()) <= {0, -1}
    np.testing.assert_array_equal(winding != 0, mask)
    for ring in rings:  # corners of pixels, only where the outline turns
        assert ((ring + 0.5) == np.round(ring + 0.5)).all()
        step = np.diff(np.vstack([ring, ring[:1]]), axis=0)
        assert (step != 0).sum(axis=1).tolist() == [1] * len(ring)
        assert (np.roll(step, 1, axis=0) * step).sum(axis=1).tolist() == [0] * len(ring)  # a turn at every corner


def test_show_regions_draws_outlines_in_the_trace_colours():
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgba

    from optimap.trace import show_traces

    labels = np.zeros((20, 30), dtype=int)
    labels[2:8, 3:9], labels[10:18, 15:28], labels[12:15, 18:22] = 1, 2, 0
    image = np.random.default_rng(13).random((20, 30))
    fig, (left, right) = plt.subplots(1, 2)
    show_regions(labels, image, ax=left, labels=["one", "two"])
    show_traces(extract_region_traces(np.random.default_rng(0).random((5, 20, 30)), labels), ax=right)
    assert len(left.patches) == 2 and len(left.images) == 1
    for patch, line in zip(left.patches, right.lines):
        assert patch.get_edgecolor() == to_rgba(line.get_color())
        assert patch.get_facecolor()[3] == 0  # outlines only
    # the outline of label 2 has a hole: a second closed ring
    codes = left.patches[1].get_path().codes
    assert (codes == 1).sum() == 2 and (codes == 79).sum() == 2  # MOVETO, CLOSEPOLY
    assert [t.get_text() for t in left.texts] == ["one", "two"]
    fig2, ax = plt.subplots()
    show_regions([[(2, 2), (12, 2), (7, 9)]], ax=ax, fill=True, colors=["red"], linewidth=3)
    assert ax.patches[0].get_facecolor() == to_rgba("red", 0.35) and ax.patches[0].get_linewidth() == 3
    assert ax.get_xlim() == (-0.5, 12.5) and ax.get_ylim() == (9.5, -0.5)  # a frame that holds the polygon


def test_show_regions_bad_input():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    with pytest.raises(
        TypeError,
        match=r"show_regions\(\) got an unexpected keyword argument 'linewidht'.*"
        r"'linewidth'",
    ):
        show_regions(MASK, ax=ax, linewidht=2)
    with pytest.raises(ValueError, match="colors has 2 entries but there are 1 traces"):
        show_regions(MASK, ax=ax, colors=["red", "blue"])
    with pytest.raises(ValueError, match=r"the mask has shape \(8, 10\) but the frame's is \(4, 4\)"):
        show_regions(MASK, np.zeros((4, 4)), ax=ax)
    with pytest.raises(TypeError, match="fill must be True or False"):
        show_regions(MASK, ax=ax, fill="yes")


def test_show_regions_without_ax_shows_a_new_figure(monkeypatch):
    import matplotlib.pyplot as plt

    shown = []
    monkeypatch.setattr(plt, "show", lambda: shown.append(True))
    ax = show_regions(MASK)
    assert shown == [True] and len(ax.patches) == 1


def test_extract_traces_of_single_pixel_regions_equal_pixel_traces():
    video = np.random.default_rng(14).random((4, 5, 6)).astype(np.float32)
    positions = [(0, 0), (5, 4), (2, 3)]
    masks = np.zeros((3, 5, 6), dtype=bool)
    for i, (x, y) in enumerate(positions):
        masks[i, y, x] = True
    np.testing.assert_array_equal(extract_region_traces(video, masks), extract_traces(video, positions, size=1))


def test_regions_of_a_one_row_frame_stay_apart():
    """Region 0 ending at the last column and region 1 starting at column 0 of a one-row frame are two runs."""
    video = np.array([[[10, 20, 30]]], dtype=np.uint8)
    masks = np.array([[[False, True, True]], [[True, False, False]]])
    np.testing.assert_array_equal(extract_region_traces(video, masks), [[25.0, 10.0]])
    np.testing.assert_array_equal(extract_region_traces(video, np.ones((2, 1, 3), bool)), [[20.0, 20.0]])
