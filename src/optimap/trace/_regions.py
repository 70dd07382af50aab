"""Regions: masks, stacks of masks, label images, polygons and ImageJ ROIs, with optional weights.

Every region form (read by :mod:`._region_forms`, rasterised by
:mod:`._rasterize`) becomes the same thing, a :class:`RegionSet`: the sorted,
distinct ``(region, flat pixel)`` pairs of N regions of a frame, each region
with a name. :meth:`RegionSet.footprint` turns it, with the weights, into the
engine's :class:`~._footprint.Footprint`, which :func:`extract_region_traces`
reduces in one pass over the video, like the windows of ``extract_traces``.
:func:`mask_outlines` draws a region's pixels as outlines along pixel edges.
"""

import numpy as np

from .._validate import check_frame_shape, check_video, is_real_dtype
from ._rasterize import rasterize_polygons, rasterize_rule
from ._region_forms import Block, Polygon, describe, parse_regions

# --- the set of regions -----------------------------------------------------------------------------------


class RegionSet:
    """N regions of a ``(height, width)`` frame: sorted, distinct ``(region, flat pixel)`` pairs.

    Attributes
    ----------
    frame_shape : (int, int)
    names : list of str
        One distinct name per region: the ROI's name, ``label_{k}`` or ``region_{i}``.
    given : list of bool
        Whether the name came with the region (an ROI's name, a label).
    region, pixel : ndarray of int64
        Region index and flat pixel (``row * width + column``) of every member.
    single : bool
    """

    def __init__(self, frame_shape, names, given, region, pixel, single):
        self.frame_shape = tuple(int(n) for n in frame_shape)
        self.names = names
        self.given = given
        self.region = region
        self.pixel = pixel
        self.single = single

    @property
    def n_regions(self):
        return len(self.names)

    def describe(self, i):
        """How messages name region ``i``: its index, and its name when it has one of its own."""
        return f"region {i} ({self.names[i]!r})" if self.given[i] else f"region {i}"

    def masks(self):
        """Boolean masks ``(N, H, W)``."""
        height, width = self.frame_shape
        masks = np.zeros((self.n_regions, height * width), dtype=bool)
        masks[self.region, self.pixel] = True
        return masks.reshape(self.n_regions, height, width)

    def footprint(self, weights=None, name="weights"):
        """The engine's footprint: every member with weight 1, or its weight from ``weights``."""
        from ._footprint import Footprint

        values = 1.0
        if weights is not None:
            values = self._weights(weights, name)
        return Footprint.from_triplets(self.region, self.pixel, values, self.n_regions, self.frame_shape)

    def _weights(self, weights, name):
        height, width = self.frame_shape
        if isinstance(weights, (str, bytes)) or not (
            hasattr(weights, "__array__") or hasattr(weights, "shape") or isinstance(weights, (list, tuple))
        ):
            raise TypeError(f"{name} must be a weight map (H, W) or one per region (N, H, W), got {describe(weights)}")
        array = np.asarray(weights)
        if not is_real_dtype(array.dtype):
            raise TypeError(f"{name} must hold real numbers, got an array of dtype {array.dtype}")
        if array.shape not in ((height, width), (self.n_regions, height, width)):
            raise ValueError(
                f"{name} has shape {array.shape}; it must be one map of the frame's shape ({height}, {width}) or one "
                f"per region ({self.n_regions}, {height}, {width})"
            )
        flat = array.reshape(-1, height * width)
        bad = ~(np.isfinite(flat) & (flat >= 0)) if array.dtype.kind == "f" else flat < 0
        if bad.any():
            layer, index = np.argwhere(bad)[0]
            row, col = divmod(int(index), width)
            where = f"at (x, y) = ({col}, {row})" + (f" of map {layer}" if array.ndim == 3 else "")
            raise ValueError(f"{name} must be finite and >= 0, got {flat[layer, index].item()!r} {where}")
        values = flat[0, self.pixel] if array.ndim == 2 else flat[self.region, self.pixel]
        values = values.astype(np.float64)
        totals = np.bincount(self.region, values, minlength=self.n_regions)
        empty = np.flatnonzero(totals == 0)
        if len(empty):
            raise ValueError(
                f"{name}: the weights of {self.describe(int(empty[0]))} sum to 0 over its pixels; every region "
                f"needs a pixel of weight > 0"
            )
        return values


def unique_names(names):
    seen, result = {}, []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        result.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return result


def infer_frame_shape(entries):
    """A frame that holds every region: the arrays' shape, else up to the largest vertex."""
    for entry in entries:
        if isinstance(entry, Block):
            return entry.frame_shape
    if not entries:
        return (1, 1)
    right = max(float(entry.bounds()[2]) for entry in entries)
    bottom = max(float(entry.bounds()[3]) for entry in entries)
    return (max(int(np.floor(bottom + 0.5)) + 1, 1), max(int(np.floor(right + 0.5)) + 1, 1))


def build_regions(regions, frame_shape=None, name="regions", *, allow_empty=False):
    """Parse ``regions`` and rasterise it in a frame of ``frame_shape`` (by default one that holds it).

    Raises ValueError naming the region (index, and name if it has one) that has no pixel inside
    the frame, unless ``allow_empty``.
    """
    if isinstance(regions, RegionSet):
        return regions
    entries, single = parse_regions(regions, frame_shape, name)
    if frame_shape is None:
        frame_shape = infer_frame_shape(entries)
    height, width = frame_shape
    frame_pixels = height * width
    names, given, regions_out, pixels_out = [], [], [], []
    polygons, polygon_index = [], []
    for entry in entries:
        offset = len(names)
        if isinstance(entry, Block):
            for k, label in enumerate(entry.names):
                names.append(label if label is not None else f"region_{offset + k}")
                given.append(label is not None)
            regions_out.append(entry.region + offset)
            pixels_out.append(entry.pixel)
            continue
        names.append(entry.name if entry.name else f"region_{offset}")
        given.append(bool(entry.name))
        if isinstance(entry, Polygon):
            polygons.append(entry)
            polygon_index.append(offset)
        else:
            pixel = rasterize_rule(entry, frame_shape)
            regions_out.append(np.full(len(pixel), offset, dtype=np.int64))
            pixels_out.append(pixel)
    if polygons:
        local, pixel = rasterize_polygons(polygons, frame_shape)
        regions_out.append(np.asarray(polygon_index, dtype=np.int64)[local])
        pixels_out.append(pixel)
    if regions_out:
        key = np.concatenate(regions_out) * frame_pixels + np.concatenate(pixels_out)
        if len(key) > 1 and not (np.diff(key) > 0).all():
            key = np.unique(key)
        region, pixel = np.divmod(key, frame_pixels)
    else:
        region = pixel = np.empty(0, dtype=np.int64)
    result = RegionSet(frame_shape, unique_names(names), given, region, pixel, single)
    if not allow_empty and len(names):
        counts = np.bincount(region, minlength=len(names))
        if (counts == 0).any():
            i = int(np.flatnonzero(counts == 0)[0])
            raise ValueError(
                f"{name}: {result.describe(i)} has no pixel inside the frame (width {width}, height {height})"
            )
    return result


def merge_regions(region_sets):
    """One :class:`RegionSet` of the regions of several, in order (names made distinct)."""
    frame_shape = region_sets[0].frame_shape
    frame_pixels = frame_shape[0] * frame_shape[1]
    names, given, keys, offset = [], [], [], 0
    for part in region_sets:
        names += part.names
        given += part.given
        keys.append((part.region + offset) * frame_pixels + part.pixel)
        offset += part.n_regions
    region, pixel = np.divmod(np.concatenate(keys), frame_pixels)
    return RegionSet(frame_shape, unique_names(names), given, region, pixel, single=False)


# --- outlines ---------------------------------------------------------------------------------------------


def mask_outlines(mask):
    """The outlines of a boolean mask along pixel edges, as closed rings of ``(x, y)`` corners.

    Pixel ``(row, column)`` spans ``column - 0.5 ... column + 0.5`` and ``row - 0.5 ... row + 0.5``,
    so corners are half-integers. Every ring runs clockwise on screen (rows down) around the pixels
    it encloses, and counter-clockwise around holes; two pixels that touch only at a corner get
    separate rings. Only corners where the outline turns are listed.

    Examples
    --------
    >>> mask = np.zeros((3, 4), dtype=bool); mask[1, 1:3] = True
    >>> mask_outlines(mask)[0].tolist()
    [[0.5, 0.5], [2.5, 0.5], [2.5, 1.5], [0.5, 1.5]]
    """
    mask = np.asarray(mask, dtype=bool)
    height, width = mask.shape
    padded = np.pad(mask, 1)
    inner = padded[1:-1, 1:-1]
    # directed edges: (column corner, row corner) from -> to, the edge's side (0 top, 1 right,
    # 2 bottom, 3 left) and its pixel
    sides = (
        (inner & ~padded[:-2, 1:-1], (0, 0), (1, 0)),
        (inner & ~padded[1:-1, 2:], (1, 0), (1, 1)),
        (inner & ~padded[2:, 1:-1], (1, 1), (0, 1)),
        (inner & ~padded[1:-1, :-2], (0, 1), (0, 0)),
    )
    starts, ends, side_of, pixel_of = [], [], [], []
    for side, (present, (dx0, dy0), (dx1, dy1)) in enumerate(sides):
        rows, cols = np.nonzero(present)
        starts.append((rows + dy0) * (width + 1) + cols + dx0)
        ends.append((rows + dy1) * (width + 1) + cols + dx1)
        side_of.append(np.full(len(rows), side))
        pixel_of.append(rows * width + cols)
    start, end = np.concatenate(starts), np.concatenate(ends)
    side, pixel = np.concatenate(side_of), np.concatenate(pixel_of)
    if len(start) == 0:
        return []
    order = np.argsort(start, kind="stable")
    first = np.searchsorted(start[order], end, side="left")
    last = np.searchsorted(start[order], end, side="right")
    option1 = order[first]
    option2 = order[np.minimum(first + 1, len(order) - 1)]
    # Where two outlines meet at a corner (pixels touching diagonally), stay with the same pixel.
    following = np.where((last - first == 2) & (pixel[option1] != pixel), option2, option1)
    seen = np.zeros(len(start), dtype=bool)
    rings = []
    for begin in range(len(start)):
        if seen[begin]:
            continue
        loop = []
        edge = begin
        while not seen[edge]:
            seen[edge] = True
            loop.append(edge)
            edge = following[edge]
        loop = np.asarray(loop)
        turns = side[loop] != np.roll(side[loop], 1)
        corners = start[loop[turns]]
        y, x = np.divmod(corners, width + 1)
        rings.append(np.column_stack([x - 0.5, y - 0.5]))
    return rings


# --- public functions ---------------------------------------------------------------------------------------


def extract_region_traces(video, regions, *, weights=None, progress=False):
    """Extract one time series per region: the mean of its pixels, frame by frame.

    Every region form becomes the same footprint that :func:`extract_traces`
    reduces, so all regions are extracted together in one pass over the
    video, with the same sources (ndarray, ``np.memmap``, TIFF, zarr, HDF5,
    dask, ``dask.distributed``), the same NaN handling and the same dtypes.

    Parameters
    ----------
    video : array_like, shape (T, H, W)
        Frames, rows, columns; anything :func:`extract_traces` takes.
    regions : mask, stack of masks, label image, polygon(s) or ImageJ ROI(s)
        - a boolean mask ``(H, W)``: one region;
        - a stack of masks ``(N, H, W)`` (booleans, or integers where
          non-zero pixels belong): N regions;
        - a label image ``(H, W)`` of integers: one region per label, 0 is
          background, in increasing label order (labels absent from the image
          give no column);
        - a polygon: ``(M, 2)`` vertices ``(x, y)``, ``x`` the column and
          ``y`` the row, pixel centres at whole numbers; a pixel belongs when
          its centre lies inside (even-odd rule) or on the boundary;
        - ImageJ / Fiji ROIs (needs roifile, the ``roi`` extra): a ``.roi``
          file, a RoiSet ``.zip`` or ``roifile.ImagejRoi`` objects
          (rectangle, oval, polygon, freehand, traced, composite);
        - a list of polygons, boolean masks, ROIs and ROI files, one region
          (or one per ROI of a RoiSet) each.

        Regions partly outside the frame are clipped.
    weights : array_like, shape (H, W) or (N, H, W), optional
        Weights of the pixels, one map for all regions or one per region
        (e.g. a suite2p cell footprint): each trace is then
        ``sum(w * v) / sum(w)`` over the region's pixels. Finite and >= 0.
    progress : bool, optional
        Show a progress bar (needs tqdm, the ``progress`` extra).

    Returns
    -------
    ndarray or dask.array.Array, shape (T,) or (T, N)
        One trace for one region (a mask, a polygon, one ROI), else one
        column per region (``(T, N)`` for a stack, a label image, a list or a
        RoiSet, even with one region). NaN pixels are left out of each mean
        (a frame where all of a region's pixels are NaN gives NaN). The dtype
        is ``numpy.mean``'s: float videos keep theirs (float32 stays
        float32), integer videos give float64.

    Raises
    ------
    TypeError
        If ``regions`` or ``weights`` is not one of the forms above (e.g. a
        float label image).
    ValueError
        If a mask, label image or weight map does not have the frame's shape,
        a region has no pixel inside the frame (the message names it by index
        and ROI name), a weight is negative or NaN or a region's weights sum
        to 0, a label is negative, a polygon has fewer than 3 vertices or a
        non-finite one, or a file is not an ImageJ ROI or RoiSet.

    See Also
    --------
    region_masks : the masks a call uses.
    region_names : names of the regions (ROI names, ``label_{k}``).
    show_regions : draw the regions in the colours of their traces.

    Examples
    --------
    >>> import numpy as np
    >>> from optimap.trace import extract_region_traces
    >>> video = np.arange(2 * 3 * 4, dtype=np.uint16).reshape(2, 3, 4)
    >>> labels = np.array([[1, 1, 0, 2],
    ...                    [1, 1, 0, 2],
    ...                    [0, 0, 0, 2]])
    >>> extract_region_traces(video, labels)  # columns: label 1, label 2
    array([[ 2.5,  7. ],
           [14.5, 19. ]])
    >>> square = [(1, 0), (2, 0), (2, 1), (1, 1)]  # (x, y) vertices: columns 1-2, rows 0-1
    >>> extract_region_traces(video, square)
    array([ 3.5, 15.5])
    """
    video = check_video(video)
    if not isinstance(progress, (bool, np.bool_)):
        raise TypeError(f"progress must be True or False, got {progress!r}")
    from ._extract import extract_footprint

    region_set = build_regions(regions, tuple(int(n) for n in video.shape[1:]))
    footprint = region_set.footprint(weights)
    traces = extract_footprint(video, footprint, progress=bool(progress))
    return traces[:, 0] if region_set.single else traces


def region_masks(regions, frame_shape):
    """The boolean masks ``(N, H, W)`` that :func:`extract_region_traces` uses for ``regions``.

    Parameters
    ----------
    regions
        Any form :func:`extract_region_traces` takes.
    frame_shape : (int, int)
        ``(height, width)`` of the frames.

    Returns
    -------
    ndarray of bool, shape (N, H, W)
        One mask per region (also for a single region), clipped to the frame.

    Raises
    ------
    ValueError
        As :func:`extract_region_traces`, e.g. for a region with no pixel
        inside the frame.

    Examples
    --------
    >>> from optimap.trace import region_masks
    >>> region_masks([(0, 0), (2, 0), (2, 1), (0, 1)], (3, 4)).astype(int)
    array([[[1, 1, 1, 0],
            [1, 1, 1, 0],
            [0, 0, 0, 0]]])
    """
    return build_regions(regions, check_frame_shape(frame_shape)).masks()


def region_names(regions, frame_shape=None):
    """Distinct names of the regions, in column order.

    ImageJ ROIs keep their names (a RoiSet entry without one takes its file
    name in the zip), label images give ``label_{k}``, other regions
    ``region_{i}`` (``i`` the column); repeated names get ``_2``, ``_3``...

    Parameters
    ----------
    regions
        Any form :func:`extract_region_traces` takes.
    frame_shape : (int, int), optional
        ``(height, width)``; tells an ``(H, 2)`` label image from a polygon.

    Returns
    -------
    list of str

    Examples
    --------
    >>> import numpy as np
    >>> from optimap.trace import region_names
    >>> region_names(np.array([[0, 3], [7, 7]]), (2, 2))
    ['label_3', 'label_7']
    >>> region_names([[(0, 0), (4, 0), (0, 4)], [(1, 1), (5, 1), (1, 5)]])
    ['region_0', 'region_1']
    """
    if frame_shape is not None:
        frame_shape = check_frame_shape(frame_shape)
    entries, _ = parse_regions(regions, frame_shape)
    names = []
    for entry in entries:
        for label in entry.names if isinstance(entry, Block) else [entry.name]:
            names.append(label if label else f"region_{len(names)}")
    return unique_names(names)
