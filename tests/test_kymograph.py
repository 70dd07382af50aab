"""Kymographs: sampling along a path, windows like extract_traces, every source, the plot."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimap.trace import extract_kymograph, extract_traces, show_kymograph
from optimap.trace._positions import round_half_up

WINDOWS = ["rect", "disc", "pixel"]


def reference_samples(vertices, spacing):
    """Samples written as a loop: each segment from its first vertex every `spacing` (strictly before its end),
    then the last vertex; a segment's last sample is dropped when it rounds to its end vertex's pixel."""
    pixels = []
    for (x0, y0), (x1, y1) in zip(vertices[:-1], vertices[1:]):
        length = math.hypot(x1 - x0, y1 - y0)
        if length == 0:
            continue
        segment = []
        k = 0
        while k == 0 or k * spacing < length * (1 - 1e-12) and not math.isclose(k * spacing, length, rel_tol=1e-9):
            t = k * spacing / length
            x = min(max(x0 + t * (x1 - x0), min(x0, x1)), max(x0, x1))
            y = min(max(y0 + t * (y1 - y0), min(y0, y1)), max(y0, y1))
            segment.append((int(round_half_up(x)), int(round_half_up(y))))
            k += 1
        end = (int(round_half_up(x1)), int(round_half_up(y1)))
        if len(segment) > 1 and segment[-1] == end:
            segment.pop()
        pixels += segment
    last = vertices[-1]
    pixels.append((int(round_half_up(last[0])), int(round_half_up(last[1]))))
    return pixels


def test_a_horizontal_path_equals_extract_traces_of_its_pixels():
    video = np.random.default_rng(0).random((7, 12, 20)).astype(np.float32)
    for window in WINDOWS:
        for size in (1, 3, 4):
            kymograph, positions = extract_kymograph(video, [(2, 5), (15, 5)], size=size, window=window)
            pixels = [(x, 5) for x in range(2, 16)]
            assert positions.tolist() == [list(p) for p in pixels]
            np.testing.assert_array_equal(kymograph, extract_traces(video, pixels, size=size, window=window))


def test_vertices_are_samples_and_corners_come_once():
    video = np.zeros((1, 30, 30))
    _, positions = extract_kymograph(video, [(0, 0), (10, 0), (10, 10), (3, 17)], spacing=1.0)
    positions = [tuple(p) for p in positions.tolist()]
    assert positions[:11] == [(x, 0) for x in range(11)]
    assert positions[11:20] == [(10, y) for y in range(1, 10)]
    assert (10, 10) in positions and positions.count((10, 10)) == 1 and positions[-1] == (3, 17)
    # along 45 degrees, spacing 1: samples are 1 pixel apart along the path, so some share a pixel
    diagonal = positions[20:]
    assert diagonal[0] == (10, 10) and len(diagonal) == math.ceil(7 * math.sqrt(2)) + 1
    assert diagonal[1] == diagonal[2] == (9, 11)
    _, one_per_pixel = extract_kymograph(video, [(0, 0), (9, 9)], spacing=math.sqrt(2))
    assert one_per_pixel.tolist() == [[k, k] for k in range(10)]


@st.composite
def path_cases(draw):
    height, width = draw(st.integers(1, 30)), draw(st.integers(1, 30))
    x = st.floats(-0.5, width - 0.5, exclude_max=True, allow_nan=False)
    y = st.floats(-0.5, height - 0.5, exclude_max=True, allow_nan=False)
    whole = st.tuples(st.integers(0, width - 1), st.integers(0, height - 1))
    vertex = st.one_of(st.tuples(x, y), whole)
    vertices = draw(st.lists(vertex, min_size=2, max_size=6))
    spacing = draw(st.sampled_from([0.25, 0.5, 1.0, 1.5, math.sqrt(2), 3.7]))
    return height, width, vertices, spacing


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path_cases())
def test_samples_match_a_loop_and_their_windows_match_extract_traces(case):
    height, width, vertices, spacing = case
    video = np.random.default_rng(len(vertices)).random((2, height, width))
    kymograph, positions = extract_kymograph(video, vertices, size=3, window="disc", spacing=spacing)
    expected = reference_samples([(float(x), float(y)) for x, y in vertices], spacing)
    assert [tuple(p) for p in positions.tolist()] == expected
    assert positions.dtype.kind == "i" and positions.shape == (len(expected), 2)
    np.testing.assert_array_equal(kymograph, extract_traces(video, expected, size=3, window="disc"))


def test_sources_and_dtypes(tmp_path):
    zarr = pytest.importorskip("zarr")
    da = pytest.importorskip("dask.array")
    video = np.random.default_rng(1).integers(0, 4000, size=(9, 16, 18)).astype(np.uint16)
    path = [(1, 1), (16, 3), (8, 14)]
    kymograph, positions = extract_kymograph(video, path)
    assert kymograph.dtype == np.uint16  # single pixels keep the video's dtype, as extract_traces
    window_mean, _ = extract_kymograph(video, path, size=3)
    assert window_mean.dtype == np.float64
    np.save(tmp_path / "v.npy", video)
    np.testing.assert_array_equal(
        extract_kymograph(np.load(tmp_path / "v.npy", mmap_mode="r"), path, size=3)[0], window_mean
    )
    store = zarr.create_array(tmp_path / "v.zarr", shape=video.shape, chunks=(4, 8, 8), dtype=video.dtype)
    store[:] = video
    np.testing.assert_array_equal(extract_kymograph(zarr.open_array(tmp_path / "v.zarr"), path, size=3)[0], window_mean)
    lazy, lazy_positions = extract_kymograph(da.from_array(video, chunks=(4, 8, -1)), path, size=3)
    assert isinstance(lazy, da.Array)
    np.testing.assert_array_equal(lazy.compute(), window_mean)
    np.testing.assert_array_equal(lazy_positions, positions)


def test_nan_pixels_are_left_out():
    video = np.ones((2, 5, 5))
    video[0, 2, 2] = np.nan
    kymograph, _ = extract_kymograph(video, [(0, 2), (4, 2)], size=3)
    np.testing.assert_array_equal(kymograph, np.ones((2, 5)))
    point, _ = extract_kymograph(video, [(2, 2), (2, 3)])
    assert np.isnan(point[0, 0]) and point[1, 0] == 1


@pytest.mark.parametrize(
    ("path", "options", "error", "match"),
    [
        ([(1, 1)], {}, ValueError, r"path needs at least 2 vertices \(x, y\), got 1"),
        ([], {}, ValueError, r"path needs at least 2 vertices \(x, y\), got 0"),
        (
            [(1, 1), (12, 3)],
            {},
            ValueError,
            r"path: vertex 1 \(12, 3\) is outside the frame \(width 10, height 8\); "
            r"x must be in \[0, 9\] and y in \[0, 7\]",
        ),
        ([(1, 1), (-0.6, 3)], {}, ValueError, r"vertex 1 \(-0.6, 3\) is outside the frame"),
        ([(1, 1), (2, np.nan)], {}, ValueError, r"not two finite numbers"),
        ([(1, 1), (5, 5)], {"spacing": 0}, ValueError, r"spacing must be a finite number > 0, got 0"),
        ([(1, 1), (5, 5)], {"spacing": np.inf}, ValueError, r"spacing must be a finite number > 0"),
        ([(1, 1), (5, 5)], {"spacing": "1"}, TypeError, r"spacing must be a positive number"),
        ([(0, 0), (9, 7)], {"spacing": 1e-9}, ValueError, r"spacing=1e-09 gives \d+ samples .* give a larger spacing"),
        ([(1, 1), (5, 5)], {"size": -1}, ValueError, r"size must be >= 0"),
        ([(1, 1), (5, 5)], {"window": "square"}, ValueError, r"window must be one of"),
        ("1,1,5,5", {}, TypeError, r"path must be a position"),
    ],
)
def test_bad_input(path, options, error, match):
    with pytest.raises(error, match=match):
        extract_kymograph(np.zeros((2, 8, 10)), path, **options)


def test_inputs_are_not_modified():
    video = np.random.default_rng(2).random((3, 6, 6))
    path = np.array([[0.4, 0.0], [5.0, 5.2]])
    before = (video.copy(), path.copy())
    extract_kymograph(video, path, size=2)
    np.testing.assert_array_equal(video, before[0])
    np.testing.assert_array_equal(path, before[1])


# --- show_kymograph -----------------------------------------------------------------------------------------------


def test_show_kymograph_axes_in_seconds_and_pixels():
    import matplotlib.pyplot as plt

    kymograph = np.random.default_rng(3).random((100, 25))
    fig, ax = plt.subplots()
    show_kymograph(kymograph, fps=200, spacing=0.5, ax=ax, cmap="magma", vmin=0.2)
    image = ax.images[0]
    assert ax.get_xlabel() == "Distance along the path [px]" and ax.get_ylabel() == "Time [s]"
    assert image.get_extent() == pytest.approx((-0.25, 12.25, 99.5 / 200, -0.5 / 200))
    assert image.get_cmap().name == "magma" and image.norm.vmin == 0.2
    np.testing.assert_array_equal(image.get_array(), kymograph)
    fig, ax = plt.subplots()
    show_kymograph(kymograph, ax=ax)
    assert ax.get_ylabel() == "Frame" and tuple(ax.images[0].get_extent()) == (-0.5, 24.5, 99.5, -0.5)
    assert ax.images[0].get_cmap().name == "gray"


def test_show_kymograph_bad_input():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=r"kymograph must be 2-D \(frames, samples along the path\), got shape \(5,\)"):
        show_kymograph(np.zeros(5), ax=ax)
    with pytest.raises(TypeError, match=r"show_kymograph\(\) got an unexpected keyword argument 'cmpa'.*'cmap'"):
        show_kymograph(np.zeros((5, 5)), ax=ax, cmpa="gray")
    with pytest.raises(ValueError, match="fps must be a finite number > 0"):
        show_kymograph(np.zeros((5, 5)), fps=-1, ax=ax)
    with pytest.raises(ValueError, match="spacing must be a finite number > 0"):
        show_kymograph(np.zeros((5, 5)), spacing=0, ax=ax)
    with pytest.raises(TypeError, match="kymograph must hold real numbers"):
        show_kymograph(np.zeros((5, 5), dtype=complex), ax=ax)


def test_show_kymograph_without_ax_shows_a_new_figure(monkeypatch):
    import matplotlib.pyplot as plt

    shown = []
    monkeypatch.setattr(plt, "show", lambda: shown.append(True))
    ax = show_kymograph(np.zeros((4, 3)))
    assert shown == [True] and len(ax.images) == 1


def test_kymograph_of_the_demo_shows_the_wave_crossing():
    """On the synthetic recording, activation comes later the farther along a path from the pacing site."""
    from optimap.datasets import synthetic_recording

    video, info = synthetic_recording(shape=(64, 64), frames=200, fps=500, seed=1)
    px, py = info["pacing_site"]
    rows, cols = np.nonzero(info["mask"])
    far = int(np.argmax(np.hypot(cols - px, rows - py)))
    kymograph, positions = extract_kymograph(video, [(px, py), (int(cols[far]), int(rows[far]))], size=3)
    on_tissue = info["mask"][positions[:, 1], positions[:, 0]]
    first = kymograph[:, on_tissue].astype(float)
    # di-4-ANEPPS dims on depolarisation: the first large drop below the resting level
    resting = first[:10].mean(axis=0)
    activation = np.argmax(first < resting - 0.5 * (resting - first.min(axis=0)), axis=0)
    assert activation[-1] > activation[0]
    assert np.corrcoef(np.arange(len(activation)), activation)[0, 1] > 0.8
