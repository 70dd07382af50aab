"""Interactive selection, driven headless under Agg with real MouseEvents.

The blocking functions wait in ``plt.show()``; the tests replace it with a
function that clicks on the current figure (through the canvas' callback
registry, as a GUI backend would) and returns.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backend_bases import MouseButton, MouseEvent, NavigationToolbar2
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba, to_rgba_array
from matplotlib.figure import Figure

from optimap.trace import (
    PositionSelector,
    TraceSelector,
    _backend,
    _select,
    compare_traces,
    extract_traces,
    select_positions,
    select_traces,
)
from optimap.trace._plot import cycle_colors
from optimap.trace._select import CompareSelector

LEFT, RIGHT, MIDDLE = MouseButton.LEFT, MouseButton.RIGHT, MouseButton.MIDDLE


@pytest.fixture
def video():
    """Non-square, so that swapped x and y fail."""
    return np.random.default_rng(42).random((40, 24, 32))


def click(ax, x, y, button=LEFT, dblclick=False):
    """Send a button press at data coordinates (x, y) of ``ax``, as a GUI backend does."""
    px, py = ax.transData.transform((x, y))
    event = MouseEvent("button_press_event", ax.figure.canvas, px, py, button=button, dblclick=dblclick)
    ax.figure.canvas.callbacks.process("button_press_event", event)


def image_axes(fig):
    return next(ax for ax in fig.axes if ax.get_images())


def trace_axes(fig):
    return next(ax for ax in fig.axes if not ax.get_images())


class FakeShow:
    """Replacement for ``plt.show``: runs ``actions`` on the current figure, then returns.

    An action is ``(x, y)``, ``(x, y, button)`` or a callable taking the figure.
    """

    def __init__(self):
        self.actions = []
        self.calls = []
        self.figures = []

    def __call__(self, *args, **kwargs):
        self.calls.append(kwargs)
        fig = plt.gcf()
        self.figures.append(fig)
        fig.canvas.draw()  # as a window would, before the user clicks
        for action in self.actions:
            if callable(action):
                action(fig)
            else:
                click(image_axes(fig), *action)


@pytest.fixture
def show(monkeypatch):
    """A fake GUI: plt.show clicks and returns, and figures count as shown in a window."""
    fake = FakeShow()
    monkeypatch.setattr(plt, "show", fake)
    monkeypatch.setattr(_backend, "can_show", lambda figure: True)
    return fake


def line_data(ax):
    return [(line.get_xdata().copy(), line.get_ydata().copy(), to_rgba(line.get_color())) for line in ax.lines]


def face_colors(selector_or_scatter):
    scatter = getattr(selector_or_scatter, "scatter", selector_or_scatter)
    return scatter.get_facecolors()


# --------------------------------------------------------------------------- select_positions


def test_select_positions_adds_integer_positions(show):
    image = np.random.default_rng(0).random((24, 32))
    show.actions = [(3.2, 20.6), (30, 1)]
    positions = select_positions(image)
    assert positions == [(3, 21), (30, 1)]
    assert all(type(v) is int for p in positions for v in p)
    assert show.calls == [{"block": True}]
    assert plt.get_fignums() == []  # the figure is closed afterwards
    ax = image_axes(show.figures[0])
    np.testing.assert_array_equal(ax.get_images()[0].get_array(), image)
    np.testing.assert_array_equal(ax.collections[0].get_offsets(), [[3, 21], [30, 1]])


def test_select_positions_exact_coordinates(show):
    show.actions = [(3.25, 20.6), (10.5, 7.75)]
    positions = select_positions(np.zeros((24, 32)), as_integers=False)
    assert len(positions) == 2
    np.testing.assert_allclose(positions, [(3.25, 20.6), (10.5, 7.75)], atol=1e-9)
    assert all(type(v) is float for p in positions for v in p)


def test_left_click_on_an_existing_position_removes_it(show):
    # the same pixel, the marker itself, and a click a little off the centre all hit
    show.actions = [(5, 5), (20, 10), (5.3, 4.8), (12, 12), (20, 10)]
    assert select_positions(np.zeros((24, 32))) == [(12, 12)]


def test_exact_mode_left_click_on_marker_removes(show):
    show.actions = [(5.2, 5.2), (5.25, 5.2), (15.5, 9.5)]
    positions = select_positions(np.zeros((24, 32)), as_integers=False)
    np.testing.assert_allclose(positions, [(15.5, 9.5)], atol=1e-9)


def test_right_click_removes_the_nearest(show):
    show.actions = [(2, 2), (20, 15), (30, 3), (18, 14, RIGHT), (0, 23, RIGHT)]
    assert select_positions(np.zeros((24, 32))) == [(30, 3)]


def test_right_click_without_positions_and_other_buttons_do_nothing(show):
    show.actions = [(5, 5, RIGHT), (6, 6, MIDDLE)]
    assert select_positions(np.zeros((24, 32))) == []


def test_select_positions_no_clicks(show):
    assert select_positions(np.zeros((24, 32))) == []


def test_select_positions_of_a_video_shows_the_first_frame(show, video):
    seen = []
    show.actions = [lambda fig: seen.append(image_axes(fig).get_images()[0].get_array().copy()), (4, 9)]
    assert select_positions(video) == [(4, 9)]
    np.testing.assert_array_equal(seen[0], video[0])


def test_select_positions_display_options(show):
    seen = {}

    def record(fig):
        ax = image_axes(fig)
        im = ax.get_images()[0]
        seen.update(title=ax.get_title(), cmap=im.get_cmap().name, clim=im.get_clim())

    show.actions = [record]
    select_positions(np.zeros((24, 32)), title="Pick the apex", cmap="viridis", vmin=-1, vmax=2)
    assert seen == {"title": "Pick the apex", "cmap": "viridis", "clim": (-1, 2)}


def test_num_points_closes_the_window(show):
    closed_after = []
    show.actions = [(1, 1), (2, 2), lambda fig: closed_after.append(plt.fignum_exists(fig.number)), (3, 3)]
    assert select_positions(np.zeros((24, 32)), num_points=2) == [(1, 1), (2, 2)]
    assert closed_after == [False]


def test_clicks_outside_the_image_or_axes_are_ignored(show):
    def outside_axes(fig):
        ax = image_axes(fig)
        event = MouseEvent("button_press_event", fig.canvas, 1, 1, button=LEFT)  # bottom-left corner of the figure
        assert event.inaxes is not ax
        fig.canvas.callbacks.process("button_press_event", event)

    show.actions = [outside_axes, (-0.499, 3), (5, 5)]
    assert select_positions(np.zeros((24, 32))) == [(0, 3), (5, 5)]


def test_widgetlock_blocks_clicks(show):
    """Zoom and pan take canvas.widgetlock; while it is held, clicks add nothing."""
    owner = object()

    def lock(fig):
        fig.canvas.widgetlock(owner)

    def release(fig):
        fig.canvas.widgetlock.release(owner)

    show.actions = [(1, 1), lock, (5, 5), (1, 1), (2, 2, RIGHT), release, (7, 7)]
    assert select_positions(np.zeros((24, 32))) == [(1, 1), (7, 7)]


def test_toolbar_zoom_and_pan_modes_block_clicks(show):
    toolbars = []

    def zoom_on(fig):
        toolbars.append(NavigationToolbar2(fig.canvas))
        toolbars[0].zoom()
        assert toolbars[0].mode != ""

    def zoom_off(fig):
        toolbars[0].zoom()

    def pan_on(fig):
        toolbars[0].pan()

    def only_mode(fig):
        # a toolbar whose mode is set but that holds no widgetlock still blocks
        toolbars[0].pan()
        assert fig.canvas.widgetlock.available(object())
        toolbars[0].mode = type(toolbars[0].mode)("pan/zoom")

    show.actions = [zoom_on, (5, 5), zoom_off, (6, 6), pan_on, (7, 7), only_mode, (8, 8)]
    assert select_positions(np.zeros((24, 32))) == [(6, 6)]


def test_double_click_adds_one_position(show):
    """Qt, Tk, wx, macOS: press, then the second press flagged as the double click."""

    def double(fig):
        ax = image_axes(fig)
        click(ax, 9, 9)
        click(ax, 9, 9, dblclick=True)

    show.actions = [double]
    assert select_positions(np.zeros((24, 32))) == [(9, 9)]


def browser_axes(shape=(24, 32)):
    """An image Axes on the canvas class of ipympl, nbAgg and WebAgg."""
    from matplotlib.backends.backend_webagg_core import FigureCanvasWebAggCore, FigureManagerWebAgg

    fig = Figure()
    FigureManagerWebAgg(FigureCanvasWebAggCore(fig), 1)  # a manager without a browser
    ax = fig.add_subplot()
    ax.imshow(np.zeros(shape), cmap="gray")
    fig.canvas.draw()
    return ax


def browser_double_click(ax, x, y):
    """What a browser sends for a double click: two plain presses, then the double click."""
    click(ax, x, y)
    click(ax, x, y)
    click(ax, x, y, dblclick=True)


def test_double_click_in_a_browser_acts_once():
    ax = browser_axes()
    selector = PositionSelector(ax)
    browser_double_click(ax, 9, 9)
    assert selector.positions == [(9, 9)]
    click(ax, 20, 4)
    click(ax, 3, 3)
    # on a position already there: removed, the others keep their order and colours
    browser_double_click(ax, 20, 4)
    assert selector.positions == [(9, 9), (3, 3)]
    assert selector.colors == [cycle_colors(3)[0], cycle_colors(3)[2]]
    np.testing.assert_array_equal(selector.scatter.get_offsets(), [[9, 9], [3, 3]])
    np.testing.assert_array_equal(face_colors(selector), to_rgba_array(selector.colors))
    # the first of two
    browser_double_click(ax, 9, 9)
    assert selector.positions == [(3, 3)]
    click(ax, 9, 9)
    assert selector.positions == [(3, 3), (9, 9)] and selector.colors == [cycle_colors(3)[2], cycle_colors(3)[0]]
    rec = Recorder(selector)
    browser_double_click(ax, 3, 3)
    assert selector.positions == [(9, 9)] and selector.colors == [cycle_colors(1)[0]]
    # every signal says what happened, and the last "changed" gives the result
    assert rec.events[-1] == ("changed", [(9, 9)])
    assert [e[0] for e in rec.events if e[0] != "changed"] == ["removed", "added", "removed"]


def test_double_click_in_a_browser_after_an_ignored_press_changes_nothing():
    ax = browser_axes()
    selector = PositionSelector(ax, positions=[(5, 5)])
    owner = object()
    ax.figure.canvas.widgetlock(owner)  # zoom or pan active: both presses go to the tool
    browser_double_click(ax, 5, 5)
    ax.figure.canvas.widgetlock.release(owner)
    assert selector.positions == [(5, 5)]
    click(ax, 7, 7)
    click(ax, 5, 5, RIGHT)  # a right click in between: no double click of the left button
    click(ax, 7, 7, dblclick=True)
    assert selector.positions == [(7, 7)]


def test_double_click_in_a_browser_in_single_mode():
    ax = browser_axes()
    selector = PositionSelector(ax, single=True)
    click(ax, 2, 2)
    browser_double_click(ax, 9, 9)
    assert selector.positions == [(9, 9)]


def test_headless_returns_at_once_with_one_warning(monkeypatch):
    """Under Agg no window can open: the empty result at once, and one NoWindowWarning that says why."""
    if plt.get_backend().lower() != "agg":
        pytest.skip("needs the Agg backend: a GUI backend would open a real window")
    shown = []
    monkeypatch.setattr(plt, "show", lambda *args, **kwargs: shown.append(1))  # must not even be called
    with pytest.warns(_backend.NoWindowWarning) as record:
        assert select_positions(np.zeros((8, 8))) == []
    assert len(record) == 1 and record[0].filename == __file__
    message = str(record[0].message)
    assert "select_positions(): no interactive window could be opened (matplotlib backend 'agg'" in message.lower()
    assert "nothing was selected and [] is returned" in message and "PositionSelector(ax)" in message
    expected = r"select_traces\(\).*traces of shape \(5, 0\) and \[\]"
    with pytest.warns(_backend.NoWindowWarning, match=expected) as record:
        traces, positions = select_traces(np.zeros((5, 8, 8)), fps=100)
    assert len(record) == 1
    assert traces.shape == (5, 0) and positions == []
    expected = r"compare_traces\(\).*CompareSelector\(videos\).*pass coords="
    with pytest.warns(_backend.NoWindowWarning, match=expected) as record:
        assert compare_traces([np.zeros((5, 8, 8))] * 2) == []
    assert len(record) == 1
    assert issubclass(_backend.NoWindowWarning, UserWarning)
    assert shown == [] and plt.get_fignums() == []


def test_static_compare_traces_under_agg_gives_no_warning(videos):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        axs = compare_traces(videos, coords=[(1, 1)])
    assert len(axs[0].lines) == 2


# --------------------------------------------------------------------------- select_traces


def test_select_traces_returns_extract_traces(show, video):
    show.actions = [(3, 20), (30, 2), (3, 20), (10, 11)]
    traces, positions = select_traces(video, size=3)
    assert positions == [(30, 2), (10, 11)]
    np.testing.assert_array_equal(traces, extract_traces(video, positions, 3))
    assert traces.shape == (40, 2)


def test_select_traces_window_option(show, video):
    show.actions = [(5, 6)]
    traces, positions = select_traces(video, size=4, window="disc")
    np.testing.assert_array_equal(traces, extract_traces(video, positions, 4, window="disc"))


def test_select_traces_no_clicks(show, video):
    traces, positions = select_traces(video)
    assert traces.shape == (40, 0) and positions == []


def test_trace_panel_follows_clicks_with_matching_colours(show, video):
    snapshots = []

    def snapshot(fig):
        trace_ax, ax = trace_axes(fig), image_axes(fig)
        snapshots.append(
            {
                "offsets": ax.collections[0].get_offsets().tolist(),
                "faces": ax.collections[0].get_facecolors().copy(),
                "lines": line_data(trace_ax),
            }
        )

    show.actions = [(2, 3), (25, 20), snapshot, (2, 3), snapshot, (12, 12), (18, 4), snapshot]
    traces, positions = select_traces(video, size=1)
    cycle = to_rgba_array(cycle_colors(3))
    first, second, third = snapshots
    assert first["offsets"] == [[2, 3], [25, 20]]
    assert [line[2] for line in first["lines"]] == [tuple(c) for c in cycle[:2]]
    np.testing.assert_array_equal(first["faces"], cycle[:2])
    np.testing.assert_array_equal(first["lines"][0][1], video[:, 3, 2])
    np.testing.assert_array_equal(first["lines"][1][1], video[:, 20, 25])
    np.testing.assert_array_equal(first["lines"][0][0], np.arange(40))
    # removing the first position keeps the colour of the second
    assert second["offsets"] == [[25, 20]]
    assert [line[2] for line in second["lines"]] == [tuple(cycle[1])]
    np.testing.assert_array_equal(second["lines"][0][1], video[:, 20, 25])
    # new positions take the free colours: C0, then C2
    assert third["offsets"] == [[25, 20], [12, 12], [18, 4]]
    np.testing.assert_array_equal(third["faces"], cycle[[1, 0, 2]])
    assert [line[2] for line in third["lines"]] == [tuple(cycle[i]) for i in (1, 0, 2)]
    for (_, ydata, _), (x, y) in zip(third["lines"], positions):
        np.testing.assert_array_equal(ydata, video[:, y, x])


def test_select_traces_fps_axis(show, video):
    seen = {}

    def record(fig):
        ax = trace_axes(fig)
        seen.update(x=ax.lines[0].get_xdata(), label=ax.get_xlabel(), xlim=ax.get_xlim())

    show.actions = [(4, 4), record]
    select_traces(video, fps=200)
    np.testing.assert_allclose(seen["x"], np.arange(40) / 200)
    assert seen["label"] == "Time [s]"
    assert seen["xlim"] == pytest.approx((0, 39 / 200))


def test_select_traces_x_axis(show, video):
    seen = {}
    x = np.linspace(10, 20, 40)
    show.actions = [(4, 4), lambda fig: seen.update(x=trace_axes(fig).lines[0].get_xdata())]
    select_traces(video, x=x)
    np.testing.assert_array_equal(seen["x"], x)


def test_select_traces_reference_frame(show, video):
    seen = []

    def record(fig):
        seen.append(image_axes(fig).get_images()[0].get_array().copy())

    show.actions = [record]
    select_traces(video, ref_frame=7)
    select_traces(video, ref_frame=-1)
    activation = np.random.default_rng(1).random((24, 32))
    show.actions = [record, (6, 6)]
    traces, positions = select_traces(video, ref_frame=activation)
    np.testing.assert_array_equal(seen[0], video[7])
    np.testing.assert_array_equal(seen[1], video[-1])
    np.testing.assert_array_equal(seen[2], activation)
    np.testing.assert_array_equal(traces, extract_traces(video, [(6, 6)]))


def test_select_traces_num_points(show, video):
    show.actions = [(1, 1), (2, 2), (3, 3)]
    traces, positions = select_traces(video, num_points=2)
    assert positions == [(1, 1), (2, 2)] and traces.shape == (40, 2)


def test_select_traces_does_not_modify_the_video(show, video):
    before = video.copy()
    show.actions = [(3, 3)]
    select_traces(video)
    np.testing.assert_array_equal(video, before)


# --------------------------------------------------------------------------- compare_traces


@pytest.fixture
def videos():
    rng = np.random.default_rng(7)
    return [rng.random((40, 24, 32)), rng.random((25, 24, 32)).astype(np.float32)]


def test_compare_interactive_shows_each_video_at_the_click(show, videos):
    snapshots = []

    def snapshot(fig):
        ax = trace_axes(fig)
        snapshots.append(line_data(ax))

    show.actions = [(3, 4), snapshot, (20, 10), snapshot, (20, 10), snapshot, (3, 4)]
    before = [v.copy() for v in videos]
    history = compare_traces(videos, labels=["raw", "short"], colors=["red", "blue"], size=3, fps=100)
    assert history == [(3, 4), (20, 10)]
    first, second, removed = snapshots
    for lines, (x, y) in ((first, (3, 4)), (second, (20, 10))):
        assert len(lines) == 2
        for (xdata, ydata, color), video, expected_color in zip(lines, videos, ("red", "blue")):
            assert len(xdata) == len(video)  # each trace over its own frames, no padding
            np.testing.assert_allclose(xdata, np.arange(len(video)) / 100)
            np.testing.assert_array_equal(ydata, extract_traces(video, (x, y), 3))
            assert color == to_rgba(expected_color)
    assert all(len(ydata) == 0 for _, ydata, _ in removed)
    for video, copy in zip(videos, before):
        np.testing.assert_array_equal(video, copy)
    assert [v.shape[0] for v in videos] == [40, 25]


def test_compare_interactive_legend_and_single_marker(show, videos):
    seen = {}

    def record(fig):
        ax, image_ax = trace_axes(fig), image_axes(fig)
        seen["legend"] = [t.get_text() for t in ax.get_legend().get_texts()]
        seen["offsets"] = image_ax.collections[0].get_offsets().tolist()
        seen["xlim"] = ax.get_xlim()

    show.actions = [(3, 4), (8, 9), record]
    assert compare_traces(videos, labels=["a", "b"]) == [(3, 4), (8, 9)]
    assert seen["legend"] == ["a", "b"]
    assert seen["offsets"] == [[8, 9]]
    assert seen["xlim"] == (0, 39)


def test_compare_interactive_no_clicks(show, videos):
    assert compare_traces(videos) == []


def test_compare_interactive_ref_frame_image(show, videos):
    seen = []
    image = np.ones((24, 32))
    show.actions = [lambda fig: seen.append(image_axes(fig).get_images()[0].get_array().copy())]
    compare_traces(videos, ref_frame=image)
    np.testing.assert_array_equal(seen[0], image)


def test_compare_with_coords_draws_one_panel_per_position(show, videos):
    axs = compare_traces(videos, coords=[(3, 4), (20, 10), (31, 23)], labels=["raw", "short"], size=3, fps=100)
    assert len(show.calls) == 1
    assert len(axs) == 3
    fig = axs[0].figure
    assert all(ax.figure is fig for ax in axs)
    coords = [(3, 4), (20, 10), (31, 23)]
    for j, (ax, position) in enumerate(zip(axs, coords)):
        assert ax.get_title() == f"Position ({position[0]}, {position[1]})"
        assert len(ax.lines) == 2
        for line, video, color in zip(ax.lines, videos, cycle_colors(2)):
            assert len(line.get_xdata()) == len(video)
            np.testing.assert_allclose(line.get_xdata(), np.arange(len(video)) / 100)
            np.testing.assert_array_equal(line.get_ydata(), extract_traces(video, coords, 3)[:, j])
            assert to_rgba(line.get_color()) == to_rgba(color)
        assert ax.get_xlim() == pytest.approx((0, 0.39))
    assert axs[-1].get_xlabel() == "Time [s]"
    assert [t.get_text() for t in axs[0].get_legend().get_texts()] == ["raw", "short"]
    assert axs[0].get_shared_x_axes().joined(axs[0], axs[2])


def test_compare_with_coords_on_given_axes_and_one_position(show, videos):
    fig, ax = plt.subplots()
    x = np.linspace(0, 1, 40)
    axs = compare_traces(videos, coords=(5, 6), colors=["k", "m"], x=x, axs=ax)
    assert axs == [ax] and show.calls == []
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), x)
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), x[:25])
    assert ax.get_legend() is None
    assert [to_rgba(line.get_color()) for line in ax.lines] == [to_rgba("k"), to_rgba("m")]


def test_compare_with_coords_works_with_a_notebook_widget_backend(show, videos, monkeypatch):
    monkeypatch.setattr(_backend, "current_backend", lambda: "module://ipympl.backend_nbagg")
    assert len(compare_traces(videos, coords=[(1, 1)])) == 1


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda v: select_traces(v, ref_frame=40),
            ValueError,
            r"ref_frame=40 is out of range for a video of 40 frames",
        ),
        (lambda v: select_traces(v, ref_frame=-41), ValueError, "ref_frame=-41 is out of range"),
        (
            lambda v: select_traces(v, ref_frame=np.zeros((32, 24))),
            ValueError,
            r"ref_frame must be an image of the video's frame size \(24, 32\)",
        ),
        (lambda v: select_traces(v, ref_frame=np.zeros(5)), ValueError, "ref_frame must be a 2-D image"),
        (lambda v: select_traces(v, ref_frame=1.5), ValueError, "ref_frame must be a whole number"),
        (lambda v: select_traces(v, ref_frame="first"), TypeError, "ref_frame must be a frame index or an image"),
        (lambda v: select_traces(v, x=np.arange(40), fps=10), ValueError, "x and fps cannot be given together"),
        (lambda v: select_traces(v, x=np.arange(39)), ValueError, "x must be 1-D with one value per frame"),
        (lambda v: select_traces(v, fps=0), ValueError, "fps must be a finite number > 0"),
        (lambda v: select_traces(v, size=-1), ValueError, "size must be >= 0"),
        (lambda v: select_traces(v, window="square"), ValueError, "window must be one of"),
        (lambda v: select_traces(v, num_points=0), ValueError, "num_points must be >= 1"),
        (lambda v: select_traces(v[0]), ValueError, "video must be 3-D"),
        (lambda v: select_traces(v[None]), ValueError, "video must be 3-D"),
        (lambda v: select_traces(v.astype(complex)), TypeError, "video must hold real numbers"),
        (lambda v: select_positions(v[None]), ValueError, "image must be 2-D"),
        (lambda v: select_positions(v[0, 0]), ValueError, "image must be 2-D"),
        (lambda v: select_positions("image.png"), TypeError, "image must be"),
        (lambda v: select_positions(v[0].astype(complex)), TypeError, "image must hold real numbers"),
        (
            lambda v: compare_traces([v, v[:, :20]]),
            ValueError,
            r"videos must share one frame size: .* videos\[1\] has \(20, 32\)",
        ),
        (lambda v: compare_traces([v, v[:, :20]], coords=[(1, 1)]), ValueError, "videos must share one frame size"),
        (lambda v: compare_traces([v, v], labels=["a"]), ValueError, "labels has 1 entries but there are 2 videos"),
        (lambda v: compare_traces([v, v], coords=(1, 1), labels=["a", "b", "c"]), ValueError, "labels has 3 entries"),
        (
            lambda v: compare_traces([v, v], colors=["r", "g", "b"]),
            ValueError,
            "colors has 3 entries but there are 2 videos",
        ),
        (
            lambda v: compare_traces([v, v], coords=(1, 1), colors="red"),
            ValueError,
            "colors has 1 entries but there are 2",
        ),
        (
            lambda v: compare_traces([v, v], coords=(1, 1), x=np.arange(40), fps=5),
            ValueError,
            "x and fps cannot be given together",
        ),
        (
            lambda v: compare_traces([v, v[:10]], coords=(1, 1), x=np.arange(10)),
            ValueError,
            r"one value per frame \(40\)",
        ),
        (lambda v: compare_traces([v, v], ref_frame=99), ValueError, "ref_frame=99 is out of range"),
        (lambda v: compare_traces([v, v], ref_frame=np.zeros((3, 3))), ValueError, "ref_frame must be an image"),
        (lambda v: compare_traces(v), TypeError, r"videos must be a sequence of videos; .* \[video\]"),
        (lambda v: compare_traces([]), ValueError, "videos is empty"),
        (lambda v: compare_traces([v, v[0]]), ValueError, r"videos\[1\] must be 3-D"),
        (lambda v: compare_traces([v], coords=[]), ValueError, "coords is empty"),
        (
            lambda v: compare_traces([v], coords=[(32, 0)]),
            ValueError,
            r"coords: position \(32, 0\) is outside the frame",
        ),
        (
            lambda v: compare_traces([v], coords=[(1, 1), (2, 2)], axs=[plt.subplots()[1]]),
            ValueError,
            "axs has 1 Axes but there are 2 positions",
        ),
        (lambda v: compare_traces([v], axs=[plt.subplots()[1]]), ValueError, "axs is only used with coords"),
    ],
)
def test_bad_input(show, video, call, error, match):
    with pytest.raises(error, match=match):
        call(video)
    assert show.calls == []  # errors come before any window


# --------------------------------------------------------------------------- backends


@pytest.mark.parametrize("backend", ["module://ipympl.backend_nbagg", "widget", "ipympl", "nbAgg"])
@pytest.mark.parametrize(
    ("call", "hint"),
    [
        (lambda v: select_positions(v[0]), "PositionSelector"),
        (lambda v: select_traces(v), "TraceSelector"),
        (lambda v: compare_traces([v, v]), "coords="),
    ],
)
def test_notebook_widget_backend_refuses_to_block(show, video, monkeypatch, backend, call, hint):
    monkeypatch.setattr(_backend, "current_backend", lambda: backend)
    with pytest.raises(RuntimeError, match=f"cannot block.*{hint}"):
        call(video)
    assert show.calls == [] and plt.get_fignums() == []


def test_inline_backend_switches_to_a_gui_backend_and_back(show, video, monkeypatch, capsys):
    inline = "module://matplotlib_inline.backend_inline"
    switches = []
    monkeypatch.setattr(_backend, "current_backend", lambda: inline)
    monkeypatch.setattr(_backend, "_switch", switches.append)
    show.actions = [(2, 2), lambda fig: switches.append("shown")]
    traces, positions = select_traces(video)
    assert positions == [(2, 2)]
    assert switches == ["QtAgg", "shown", inline]
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "switching the matplotlib backend" in out and "QtAgg" in out


def test_inline_backend_is_restored_after_an_error(show, video, monkeypatch, capsys):
    inline = "module://matplotlib_inline.backend_inline"
    switches = []
    monkeypatch.setattr(_backend, "current_backend", lambda: inline)
    monkeypatch.setattr(_backend, "_switch", switches.append)

    def fail(fig):
        raise KeyboardInterrupt

    show.actions = [fail]
    with pytest.raises(KeyboardInterrupt):
        select_positions(video[0])
    assert switches == ["QtAgg", inline]
    assert plt.get_fignums() == []


def test_inline_backend_tries_the_next_gui_backend(show, video, monkeypatch, capsys):
    switches = []

    def switch(name):
        if name == "QtAgg":
            raise ImportError("no Qt binding")
        switches.append(name)

    monkeypatch.setattr(_backend, "current_backend", lambda: "inline")
    monkeypatch.setattr(_backend, "GUI_BACKENDS", ("QtAgg", "TkAgg"))
    monkeypatch.setattr(_backend, "_switch", switch)
    select_positions(video[0])
    assert switches == ["TkAgg", "inline"]
    assert "TkAgg" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("call", "hint"),
    [
        (lambda v: select_positions(v[0]), "PositionSelector"),
        (lambda v: select_traces(v), "TraceSelector"),
        (lambda v: compare_traces([v, v]), "Pass coords="),
    ],
)
def test_inline_backend_without_any_gui_backend(show, video, monkeypatch, call, hint):
    monkeypatch.setattr(_backend, "current_backend", lambda: "module://matplotlib_inline.backend_inline")
    monkeypatch.setattr(_backend, "GUI_BACKENDS", ("module://optimap_no_such_backend",))
    with pytest.raises(RuntimeError, match=f"no GUI backend could be started.*{hint}"):
        call(video)
    assert show.calls == [] and plt.get_fignums() == []


def test_a_gui_backend_that_cannot_start(show, video, monkeypatch):
    def broken(*args, **kwargs):
        raise ImportError(
            "Cannot load backend 'QtAgg' which requires the 'qt' interactive framework, "
            "as 'headless' is currently running"
        )

    monkeypatch.setattr(plt, "figure", broken)  # plt.subplots calls it too
    with pytest.raises(RuntimeError, match="could not open a window.*headless.*Pass coords="):
        compare_traces([video, video])
    with pytest.raises(RuntimeError, match="could not open a window.*TraceSelector"):
        select_traces(video)


def test_a_non_inline_backend_is_left_alone(show, video, monkeypatch):
    before = plt.get_backend()
    switches = []
    monkeypatch.setattr(_backend, "_switch", switches.append)
    select_positions(video[0])
    assert switches == [] and plt.get_backend() == before


# --------------------------------------------------------------------------- selector objects


@pytest.fixture
def agg_axes():
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.imshow(np.zeros((24, 32)), cmap="gray")
    fig.canvas.draw()
    return ax


class Recorder:
    def __init__(self, selector):
        self.events = []
        for signal in ("changed", "added", "removed"):
            selector.connect(signal, lambda *args, signal=signal: self.events.append((signal, *args)))


def test_position_selector_events_scatter_and_signals(agg_axes):
    ax = agg_axes
    selector = PositionSelector(ax)
    assert selector.shape == (24, 32)
    rec = Recorder(selector)
    n_collections = len(ax.collections)
    click(ax, 3, 4)
    click(ax, 10, 20)
    click(ax, 9, 19, RIGHT)
    click(ax, 30, 2)
    assert selector.positions == [(3, 4), (30, 2)]
    assert rec.events == [
        ("added", (3, 4), 0),
        ("changed", [(3, 4)]),
        ("added", (10, 20), 1),
        ("changed", [(3, 4), (10, 20)]),
        ("removed", (10, 20), 1),
        ("changed", [(3, 4)]),
        ("added", (30, 2), 1),
        ("changed", [(3, 4), (30, 2)]),
    ]
    # one scatter artist, updated in place
    assert len(ax.collections) == n_collections
    assert selector.scatter is ax.collections[0]
    np.testing.assert_array_equal(selector.scatter.get_offsets(), [[3, 4], [30, 2]])
    np.testing.assert_array_equal(face_colors(selector), to_rgba_array(cycle_colors(2)))
    assert selector.colors == cycle_colors(2)


def test_position_selector_programmatic_editing(agg_axes):
    selector = PositionSelector(agg_axes, positions=[(1, 2), (3, 4.4)])
    rec = Recorder(selector)
    assert selector.positions == [(1, 2), (3, 4)]
    assert selector.add((5.6, 7)) == 2
    selector.remove(0)
    assert selector.positions == [(3, 4), (6, 7)]
    assert selector.colors == [cycle_colors(3)[1], cycle_colors(3)[2]]
    selector.positions = [(9, 9)]
    assert selector.colors == cycle_colors(1)
    selector.clear()
    assert selector.positions == [] and len(selector.scatter.get_offsets()) == 0
    assert [e for e in rec.events if e[0] == "changed"] == [
        ("changed", [(1, 2), (3, 4), (6, 7)]),
        ("changed", [(3, 4), (6, 7)]),
        ("changed", [(9, 9)]),
        ("changed", []),
    ]
    with pytest.raises(ValueError, match=r"position \(32, 0\) is outside the image \(width 32, height 24\)"):
        selector.add((32, 0))
    with pytest.raises(ValueError, match="index 3 is out of range for 0 positions"):
        selector.remove(3)
    with pytest.raises(ValueError, match="outside the image"):
        selector.set_positions([(0, 0), (0, 24)])


@pytest.mark.parametrize("as_integers", [True, False])
def test_position_selector_far_outside_is_a_value_error(agg_axes, as_integers):
    """Coordinates beyond any pixel index: the usual message, no invalid-cast RuntimeWarning."""
    selector = PositionSelector(agg_axes, as_integers=as_integers)
    with pytest.raises(ValueError, match=r"position \(1e\+30, 2\) is outside the image \(width 32, height 24\)"):
        selector.add((1e30, 2))
    with pytest.raises(ValueError, match=r"positions: position \(3, -1e\+300\) is outside the image"):
        selector.set_positions([(1, 1), (3, -1e300)])
    assert selector.positions == []


def test_position_selector_options(agg_axes):
    ax = agg_axes
    selector = PositionSelector(ax, as_integers=False, single=True, colors="red", s=100, marker="x")
    click(ax, 3.3, 4.4)
    click(ax, 10.5, 11.25)
    assert len(selector.positions) == 1
    np.testing.assert_allclose(selector.positions, [(10.5, 11.25)], atol=1e-9)
    np.testing.assert_array_equal(face_colors(selector), [to_rgba("red")])
    np.testing.assert_array_equal(selector.scatter.get_edgecolors(), [to_rgba("red")])  # an unfilled marker
    assert selector.scatter.get_sizes().tolist() == [100]
    selector.set_active(False)
    click(ax, 20, 20)
    assert len(selector.positions) == 1
    selector.set_active(True)
    selector.disconnect_events()
    click(ax, 20, 20)
    assert len(selector.positions) == 1
    with pytest.raises(ValueError, match="at most one position"):
        selector.set_positions([(1, 1), (2, 2)])


def test_position_selector_disconnect_callback(agg_axes):
    selector = PositionSelector(agg_axes)
    calls = []
    cid = selector.connect("changed", calls.append)
    click(agg_axes, 1, 1)
    selector.disconnect(cid)
    click(agg_axes, 2, 2)
    assert calls == [[(1, 1)]]


def test_position_selector_ignores_other_axes_and_widgetlock(agg_axes):
    fig = agg_axes.figure
    other = fig.add_axes([0.8, 0.8, 0.15, 0.15])
    selector = PositionSelector(agg_axes)
    click(other, 0.5, 0.5)
    fig.canvas.widgetlock(other)
    click(agg_axes, 5, 5)
    assert selector.positions == []
    fig.canvas.widgetlock.release(other)
    click(agg_axes, 5, 5)
    assert selector.positions == [(5, 5)]


def test_position_selector_without_an_image_has_no_bounds():
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_xlim(-100, 100)
    ax.set_ylim(-100, 100)
    selector = PositionSelector(ax, as_integers=False)
    assert selector.shape is None
    click(ax, -50.5, 75)
    np.testing.assert_allclose(selector.positions, [(-50.5, 75)])


def test_position_selector_bad_colors(agg_axes):
    with pytest.raises(ValueError, match="colors is empty"):
        PositionSelector(agg_axes, colors=[])
    with pytest.raises(ValueError):
        PositionSelector(agg_axes, colors=["notacolor"])


def test_trace_selector_without_pyplot(video):
    fig = Figure()
    FigureCanvasAgg(fig)
    selector = TraceSelector(video, size=3, fps=50, axs=fig.subplots(1, 2))
    assert selector.figure is fig and selector.traces.shape == (40, 0)
    changed = []
    selector.connect("changed", lambda positions: changed.append([y for _, y, _ in line_data(selector.trace_ax)]))
    ax = selector.image_ax
    click(ax, 4, 5)
    click(ax, 30, 20)
    click(ax, 17, 9)
    click(ax, 30, 20, RIGHT)
    assert selector.positions == [(4, 5), (17, 9)]
    np.testing.assert_array_equal(selector.traces, extract_traces(video, [(4, 5), (17, 9)], 3))
    # the callbacks run after the panel is updated
    assert [len(c) for c in changed] == [1, 2, 3, 2]
    np.testing.assert_array_equal(changed[1][1], extract_traces(video, (30, 20), 3))
    lines = list(selector.trace_ax.lines)
    assert lines == selector.lines and len(lines) == 2
    for line, position, color in zip(lines, selector.positions, selector.colors):
        np.testing.assert_array_equal(line.get_ydata(), extract_traces(video, position, 3))
        np.testing.assert_allclose(line.get_xdata(), np.arange(40) / 50)
        assert to_rgba(line.get_color()) == to_rgba(color)
    np.testing.assert_array_equal(face_colors(selector.selector), to_rgba_array(selector.colors))
    assert selector.colors == [cycle_colors(3)[0], cycle_colors(3)[2]]
    # traces is a copy
    selector.traces[:] = 0
    assert selector.traces.any()
    lo, hi = selector.trace_ax.get_ylim()
    assert lo <= selector.traces.min() and hi >= selector.traces.max()


def test_trace_selector_initial_positions_and_plot_kwargs(video):
    fig = Figure()
    selector = TraceSelector(video, positions=[(1, 1), (2, 3)], axs=fig.subplots(1, 2), linewidth=3, window="pixel")
    assert [line.get_linewidth() for line in selector.lines] == [3, 3]
    np.testing.assert_array_equal(selector.traces, video[:, [1, 3], [1, 2]])


def test_trace_selector_bad_axs(video):
    with pytest.raises(ValueError, match="axs must be two Axes"):
        TraceSelector(video, axs=Figure().subplots(1, 3))


def test_compare_selector_without_pyplot(videos):
    fig = Figure()
    FigureCanvasAgg(fig)
    compare = CompareSelector(videos, size=1, axs=fig.subplots(1, 2), labels=["a", "b"])
    assert compare.traces is None
    click(compare.image_ax, 5, 6)
    traces = compare.traces
    assert [t.shape for t in traces] == [(40,), (25,)]
    np.testing.assert_array_equal(traces[1], videos[1][:, 6, 5])
    assert compare.trace_ax.get_title() == "Position (5, 6)"
    click(compare.image_ax, 5, 6, RIGHT)
    assert compare.traces is None and compare.positions == [] and compare.history == [(5, 6)]
    assert [len(line.get_xdata()) for line in compare.lines] == [0, 0]


def test_select_exports():
    public = {"select_positions", "select_traces", "compare_traces", "PositionSelector", "TraceSelector"}
    assert set(_select.__all__) >= public


def test_compare_with_coords_shows_the_title(show, videos):
    """optimap's tutorials: compare_traces(videos, [(x, y)], title="..."), also on given Axes."""
    (ax,) = compare_traces(videos, [(5, 6)], size=1, labels=["raw", "short"], title="Optical trace of one pixel")
    assert ax.get_title() == "Optical trace of one pixel"
    assert ax.figure.get_suptitle() == ""
    axs = compare_traces(videos, [(5, 6), (7, 8)], title="Two pixels")
    assert axs[0].figure.get_suptitle() == "Two pixels"
    assert [ax.get_title() for ax in axs] == ["Position (5, 6)", "Position (7, 8)"]
    fig, given = plt.subplots(1, 3)
    assert compare_traces(videos, (5, 6), axs=given[1], title="middle") == [given[1]]
    assert given[1].get_title() == "middle" and given[0].get_title() == "" and len(given[1].lines) == 2
    fig, given = plt.subplots(3, 2)
    positions = [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6)]
    axs = compare_traces(videos, positions, labels=["a", "b"], colors=["green", "blue"], fps=250, axs=given.flatten())
    assert [len(ax.lines) for ax in axs] == [2] * 6 and axs[-1].get_xlabel() == "Time [s]"


def test_compare_with_a_figure_legend(show, videos):
    axs = compare_traces(videos, [(5, 6), (7, 8)], labels=["raw", "short"], legend_loc="outside upper center")
    (legend,) = axs[0].figure.legends
    assert [t.get_text() for t in legend.get_texts()] == ["raw", "short"]
    assert axs[0].get_legend() is None


# --------------------------------------------------------------------------- the figure, in a notebook and a window


def image_corners(ax):
    """Display coordinates of the image's outer corners: where a click lands on which pixel."""
    ax.figure.canvas.draw()
    return ax.transData.transform([(-0.5, -0.5), (ax.get_xlim()[1], ax.get_ylim()[1])])


@pytest.mark.parametrize("kind", ["trace", "compare"])
def test_the_frame_does_not_move_while_clicking(video, videos, kind):
    """The first trace widens the trace panel's tick labels; the frame must stay where it was drawn."""
    if kind == "trace":
        view = TraceSelector(video * 1e5, fps=500)
    else:
        view = CompareSelector([v * 1e5 for v in videos], labels=["a", "b"])
    ax = view.image_ax
    before = image_corners(ax)
    for x, y in [(3, 20), (30, 2), (10, 11)]:
        click(ax, x, y)
        np.testing.assert_allclose(image_corners(ax), before, atol=0.02)
    assert view.positions == ([(3, 20), (30, 2), (10, 11)] if kind == "trace" else [(10, 11)])
    assert view.figure is plt.gcf() and view.image_ax.figure is not view.figure  # two subfigures


def test_the_default_title_fits_above_the_frame(video, videos):
    for view in (TraceSelector(video, figsize=(8, 3.5)), CompareSelector(videos, figsize=(8, 3.5))):
        renderer = view.figure.canvas.get_renderer()
        title = view.image_ax.title.get_window_extent(renderer)
        panel = view.image_ax.figure.bbox
        assert panel.x0 <= title.x0 and title.x1 <= panel.x1
        assert title.y0 >= view.image_ax.get_window_extent(renderer).y1


class NotebookCanvas(FigureCanvasAgg):
    """Stands for ipympl's canvas: its module is what tells a notebook."""

    __module__ = "ipympl.backend_nbagg"
    toolbar_position = "left"


def notebook_axes():
    fig = Figure()
    NotebookCanvas(fig)
    return fig.subplots(1, 2)


def test_the_title_says_what_finishes_a_selection(video, videos):
    assert TraceSelector(video, axs=notebook_axes()).image_ax.get_title().splitlines() == [
        "Click: add a position",
        "Click it again or right-click: remove",
        "Then read .traces in a later cell",
    ]
    assert CompareSelector(videos, axs=notebook_axes()).image_ax.get_title().splitlines() == [
        "Click: every video's trace there",
        "Click it again or right-click: clear",
        "Then read .traces in a later cell",
    ]
    # anywhere else the figure is in a window
    for view in (TraceSelector(video), CompareSelector(videos, axs=Figure().subplots(1, 2))):
        assert view.image_ax.get_title().splitlines()[-1] == "Close the window to finish"
    assert TraceSelector(video, title="Pick the apex", axs=notebook_axes()).image_ax.get_title() == "Pick the apex"


def test_the_blocking_titles_say_what_finishes(show, video, videos):
    titles = []
    show.actions = [lambda fig: titles.append(image_axes(fig).get_title().splitlines()[-1])]
    select_positions(video[0])
    select_positions(video[0], num_points=1)
    select_traces(video, num_points=3)
    compare_traces(videos)
    assert titles == [
        "Close the window to finish",
        "Choose 1 position or close the window to finish",
        "Choose 3 positions or close the window to finish",
        "Close the window to finish",
    ]


def test_figure_size_for_a_notebook_or_a_window(video, videos, monkeypatch):
    assert tuple(TraceSelector(video).figure.get_size_inches()) == (12, 5)
    assert tuple(CompareSelector(videos, figsize=(6, 3)).figure.get_size_inches()) == (6, 3)
    monkeypatch.setattr(_backend, "current_backend", lambda: "module://ipympl.backend_nbagg")
    assert tuple(TraceSelector(video).figure.get_size_inches()) == (8, 3.5)  # 800 x 350 CSS pixels
    with pytest.raises(ValueError, match="figsize is only used for a new figure"):
        TraceSelector(video, figsize=(8, 3), axs=Figure().subplots(1, 2))
    with pytest.raises(ValueError, match="figsize must be two finite numbers > 0"):
        CompareSelector(videos, figsize=(8, 0))


def test_the_ipympl_toolbar_is_moved_off_the_frame():
    from optimap.trace._selector import place_toolbar

    canvas = NotebookCanvas(Figure())
    place_toolbar(canvas)
    assert canvas.toolbar_position == "top"
    other = FigureCanvasAgg(Figure())
    place_toolbar(other)  # other canvases have no such toolbar: nothing happens
    assert not hasattr(other, "toolbar_position")
