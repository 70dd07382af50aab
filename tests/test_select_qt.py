"""One real window: select_traces under QtAgg (offscreen), clicked with QTest.

The window runs in a subprocess so that switching to QtAgg cannot disturb the
Agg tests of this process. Run with OPTIMAP_UPDATE_SCREENSHOTS=1 to refresh
docs/images/select_traces.png.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from optimap.datasets import synthetic_recording
from optimap.trace import extract_traces

pytest.importorskip("PySide6.QtWidgets")

REPO = Path(__file__).resolve().parents[1]
SCREENSHOT = REPO / "docs" / "images" / "select_traces.png"

VIDEO = {"shape": (100, 100), "frames": 400, "fps": 500, "seed": 0}
SIZE = 5
POSITIONS = [(35, 30), (55, 52), (68, 74)]  # base, middle and apex of the synthetic heart
EXTRA = (20, 80)  # clicked, then removed with a right click

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

    def press(canvas, ax, x, y, button):
        QTest.mouseClick(canvas, button, Qt.KeyboardModifier.NoModifier, qt_point(canvas, ax, x, y))
        QTest.qWait(params["pause_ms"])

    def interact():
        try:
            fig = plt.gcf()
            canvas = fig.canvas
            ax = next(a for a in fig.axes if a.get_images())
            for x, y in params["positions"] + [params["extra"]]:
                press(canvas, ax, x, y, Qt.MouseButton.LeftButton)
            report["during"] = [list(p) for p in ax.collections[0].get_offsets().tolist()]
            press(canvas, ax, *params["extra"], Qt.MouseButton.RightButton)
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
        size=SIZE,
        screenshot=str(screenshot),
        pause_ms=50,
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MPLBACKEND="QtAgg")
    env.pop("DISPLAY", None)
    proc = subprocess.run(
        # UserWarnings (matplotlib, optimap) are errors; the deprecation warnings PySide6 raises
        # about matplotlib's Qt backend are not ours to fix.
        [sys.executable, "-W", "error::UserWarning", "-c", SCRIPT, json.dumps(params)],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=tmp_path,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    report = json.loads(lines[-1][len("RESULT ") :])
    assert report["errors"] == [], report["errors"]
    assert report["backend"].lower() == "qtagg"
    assert report["during"] == [list(p) for p in POSITIONS] + [list(EXTRA)]
    assert [tuple(p) for p in report["positions"]] == POSITIONS

    video, _ = synthetic_recording(shape=VIDEO["shape"], frames=VIDEO["frames"], fps=VIDEO["fps"], seed=VIDEO["seed"])
    expected = extract_traces(video, POSITIONS, SIZE)
    assert report["shape"] == list(expected.shape) == [VIDEO["frames"], 3]
    np.testing.assert_allclose(np.array(report["traces"]), expected, rtol=1e-12)

    assert report["saved"] and screenshot.stat().st_size > 10_000
    if os.environ.get("OPTIMAP_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        SCREENSHOT.write_bytes(screenshot.read_bytes())
