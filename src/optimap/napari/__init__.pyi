"""The public names of optimap.napari (read by _lazy.attach_stub)."""

from ._widget import TraceWidget as TraceWidget
