"""The viewer's layers as the widget sees them: which can be chosen, checking a choice, snapshots.

A *video layer* is an Image layer of three dimensions (frames, rows, columns),
not RGB; a multiscale image is read at level 0. A *where layer* is a Points,
Shapes or Labels layer. :func:`snapshot` reads the where layer on the GUI
thread into a :class:`~._traces.Request` for the worker: napari's coordinates
go through :mod:`._coords`, the one place where ``(row, column)`` becomes
``(x, y)``.

Nothing here imports Qt.
"""

import math
import numbers

import numpy as np

from . import _coords
from ._traces import Request

WHERE_KINDS = ("Points", "Shapes", "Labels")
# Metadata keys of a video layer that give its frame rate.
FPS_KEYS = ("fps", "frame_rate", "framerate", "frames_per_second")
# The kind of a result (as _traces names it) and the layer kind it came from.
RESULT_KINDS = {"points": "Points", "shapes": "Shapes", "labels": "Labels"}


def unwrap(obj):
    """The object behind napari's ``PublicOnlyProxy`` (napari hands plugins proxied viewers and layers)."""
    return getattr(obj, "__wrapped__", obj)


def kind(layer):
    """The layer's class name: ``'Image'``, ``'Points'``, ``'Shapes'``, ``'Labels'``..."""
    return type(unwrap(layer)).__name__


def is_video(layer):
    """Whether ``layer`` can be the video: a 3-D Image layer (frames, rows, columns), not RGB."""
    layer = unwrap(layer)
    return kind(layer) == "Image" and layer.ndim == 3 and not getattr(layer, "rgb", False)


def is_where(layer):
    """Whether ``layer`` can say where the traces are: a Points, Shapes or Labels layer."""
    return kind(layer) in WHERE_KINDS


def video_data(layer):
    """The array of an Image layer: level 0 of a multiscale image."""
    return layer.data[0] if layer.multiscale else layer.data


def n_frames(layer):
    """The number of frames of a video layer, 0 for None."""
    return 0 if layer is None else int(video_data(layer).shape[0])


def describe(value):
    """A short text for a message: ``the Shapes layer 'cells' (2-D)`` or the value's repr."""
    if hasattr(value, "name") and hasattr(value, "ndim"):
        return f"the {kind(value)} layer {value.name!r} ({value.ndim}-D)"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_video_layer(layer, viewer, name="video_layer"):
    """``layer`` unwrapped if it can be the video of ``viewer``, else a TypeError or ValueError naming ``name``."""
    if layer is None:
        return None
    layer = unwrap(layer)
    if kind(layer) != "Image":
        raise TypeError(f"{name} must be an Image layer of the viewer, got {describe(layer)}")
    if layer not in viewer.layers:
        raise ValueError(f"{name} must be a layer of this viewer; {layer.name!r} is not")
    if not is_video(layer):
        raise ValueError(
            f"{name} must be a 3-D image layer (frames, rows, columns), not RGB; "
            f"{layer.name!r} has shape {tuple(video_data(layer).shape)}"
        )
    return layer


def check_where_layer(layer, viewer, name="where_layer"):
    """``layer`` unwrapped if it is a Points, Shapes or Labels layer of ``viewer``, else an error naming ``name``."""
    if layer is None:
        return None
    layer = unwrap(layer)
    if not is_where(layer):
        raise TypeError(f"{name} must be a Points, Shapes or Labels layer, got {describe(layer)}")
    if layer not in viewer.layers:
        raise ValueError(f"{name} must be a layer of this viewer; {layer.name!r} is not")
    return layer


def choose(viewer, video, where, *, added=None, follow=False):
    """The layers to offer and to choose after the viewer's layers changed.

    A layer just ``added`` of a kind is chosen; a chosen layer that is gone gives
    way to the most recent one of its kind (``follow``: also when none was chosen).

    Returns
    -------
    videos, wheres : list of layers
        The choices, in the viewer's order.
    video, where : layer or None
        The layers chosen.
    """
    layers = list(viewer.layers)
    videos = [layer for layer in layers if is_video(layer)]
    wheres = [layer for layer in layers if is_where(layer)]
    if added is not None and is_video(added):
        video = added
    if added is not None and is_where(added):
        where = added
    if video not in videos or (follow and video is None):
        video = videos[-1] if videos else None
    if where not in wheres or (follow and where is None):
        where = wheres[-1] if wheres else None
    return videos, wheres, video, where


class Connections:
    """Callbacks connected to napari events, to disconnect all at once."""

    def __init__(self):
        self._pairs = []

    def connect(self, emitter, callback):
        """Connect ``callback`` to the event ``emitter`` and remember the pair."""
        emitter.connect(callback)
        self._pairs.append((emitter, callback))

    def clear(self):
        """Disconnect every remembered pair (those whose layer is gone included)."""
        while self._pairs:
            emitter, callback = self._pairs.pop()
            try:
                emitter.disconnect(callback)
            except (RuntimeError, TypeError, ValueError):
                pass


def listen(connections, video_layer, where_layer, candidates, *, on_video_data, on_where_data, on_colors, on_name):
    """Connect the events the traces depend on: the video's data, the where layer's data and colours
    (and, for labels, painting), and the name of every candidate layer (the boxes show names)."""
    if video_layer is not None:
        connections.connect(video_layer.events.data, on_video_data)
    if where_layer is not None:
        events = where_layer.events
        connections.connect(events.data, on_where_data)
        if kind(where_layer) == "Points":  # a colour picked for selected points emits current_face_color alone
            connections.connect(events.face_color, on_colors)
            connections.connect(events.current_face_color, on_colors)
        elif kind(where_layer) == "Shapes":
            connections.connect(events.edge_color, on_colors)
        else:
            connections.connect(events.paint, on_where_data)
            connections.connect(events.colormap, on_colors)
            if where_layer.ndim == 2:  # undo and redo emit only set_data; a frame-sized digest skips the rest
                connections.connect(events.set_data, on_where_data)
    for layer in candidates:
        connections.connect(layer.events.name, on_name)


def metadata_fps(layer):
    """A frame rate from the layer's metadata (``fps``, ``frame_rate``...), if it holds a positive number."""
    if layer is None:
        return None
    metadata = getattr(layer, "metadata", None) or {}
    for key in FPS_KEYS:
        value = metadata.get(key)
        if isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value) and value > 0:
            return float(value)
    return None


def snapshot(serial, video_layer, where_layer, video_token, settings):
    """The :class:`~._traces.Request` for the layers as they are now (GUI thread: cheap copies only).

    Parameters
    ----------
    serial : int
        The request's number.
    video_layer, where_layer : napari layers or None
    video_token : object
        Changes when the video's data change (the worker's cache starts again).
    settings : dict
        ``window``, ``size``, ``detrend`` and ``normalize``.

    Raises
    ------
    ValueError
        If a Labels layer does not cover the video's frame.
    """
    if video_layer is None:
        return Request(serial, np.empty((0, 0, 0)), None, None, None)
    video = video_data(video_layer)
    common = dict(serial=serial, video=video, video_token=video_token, **settings)
    if where_layer is None:
        return Request(kind=None, payload=None, **common)
    layer_kind = kind(where_layer)
    if layer_kind == "Points":
        data = np.asarray(where_layer.data, dtype=np.float64)
        if len(data) == 0:
            return Request(kind="points", payload=np.empty((0, 2)), ids=(), **common)
        rows, columns = _coords.layer_to_frame(where_layer, video_layer, data)
        return Request(
            kind="points", payload=_coords.rows_columns_to_xy(rows, columns), ids=tuple(range(len(data))), **common
        )
    if layer_kind == "Shapes":
        payload = []
        for vertices, shape_type in zip(where_layer.data, where_layer.shape_type):
            rows, columns = _coords.layer_to_frame(where_layer, video_layer, vertices)
            payload.append((shape_type, _coords.rows_columns_to_xy(rows, columns)))
        return Request(kind="shapes", payload=payload, ids=tuple(range(len(payload))), **common)
    labels = video_data(where_layer)
    frame = tuple(video.shape[1:])
    if tuple(labels.shape[-2:]) != frame or not _coords.same_transform(where_layer, video_layer):
        raise ValueError(
            f"the Labels layer {where_layer.name!r} {tuple(labels.shape)} must have the video's frame {frame} "
            f"(rows, columns) as its last two axes, with the video's scale and translation"
        )
    return Request(kind="labels", payload=labels, **common)


def item_colors(layer, result):
    """``(N, 4)`` RGBA colours of a result's items: a point's face, a shape's edge, a label's colour.

    White where the layer no longer matches the result (items removed since: their update is coming).
    """
    n = len(result.ids)
    if layer is None or n == 0 or kind(layer) != RESULT_KINDS.get(result.kind):
        return np.ones((n, 4))
    if kind(layer) == "Labels":
        return np.asarray(layer.colormap.map(np.asarray(result.ids)), dtype=float).reshape(n, 4)
    colors = np.asarray(layer.face_color if kind(layer) == "Points" else layer.edge_color, dtype=float)
    ids = np.asarray(result.ids, dtype=np.int64)
    if len(colors) <= ids.max():
        return np.ones((n, 4))
    return colors[ids]
