"""Parameter descriptions that several public docstrings share, written once.

A docstring names a shared piece by a line holding only ``%(name)s``, indented
as the section it stands in; :func:`shared_docs` puts the piece there,
indented alike, as matplotlib's ``_docstring.interpd`` does. ``help()``,
IDEs and the doctests see the finished docstring.
"""

import re
import textwrap

PIECES = {
    # the plots that draw on one Axes
    "ax": """\
ax : matplotlib.axes.Axes, optional
    Axes to draw on; by default a new figure is made and shown.""",
    "returns_ax": """\
Returns
-------
matplotlib.axes.Axes""",
    # the blocking select_* functions
    "window_options": """\
title : str, optional
    Title above the image; by default how to click.
num_points : int, optional
    Close the window as soon as this many positions are chosen.
cmap, vmin, vmax
    Display of the image, as in :meth:`matplotlib.axes.Axes.imshow`.""",
    # select_traces and TraceSelector
    "frame_and_time": """\
ref_frame : int or array_like of shape (H, W), optional
    Index of the frame to show, by default 0, or an image of the frame
    size (e.g. a maximum projection or an activation map).
x : array_like, shape (T,), optional
    Values of the time axis. Not together with ``fps``.
fps : float, optional
    Frames per second: the time axis is in seconds.
window : {'rect', 'disc', 'pixel'}, optional
    Window of the traces; by default the default window.""",
}

_PLACEHOLDER = re.compile(r"^( *)%\((\w+)\)s$", re.MULTILINE)


def shared_docs(obj):
    """Fill the ``%(name)s`` lines of ``obj.__doc__`` with :data:`PIECES`; returns ``obj`` (a decorator)."""
    if obj.__doc__:  # None under python -OO
        obj.__doc__ = _PLACEHOLDER.sub(lambda m: textwrap.indent(PIECES[m.group(2)], m.group(1)), obj.__doc__)
    return obj
