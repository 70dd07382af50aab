import os

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib  # noqa: E402

if os.environ.get("QT_QPA_PLATFORM") != "offscreen":
    matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(autouse=True)
def _restore_default_window():
    from optimap.trace import _windows

    before = _windows._default_window
    yield
    _windows._default_window = before
