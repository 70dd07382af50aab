"""Under an X display, a blocking selection from IPython's inline backend: the switch to Qt and back.

In IPython or Jupyter with ``%matplotlib inline`` and a display, ``select_positions`` opens a Qt window
for the duration of the call and restores the inline backend afterwards (``_backend.blocking_backend``).
Here that runs for real: an IPython shell in a subprocess under ``xvfb-run`` (Qt's xcb platform, not
offscreen), clicked with QTest at known pixels, the window then closed by the user's action (the
window's close). Needs ``xvfb-run`` (Debian: apt-get install xvfb), IPython and matplotlib-inline
(the test-browser extra) and PySide6 (the gui extra); skips with the reason where one is missing.
"""

import os
import shutil
import textwrap

import pytest
from window_script import run_window_script

pytest.importorskip("PySide6.QtWidgets")
pytest.importorskip("IPython")
pytest.importorskip("matplotlib_inline")

POSITIONS = [(10, 12), (30, 5), (22, 33)]  # (x, y), off the diagonal

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from IPython.terminal.interactiveshell import TerminalInteractiveShell

    shell = TerminalInteractiveShell.instance()  # IPython at a terminal, as `ipython` starts it
    shell.run_line_magic("matplotlib", "inline")

    import matplotlib
    import matplotlib.pyplot as plt
    import numpy as np
    from PySide6.QtCore import QPoint, Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from optimap.trace import select_positions

    positions = json.loads(sys.argv[1])
    report = {"errors": [], "before": matplotlib.get_backend()}
    app = QApplication.instance() or QApplication(["optimap-test"])
    image = np.arange(40 * 48, dtype=float).reshape(40, 48)

    def interact():
        try:
            fig = plt.gcf()
            canvas = fig.canvas
            report["during"] = matplotlib.get_backend()
            report["platform"] = app.platformName()
            ax = next(a for a in fig.axes if a.get_images())
            for x, y in positions:
                canvas.draw()
                px, py = ax.transData.transform((x, y))
                ratio = canvas.devicePixelRatioF()
                point = QPoint(round(px / ratio), round((canvas.figure.bbox.height - py) / ratio))
                QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
                QTest.qWait(30)
        except BaseException as exc:  # reported to the test, never a hang
            report["errors"].append(repr(exc))
        finally:
            canvas.manager.window.close()  # what the user does to finish

    QTimer.singleShot(300, interact)
    QTimer.singleShot(60_000, lambda: plt.close("all"))  # safety net
    selected = select_positions(image)
    report["selected"] = [list(p) for p in selected]
    report["after"] = matplotlib.get_backend()
    print("RESULT " + json.dumps(report))
    """
)


@pytest.mark.gui
def test_select_positions_from_the_inline_backend_opens_qt_and_switches_back(tmp_path):
    xvfb_run = shutil.which("xvfb-run")
    if xvfb_run is None:
        pytest.skip("xvfb-run not found (Debian: apt-get install xvfb): no X display to open a window on")
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "MPLBACKEND", "DISPLAY")}
    report, stdout = run_window_script(SCRIPT, POSITIONS, env, tmp_path, prefix=(xvfb_run, "-a"))
    assert "inline" in report["before"].lower()
    assert report["during"].lower() == "qtagg" and report["platform"] == "xcb"
    assert [tuple(p) for p in report["selected"]] == POSITIONS
    assert report["after"] == report["before"]  # the inline backend is back
    assert "switching the matplotlib backend from" in stdout
