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

import functools
from typing import NamedTuple

import numpy as np

from ._windows import is_single_pixel, window_profile


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

    @property
    def is_box(self):
        """Every row of the window spans the same columns and the rows are consecutive (a rect)."""
        return bool(np.all(self.col_starts == self.col_starts[0]) and np.all(self.col_stops == self.col_stops[0])
                    and np.all(np.diff(self.row_offsets) == 1))


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
        self.frame_shape = tuple(int(n) for n in frame_shape)
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
        rows = np.asarray(rows, dtype=np.intp).reshape(-1)
        cols = np.asarray(cols, dtype=np.intp).reshape(-1)
        profile = window_profile(window, size, tuple(frame_shape))
        shape = WindowShape(rows, cols, *profile)
        return cls(frame_shape, len(rows), window=shape, single_pixel=is_single_pixel(window, size))

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
        new_run[1:] = ((np.diff(key) != 1) | (region[1:] != region[:-1]) | (row[1:] != row[:-1])
                       | (merged[1:] != merged[:-1]))
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

    @functools.cached_property
    def runs(self):
        """:class:`Runs` of all regions (for windows: the profile placed at each centre, clipped)."""
        shape = self.window
        height, width = self.frame_shape
        rows = shape.centre_rows[:, None] + shape.row_offsets
        inside = (rows >= 0) & (rows < height)
        starts = np.clip(shape.centre_cols[:, None] + shape.col_starts, 0, width)
        stops = np.clip(shape.centre_cols[:, None] + shape.col_stops, 0, width)
        region_starts = np.zeros(self.n_regions + 1, dtype=np.int64)
        np.cumsum(inside.sum(axis=1), out=region_starts[1:])
        return Runs(region_starts, rows[inside].astype(np.int64), starts[inside].astype(np.int64),
                    stops[inside].astype(np.int64), None)

    @functools.cached_property
    def weight_totals(self):
        """Sum of the weights of each region, ``(N,)`` float64 (the pixel count when unweighted)."""
        if self.window is not None:
            return self._window_counts().astype(np.float64)
        runs = self.runs
        per_run = runs.col_stops - runs.col_starts
        per_run = per_run * runs.weights if runs.weights is not None else per_run.astype(np.float64)
        region_of_run = np.repeat(np.arange(self.n_regions), np.diff(runs.region_starts))
        return np.bincount(region_of_run, per_run, minlength=self.n_regions).astype(np.float64)

    def _window_counts(self):
        """Pixels inside each clipped window, without listing them: the count at ``(r, c)`` is
        ``sum_k [0 <= r + dr_k < H] * width_k(c)``, one small matrix product for the whole frame."""
        shape = self.window
        height, width = self.frame_shape
        if shape.is_box:
            row_span = np.minimum(shape.centre_rows + shape.row_offsets[-1], height - 1) - np.maximum(
                shape.centre_rows + shape.row_offsets[0], 0) + 1
            col_span = np.minimum(shape.centre_cols + shape.col_stops[0], width) - np.maximum(
                shape.centre_cols + shape.col_starts[0], 0)
            return row_span.astype(np.int64) * col_span
        all_rows, all_cols = np.arange(height), np.arange(width)
        row_inside = ((all_rows[None, :] + shape.row_offsets[:, None] >= 0)
                      & (all_rows[None, :] + shape.row_offsets[:, None] < height)).astype(np.float64)
        col_width = (np.clip(all_cols[None, :] + shape.col_stops[:, None], 0, width)
                     - np.clip(all_cols[None, :] + shape.col_starts[:, None], 0, width)).astype(np.float64)
        counts = row_inside.T @ col_width  # (H, W), exact: small integers in float64
        return counts[shape.centre_rows, shape.centre_cols].astype(np.int64)

    @property
    def unweighted(self):
        """All weights are 1 (windows): integer videos are summed exactly."""
        return self.window is not None or self.runs.weights is None

    @functools.cached_property
    def n_entries(self):
        """Pixels over all regions (a pixel in two regions counts twice)."""
        if self.window is not None:
            return int(self._window_counts().sum())
        return int((self.runs.col_stops - self.runs.col_starts).sum())

    @property
    def n_runs(self):
        """Runs over all regions (for windows, an upper bound that needs no runs built)."""
        if "runs" not in self.__dict__ and self.window is not None:
            return self.n_regions * len(self.window.row_offsets)
        return len(self.runs.rows)

    @functools.cached_property
    def pixels(self):
        """Sorted distinct flat pixels (``row * width + column``) the footprint reads, ``(P,)`` int64."""
        width = self.frame_shape[1]
        runs = self.runs
        lengths = runs.col_stops - runs.col_starts
        first = runs.rows * width + runs.col_starts
        # every pixel of every run: the run's first pixel plus 0, 1, ... along it
        offsets = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        return np.unique(np.repeat(first, lengths) + offsets)

    def max_region_pixels(self):
        """The largest number of pixels in one region (bounds exact integer sums)."""
        if self.n_regions == 0:
            return 0
        if self.window is not None:
            return int(self._window_counts().max())
        runs = self.runs
        region_of_run = np.repeat(np.arange(self.n_regions), np.diff(runs.region_starts))
        per_region = np.bincount(region_of_run, runs.col_stops - runs.col_starts, minlength=self.n_regions)
        return int(per_region.max())
