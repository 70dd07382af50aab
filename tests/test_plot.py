import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgba

import optimap
from optimap.trace import show_positions, show_positions_and_traces, show_trace, show_traces


def test_show_traces_draws_each_column():
    traces = np.random.default_rng(0).random((50, 3))
    fig, ax = plt.subplots()
    assert show_traces(traces, ax=ax, linewidth=3) is ax
    assert len(ax.lines) == 3
    for i, line in enumerate(ax.lines):
        np.testing.assert_array_equal(line.get_ydata(), traces[:, i])
        np.testing.assert_array_equal(line.get_xdata(), np.arange(50))
        assert line.get_linewidth() == 3
    assert ax.get_xlabel() == "Frame" and ax.get_ylabel() == "Intensity"
    assert ax.get_xlim() == (0, 49)
    assert ax.get_legend() is None


def test_show_traces_fps_x_colors_labels():
    fig, ax = plt.subplots()
    show_traces(np.ones((11, 2)), fps=10, colors=["red", (0, 0, 1)], labels=["a", "b"], ax=ax)
    np.testing.assert_allclose(ax.lines[0].get_xdata(), np.arange(11) / 10)
    assert ax.get_xlabel() == "Time [s]"
    assert to_rgba(ax.lines[0].get_color()) == to_rgba("red")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    fig, ax = plt.subplots()
    show_trace(np.arange(5.0), x=np.linspace(1, 2, 5), colors="green", ax=ax)
    np.testing.assert_allclose(ax.lines[0].get_xdata(), np.linspace(1, 2, 5))
    assert to_rgba(ax.lines[0].get_color()) == to_rgba("green")


def test_show_traces_without_ax_makes_and_shows_a_figure():
    ax = optimap.show_traces(np.arange(4.0))
    assert ax.figure in [plt.figure(n) for n in plt.get_fignums()]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"traces": np.zeros((3, 2, 2))}, ValueError, "1-D"),
        ({"traces": np.float64(1.0)}, ValueError, "1-D"),
        ({"traces": np.zeros(3), "x": np.arange(3), "fps": 10}, ValueError, "x and fps cannot be given together"),
        ({"traces": np.zeros(3), "fps": 0}, ValueError, "fps must be a finite number > 0"),
        ({"traces": np.zeros(3), "fps": -5}, ValueError, "fps"),
        ({"traces": np.zeros(3), "fps": "fast"}, TypeError, "fps"),
        ({"traces": np.zeros(3), "x": np.arange(4)}, ValueError, "x must be 1-D with one value per frame"),
        ({"traces": np.zeros((3, 2)), "labels": ["a"]}, ValueError, "labels has 1 entries but there are 2"),
        ({"traces": np.zeros((3, 2)), "colors": ["r", "g", "b"]}, ValueError, "colors has 3 entries"),
        ({"traces": np.array(["a", "b"])}, TypeError, "real numbers"),
    ],
)
def test_show_traces_bad_input(kwargs, error, match):
    fig, ax = plt.subplots()
    with pytest.raises(error, match=match):
        show_traces(ax=ax, **kwargs)


def test_show_positions_one_scatter_in_cycle_colors():
    image = np.random.default_rng(0).random((20, 30))
    fig, ax = plt.subplots()
    assert show_positions([(3, 4), (10, 15)], image, size=40, ax=ax, marker="x") is ax
    (scatter,) = ax.collections
    np.testing.assert_array_equal(scatter.get_offsets(), [[3, 4], [10, 15]])
    np.testing.assert_array_equal(scatter.get_sizes(), [40])
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    np.testing.assert_allclose(scatter.get_facecolors()[:, :3], [to_rgba(c)[:3] for c in cycle[:2]])
    (shown,) = ax.images
    np.testing.assert_array_equal(shown.get_array(), image)
    assert shown.get_cmap().name == "gray"


def test_show_positions_options():
    fig, ax = plt.subplots()
    show_positions((5, 6), np.zeros((10, 10)), color="red", cmap="viridis", vmin=-1, vmax=2, ax=ax)
    assert ax.images[0].get_cmap().name == "viridis"
    assert ax.images[0].get_clim() == (-1, 2)
    np.testing.assert_allclose(ax.collections[0].get_facecolors()[0], to_rgba("red"))
    fig, ax = plt.subplots()
    show_positions([(1, 1), (2, 2)], size=[10, 20], color=["r", "b"], ax=ax)
    np.testing.assert_array_equal(ax.collections[0].get_sizes(), [10, 20])
    assert not ax.images


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"positions": [(1, 1)], "image": np.zeros((2, 2, 2))}, ValueError, "image must be"),
        ({"positions": [(1, 1), (2, 2)], "color": ["r"]}, ValueError, "colors has 1 entries"),
        ({"positions": [(1, 1), (2, 2)], "size": [1, 2, 3]}, ValueError, "size must be one number"),
        ({"positions": "ab"}, TypeError, "positions"),
    ],
)
def test_show_positions_bad_input(kwargs, error, match):
    fig, ax = plt.subplots()
    with pytest.raises(error, match=match):
        show_positions(ax=ax, **kwargs)


def test_show_positions_and_traces_shares_colors():
    video = np.random.default_rng(0).random((30, 16, 16))
    positions = [(2, 3), (8, 8), (15, 0)]
    fig, axs = plt.subplots(1, 2)
    image_ax, trace_ax = show_positions_and_traces(video, positions, size=3, fps=100, labels=["a", "b", "c"], axs=axs)
    assert image_ax is axs[0] and trace_ax is axs[1]
    np.testing.assert_array_equal(image_ax.images[0].get_array(), video[0])
    faces = image_ax.collections[0].get_facecolors()
    for face, line in zip(faces, trace_ax.lines):
        np.testing.assert_allclose(face, to_rgba(line.get_color()))
    np.testing.assert_allclose(trace_ax.lines[1].get_ydata(), optimap.extract_traces(video, (8, 8), size=3))
    assert trace_ax.get_xlabel() == "Time [s]"


def test_show_positions_and_traces_with_given_traces_and_new_figure():
    image_ax, trace_ax = show_positions_and_traces(np.zeros((8, 8)), [(1, 1)], np.arange(5.0), colors=["m"])
    assert image_ax.figure is trace_ax.figure
    np.testing.assert_allclose(image_ax.collections[0].get_facecolors()[0], to_rgba("m"))
    with pytest.raises(ValueError, match="traces has 1 columns but there are 2 positions"):
        show_positions_and_traces(np.zeros((8, 8)), [(1, 1), (2, 2)], np.arange(5.0))
    with pytest.raises(ValueError, match=r"no frame to show: with traces \(8, 8\) first, image must be the frame"):
        show_positions_and_traces(np.zeros((8, 8)), [(1, 1)])


# --- show_positions_and_traces: optimap main's call forms next to ours ---------------------------------------


@pytest.fixture
def video():
    return np.random.default_rng(3).random((30, 16, 20))  # 16 rows, 20 columns


def _drawn(image_ax, trace_ax):
    return image_ax.images[0].get_array(), np.column_stack([line.get_ydata() for line in trace_ax.lines])


def test_main_forms_video_with_an_image_index_or_image(video):
    positions = [(2, 3), (15, 8)]
    expected = optimap.extract_traces(video, positions, size=5)
    frame, traces = _drawn(*show_positions_and_traces(video, positions, fps=500))  # the tutorials' call
    np.testing.assert_array_equal(frame, video[0])
    np.testing.assert_array_equal(traces, expected)
    frame, _ = _drawn(*show_positions_and_traces(video, positions, image=7))
    np.testing.assert_array_equal(frame, video[7])
    frame, _ = _drawn(*show_positions_and_traces(video, positions, image=np.int64(-1)))
    np.testing.assert_array_equal(frame, video[-1])
    activation = np.arange(16 * 20.0).reshape(16, 20)
    frame, _ = _drawn(*show_positions_and_traces(video, positions, image=activation))
    np.testing.assert_array_equal(frame, activation)
    with pytest.raises(ValueError, match="image=30 is out of range for a video of 30 frames"):
        show_positions_and_traces(video, positions, image=30)
    with pytest.raises(ValueError, match=r"image must be an image of the video's frame size \(16, 20\)"):
        show_positions_and_traces(video, positions, image=np.zeros((5, 5)))


def test_main_form_positional_parameters_in_main_order(video):
    positions = [(2, 3), (15, 8)]
    image_ax, trace_ax = show_positions_and_traces(video, positions, 4, 3, ["red", "blue"], (8, 3), 100, -1, 2, "magma")
    assert tuple(image_ax.figure.get_size_inches()) == (8, 3)
    np.testing.assert_array_equal(image_ax.images[0].get_array(), video[4])
    assert image_ax.images[0].get_clim() == (-1, 2) and image_ax.images[0].get_cmap().name == "magma"
    np.testing.assert_array_equal(trace_ax.lines[1].get_ydata(), optimap.extract_traces(video, (15, 8), size=3))
    assert [to_rgba(line.get_color()) for line in trace_ax.lines] == [to_rgba("red"), to_rgba("blue")]
    assert trace_ax.get_xlabel() == "Time [s]"


def test_main_form_traces_first_with_image_frame(video):
    positions = [(2, 3), (15, 8), (0, 0)]
    traces = optimap.trace.normalize(optimap.extract_traces(video, positions))
    frame, drawn = _drawn(*show_positions_and_traces(traces, positions, image=video[5]))
    np.testing.assert_array_equal(frame, video[5])
    np.testing.assert_array_equal(drawn, traces)
    frame, drawn = _drawn(*show_positions_and_traces(traces[:, 0], positions[:1], image=video[5]))
    np.testing.assert_array_equal(drawn[:, 0], traces[:, 0])
    # A frame 3 wide for 3 positions: both arrays have a column per position; main's order decides,
    # and traces= by keyword leaves no doubt.
    narrow = [(0, 1), (1, 2), (2, 0)]
    frame3 = np.ones((4, 3))
    frame, drawn = _drawn(*show_positions_and_traces(traces, narrow, frame3))
    np.testing.assert_array_equal(frame, frame3)
    np.testing.assert_array_equal(drawn, traces)
    frame, drawn = _drawn(*show_positions_and_traces(frame3, narrow, traces=traces))
    np.testing.assert_array_equal(frame, frame3)
    np.testing.assert_array_equal(drawn, traces)
    with pytest.raises(ValueError, match="got an index"):
        show_positions_and_traces(traces, positions, image=3)


def test_our_forms_keep_working(video):
    positions = [(2, 3), (15, 8)]
    traces = optimap.extract_traces(video, positions, size=1)
    for args, kwargs in [
        ((video[2], positions, traces), {}),  # the command line's call
        ((video[2], positions), {"traces": traces}),
        ((video, positions, traces), {}),
        ((video, positions), {"traces": traces, "image": 2}),
    ]:
        fig, axs = plt.subplots(1, 2)
        frame, drawn = _drawn(*show_positions_and_traces(*args, axs=axs, **kwargs))
        np.testing.assert_array_equal(frame, video[2 if args[0].ndim == 2 or kwargs.get("image") == 2 else 0])
        np.testing.assert_array_equal(drawn, traces)
    fig, axs = plt.subplots(1, 2)
    rgb = np.zeros((16, 20, 3))
    frame, drawn = _drawn(*show_positions_and_traces(rgb, positions, traces=traces, axs=axs))
    assert frame.shape == (16, 20, 3)


def test_show_positions_and_traces_bad_input(video):
    fig, axs = plt.subplots(1, 2)
    with pytest.raises(ValueError, match="figsize is only used for a new figure"):
        show_positions_and_traces(video, [(1, 1)], figsize=(4, 2), axs=axs)
    with pytest.raises(ValueError, match="figsize must be two finite numbers"):
        show_positions_and_traces(video, [(1, 1)], figsize=(4, -2))
    with pytest.raises(TypeError, match="did you mean 'linewidth'"):
        show_positions_and_traces(video, [(1, 1)], axs=axs, linewidht=3)
    with pytest.raises(ValueError, match="image cannot be given"):
        show_positions_and_traces(video[0], [(1, 1)], image=video[1], traces=np.zeros(30), axs=axs)
    with pytest.raises(ValueError, match="video_or_traces must be a video"):
        show_positions_and_traces(np.zeros((2, 2, 2, 2)), [(1, 1)], axs=axs)


# --- edges of the time axis -----------------------------------------------------------------------------------


def test_time_axis_edges():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=r"fps=1e-320 is too small: the time axis of 5 frames overflows"):
        show_traces(np.zeros(5), fps=1e-320, ax=ax)
    with pytest.raises(ValueError, match="x must hold finite numbers, got nan at index 0"):
        show_traces(np.zeros(3), x=[np.nan, 1, 2], ax=ax)
    with pytest.raises(ValueError, match="x must hold finite numbers, got inf at index 2"):
        optimap.compare_traces([np.zeros((3, 4, 4))], [(1, 1)], x=[0, 1, np.inf])
    show_traces(np.zeros(3), x=np.ones(3), ax=ax)  # equal ends: no singular-limits warning
    show_traces(np.zeros((1, 2)), fps=1e-320, ax=ax)  # one frame: time 0 only
    days = np.arange("2024-01-01", "2024-01-04", dtype="datetime64[D]")
    show_traces(np.zeros(3), x=days, ax=ax)
    assert ax.lines[-1].get_xdata()[0] == days[0]
