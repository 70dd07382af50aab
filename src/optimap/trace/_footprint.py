"""Footprints: N regions of a frame, each a set of pixels with weights, as horizontal runs.

Every region form the engine reduces becomes a :class:`Footprint`: windows
around positions (rect, disc, pixel) today, masks, label images and weight
maps through :meth:`Footprint.from_masks` and :meth:`Footprint.from_triplets`.
A region is stored as *runs*: a frame row and a span of columns sharing one
weight, so a window of ``s`` rows costs ``s`` runs whatever its width.

A footprint built from windows also remembers the window's shape
(:class:`WindowShape`): the same profile translated to every centre, which is
what the dense kernels use when the windows cover the frame many times over.
Its runs are then only built if a kernel asks for them.
"""

from typing import NamedTuple

import numpy as np

from ._windows import is_single_pixel, profile_groups, profile_is_box, window_profile

# Footprints of at most this many windows are built in plain Python (from their boxes).
_SMALL = 64


class _cached:
    """A property computed on first use and then stored on the instance: functools.cached_property
    without its lock (Python 3.11 takes one on every first access, which costs more than most of
    these properties when a call extracts a few windows)."""

    def __init__(self, function):
        self.function = function
        self.name = function.__name__
        self.__doc__ = function.__doc__

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.function(instance)
        return value


class Runs(NamedTuple):
    """Horizontal runs of all regions, region after region.

    Region ``i`` is the runs ``region_starts[i]:region_starts[i + 1]``; run ``k``
    covers row ``rows[k]``, columns ``col_starts[k]`` to ``col_stops[k] - 1``,
    each pixel with weight ``weights[k]`` (``weights`` is None when all are 1).
    """

    region_starts: np.ndarray  # (N + 1,) int64
    rows: np.ndarray  # (R,) int64
    col_starts: np.ndarray  # (R,) int64
    col_stops: np.ndarray  # (R,) int64, exclusive
    weights: np.ndarray | None  # (R,) float64 or None


class WindowShape(NamedTuple):
    """One window profile (see :func:`window_profile`) placed at every centre pixel."""

    centre_rows: np.ndarray  # (N,) intp
    centre_cols: np.ndarray  # (N,) intp
    row_offsets: np.ndarray  # (K,) intp
    col_starts: np.ndarray  # (K,) intp, offsets from the centre column
    col_stops: np.ndarray  # (K,) intp, exclusive
    is_box: bool = False  # every row spans the same columns and the rows are consecutive (a rect)


class Footprint:
    """N regions of a ``(height, width)`` frame, each a set of pixels with weights.

    Build one with :meth:`from_windows`, :meth:`from_masks` or
    :meth:`from_triplets`. A region's trace is the weighted mean of its pixels
    with NaN left out: ``sum(w * v) / sum(w)`` over the non-NaN pixels.

    Attributes
    ----------
    frame_shape : (int, int)
    n_regions : int
    single_pixel : bool
        Every region is one pixel of a ``pixel`` window: traces keep the video's dtype.
    window : WindowShape or None
        Set when every region is the same window translated to its centre.
    """

    def __init__(self, frame_shape, n_regions, *, runs=None, window=None, single_pixel=False):
        self.frame_shape = (int(frame_shape[0]), int(frame_shape[1]))
        self.n_regions = int(n_regions)
        self.window = window
        self.single_pixel = bool(single_pixel)
        if runs is not None:
            self.__dict__["runs"] = runs

    # --- constructors ------------------------------------------------------------------------------

    @classmethod
    def from_windows(cls, rows, cols, frame_shape, window, size):
        """Windows ``'rect'``, ``'disc'`` or ``'pixel'`` of ``size`` centred at pixels ``(rows, cols)``.

        Only the part of the window a frame can hold matters (see
        :func:`window_profile`), so a huge ``size`` costs what the frame costs.
        """
        rows, cols = np.asarray(rows, dtype=np.intp), np.asarray(cols, dtype=np.intp)
        if rows.ndim != 1 or cols.ndim != 1:
            rows, cols = rows.reshape(-1), cols.reshape(-1)
        frame_shape = (int(frame_shape[0]), int(frame_shape[1]))
        shape = WindowShape(
            rows, cols, *window_profile(window, size, frame_shape), profile_is_box(window, size, frame_shape)
        )
        footprint = cls(frame_shape, len(rows), window=shape, single_pixel=is_single_pixel(window, size))
        footprint._window_key = (window, size, frame_shape)
        return footprint

    @classmethod
    def from_masks(cls, masks):
        """One region per mask of ``masks`` ``(N, H, W)``: True or non-zero pixels, weighted by their value.

        Examples
        --------
        >>> masks = np.zeros((2, 3, 4))
        >>> masks[0, 1, 1:3] = 1.0
        >>> masks[1, :, 0] = [1.0, 2.0, 1.0]
        >>> fp = Footprint.from_masks(masks)
        >>> fp.weight_totals.tolist(), fp.n_runs
        ([2.0, 4.0], 4)
        """
        masks = np.asarray(masks)
        if masks.ndim != 3:
            raise ValueError(f"masks must be 3-D (regions, rows, columns), got shape {masks.shape}")
        n_regions, height, width = masks.shape
        flat = masks.reshape(n_regions, -1)
        region, pixel = np.nonzero(flat)
        return cls.from_triplets(region, pixel, flat[region, pixel].astype(np.float64), n_regions, (height, width))

    @classmethod
    def from_triplets(cls, regions, pixels, weights, n_regions, frame_shape):
        """Regions from ``(region index, flat pixel, weight)`` triplets.

        Flat pixels are ``row * width + column``. Repeated ``(region, pixel)``
        pairs add their weights; zero weights are dropped; a region without
        pixels gives a NaN trace.
        """
        height, width = (int(n) for n in frame_shape)
        regions = np.asarray(regions, dtype=np.int64).reshape(-1)
        pixels = np.asarray(pixels, dtype=np.int64).reshape(-1)
        weights = np.broadcast_to(np.asarray(weights, dtype=np.float64), regions.shape)
        if not (len(regions) == len(pixels)):
            raise ValueError("regions, pixels and weights must have the same length")
        if len(regions) and (regions.min() < 0 or regions.max() >= n_regions):
            raise ValueError(f"region indices must be in [0, {n_regions - 1}]")
        if len(pixels) and (pixels.min() < 0 or pixels.max() >= height * width):
            raise ValueError(f"flat pixel indices must be in [0, {height * width - 1}]")
        if not np.isfinite(weights).all() or (weights < 0).any():
            raise ValueError("weights must be finite and >= 0")
        key = regions * (height * width) + pixels
        order = np.argsort(key, kind="stable")
        key = key[order]
        first = np.ones(len(key), dtype=bool)
        first[1:] = key[1:] != key[:-1]
        starts = np.flatnonzero(first)
        merged = np.add.reduceat(weights[order], starts) if len(starts) else np.empty(0)
        key = key[starts]
        keep = merged != 0
        key, merged = key[keep], merged[keep]
        region, pixel = np.divmod(key, height * width)
        row, col = np.divmod(pixel, width)
        # A run continues while the region, the row and the weight stay and the columns touch.
        new_run = np.ones(len(key), dtype=bool)
        new_run[1:] = (
            (np.diff(key) != 1) | (region[1:] != region[:-1]) | (row[1:] != row[:-1]) | (merged[1:] != merged[:-1])
        )
        run_first = np.flatnonzero(new_run)
        run_stops = np.append(run_first[1:], len(key))
        runs_region = region[run_first]
        region_starts = np.searchsorted(runs_region, np.arange(n_regions + 1), side="left").astype(np.int64)
        unweighted = bool(np.all(merged == 1.0))
        runs = Runs(
            region_starts,
            row[run_first].astype(np.int64),
            col[run_first].astype(np.int64),
            (col[run_first] + (run_stops - run_first)).astype(np.int64),
            None if unweighted else merged[run_first],
        )
        return cls((height, width), n_regions, runs=runs)

    # --- derived arrays (built once, on demand) -------------------------------------------------------

    @_cached
    def runs(self):
        """:class:`Runs` of all regions (for windows: every row of every box)."""
        table, starts = self.box_table, self.box_starts
        heights = table[:, 1] - table[:, 0]
        ends = np.cumsum(heights)
        # every row of every box: its first row plus 0, 1, ... down the box
        rows = (
            np.repeat(table[:, 0], heights)
            + np.arange(int(ends[-1]) if len(ends) else 0)
            - np.repeat(ends - heights, heights)
        )
        region_starts = np.concatenate([[0], ends])[starts]
        return Runs(
            region_starts.astype(np.int64),
            rows.astype(np.int64),
            np.repeat(table[:, 2], heights),
            np.repeat(table[:, 3], heights),
            None,
        )

    @_cached
    def box_table(self):
        """Every region as boxes, ``(B, 4)`` int64: first row, stop row, first column, stop column;
        region ``i`` is ``box_table[box_starts[i]:box_starts[i + 1]]``. A window's boxes are its
        rows grouped (a rect is one box, a disc of size 5 three); other regions have one box per
        run, weighted by :attr:`box_weights`."""
        if self.window is None:
            runs = self.runs
            table = np.empty((len(runs.rows), 4), dtype=np.int64)
            table[:, 0], table[:, 1], table[:, 2], table[:, 3] = (
                runs.rows,
                runs.rows + 1,
                runs.col_starts,
                runs.col_stops,
            )
            self.__dict__["box_starts"] = runs.region_starts
            return table
        if self.n_regions <= _SMALL:
            return self._small_box_table()
        shape = self.window
        height, width = self.frame_shape
        groups = np.array(profile_groups(*self._window_key), dtype=np.int64).reshape(-1, 4)
        rows, cols = shape.centre_rows[:, None].astype(np.int64), shape.centre_cols[:, None].astype(np.int64)
        first, stop = np.clip(rows + groups[:, 0], 0, height), np.clip(rows + groups[:, 1], 0, height)
        inside = first < stop  # (N, G)
        table = np.empty((int(inside.sum()), 4), dtype=np.int64)
        table[:, 0], table[:, 1] = first[inside], stop[inside]
        table[:, 2] = np.maximum(cols + groups[:, 2], 0)[inside]
        table[:, 3] = np.minimum(cols + groups[:, 3], width)[inside]
        box_starts = np.zeros(self.n_regions + 1, dtype=np.int64)
        np.cumsum(inside.sum(axis=1), out=box_starts[1:])
        self.__dict__["box_starts"] = box_starts
        return table

    @_cached
    def box_starts(self):
        """Where each region's boxes start in :attr:`box_table`, ``(N + 1,)`` int64."""
        self.box_table  # noqa: B018 - built with the table
        return self.__dict__["box_starts"]

    @property
    def box_weights(self):
        """The weight of each box's pixels, ``(B,)`` float64, or None when all are 1."""
        return None if self.window is not None else self.runs.weights

    def _small_box_table(self):
        """:attr:`box_table` of a few windows, with :attr:`box_starts`, :attr:`weight_totals` and
        :attr:`n_entries`, in one pass of plain Python over :attr:`boxes` (numpy's per-call costs
        would exceed the work)."""
        flat, starts, counts = [], [0], []
        for region in self.boxes:
            count = 0
            for box in region:
                flat.extend(box)
                count += (box[1] - box[0]) * (box[3] - box[2])
            starts.append(len(flat) >> 2)
            counts.append(count)
        self.__dict__["box_starts"] = np.array(starts, dtype=np.int64)
        self.__dict__["weight_totals"] = np.array(counts, dtype=np.float64)
        self.__dict__["n_entries"] = sum(counts)
        return np.array(flat, dtype=np.int64).reshape(-1, 4)

    def _few_windows(self):
        """Whether this is a few windows, whose totals and pixel count :attr:`box_table` counts
        with their boxes (then stored: it is built here if it was not)."""
        if self.window is None or self.n_regions > _SMALL:
            return False
        self.box_table  # noqa: B018 - built for what it stores
        return True

    @_cached
    def weight_totals(self):
        """Sum of the weights of each region, ``(N,)`` float64 (the pixel count when unweighted)."""
        if self._few_windows():
            return self.__dict__["weight_totals"]
        if self.window is not None:
            return self.window_counts.astype(np.float64)
        runs = self.runs
        per_run = runs.col_stops - runs.col_starts
        per_run = per_run * runs.weights if runs.weights is not None else per_run.astype(np.float64)
        region_of_run = np.repeat(np.arange(self.n_regions), np.diff(runs.region_starts))
        return np.bincount(region_of_run, per_run, minlength=self.n_regions).astype(np.float64)

    @_cached
    def window_counts(self):
        """Pixels inside each clipped window, ``(N,)`` int64, without listing them: the count at
        ``(r, c)`` is ``sum_k [0 <= r + dr_k < H] * width_k(c)``, one small matrix product for the
        whole frame (a few windows: their boxes)."""
        if self.n_regions <= _SMALL:
            return self.weight_totals.astype(np.int64)
        shape = self.window
        height, width = self.frame_shape
        if shape.is_box:
            row_span = (
                np.minimum(shape.centre_rows + shape.row_offsets[-1], height - 1)
                - np.maximum(shape.centre_rows + shape.row_offsets[0], 0)
                + 1
            )
            col_span = np.minimum(shape.centre_cols + shape.col_stops[0], width) - np.maximum(
                shape.centre_cols + shape.col_starts[0], 0
            )
            return row_span.astype(np.int64) * col_span
        all_rows, all_cols = np.arange(height), np.arange(width)
        row_inside = (
            (all_rows[None, :] + shape.row_offsets[:, None] >= 0)
            & (all_rows[None, :] + shape.row_offsets[:, None] < height)
        ).astype(np.float64)
        col_width = (
            np.clip(all_cols[None, :] + shape.col_stops[:, None], 0, width)
            - np.clip(all_cols[None, :] + shape.col_starts[:, None], 0, width)
        ).astype(np.float64)
        counts = row_inside.T @ col_width  # (H, W), exact: small integers in float64
        return counts[shape.centre_rows, shape.centre_cols].astype(np.int64)

    @property
    def unweighted(self):
        """All weights are 1 (windows): integer videos are summed exactly."""
        return self.window is not None or self.runs.weights is None

    @_cached
    def n_entries(self):
        """Pixels over all regions (a pixel in two regions counts twice)."""
        if self._few_windows():
            return self.__dict__["n_entries"]
        if self.window is not None:
            return int(self.window_counts.sum())
        return int((self.runs.col_stops - self.runs.col_starts).sum())

    @property
    def n_runs(self):
        """Runs over all regions (for windows, an upper bound that needs no runs built)."""
        if "runs" not in self.__dict__ and self.window is not None:
            return self.n_regions * len(self.window.row_offsets)
        return len(self.runs.rows)

    @property
    def n_boxes(self):
        """Boxes over all regions (see :attr:`box_table`; for windows, an upper bound that needs no
        table built)."""
        if "box_table" not in self.__dict__ and self.window is not None:
            return self.n_regions * len(profile_groups(*self._window_key))
        return len(self.box_table)

    @_cached
    def pixels(self):
        """Sorted distinct flat pixels (``row * width + column``) the footprint reads, ``(P,)`` int64."""
        width = self.frame_shape[1]
        runs = self.runs
        lengths = runs.col_stops - runs.col_starts
        first = runs.rows * width + runs.col_starts
        # every pixel of every run: the run's first pixel plus 0, 1, ... along it
        offsets = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        return np.unique(np.repeat(first, lengths) + offsets)

    @_cached
    def boxes(self):
        """Each window as a few boxes ``(r0, r1, c0, c1)`` (rows ``r0:r1``, columns ``c0:c1``), clipped
        to the frame: consecutive window rows spanning the same columns make one box (a rect is one
        box, a disc of size 5 three). Plain Python, for a handful of windows.

        Examples
        --------
        >>> Footprint.from_windows([0], [3], (4, 6), "disc", 5).boxes
        [[(0, 2, 1, 6), (2, 3, 2, 5)]]
        """
        shape = self.window
        height, width = self.frame_shape
        groups = profile_groups(*self._window_key)
        boxes = []
        for row, col in zip(shape.centre_rows.tolist(), shape.centre_cols.tolist()):
            region = []
            for first, last, start, stop in groups:
                r0, r1, c0, c1 = row + first, row + last, col + start, col + stop
                if r0 < 0:
                    r0 = 0
                if r1 > height:
                    r1 = height
                if r0 < r1:
                    region.append((r0, r1, c0 if c0 > 0 else 0, c1 if c1 < width else width))
            boxes.append(region)
        return boxes

    def max_region_pixels(self):
        """The largest number of pixels in one region (bounds exact integer sums)."""
        if self.n_regions == 0:
            return 0
        if self.window is not None:
            return int(self.window_counts.max())
        runs = self.runs
        region_of_run = np.repeat(np.arange(self.n_regions), np.diff(runs.region_starts))
        per_region = np.bincount(region_of_run, runs.col_stops - runs.col_starts, minlength=self.n_regions)
        return int(per_region.max())
