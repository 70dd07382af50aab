"""The traces of a where-layer's items, computed off the GUI thread, each trace once.

The widget takes a :class:`Request` on the GUI thread: a snapshot of what the
where-layer says (points as ``(x, y)`` positions, shapes as ``(x, y)``
polygons and ellipses in the video's frame, or the label image), the video
and the settings. :meth:`TraceCache.compute` runs on the worker thread: it
names every item by what its trace depends on (a point by its pixel, window
and size; a shape by its kind and vertices; a label by the digest of its
pixels), looks those keys up, extracts the missing ones in one pass with
:func:`optimap.trace.extract_traces` or
:func:`optimap.trace.extract_region_traces`, and returns the ``(T, N)``
array. So a moved point costs one trace, a painted label the labels whose
pixels changed, and an unchanged layer nothing. Detrended and normalised
columns are kept the same way (both work column by column).

Nothing here imports Qt or napari.
"""

import collections
import dataclasses
import hashlib

import numpy as np

from ._coords import round_half_up

# Bytes of traces kept beyond those shown (old positions, to come back to cheaply).
CACHE_BYTES = 256 << 20
# The detrending of the Detrend toggle.
DETREND_KIND = "spline"


@dataclasses.dataclass(frozen=True)
class Request:
    """What to compute: a snapshot taken on the GUI thread.

    ``kind`` is ``"points"`` (``payload``: ``(N, 2)`` float ``(x, y)`` in the frame, ``ids`` the
    points' indices), ``"shapes"`` (``payload``: ``[(shape_type, (M, 2) (x, y) vertices)]``),
    ``"labels"`` (``payload``: the label array, ``(H, W)`` or ``(..., H, W)``) or ``None``.
    """

    serial: int
    video: object
    video_token: object
    kind: object
    payload: object
    ids: tuple = ()
    window: str = "rect"
    size: int = 5
    detrend: bool = False
    normalize: bool = False


@dataclasses.dataclass
class Result:
    """The traces of a request, for the GUI thread."""

    serial: int
    traces: np.ndarray  # (T, N), processed as asked
    names: list
    ids: list  # per column: the point's or shape's index in its layer, or the label
    positions: object = None  # (N, 2) (x, y) pixels for points, else None
    notes: list = dataclasses.field(default_factory=list)
    extracted: int = 0  # traces read from the video for this request
    kind: object = None

    def summary(self, n_frames):
        """The status line: how many traces of how many frames, and the first notes."""
        n = self.traces.shape[1]
        what = {"points": "point", "shapes": "shape", "labels": "label"}.get(self.kind)
        text = f"{n} trace{'s' if n != 1 else ''} of {n_frames} frames"
        if what and n:
            text += f" (one per {what})"
        return "; ".join([text, *self.notes[:3]]) + (" …" if len(self.notes) > 3 else "")


class TraceCache:
    """Traces by content key, for one video at a time; used by the worker thread only."""

    def __init__(self, budget=CACHE_BYTES):
        self.budget = budget
        self._entries = collections.OrderedDict()
        self._bytes = 0
        self._video_token = None
        self._labels_digest = None
        self._labels_items = None
        self.extracted = 0  # traces read from videos since the cache was made

    # --- storage -------------------------------------------------------------------------------------

    def _get(self, key):
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def _put(self, key, column):
        column = np.ascontiguousarray(column)
        column.setflags(write=False)
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= old.nbytes
        self._entries[key] = column
        self._bytes += column.nbytes

    def _trim(self, keep):
        """Drop the least recently used columns beyond the budget, never those in ``keep``."""
        for key in list(self._entries):
            if self._bytes <= self.budget:
                break
            if key in keep:
                continue
            self._bytes -= self._entries.pop(key).nbytes

    def __len__(self):
        return len(self._entries)

    # --- computing -----------------------------------------------------------------------------------

    def compute(self, request):
        """The :class:`Result` of ``request``: cached columns, and the missing ones extracted."""
        if request.video_token != self._video_token:
            self._entries.clear()
            self._bytes = 0
            self._video_token = request.video_token
        video = request.video
        n_frames, height, width = (int(n) for n in video.shape)
        notes = []
        positions = None
        if request.kind == "points":
            keys, names, ids, positions, extract = self._points(request, (height, width), notes)
        elif request.kind == "shapes":
            keys, names, ids, extract = self._shapes(request, (height, width), notes)
        elif request.kind == "labels":
            keys, names, ids, extract = self._labels(request, (height, width), notes)
        else:
            keys, names, ids, extract = [], [], [], None
        missing = list(dict.fromkeys(key for key in keys if self._get(("raw", key)) is None))
        extracted = 0
        if missing:
            columns = _as_numpy(extract(video, missing))
            for key, column in zip(missing, columns.T):
                self._put(("raw", key), column)
            extracted = len(missing)
            self.extracted += extracted
        raw = [self._get(("raw", key)) for key in keys]
        traces = _stack(raw, n_frames)
        shown = {("raw", key) for key in keys}
        if keys and (request.detrend or request.normalize):
            traces, notes_processing = self._processed(keys, traces, request, shown)
            notes += notes_processing
        self._trim(shown)
        return Result(request.serial, traces, names, ids, positions, notes, extracted, request.kind)

    def _processed(self, keys, raw, request, shown):
        """The columns detrended and/or normalised, each computed once per key and setting."""
        from optimap.trace import detrend_timeseries, normalize

        setting = (request.detrend, request.normalize)
        todo = [i for i, key in enumerate(keys) if self._get(("processed", setting, key)) is None]
        if todo:
            # repeated keys (two points on one pixel) are processed once
            first = {}
            for i in todo:
                first.setdefault(keys[i], i)
            columns = list(first.values())
            data = raw[:, columns]
            try:
                if request.detrend:
                    data = detrend_timeseries(data, kind=DETREND_KIND)
                if request.normalize:
                    data = normalize(data)
            except ValueError as error:
                return raw, [f"traces shown unprocessed: {error}"]
            for i, column in zip(columns, np.asarray(data).T):
                self._put(("processed", setting, keys[i]), column)
        shown.update(("processed", setting, key) for key in keys)
        return _stack([self._get(("processed", setting, key)) for key in keys], raw.shape[0]), []

    def _points(self, request, frame_shape, notes):
        from optimap.trace import extract_traces

        height, width = frame_shape
        xy = np.asarray(request.payload, dtype=np.float64).reshape(-1, 2)
        columns, rows = round_half_up(xy[:, 0]), round_half_up(xy[:, 1])
        inside = (rows >= 0) & (rows < height) & (columns >= 0) & (columns < width)
        for i in np.flatnonzero(~inside).tolist():
            notes.append(
                f"point {request.ids[i]} at (x, y) = ({_fmt(xy[i, 0])}, {_fmt(xy[i, 1])}) lies outside the frame "
                f"(width {width}, height {height}): no trace"
            )
        keep = np.flatnonzero(inside)
        keys = [("point", request.window, request.size, int(rows[i]), int(columns[i])) for i in keep]
        positions = np.column_stack([columns[keep], rows[keep]]).astype(np.int64)
        names = _point_names(positions)
        ids = [request.ids[i] for i in keep]

        def extract(video, missing):
            pixels = [(key[4], key[3]) for key in missing]  # (x, y) = (column, row)
            return extract_traces(video, pixels, size=request.size, window=request.window)

        return keys, names, ids, positions, extract

    def _shapes(self, request, frame_shape, notes):
        from optimap.trace import extract_region_traces, region_masks

        height, width = frame_shape
        keys, names, ids, regions = [], [], [], {}
        for index, (shape_type, xy) in zip(request.ids, request.payload):
            if shape_type in ("line", "path"):
                notes.append(f"shape {index} is a {shape_type}: only rectangles, ellipses and polygons have an area")
                continue
            xy = np.asarray(xy, dtype=np.float64)
            kind = "ellipse" if shape_type == "ellipse" else "polygon"
            key = ("shape", kind, xy.tobytes())
            if key not in regions and self._get(("raw", key)) is None:  # new: rasterise it once, here
                region = ellipse_mask(xy, frame_shape) if kind == "ellipse" else xy
                regions[key] = None if _is_empty(region, frame_shape, region_masks) else region
            if regions.get(key, True) is None:
                notes.append(f"shape {index} has no pixel inside the frame (width {width}, height {height}): no trace")
                continue
            keys.append(key)
            names.append(f"shape_{index}")
            ids.append(index)

        def extract(video, missing):
            return extract_region_traces(video, [regions[key] for key in missing])

        return keys, names, ids, extract

    def _labels(self, request, frame_shape, notes):
        from optimap.trace import extract_region_traces

        labels = np.asarray(request.payload)
        if labels.shape[-2:] != tuple(frame_shape):
            notes.append(f"the labels {labels.shape} do not cover the frame {tuple(frame_shape)} (height, width)")
            return [], [], [], None
        if labels.ndim > 2:  # labels painted on any frame stand for every frame: the largest label per pixel
            labels = labels.reshape(-1, *frame_shape).max(axis=0)
        digest = hashlib.blake2b(np.ascontiguousarray(labels).view(np.uint8).data, digest_size=16).digest()
        if digest != self._labels_digest:
            self._labels_items = label_items(labels)
            self._labels_digest = digest
        values, keys = self._labels_items
        if (labels < 0).any():
            notes.append("negative labels are not regions: left out")
        frame = labels

        def extract(video, missing):
            wanted = np.array([key[1] for key in missing], dtype=frame.dtype)
            return extract_region_traces(video, np.where(np.isin(frame, wanted), frame, 0))

        return list(keys), [f"label_{value}" for value in values], list(values), extract


def label_items(labels):
    """The labels > 0 of a label image in increasing order, and for each its key: the label and a
    digest of its pixels (so a label is recomputed only when its pixels change)."""
    flat = labels.reshape(-1)
    pixels = np.flatnonzero(flat > 0)
    values = flat[pixels]
    order = np.argsort(values, kind="stable")
    pixels, values = pixels[order], values[order]
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]]) if len(values) else np.empty(0, np.int64)
    stops = np.r_[starts[1:], len(values)]
    labels_out, keys = [], []
    for start, stop in zip(starts.tolist(), stops.tolist()):
        value = int(values[start])
        digest = hashlib.blake2b(pixels[start:stop].astype(np.int64).data, digest_size=16).digest()
        labels_out.append(value)
        keys.append(("label", value, digest))
    return labels_out, keys


def ellipse_mask(corners, frame_shape):
    """The pixels whose centres lie in the ellipse inscribed in a (possibly rotated) box.

    ``corners`` are the box's four ``(x, y)`` corners in order around it, as napari stores an
    ellipse; a pixel belongs when its centre is inside the ellipse or on it.

    Examples
    --------
    >>> ellipse_mask(np.array([(0, 0), (4, 0), (4, 2), (0, 2)], float), (3, 5)).astype(int)
    array([[0, 0, 1, 0, 0],
           [1, 1, 1, 1, 1],
           [0, 0, 1, 0, 0]])
    """
    height, width = frame_shape
    corners = np.asarray(corners, dtype=np.float64)
    centre = corners.mean(axis=0)
    half_a = (corners[1] - corners[0]) / 2
    half_b = (corners[3] - corners[0]) / 2
    mask = np.zeros((height, width), dtype=bool)
    length_a, length_b = half_a @ half_a, half_b @ half_b
    if length_a == 0 or length_b == 0:
        return mask
    x0, y0 = np.floor(corners.min(axis=0)).astype(np.int64)
    x1, y1 = np.ceil(corners.max(axis=0)).astype(np.int64)
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, width - 1), min(y1, height - 1)
    if x0 > x1 or y0 > y1:
        return mask
    ys, xs = np.mgrid[y0 : y1 + 1, x0 : x1 + 1]
    dx, dy = xs - centre[0], ys - centre[1]
    s = (dx * half_a[0] + dy * half_a[1]) / length_a
    t = (dx * half_b[0] + dy * half_b[1]) / length_b
    mask[y0 : y1 + 1, x0 : x1 + 1] = s * s + t * t <= 1 + 1e-12
    return mask


def _is_empty(region, frame_shape, region_masks):
    if region.dtype == bool:
        return not region.any()
    try:
        region_masks(region, frame_shape)
    except ValueError:
        return True
    return False


def _as_numpy(traces):
    if hasattr(traces, "compute"):  # a dask video gives lazy traces
        traces = traces.compute()
    traces = np.asarray(traces)
    return traces.reshape(len(traces), -1)


def _stack(columns, n_frames):
    if not columns:
        return np.empty((n_frames, 0), dtype=np.float64)
    return np.column_stack(columns)


def _point_names(positions):
    names, seen = [], {}
    for x, y in positions.tolist():
        name = f"x{x}_y{y}"
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return names


def _fmt(value):
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
