"""One real window: select_traces under QtAgg (offscreen), clicked and typed at with QTest.

The window runs in a subprocess so that switching to QtAgg cannot disturb the
Agg tests of this process. It goes through the behaviour table of
PositionSelector, as the browser test (test_select_jupyter.py) does in
JupyterLab: clicks, a double click, right clicks, "o" for the zoom tool, a
zoom drag, a click in the zoomed view and "h" for home. Run with
OPTIMAP_UPDATE_SCREENSHOTS=1 to refresh docs/images/select_traces.png.
"""

import os
import textwrap
from pathlib import Path

import numpy as np
import pytest
from window_script import run_window_script

from optimap.datasets import synthetic_recording
from optimap.trace import extract_traces

pytest.importorskip("PySide6.QtWidgets")

REPO = Path(__file__).resolve().parents[1]
SCREENSHOT = REPO / "docs" / "images" / "select_traces.png"

VIDEO = {"shape": (100, 100), "frames": 400, "fps": 500, "seed": 0}
SIZE = 5
POSITIONS = [(35, 30), (55, 52), (68, 74)]  # base, middle and apex of the synthetic heart
EXTRA = (20, 80)  # clicked, then removed with a right click
DOUBLE = (28, 55)  # double-clicked: added once
ZOOMED = (45, 40)  # clicked in the zoomed view

SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QPoint, Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["optimap-test"])

    import matplotlib
    matplotlib.use("QtAgg")
    import matplotlib.pyplot as plt
    import numpy as np

    from optimap.datasets import synthetic_recording
    from optimap.trace import select_traces

    params = json.loads(sys.argv[1])
    video, info = synthetic_recording(
        shape=tuple(params["shape"]), frames=params["frames"], fps=params["fps"], seed=params["seed"]
    )
    report = {"errors": [], "backend": matplotlib.get_backend()}
    # Reference image: the fractional fluorescence drop while the first wave crosses the heart
    # (bright = depolarised), so that the screenshot shows the wave front.
    k = int(round(np.nanpercentile(info["activation_times"], 40) * params["fps"]))
    wave = np.where(info["mask"], 1 - video[k] / info["baseline"], -0.02)

    def qt_point(canvas, ax, x, y):
        canvas.draw()  # settle the layout, as after a repaint
        px, py = ax.transData.transform((x, y))
        ratio = canvas.devicePixelRatioF()
        return QPoint(round(px / ratio), round((canvas.figure.bbox.height - py) / ratio))

    NO = Qt.KeyboardModifier.NoModifier

    def press(canvas, ax, x, y, button):
        QTest.mouseClick(canvas, button, NO, qt_point(canvas, ax, x, y))
        QTest.qWait(params["pause_ms"])

    def offsets(ax):
        return [list(p) for p in ax.collections[0].get_offsets().tolist()]

    def interact():
        try:
            fig = plt.gcf()
            canvas = fig.canvas
            ax = next(a for a in fig.axes if a.get_images())
            left, right = Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton
            for x, y in params["positions"] + [params["extra"]]:
                press(canvas, ax, x, y, left)
            report["during"] = offsets(ax)
            press(canvas, ax, *params["extra"], right)
            report["after_right_click"] = offsets(ax)
            # A double click as Qt reports it: press, release, then the second press as the double click
            # (QTest.mouseDClick sends only that last event).
            point = qt_point(canvas, ax, *params["double"])
            QTest.mouseClick(canvas, left, NO, point)
            QTest.mouseDClick(canvas, left, NO, point)
            QTest.qWait(params["pause_ms"])
            report["after_double_click"] = offsets(ax)
            # "o": the zoom tool; a drag zooms and adds nothing, a click adds nothing; "o" again: off.
            QTest.keyClick(canvas, Qt.Key.Key_O)
            report["mode_after_o"] = canvas.toolbar.mode.name
            start, end = qt_point(canvas, ax, 30, 25), qt_point(canvas, ax, 70, 65)
            QTest.mousePress(canvas, left, NO, start)
            QTest.mouseMove(canvas, end)
            QTest.mouseRelease(canvas, left, NO, end)
            QTest.qWait(params["pause_ms"])
            report["zoomed_xlim"] = list(ax.get_xlim())
            press(canvas, ax, *params["zoomed"], left)
            report["after_zoom_click"] = offsets(ax)
            QTest.keyClick(canvas, Qt.Key.Key_O)
            report["mode_after_second_o"] = canvas.toolbar.mode.name
            press(canvas, ax, *params["zoomed"], left)
            QTest.keyClick(canvas, Qt.Key.Key_H)
            report["home_xlim"] = list(ax.get_xlim())
            # Back to the three positions for the screenshot: click the last two again to remove them.
            report["before_cleanup"] = offsets(ax)
            press(canvas, ax, *params["zoomed"], left)
            press(canvas, ax, *params["double"], left)
            canvas.draw()
            app.processEvents()
            window = canvas.manager.window
            report["window_size"] = [window.width(), window.height()]
            report["saved"] = window.grab().save(params["screenshot"])
        except BaseException as exc:  # reported to the test, never a hang
            report["errors"].append(repr(exc))
        finally:
            plt.close("all")

    QTimer.singleShot(200, interact)
    QTimer.singleShot(60_000, lambda: plt.close("all"))  # safety net
    traces, positions = select_traces(
        video, size=params["size"], ref_frame=wave, fps=params["fps"], vmin=-0.02, vmax=0.08
    )
    report.update(positions=positions, traces=traces.tolist(), shape=list(traces.shape))
    print("RESULT " + json.dumps(report))
    """
)


@pytest.mark.gui
def test_select_traces_in_a_real_qt_window(tmp_path):
    screenshot = tmp_path / "select_traces.png"
    params = dict(
        VIDEO,
        positions=[list(p) for p in POSITIONS],
        extra=list(EXTRA),
        double=list(DOUBLE),
        zoomed=list(ZOOMED),
        size=SIZE,
        screenshot=str(screenshot),
        pause_ms=50,
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MPLBACKEND="QtAgg")
    env.pop("DISPLAY", None)
    report, _ = run_window_script(SCRIPT, params, env, tmp_path)
    assert report["backend"].lower() == "qtagg"
    listed = [list(p) for p in POSITIONS]
    assert report["during"] == listed + [list(EXTRA)]
    assert report["after_right_click"] == listed
    assert report["after_double_click"] == listed + [list(DOUBLE)]
    assert report["mode_after_o"] == "ZOOM" and report["mode_after_second_o"] == "NONE"
    assert report["zoomed_xlim"] == pytest.approx([30, 70], abs=0.5)
    assert report["after_zoom_click"] == listed + [list(DOUBLE)]
    assert report["home_xlim"] == [-0.5, 99.5]
    assert report["before_cleanup"] == listed + [list(DOUBLE), list(ZOOMED)]
    assert [tuple(p) for p in report["positions"]] == POSITIONS

    video, _ = synthetic_recording(shape=VIDEO["shape"], frames=VIDEO["frames"], fps=VIDEO["fps"], seed=VIDEO["seed"])
    expected = extract_traces(video, POSITIONS, SIZE)
    assert report["shape"] == list(expected.shape) == [VIDEO["frames"], 3]
    np.testing.assert_allclose(np.array(report["traces"]), expected, rtol=1e-12)

    assert report["saved"] and screenshot.stat().st_size > 10_000
    if os.environ.get("OPTIMAP_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        SCREENSHOT.write_bytes(screenshot.read_bytes())
