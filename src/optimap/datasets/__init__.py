"""Example data: synthetic optical-mapping recordings.

Importing this package is cheap: the simulation (and scipy) is loaded when a
recording is first made, and matplotlib not at all.

Examples
--------
>>> from optimap.datasets import synthetic_recording
>>> video, info = synthetic_recording(shape=(24, 24), frames=10)
>>> video.shape
(10, 24, 24)
"""

from .._lazy import attach_stub

__getattr__, __dir__, __all__ = attach_stub(__name__, __file__)  # the names: __init__.pyi
