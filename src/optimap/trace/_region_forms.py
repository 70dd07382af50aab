"""The forms a region can take: masks, stacks of masks, label images, polygons, ImageJ ROIs.

:func:`parse_regions` reads what the user gave into entries of three kinds:
a :class:`Block` (many regions from arrays of the frame's shape), a
:class:`Polygon` (rings of vertices) and a :class:`PixelRule` (a test of pixel
centres, for ImageJ ovals). :func:`._regions.build_regions` turns them into
one :class:`~._regions.RegionSet`; polygons and rules are rasterised by
:mod:`._rasterize`.

Coordinates are the package's: a vertex is ``(x, y)``, ``x`` the column and
``y`` the row, pixel centres at whole numbers. ImageJ ROIs, whose coordinates
are pixel corners, are converted to these coordinates where they are read
(:mod:`._roi`).
"""

import numbers
import os

import numpy as np

from .._validate import number_text

# Vertices are finite numbers below this magnitude (products of differences stay exact enough).
_COORDINATE_LIMIT = 2.0**53


def describe(value):
    """``repr(value)``, cut to 60 characters for a message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class Polygon:
    """One region: closed rings ``(M, 2)`` of ``(x, y)`` vertices, filled by the even-odd rule,
    boundaries included. ``source`` is the ImageJ ROI it came from, if any."""

    def __init__(self, rings, name=None, source=None):
        self.rings = rings
        self.name = name
        self.source = source

    def bounds(self):
        points = np.concatenate(self.rings)
        return points[:, 0].min(), points[:, 1].min(), points[:, 0].max(), points[:, 1].max()


class PixelRule:
    """One region given by a test of pixel centres over a box of rows and columns (ImageJ ovals and
    rounded rectangles): ``inside(rows, cols)`` takes broadcastable integer arrays."""

    def __init__(self, rows, cols, inside, name=None, source=None):
        self.rows = rows  # (first, last) inclusive, may lie outside the frame
        self.cols = cols
        self.inside = inside
        self.name = name
        self.source = source

    def bounds(self):
        return self.cols[0], self.rows[0], self.cols[1], self.rows[1]


class Block:
    """Many regions from arrays of the frame's shape (masks, stacks, label images): region ``k``
    is the flat pixels ``pixel[region == k]``."""

    def __init__(self, region, pixel, n_regions, names, frame_shape, kind):
        self.region = region
        self.pixel = pixel
        self.n_regions = n_regions
        self.names = names
        self.frame_shape = frame_shape
        self.kind = kind  # 'mask', 'masks' or 'labels'


def _is_imagej_roi(value):
    kind = type(value)
    return kind.__name__ == "ImagejRoi" and kind.__module__.split(".")[0] == "roifile"


def _is_path(value):
    return isinstance(value, (str, os.PathLike))


def _is_number(value):
    return isinstance(value, (numbers.Real, np.number)) and not isinstance(value, (bool, np.bool_))


def _is_pair(item):
    return (isinstance(item, (tuple, list)) and len(item) == 2 and all(_is_number(v) for v in item)) or (
        isinstance(item, np.ndarray) and item.shape == (2,) and item.dtype.kind in "iuf"
    )


def parse_regions(regions, frame_shape=None, name="regions"):
    """The region forms of ``regions``, in order, and whether it was one region.

    Returns
    -------
    entries : list of Polygon, PixelRule or Block
    single : bool
        ``regions`` was one region (a mask, a polygon, one ROI): traces are then 1-D.
    """
    if _is_path(regions):
        from ._roi import read_roi_file

        entries = read_roi_file(regions, name)
        return entries, os.fspath(regions).lower().endswith(".roi")
    if _is_imagej_roi(regions):
        from ._roi import roi_region

        return [roi_region(regions, f"{name}: the ImageJ ROI")], True
    if isinstance(regions, (list, tuple)):
        if regions and all(_is_pair(item) for item in regions):  # the vertices of one polygon
            return [_polygon(regions, frame_shape, f"{name}: the polygon")], True
        entries = []
        for i, item in enumerate(regions):
            entries.extend(_list_item(item, frame_shape, f"{name}[{i}]"))
        return entries, False
    if isinstance(regions, (str, bytes, dict, set)) or not (hasattr(regions, "__array__") or hasattr(regions, "shape")):
        raise TypeError(
            f"{name} must be a mask, a stack of masks, a label image, a polygon (M, 2), a list of polygons, "
            f"ImageJ ROIs (roifile.ImagejRoi, a .roi or RoiSet .zip path), got {describe(regions)}"
        )
    return _parse_array(np.asarray(regions), frame_shape, name)


def _list_item(item, frame_shape, where):
    """The regions of one item of a list: a polygon, a boolean mask, an ImageJ ROI or a ROI file."""
    if _is_path(item):
        from ._roi import read_roi_file

        return read_roi_file(item, where)
    if _is_imagej_roi(item):
        from ._roi import roi_region

        return [roi_region(item, where)]
    try:
        array = np.asarray(item)
    except (ValueError, TypeError):
        array = None
    if array is not None and array.dtype == bool and array.ndim == 2:
        return [_mask_block(array[None], frame_shape, where, kind="mask")]
    if array is not None and array.ndim == 2 and array.shape[1] == 2 and array.dtype.kind in "iuf":
        return [_polygon(array, frame_shape, where)]
    got = (
        describe(item)
        if array is None or array.dtype == object
        else f"an array of dtype {array.dtype} and shape {array.shape}"
    )
    raise TypeError(
        f"{where} must be a polygon (M, 2) of (x, y) vertices, a boolean mask (H, W) or an ImageJ ROI, got {got}"
    )


def _parse_array(array, frame_shape, name):
    kind = array.dtype.kind
    if kind not in "biuf":
        raise TypeError(f"{name} must hold booleans, integers or real numbers, got an array of dtype {array.dtype}")
    frame = tuple(frame_shape) if frame_shape is not None else None
    if array.ndim == 3:
        if kind == "f":
            raise TypeError(
                f"{name}: a float stack {array.shape} is not a stack of masks; give boolean masks (e.g. "
                f"{name} > 0) and the values as weights=..."
            )
        return [_mask_block(array, frame_shape, name, kind="masks")], False
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be a mask or label image (H, W), a stack of masks (N, H, W) or a polygon (M, 2), "
            f"got an array of shape {array.shape}"
        )
    is_frame = frame is not None and array.shape == frame
    if kind == "b":
        return [_mask_block(array[None], frame_shape, name, kind="mask")], True
    if array.shape[1] == 2 and (kind == "f" or not is_frame):
        return [_polygon(array, frame_shape, f"{name}: the polygon")], True
    if kind == "f":
        raise TypeError(
            f"{name}: a float image {array.shape} is neither a mask (booleans) nor a label image (integers); "
            f"for a weighted region give the mask as {name} and the values as weights=..."
        )
    return [_label_block(array, frame_shape, name)], False


def _check_shape(shape, frame_shape, name, what):
    if frame_shape is not None and tuple(shape) != tuple(frame_shape):
        height, width = frame_shape
        raise ValueError(
            f"{name}: {what} has shape {tuple(shape)} but the frame's is ({height}, {width}) (height, width); "
            f"masks and label images must have the frame's shape"
        )


def _mask_block(masks, frame_shape, name, kind):
    _check_shape(masks.shape[1:], frame_shape, name, "the mask" if kind == "mask" else "each mask of the stack")
    n_regions = masks.shape[0]
    frame_pixels = masks.shape[1] * masks.shape[2]
    # one flat pass (a 2-D np.nonzero is several times slower on large stacks)
    region, pixel = np.divmod(np.flatnonzero(masks).astype(np.int64), max(frame_pixels, 1))
    return Block(region, pixel, n_regions, [None] * n_regions, tuple(masks.shape[1:]), kind)


def _label_block(labels, frame_shape, name):
    _check_shape(labels.shape, frame_shape, name, "the label image")
    flat = labels.reshape(-1)
    if labels.dtype.kind == "i" and flat.size and flat.min() < 0:
        index = int(np.argmin(flat))
        row, col = divmod(index, labels.shape[1])
        raise ValueError(
            f"{name}: a label image holds labels >= 0 (0 is background), got {int(flat[index])} at "
            f"(x, y) = ({col}, {row})"
        )
    pixel = np.flatnonzero(flat)
    values, region = np.unique(flat[pixel], return_inverse=True)
    order = np.argsort(region, kind="stable")
    names = [f"label_{int(value)}" for value in values.tolist()]
    return Block(
        region[order].astype(np.int64), pixel[order].astype(np.int64), len(values), names, tuple(labels.shape), "labels"
    )


def _polygon(vertices, frame_shape, where, name=None, source=None):
    return Polygon([check_ring(vertices, where)], name=name, source=source)


def check_ring(vertices, where, minimum=3):
    """``(M, 2)`` float64 vertices of a ring, checked: real, finite, at least ``minimum`` of them."""
    if isinstance(vertices, (str, bytes)):
        raise TypeError(f"{where} must be (M, 2) vertices (x, y), got a string")
    try:
        array = np.asarray(vertices)
    except (ValueError, TypeError):
        raise TypeError(f"{where} must be (M, 2) vertices (x, y), got {describe(vertices)}") from None
    if array.dtype == object or array.dtype.kind not in "iuf":
        raise TypeError(f"{where} must hold real numbers (x, y), got {describe(vertices)}")
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f"{where} must be (M, 2) vertices (x, y), got shape {array.shape}")
    if len(array) < minimum:
        raise ValueError(f"{where} has {len(array)} vertices; a polygon needs at least {minimum}")
    ring = array.astype(np.float64)
    bad = ~(np.abs(ring) < _COORDINATE_LIMIT).all(axis=1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        x, y = (number_text(v) for v in ring[i])
        raise ValueError(f"{where}: vertex {i} ({x}, {y}) must be two finite numbers (|x|, |y| < 2**53)")
    return ring
