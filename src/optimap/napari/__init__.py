"""optimap in napari: a dock widget of live traces (Plugins > optimap-trace > Traces).

Install with ``pip install "optimap-trace[napari]"``. Importing this package is
cheap: napari, Qt and matplotlib are imported when :class:`TraceWidget` is
first used, and ``import optimap`` imports none of them.

Where things live
-----------------
``_widget``    ``TraceWidget``: the public properties, the viewer's events, export
``_layers``    which layers can be chosen, checking a choice, snapshots of a layer, event connections
``_coords``    napari's ``(row, column)`` coordinates to optimap's ``(x, y)``: the one place
``_traces``    the traces of points, shapes and labels, each computed once (no Qt, no napari)
``_worker``    the worker thread: updates merged, a progress indicator, the figure drawn there
``_plot``      the matplotlib figure (Agg), drawn into a picture off the GUI thread (no Qt)
``_view``      the picture on the GUI thread, the frame line over it, clicks to frames
``_controls``  the Qt controls: layer boxes, window and size, fps, toggles, export, status
``conftest``   pytest: the Qt modules' doctests are left out without napari and a Qt binding
``napari.yaml``  the npe2 manifest (entry point ``napari.manifest``)
"""

from .._lazy import attach_stub

__getattr__, __dir__, __all__ = attach_stub(__name__, __file__)  # the names: __init__.pyi
