"""optimap in napari: a dock widget of live traces (Plugins > optimap-trace > Traces).

Install with ``pip install "optimap-trace[napari]"``. Importing this package is
cheap: napari, Qt and matplotlib are imported when :class:`TraceWidget` is
first used, and ``import optimap`` imports none of them.

Where things live
-----------------
``_widget``   ``TraceWidget``: controls, layers and events, the worker thread, export
``_traces``   the traces of points, shapes and labels, each computed once (no Qt, no napari)
``_coords``   napari's ``(row, column)`` coordinates to optimap's ``(x, y)``: the one place
``_plot``     the matplotlib plot in Qt: themed, a frame line, clicks to frames
``napari.yaml``  the npe2 manifest (entry point ``napari.manifest``)
"""

from .._lazy import attach_stub

__getattr__, __dir__, __all__ = attach_stub(__name__, __file__)  # the names: __init__.pyi
