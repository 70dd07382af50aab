"""The napari dock widget with real viewers (napari's make_napari_viewer fixture, pytest-qt).

Run under an X server: ``xvfb-run -a python -m pytest tests/test_napari_widget.py``
(vispy needs OpenGL, which Qt's offscreen platform does not give napari). The
tests skip, saying why, without napari, pytest-qt or a display; with
``OPTIMAP_NAPARI_TEST=required`` (as CI sets it) each of those missing is an error.
Run with ``OPTIMAP_UPDATE_SCREENSHOTS=1`` to refresh docs/images/napari.png.

Traces are compared with ``extract_traces`` and ``extract_region_traces`` on the
same arrays; videos are numpy arrays, zarr arrays in a temporary store and dask
arrays.
"""

import os
import re
import threading
from pathlib import Path

import numpy as np
import pytest

REQUIRED = os.environ.get("OPTIMAP_NAPARI_TEST") == "required"
if REQUIRED:  # CI: an error, not a skip
    import napari
    import pytestqt  # noqa: F401
else:
    napari = pytest.importorskip(
        "napari", reason="the napari plugin's tests need napari: pip install -e '.[test-napari]'"
    )
    pytest.importorskip("pytestqt", reason="the napari plugin's tests need pytest-qt: pip install -e '.[test-napari]'")

if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
    if REQUIRED:
        raise RuntimeError("OPTIMAP_NAPARI_TEST=required but there is no display: run the tests under xvfb-run -a")
    pytest.skip(
        "napari's viewer needs a display (vispy draws with OpenGL): run under xvfb-run -a", allow_module_level=True
    )

from optimap.napari import TraceWidget  # noqa: E402
from optimap.trace import (  # noqa: E402
    detrend_timeseries,
    extract_region_traces,
    extract_traces,
    normalize,
)

REPO = Path(__file__).resolve().parents[1]
SCREENSHOT = REPO / "docs" / "images" / "napari.png"


@pytest.fixture
def video():
    """60 frames of 24 x 40 uint16, every pixel its own series."""
    rng = np.random.default_rng(14)
    return rng.integers(0, 4096, size=(60, 24, 40), dtype=np.uint16)


@pytest.fixture
def zarr_video(tmp_path, video):
    zarr = pytest.importorskip("zarr")
    array = zarr.create_array(tmp_path / "video.zarr", shape=video.shape, chunks=(20, 8, 8), dtype=video.dtype)
    array[:] = video
    return zarr.open_array(tmp_path / "video.zarr", mode="r")


def make_widget(viewer):
    widget = TraceWidget(viewer)
    viewer.window.add_dock_widget(widget, name="Traces")
    widget.wait()
    return widget


# --- points -------------------------------------------------------------------------------------------------------


def test_a_point_off_the_diagonal_is_its_column_and_row(make_napari_viewer, video):
    viewer = make_napari_viewer()
    viewer.add_image(video, name="video")
    viewer.add_points([[3, 17]], name="where")  # napari: (row 3, column 17)
    widget = make_widget(viewer)
    widget.window = "pixel"
    widget.wait()
    assert widget.positions.tolist() == [[17, 3]]  # optimap: (x, y) = (column 17, row 3)
    assert widget.names == ["x17_y3"]
    np.testing.assert_array_equal(widget.traces[:, 0], video[:, 3, 17])
    assert widget.traces.dtype == video.dtype  # a pixel trace keeps the video's dtype


def test_points_added_moved_and_deleted_on_a_zarr_video(make_napari_viewer, zarr_video, video):
    viewer = make_napari_viewer()
    viewer.add_image(zarr_video, name="zarr video")
    points = viewer.add_points([[5, 30], [20, 10]], name="cells")
    widget = make_widget(viewer)
    assert widget.video_layer.data is zarr_video and widget.where_layer is points
    np.testing.assert_array_equal(widget.traces, extract_traces(video, [(30, 5), (10, 20)], size=5))
    assert widget.extracted == 2

    points.add([[12.4, 35.6]])  # rounds to row 12, column 36
    widget.wait()
    expected = extract_traces(video, [(30, 5), (10, 20), (36, 12)], size=5)
    np.testing.assert_array_equal(widget.traces, expected)
    assert widget.extracted == 3  # the new point alone was read

    moved = points.data.copy()
    moved[0] = [8, 2]  # drag the first point to row 8, column 2
    points.data = moved
    widget.wait()
    np.testing.assert_array_equal(widget.traces, extract_traces(video, [(2, 8), (10, 20), (36, 12)], size=5))
    assert widget.extracted == 4

    points.selected_data = {1}
    points.remove_selected()
    widget.wait()
    np.testing.assert_array_equal(widget.traces, extract_traces(video, [(2, 8), (36, 12)], size=5))
    assert widget.names == ["x2_y8", "x36_y12"]
    assert widget.extracted == 4  # deleting reads nothing

    moved = points.data.copy()
    moved[0] = [5, 30]  # back where it was: still known
    points.data = moved
    widget.wait()
    assert widget.extracted == 4


def test_window_and_size_apply_to_points(make_napari_viewer, video):
    viewer = make_napari_viewer()
    viewer.add_image(video)
    viewer.add_points([[0, 0], [11, 20], [23, 39]])
    widget = make_widget(viewer)
    positions = [(0, 0), (20, 11), (39, 23)]
    for window, size in (("disc", 7), ("rect", 4), ("pixel", 1), ("rect", 0)):
        widget.window, widget.size = window, size
        widget.wait()
        np.testing.assert_array_equal(widget.traces, extract_traces(video, positions, size=size, window=window))
    assert widget.controls.window_box.currentText() == "rect" and widget.controls.size_box.value() == 0
    assert widget.controls.window_box.isEnabled()  # the window controls are for points


def test_points_in_time_and_outside_the_frame(make_napari_viewer, video):
    viewer = make_napari_viewer()
    viewer.add_image(video)
    # 3-D points as napari adds them on a frame: (frame, row, column); the frame is left out
    viewer.add_points([[12, 4, 6], [40, 4, 6], [3, 30, 5], [7, 2, -3]])
    widget = make_widget(viewer)
    assert widget.positions.tolist() == [[6, 4], [6, 4]]
    assert widget.names == ["x6_y4", "x6_y4_2"]
    np.testing.assert_array_equal(widget.traces, extract_traces(video, [(6, 4), (6, 4)]))
    assert widget.extracted == 1  # two points on one pixel: one trace read
    assert "point 2 at (x, y) = (5, 30) lies outside the frame (width 40, height 24): no trace" in widget.status
    assert "point 3 at (x, y) = (-3, 2)" in widget.status


def test_layers_with_their_own_scale_map_through_world_coordinates(make_napari_viewer, video):
    viewer = make_napari_viewer()
    viewer.add_image(video, scale=(1, 2, 2), translate=(0, 10, 0))  # a pixel is 2 x 2 world units
    viewer.add_points([[16, 34]])  # world: row (16 - 10) / 2 = 3, column 34 / 2 = 17
    widget = make_widget(viewer)
    assert widget.positions.tolist() == [[17, 3]]
    np.testing.assert_array_equal(widget.traces[:, 0], extract_traces(video, (17, 3)))


# --- shapes and labels ------------------------------------------------------------------------------------------


def test_shapes_as_regions_on_a_dask_video(make_napari_viewer, video):
    da = pytest.importorskip("dask.array")
    viewer = make_napari_viewer()
    viewer.add_image(da.from_array(video, chunks=(20, 12, 20)), name="dask video")
    rectangle = np.array([[2, 3], [2, 12], [9, 12], [9, 3]])  # (row, column) corners: rows 2-9, columns 3-12
    triangle = np.array([[20, 20], [10, 35], [22, 38]])
    ellipse = np.array([[12, 2], [12, 14], [20, 14], [20, 2]])  # box rows 12-20, columns 2-14
    line = np.array([[0, 0], [20, 30]])
    shapes = viewer.add_shapes(
        [rectangle, triangle, ellipse, line], shape_type=["rectangle", "polygon", "ellipse", "line"], name="regions"
    )
    widget = make_widget(viewer)
    rows, cols = np.mgrid[0:24, 0:40]
    inside_ellipse = ((cols - 8) / 6.0) ** 2 + ((rows - 16) / 4.0) ** 2 <= 1
    regions = [rectangle[:, ::-1], triangle[:, ::-1], inside_ellipse]  # (x, y) vertices, and a mask
    np.testing.assert_allclose(widget.traces, extract_region_traces(video, regions), rtol=1e-12)
    assert widget.names == ["shape_0", "shape_1", "shape_2"]
    assert "shape 3 is a line: only rectangles, ellipses and polygons have an area" in widget.status
    assert widget.positions is None
    assert widget.extracted == 3

    shapes.selected_data = {0}
    shapes.remove_selected()
    widget.wait()
    np.testing.assert_allclose(widget.traces, extract_region_traces(video, regions[1:]), rtol=1e-12)
    assert widget.names == ["shape_0", "shape_1"]  # the layer's indices now
    assert widget.extracted == 3

    shapes.add_rectangles(np.array([[0, 30], [5, 39]]))
    widget.wait()
    square = np.array([[30, 0], [39, 0], [39, 5], [30, 5]])
    np.testing.assert_allclose(widget.traces, extract_region_traces(video, [*regions[1:], square]), rtol=1e-12)
    assert widget.extracted == 4

    moved = [vertices.copy() for vertices in shapes.data]
    moved[0] = moved[0] + [1, 2]  # the triangle one row down and two columns right
    shapes.data = moved
    widget.wait()
    moved_triangle = (triangle + [1, 2])[:, ::-1]
    np.testing.assert_allclose(
        widget.traces, extract_region_traces(video, [moved_triangle, inside_ellipse, square]), rtol=1e-12
    )
    assert widget.extracted == 5  # the moved shape alone was read


def test_painted_labels(make_napari_viewer, video):
    viewer = make_napari_viewer()
    viewer.add_image(video)
    labels = np.zeros(video.shape[1:], dtype=np.int32)
    labels[2:6, 3:9] = 4
    labels[10:20, 25:38] = 2
    layer = viewer.add_labels(labels, name="cells")
    widget = make_widget(viewer)
    assert widget.names == ["label_2", "label_4"]
    np.testing.assert_allclose(widget.traces, extract_region_traces(video, layer.data), rtol=1e-12)
    assert widget.extracted == 2

    layer.brush_size = 3
    layer.paint((15, 10), 7)  # (row, column): a new label
    widget.wait()
    assert widget.names == ["label_2", "label_4", "label_7"]
    assert layer.data[15, 10] == 7
    np.testing.assert_allclose(widget.traces, extract_region_traces(video, layer.data), rtol=1e-12)
    assert widget.extracted == 3  # labels 2 and 4 kept their pixels

    layer.paint((4, 8), 2)  # label 2 grows, label 4 loses pixels
    widget.wait()
    np.testing.assert_allclose(widget.traces, extract_region_traces(video, layer.data), rtol=1e-12)
    assert widget.extracted == 5
    colors = [tuple(line.get_color()) for line in widget.figure.lines]
    assert colors[2] == tuple(np.r_[layer.colormap.map(np.array([7]))[0][:3], 1.0])

    layer.undo()  # undo emits no paint event: the set_data event brings it back
    widget.wait()
    np.testing.assert_allclose(widget.traces, extract_region_traces(video, layer.data), rtol=1e-12)
    assert widget.extracted == 5  # both labels as they were: known


def test_labels_painted_on_frames_of_a_3d_labels_layer(make_napari_viewer, video):
    viewer = make_napari_viewer()
    viewer.add_image(video)
    layer = viewer.add_labels(np.zeros(video.shape, dtype=np.uint8))  # as napari's "new labels" button makes it
    widget = make_widget(viewer)
    assert widget.traces.shape == (60, 0)
    layer.brush_size = 5
    layer.paint((10, 5, 20), 3)  # painted on frame 10: the region of every frame
    widget.wait()
    region = layer.data[10] == 3
    assert region.sum() > 0 and widget.names == ["label_3"]
    np.testing.assert_allclose(widget.traces[:, 0], extract_region_traces(video, region), rtol=1e-12)


def test_labels_of_another_frame_size_are_named_in_the_status(make_napari_viewer, video):
    viewer = make_napari_viewer()
    viewer.add_image(video)
    viewer.add_labels(np.ones((10, 10), dtype=np.int32), name="small")
    widget = make_widget(viewer)
    assert widget.traces.shape == (60, 0)
    assert "the Labels layer 'small' (10, 10) must have the video's frame (24, 40)" in widget.status


# --- layers -----------------------------------------------------------------------------------------------------


def test_the_choice_follows_layers_added_and_removed(make_napari_viewer, video):
    viewer = make_napari_viewer()
    first = viewer.add_image(video, name="first")
    widget = make_widget(viewer)
    assert widget.video_layer is first and widget.where_layer is None
    assert widget.traces.shape == (60, 0)

    viewer.add_image(video[0], name="a frame")  # 2-D: not a video
    rgb = viewer.add_image(np.zeros((5, 6, 3)), rgb=True)
    assert widget.video_layer is first
    second = viewer.add_image(video[::-1].copy(), name="second")
    assert widget.video_layer is second
    points = viewer.add_points([[1, 2]], name="points")
    shapes = viewer.add_shapes([np.array([[0, 0], [0, 5], [5, 5], [5, 0]])], name="shapes")
    assert widget.where_layer is shapes
    assert [widget.controls.where_box.itemText(i) for i in range(widget.controls.where_box.count())] == [
        "points (Points)",
        "shapes (Shapes)",
    ]

    widget.where_layer = points
    widget.wait()
    np.testing.assert_array_equal(widget.traces, extract_traces(video[::-1], [(2, 1)]))
    assert widget.controls.where_box.currentText() == "points (Points)"

    widget.controls.video_box.setCurrentIndex(0)  # the user picks "first" in the box
    widget.wait()
    assert widget.video_layer is first
    np.testing.assert_array_equal(widget.traces, extract_traces(video, [(2, 1)]))

    viewer.layers.remove(points)
    assert widget.where_layer is shapes  # the most recent left
    viewer.layers.remove(first)
    assert widget.video_layer is second
    second.name = "renamed"
    assert widget.controls.video_box.currentText() == "renamed"
    viewer.layers.remove(second)
    widget.wait()
    assert widget.video_layer is None and widget.traces.shape == (0, 0)

    with pytest.raises(ValueError, match=r"video_layer must be a 3-D image layer .*'a frame' has shape \(24, 40\)"):
        widget.video_layer = viewer.layers["a frame"]
    with pytest.raises(ValueError, match="not RGB"):
        widget.video_layer = rgb
    with pytest.raises(TypeError, match="video_layer must be an Image layer of the viewer, got the Shapes layer"):
        widget.video_layer = shapes
    with pytest.raises(TypeError, match="where_layer must be a Points, Shapes or Labels layer, got the Image layer"):
        widget.where_layer = rgb
    with pytest.raises(ValueError, match="where_layer must be a layer of this viewer; 'stray' is not"):
        widget.where_layer = napari.layers.Points(name="stray")


def test_settings_are_checked(make_napari_viewer, video):
    viewer = make_napari_viewer()
    with pytest.raises(TypeError, match="viewer must be a napari Viewer, got 'not a viewer'"):
        TraceWidget("not a viewer")
    viewer.add_image(video)
    widget = make_widget(viewer)
    with pytest.raises(ValueError, match=r"window must be one of 'rect', 'disc', 'pixel', got 'square'"):
        widget.window = "square"
    with pytest.raises(ValueError, match="size must be a whole number, got 2.5"):
        widget.size = 2.5
    with pytest.raises(TypeError, match="size must be an integer, got '3' of type str"):
        widget.size = "3"
    with pytest.raises(ValueError, match="size must be >= 0, got -1"):
        widget.size = -1
    with pytest.raises(ValueError, match="size must be <= 9999, got 10000"):
        widget.size = 10000
    with pytest.raises(ValueError, match="fps must be a finite number > 0, got 0"):
        widget.fps = 0
    with pytest.raises(TypeError, match="fps must be a positive number, got '500' of type str"):
        widget.fps = "500"
    with pytest.raises(TypeError, match="detrend must be True or False, got 1 of type int"):
        widget.detrend = 1
    with pytest.raises(TypeError, match="normalize must be True or False, got None"):
        widget.normalize = None
    with pytest.raises(TypeError, match="path must be a str or os.PathLike, got int"):
        widget.export(3)
    with pytest.raises(ValueError, match="timeout must be a finite number > 0, got -1"):
        widget.wait(-1)
    widget.size = 7.0
    assert widget.size == 7 and widget.controls.size_box.value() == 7


# --- the plot ---------------------------------------------------------------------------------------------------


def test_frame_line_click_and_fps_from_metadata(make_napari_viewer, video, qtbot):
    from qtpy.QtCore import QPoint, Qt

    viewer = make_napari_viewer()
    viewer.add_image(video, metadata={"fps": 500})
    viewer.add_points([[3, 4]], face_color="red")
    widget = make_widget(viewer)
    assert widget.fps == 500.0 and widget.controls.fps_box.value() == 500
    assert widget.figure.ax.get_xlabel() == "time (s)"
    x, _ = widget.figure.lines[0].get_data()
    np.testing.assert_allclose(x, np.arange(60) / 500)
    assert widget.figure.lines[0].get_color() == (1.0, 0.0, 0.0, 1.0)  # the point's colour
    assert widget.plot.picture.rgba.shape[:2] == widget.plot.pixel_size()[::-1]  # drawn at the plot's size

    viewer.dims.set_current_step(0, 42)
    assert widget.frame == 42
    assert widget.plot.frame_x == pytest.approx(42 / 500)

    # a click at 0.021 s in the plot moves the viewer to frame 0.021 * 500 = 10.5, rounded up to 11
    left, top, right, bottom = widget.plot.picture.axes_box
    ratio = widget.plot.devicePixelRatioF()
    qtbot.mouseClick(
        widget.plot,
        Qt.MouseButton.LeftButton,
        pos=QPoint(round(widget.plot.x_to_pixel(0.021)), round((top + bottom) / 2 / ratio)),
    )
    assert viewer.dims.current_step[0] == 11 and widget.frame == 11
    assert widget.plot.frame_x == pytest.approx(11 / 500)
    qtbot.mouseClick(widget.plot, Qt.MouseButton.LeftButton, pos=QPoint(1, 1))  # outside the axes: nothing
    assert widget.frame == 11

    widget.fps = None
    widget.wait()
    assert widget.figure.ax.get_xlabel() == "frame"
    assert widget.plot.frame_x == 11
    widget.fps = 250
    assert widget.controls.fps_box.value() == 250


def test_colours_follow_the_layer_and_the_theme(make_napari_viewer, video):
    from napari.utils.theme import get_theme

    viewer = make_napari_viewer()
    viewer.add_image(video)
    points = viewer.add_points([[3, 4], [9, 9]], face_color=["#1f77b4", "#ff7f0e"])
    widget = make_widget(viewer)
    colors = [line.get_color() for line in widget.figure.lines]
    np.testing.assert_allclose(colors, [(0.122, 0.467, 0.706, 1), (1.0, 0.498, 0.055, 1)], atol=2e-3)
    points.selected_data = {1}
    points.current_face_color = "#2ca02c"  # changes the selected point's colour
    widget.wait()
    np.testing.assert_allclose(widget.figure.lines[1].get_color(), (0.173, 0.627, 0.173, 1), atol=2e-3)

    for name in ("light", "dark"):
        viewer.theme = name
        widget.wait()
        theme = get_theme(name)
        background = tuple(int(theme.background.as_hex()[i : i + 2], 16) for i in (1, 3, 5))
        assert widget.figure.figure.get_facecolor()[:3] == pytest.approx(tuple(v / 255 for v in background))
        assert tuple(widget.plot.picture.rgba[1, 1, :3]) == background  # the picture shown
        assert widget.plot.highlight == theme.highlight.as_hex()  # the frame line
    viewer.theme = "light"
    points.current_face_color = "white"  # white on a light background is drawn in the text colour
    widget.wait()
    assert widget.figure.lines[1].get_color() == get_theme("light").text.as_hex()


def test_detrend_and_normalize(make_napari_viewer, video):
    viewer = make_napari_viewer()
    ramp = (video + np.arange(60, dtype=np.uint16)[:, None, None] * 20).astype(np.uint16)
    viewer.add_image(ramp)
    viewer.add_points([[3, 4], [9, 30]])
    widget = make_widget(viewer)
    raw = extract_traces(ramp, [(4, 3), (30, 9)])
    widget.detrend = True
    widget.wait()
    np.testing.assert_allclose(widget.traces, detrend_timeseries(raw, kind="spline"), rtol=1e-12)
    widget.normalize = True
    widget.wait()
    np.testing.assert_allclose(widget.traces, normalize(detrend_timeseries(raw, kind="spline")), rtol=1e-6)
    assert widget.figure.ax.get_ylabel() == "normalized"
    widget.controls.detrend_box.setChecked(False)  # the checkbox drives the property
    widget.wait()
    assert widget.detrend is False
    np.testing.assert_allclose(widget.traces, normalize(raw), rtol=1e-6)
    assert widget.extracted == 2


# --- export -----------------------------------------------------------------------------------------------------


def test_export_writes_the_traces_shown(make_napari_viewer, video, tmp_path):
    import scipy.io

    viewer = make_napari_viewer()
    viewer.add_image(video, name="rec")
    viewer.add_points([[3, 4], [9, 30]], name="cells")
    widget = make_widget(viewer)
    widget.fps = 100
    widget.export(tmp_path / "traces.csv")
    lines = (tmp_path / "traces.csv").read_text().splitlines()
    assert lines[0] == "time_s,x4_y3,x30_y9" and len(lines) == 61
    np.testing.assert_allclose(np.loadtxt(tmp_path / "traces.csv", delimiter=",", skiprows=1)[:, 1:], widget.traces)

    widget.export(tmp_path / "traces.npy")
    np.testing.assert_array_equal(np.load(tmp_path / "traces.npy"), widget.traces)
    widget.export(str(tmp_path / "traces.mat"))
    mat = scipy.io.loadmat(tmp_path / "traces.mat")
    np.testing.assert_array_equal(mat["traces"], widget.traces)
    assert mat["positions"].tolist() == [[4, 3], [30, 9]]
    assert str(mat["video_layer"][0]) == "rec" and int(mat["size"][0, 0]) == 5
    h5py = pytest.importorskip("h5py")
    widget.export(tmp_path / "traces.h5")
    with h5py.File(tmp_path / "traces.h5") as file:
        np.testing.assert_array_equal(file["traces"][:], widget.traces)
        assert file["traces"].attrs["where_layer"] == "cells" and file["traces"].attrs["window"] == "rect"
    with pytest.raises(ValueError, match="has extension '.txt'; traces are saved as .csv"):
        widget.export(tmp_path / "traces.txt")
    assert not (tmp_path / "traces.txt").exists()


# --- threads ----------------------------------------------------------------------------------------------------


class GatedVideo:
    """A video that slices like numpy but holds every read until the test opens the gate."""

    def __init__(self, array):
        self.array = array
        self.shape, self.dtype, self.ndim = array.shape, array.dtype, array.ndim
        self.gate = threading.Event()
        self.readers = []

    def __getitem__(self, key):
        if threading.current_thread() is not threading.main_thread():  # napari's own reads pass
            self.readers.append(threading.current_thread().name)
            if not self.gate.wait(timeout=30):
                raise TimeoutError("the test never opened the gate")
        return self.array[key]

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.array, dtype=dtype)


def test_work_runs_off_the_gui_thread_with_a_progress_line(make_napari_viewer, video, qtbot):
    viewer = make_napari_viewer()
    gated = GatedVideo(video)
    viewer.add_image(gated, contrast_limits=(0, 4096), name="slow")
    viewer.add_points([[5, 6]])
    widget = TraceWidget(viewer)
    viewer.window.add_dock_widget(widget)
    qtbot.waitUntil(lambda: not widget.controls.progress.isHidden(), timeout=5000)  # the GUI thread runs meanwhile
    assert widget.busy and widget.status == "computing traces…"
    shown = widget.controls.progress.text()
    assert re.fullmatch(r"\d+ s elapsed", shown)
    qtbot.waitUntil(lambda: widget.controls.progress.text() != shown, timeout=3000)  # counted once a second
    assert widget.traces.shape == (60, 0)
    gated.gate.set()
    widget.wait()
    assert widget.controls.progress.isHidden()
    assert set(gated.readers) and all(name.startswith("optimap-traces") for name in gated.readers)
    np.testing.assert_array_equal(widget.traces, extract_traces(video, (6, 5))[:, None])


def test_multiscale_images_use_level_0(make_napari_viewer, video):
    viewer = make_napari_viewer()
    viewer.add_image([video, video[:, ::2, ::2]], multiscale=True)
    viewer.add_points([[21, 33]])
    widget = make_widget(viewer)
    np.testing.assert_array_equal(widget.traces[:, 0], extract_traces(video, (33, 21)))


# --- the plugin menu and the screenshot ---------------------------------------------------------------------------


def test_the_manifest_puts_the_widget_in_the_plugins_menu(npe2pm, make_napari_viewer, video):
    # npe2's fixture: a plugin manager of this test alone, which knows this checkout's manifest
    npe2pm.register(str(REPO / "src" / "optimap" / "napari" / "napari.yaml"))
    viewer = make_napari_viewer()
    viewer.add_image(video)
    viewer.add_points([[3, 4]])
    _, widget = viewer.window.add_plugin_dock_widget("optimap-trace", "Traces")
    assert isinstance(widget, TraceWidget)
    assert widget.viewer is viewer  # napari gave the widget its viewer (through a proxy, unwrapped)
    widget.wait()
    np.testing.assert_array_equal(widget.traces[:, 0], extract_traces(video, (4, 3)))


def test_screenshot_of_the_viewer_with_the_dock_widget(make_napari_viewer, tmp_path, qtbot):
    from optimap.datasets import synthetic_recording

    recording, info = synthetic_recording(shape=(128, 128), frames=500, fps=500, seed=0)
    viewer = make_napari_viewer(show=True)
    viewer.window.resize(1400, 760)
    viewer.add_image(recording, name="recording", metadata={"fps": info["fps"]}, colormap="gray")
    colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"]
    positions = [(86, 100), (65, 75), (44, 51), (23, 26)]  # (x, y): the README's, pacing site to far side
    viewer.add_points([(y, x) for x, y in positions], name="positions", face_color=colors, size=6, border_color="white")
    widget = TraceWidget(viewer)
    widget.setMinimumWidth(480)  # room for the plot beside the canvas
    viewer.window.add_dock_widget(widget, name="Traces")
    widget.window = "disc"
    widget.detrend = True
    widget.wait()
    viewer.dims.set_current_step(0, 120)
    np.testing.assert_allclose(
        widget.traces, detrend_timeseries(extract_traces(recording, positions, window="disc"), kind="spline")
    )
    qtbot.wait(200)  # the frame line is painted by the next paint event
    assert widget.plot.frame_x == 120 / info["fps"]
    path = SCREENSHOT if os.environ.get("OPTIMAP_UPDATE_SCREENSHOTS") else tmp_path / "napari.png"
    image = viewer.screenshot(str(path), canvas_only=False, flash=False)
    assert image.shape[0] >= 600 and image.shape[1] >= 1000
