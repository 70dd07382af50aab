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

Videos are loaded with ``optimap.load_video`` (the same as
``optimap.video.load_video``), as in optimap's tutorials:

>>> import os, tempfile
>>> with tempfile.TemporaryDirectory() as folder:
...     np.save(os.path.join(folder, "video.npy"), video)
...     optimap.load_video(os.path.join(folder, "video.npy")).shape
(2, 4, 6)
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

# Re-exported at the top level as optimap's tutorials call it: ``om.load_video(path)``.
_FROM_VIDEO = ("load_video",)

__all__ = ["__version__", *_SUBMODULES, *_FROM_TRACE, *_FROM_VIDEO]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    for subpackage, names in (("trace", _FROM_TRACE), ("video", _FROM_VIDEO)):
        if name in names:
            return getattr(importlib.import_module(f"{__name__}.{subpackage}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
