import os

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib

if os.environ.get("QT_QPA_PLATFORM") != "offscreen":
    matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from hypothesis import settings

# CI draws the same hypothesis examples every run; locally they vary, to explore more.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


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
