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

from ._lazy import attach_stub
from ._version import __version__ as __version__

# The subpackages, and the names optimap 0.3.1 and its tutorials use at the top level
# (``om.extract_traces``, ``om.load_video``): listed in __init__.pyi.
__getattr__, __dir__, __all__ = attach_stub(__name__, __file__)
