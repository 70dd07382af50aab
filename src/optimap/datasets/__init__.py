"""Example data: synthetic optical-mapping recordings.

Importing this module loads only numpy; scipy is loaded when a recording is
made, and matplotlib not at all.

Examples
--------
>>> from optimap.datasets import synthetic_recording
>>> video, info = synthetic_recording(shape=(24, 24), frames=10)
>>> video.shape
(10, 24, 24)
"""

from ._synthetic import synthetic_recording

__all__ = ["synthetic_recording"]
