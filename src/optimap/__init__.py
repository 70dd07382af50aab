"""optimap: time series from optical-mapping and fluorescence-imaging videos.

The package imports nothing heavy up front: ``import optimap`` loads neither
matplotlib nor scipy. Functions are loaded from their private modules the first
time they are used.

Examples
--------
>>> import numpy as np
>>> import optimap
>>> video = np.arange(2 * 4 * 6, dtype=np.float32).reshape(2, 4, 6)
>>> optimap.extract_traces(video, (5, 3), size=1)  # (x, y) = column 5, row 3
array([23., 47.], dtype=float32)
"""

import importlib

from ._version import __version__

_SUBMODULES = ("trace", "video", "datasets")

# Re-exported at the top level, as optimap 0.3.1 does.
_FROM_TRACE = (
    "extract_traces",
    "select_traces",
    "select_positions",
    "compare_traces",
    "show_positions",
    "show_traces",
    "show_positions_and_traces",
)

__all__ = ["__version__", *_SUBMODULES, *_FROM_TRACE]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _FROM_TRACE:
        trace = importlib.import_module(f"{__name__}.trace")
        return getattr(trace, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
