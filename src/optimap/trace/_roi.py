"""ImageJ / Fiji ROIs through roifile: ROIs and RoiSets read as regions, regions written as a RoiSet.

ImageJ's coordinates are pixel corners: pixel ``(row r, column c)`` covers
``c <= x < c + 1`` and ``r <= y < r + 1``, its centre is ``(c + 0.5, r + 0.5)``,
and a rectangle ROI at ``(x0, y0)`` of size ``w x h`` covers columns ``x0 ...
x0 + w - 1`` and rows ``y0 ... y0 + h - 1``. optimap puts pixel centres at
whole numbers. :func:`from_imagej` and :func:`to_imagej` are the one place
where one becomes the other (half a pixel); after it, an ROI is a polygon (or
an oval) like any other, and a pixel belongs when its centre lies inside or on
the boundary. ImageJ itself leaves out centres exactly on a polygon's left or
top edge; the two agree for every ROI whose edges follow pixel edges
(rectangles, traced ROIs, the outlines this module writes).

roifile is an optional dependency (the ``roi`` extra), imported when an ROI is
first read or written.
"""

import io
import math
import os
import zipfile
from pathlib import Path

import numpy as np

from .._files import check_output_path, output_file
from .._optional import import_optional
from ._region_forms import Block, PixelRule, Polygon, check_ring, parse_regions
from ._regions import mask_outlines, unique_names

# ImageJ's coordinates are pixel corners, optimap's pixel centres: a centre is half a pixel further.
_HALF_PIXEL = 0.5
# ROI types that are paths or positions, not regions.
_LINES = ("LINE", "POLYLINE", "FREELINE", "ANGLE")


def from_imagej(points):
    """ImageJ coordinates (pixel corners) to optimap's (pixel centres at whole numbers).

    >>> from_imagej([[0, 0], [3, 2]]).tolist()
    [[-0.5, -0.5], [2.5, 1.5]]
    """
    return np.asarray(points, dtype=np.float64) - _HALF_PIXEL


def to_imagej(points):
    """optimap's coordinates to ImageJ's: the inverse of :func:`from_imagej`.

    >>> to_imagej([[-0.5, -0.5], [2.5, 1.5]]).tolist()
    [[0.0, 0.0], [3.0, 2.0]]
    """
    return np.asarray(points, dtype=np.float64) + _HALF_PIXEL


def _roifile(purpose):
    return import_optional("roifile", "roi", purpose)


# --- reading -------------------------------------------------------------------------------------------------


def read_roi_file(path, name="regions"):
    """The regions of a ``.roi`` file or a RoiSet ``.zip``, one per ROI, in the file's order."""
    text = os.fspath(path)
    if not os.path.isfile(text):
        raise FileNotFoundError(f"{name}: no such ImageJ ROI or RoiSet file: {text!r}")
    roifile = _roifile("read ImageJ ROIs")
    with open(text, "rb") as handle:
        head = handle.read(4)
    if head == b"Iout":
        with open(text, "rb") as handle:
            roi = _decode(roifile, handle.read(), f"{name}: {text!r}")
        return [roi_region(roi, f"{name}: the ROI in {text!r}", Path(text).stem)]
    if not zipfile.is_zipfile(text):
        raise ValueError(f"{name}: {text!r} is not an ImageJ ROI (.roi) or RoiSet (.zip) file")
    entries = []
    with open(text, "rb") as handle:  # RoiSets are small: read once, then every entry from memory
        data = io.BytesIO(handle.read())
    with zipfile.ZipFile(data) as archive:
        for member in archive.infolist():
            if member.is_dir() or not member.filename.lower().endswith(".roi"):
                continue
            where = f"{name}: {member.filename!r} in {text!r}"
            roi = _decode(roifile, archive.read(member), where)
            stem = os.path.splitext(os.path.basename(member.filename))[0]
            entries.append(roi_region(roi, where, stem))
    if not entries:
        raise ValueError(f"{name}: {text!r} holds no ImageJ ROI (.roi entries); is it a RoiSet saved by Fiji?")
    return entries


def _decode(roifile, data, where):
    try:
        return roifile.ImagejRoi.frombytes(data)
    except Exception as exc:
        raise ValueError(f"{where} is not a readable ImageJ ROI: {exc}") from None


def roi_region(roi, where, fallback_name=None):
    """One ImageJ ROI as a region (in optimap's coordinates), named after the ROI."""
    roifile = _roifile("read ImageJ ROIs")
    types, subtypes = roifile.ROI_TYPE, roifile.ROI_SUBTYPE
    name = roi.name or fallback_name
    label = f"{where} ({roi.name!r})" if roi.name else where
    kind = roi.roitype.name if hasattr(roi.roitype, "name") else str(roi.roitype)
    if roi.subtype in (subtypes.TEXT, subtypes.IMAGE):
        raise ValueError(f"{label} is a {roi.subtype.name.lower()} ROI: an annotation, not a region")
    if kind in _LINES:
        raise ValueError(f"{label} is a line ROI ({kind}): a path, not a region; extract_kymograph takes paths")
    if roi.roitype == types.POINT:
        raise ValueError(f"{label} is a point ROI: positions, not a region; extract_traces takes positions")
    if roi.composite and roi.roitype == types.RECT:
        try:
            paths = roi.coordinates(multi=True)
        except (NotImplementedError, RuntimeError) as exc:
            raise ValueError(f"{label} is a composite ROI roifile cannot read as polygons: {exc}") from None
        rings = [
            check_ring(from_imagej(ring), f"{label} outline {i}", minimum=1)
            for i, ring in enumerate(paths)
            if len(ring)
        ]
        if not rings:
            raise ValueError(f"{label} is a composite ROI without any outline")
        return Polygon(rings, name=name, source=roi)
    if roi.roitype in (types.RECT, types.OVAL):
        if roi.subpixelrect:
            x0, y0, width, height = (float(v) for v in (roi.xd, roi.yd, roi.widthd, roi.heightd))
        else:
            x0, y0, width, height = roi.left, roi.top, roi.right - roi.left, roi.bottom - roi.top
        if roi.roitype == types.OVAL:
            return _oval(x0, y0, width, height, name, roi)
        if roi.rounded_rect_arc_size > 0:
            return _rounded_rectangle(x0, y0, width, height, roi.rounded_rect_arc_size, name, roi)
        corners = [(x0, y0), (x0 + width, y0), (x0 + width, y0 + height), (x0, y0 + height)]
        return Polygon([from_imagej(corners)], name=name, source=roi)
    if roi.roitype in (types.POLYGON, types.FREEHAND, types.TRACED):
        ring = check_ring(from_imagej(roi.coordinates()), f"{label} outline", minimum=1)
        return Polygon([ring], name=name, source=roi)
    raise ValueError(f"{label} is an ImageJ ROI of type {kind}, which holds no region")


def _box(x0, y0, width, height):
    """Pixel centres (optimap's coordinates) that can lie in an ImageJ box: rows and columns, inclusive.
    (Plain float arithmetic, as :func:`from_imagej` does it: a RoiSet holds hundreds of boxes.)"""
    left, top = float(x0) - _HALF_PIXEL, float(y0) - _HALF_PIXEL
    right, bottom = float(x0 + width) - _HALF_PIXEL, float(y0 + height) - _HALF_PIXEL
    return (math.floor(top), math.ceil(bottom)), (math.floor(left), math.ceil(right))


def _oval(x0, y0, width, height, name, roi):
    """An ImageJ oval: the pixels whose centres lie inside or on the ellipse inscribed in its box."""
    cx, cy = float(x0 + width / 2) - _HALF_PIXEL, float(y0 + height / 2) - _HALF_PIXEL  # as from_imagej
    rows, cols = _box(x0, y0, width, height)
    exact = all(float(v).is_integer() for v in (x0, y0, width, height)) and width * height < 2**31
    if width <= 0 or height <= 0:
        return PixelRule(rows, cols, lambda r, c: np.zeros(np.broadcast_shapes(r.shape, c.shape), bool), name, roi)
    if exact:  # integer boxes: centres are half-integers from the ellipse's centre, decided in integers
        twice_cx, twice_cy, w, h = int(round(2 * cx)), int(round(2 * cy)), int(width), int(height)

        def inside(r, c):
            u, v = 2 * c - twice_cx, 2 * r - twice_cy
            return u * u * (h * h) + v * v * (w * w) <= (w * w) * (h * h)
    else:
        half_w, half_h = width / 2, height / 2

        def inside(r, c):
            return ((c - cx) / half_w) ** 2 + ((r - cy) / half_h) ** 2 <= 1.0

    return PixelRule(rows, cols, inside, name, roi)


def _rounded_rectangle(x0, y0, width, height, arc, name, roi):
    """An ImageJ rectangle with rounded corners (corner diameter ``arc``): centres inside its outline."""
    ((left, top),) = from_imagej([(x0, y0)])
    reach_x, reach_y = min(arc, width) / 2, min(arc, height) / 2
    rows, cols = _box(x0, y0, width, height)
    if width <= 0 or height <= 0:
        return PixelRule(rows, cols, lambda r, c: np.zeros(np.broadcast_shapes(r.shape, c.shape), bool), name, roi)

    def inside(r, c):
        dx, dy = c - left, r - top  # from the box's corner, in pixels
        in_box = (dx >= 0) & (dx <= width) & (dy >= 0) & (dy <= height)
        out_x = np.maximum(np.maximum(reach_x - dx, dx - (width - reach_x)), 0.0)
        out_y = np.maximum(np.maximum(reach_y - dy, dy - (height - reach_y)), 0.0)
        return in_box & ((out_x / reach_x) ** 2 + (out_y / reach_y) ** 2 <= 1.0)

    return PixelRule(rows, cols, inside, name, roi)


# --- writing -------------------------------------------------------------------------------------------------


def _outline_roi(roifile, rings, name):
    """An ROI of a mask's outlines: TRACED for one ring, a composite ROI for several (holes, parts)."""
    corners = [np.rint(to_imagej(ring)).astype(np.int64) for ring in rings]
    if len(corners) == 1:
        roi = roifile.ImagejRoi.frompoints(corners[0], name=name)
        roi.roitype = roifile.ROI_TYPE.TRACED
        roi.options = roifile.ROI_OPTIONS.NONE
        roi.right, roi.bottom = (int(v) for v in corners[0].max(axis=0))  # corners, not pixels: no + 1
        return roi
    path = []
    for ring in corners:
        path += [0.0, *ring[0].tolist()]
        for x, y in ring[1:].tolist():
            path += [1.0, x, y]
        path.append(4.0)
    every = np.concatenate(corners)
    roi = roifile.ImagejRoi()
    roi.roitype = roifile.ROI_TYPE.RECT
    roi.name = name
    roi.multi_coordinates = np.asarray(path, dtype=np.float32)
    roi.shape_roi_size = len(path)
    roi.left, roi.top = (int(v) for v in every.min(axis=0))
    roi.right, roi.bottom = (int(v) for v in every.max(axis=0))
    return roi


def _polygon_roi(roifile, ring, name):
    """A polygon ROI with sub-pixel vertices, at the same place in ImageJ's coordinates."""
    roi = roifile.ImagejRoi.frompoints(to_imagej(ring).astype(np.float32), name=name)
    roi.roitype = roifile.ROI_TYPE.POLYGON
    roi.options = roifile.ROI_OPTIONS.SUB_PIXEL_RESOLUTION
    return roi


def _block_rois(roifile, block, names):
    """One outline ROI per region of a block (masks or label image)."""
    height, width = block.frame_shape
    bounds = np.searchsorted(block.region, np.arange(block.n_regions + 1))
    rois = []
    for k in range(block.n_regions):
        pixel = block.pixel[bounds[k] : bounds[k + 1]]
        if len(pixel) == 0:
            raise ValueError(f"regions: {names[k]!r} (region {k}) has no pixel: there is no outline to save")
        rows, cols = np.divmod(pixel, width)
        top, left = rows.min(), cols.min()
        crop = np.zeros((rows.max() - top + 1, cols.max() - left + 1), dtype=bool)
        crop[rows - top, cols - left] = True
        rings = [ring + (left, top) for ring in mask_outlines(crop)]
        rois.append(_outline_roi(roifile, rings, names[k]))
    return rois


def save_imagej_rois(path, regions, *, names=None):
    """Save regions as ImageJ ROIs: a RoiSet ``.zip`` that Fiji's ROI Manager opens, or one ``.roi``.

    Polygons become polygon ROIs (sub-pixel vertices, half a pixel moved into
    ImageJ's pixel-corner coordinates); masks and label images become the
    outlines of their pixels along pixel edges (a traced ROI, or a composite
    ROI for a region in several parts or with holes), so ImageJ measures
    exactly their pixels; ImageJ ROIs are saved as they are. Reading the file
    back with :func:`extract_region_traces` or :func:`region_masks` gives the
    same regions.

    Parameters
    ----------
    path : str or os.PathLike
        A ``.zip`` (any number of regions) or a ``.roi`` (one region). Written
        under a temporary name and renamed when complete.
    regions
        Any form :func:`extract_region_traces` takes.
    names : sequence of str, optional
        One name per region; by default :func:`region_names`. They name the
        ROIs in Fiji's ROI Manager and the entries of the zip.

    Raises
    ------
    ValueError
        If the extension is not ``.zip`` or ``.roi``, a ``.roi`` is asked for
        several regions, ``names`` does not give one name per region, or a mask
        is empty.

    Notes
    -----
    Fiji leaves out a pixel whose centre lies exactly on a polygon's left or
    top edge, which optimap counts in; outlines of masks follow pixel edges,
    so there the two always agree.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from optimap.trace import region_masks, save_imagej_rois
    >>> labels = np.zeros((6, 8), dtype=np.uint8)
    >>> labels[1:3, 1:4] = 1
    >>> labels[4:6, 5:8] = 2
    >>> path = os.path.join(tempfile.mkdtemp(), "RoiSet.zip")
    >>> save_imagej_rois(path, labels)
    >>> np.array_equal(region_masks(path, (6, 8)), region_masks(labels, (6, 8)))
    True
    """
    roifile = _roifile("write ImageJ ROIs")
    target = check_output_path(path, "path")
    suffix = target.suffix.lower()
    if suffix not in (".zip", ".roi"):
        raise ValueError(f"path {os.fspath(path)!r} must end in .zip (a RoiSet) or .roi (one ROI)")
    entries, _ = parse_regions(regions)
    default = []
    for entry in entries:
        for label in entry.names if isinstance(entry, Block) else [entry.name]:
            default.append(label if label else f"region_{len(default)}")
    if names is None:
        names = unique_names(default)
    else:
        if isinstance(names, str):
            names = [names]
        names = [str(name) for name in names]
        if len(names) != len(default):
            raise ValueError(
                f"names has {len(names)} entries but there are {len(default)} regions; give one per region"
            )
    rois = []
    for entry in entries:
        first = len(rois)
        if isinstance(entry, Block):
            rois.extend(_block_rois(roifile, entry, names[first : first + entry.n_regions]))
            continue
        if entry.source is not None:
            roi = roifile.ImagejRoi.frombytes(entry.source.tobytes())  # a copy: the input is not modified
            roi.name = names[first]
        else:
            roi = _polygon_roi(roifile, entry.rings[0], names[first])
        rois.append(roi)
    if suffix == ".roi" and len(rois) != 1:
        raise ValueError(
            f"path {os.fspath(path)!r}: a .roi file holds one ROI, but there are {len(rois)} regions; "
            f"save them as a .zip"
        )
    with output_file(target) as temporary:
        if suffix == ".roi":
            rois[0].tofile(temporary)
        else:
            roifile.roiwrite(temporary, rois, name=unique_names(names), mode="w")
