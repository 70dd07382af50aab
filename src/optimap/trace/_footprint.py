"""Footprints: all positions' windows as one set of pixels, built once per extraction."""

import functools

import numpy as np

from ._windows import is_single_pixel, window_offsets


def output_dtype(video_dtype, single_pixel):
    """dtype of a trace: a window mean has numpy.mean's dtype, a pixel keeps the video's."""
    video_dtype = np.dtype(video_dtype)
    if single_pixel or video_dtype.kind == "f":
        return video_dtype
    return np.dtype(np.float64)


def accumulator_dtype(out_dtype):
    """Sums of float16 run in float32; everything else in the output dtype."""
    return np.dtype(np.float32) if out_dtype == np.float16 else np.dtype(out_dtype)


def clipped_span(centres, before, after, n):
    """How many of ``centre - before ... centre + after`` lie in ``0 ... n - 1``."""
    return np.minimum(centres + after, n - 1) - np.maximum(centres - before, 0) + 1


class Footprint:
    """All positions' windows as one set of pixels, with the matrices that reduce them.

    Parameters
    ----------
    rows, cols : ndarray of int, shape (N,)
        Centre pixels, inside the frame.
    frame_shape : (int, int)
        ``(height, width)``.
    window : str
    size : int

    Attributes
    ----------
    pixels : ndarray of intp, shape (P,)
        Flat indices (``row * width + column``) of the pixels the extraction
        reads: the sorted distinct window pixels, or the positions themselves
        (in order) for single-pixel windows.
    counts : ndarray of int, shape (N,)
        Pixels inside each (border-clipped) window.
    """

    def __init__(self, rows, cols, frame_shape, window, size):
        self.frame_shape = tuple(frame_shape)
        self.rows = np.asarray(rows, dtype=np.intp)
        self.cols = np.asarray(cols, dtype=np.intp)
        self.window = window
        self.size = size
        self.single_pixel = is_single_pixel(window, size)
        self.n_positions = len(self.rows)
        if self.single_pixel:
            self.counts = np.ones(self.n_positions, dtype=np.intp)
        elif window == "rect":  # no need to list every window pixel for the count
            height, width = self.frame_shape
            before, after = size // 2, size - 1 - size // 2
            self.counts = clipped_span(self.rows, before, after, height) * clipped_span(self.cols, before, after, width)
        else:
            self.counts = self.inside.sum(axis=1)
        self.n_entries = int(self.counts.sum())
        self._matrices = {}

    @functools.cached_property
    def _window_pixels(self):
        """Rows, columns and in-frame flags ``(N, K)`` of every window pixel."""
        height, width = self.frame_shape
        row_offsets, col_offsets = window_offsets(self.window, self.size)
        window_rows = self.rows[:, None] + row_offsets
        window_cols = self.cols[:, None] + col_offsets
        inside = (window_rows >= 0) & (window_rows < height) & (window_cols >= 0) & (window_cols < width)
        return window_rows, window_cols, inside

    @property
    def window_rows(self):
        return self._window_pixels[0]

    @property
    def window_cols(self):
        return self._window_pixels[1]

    @property
    def inside(self):
        return self._window_pixels[2]

    @functools.cached_property
    def _pixels_and_columns(self):
        width = self.frame_shape[1]
        if self.single_pixel:
            return self.rows * width + self.cols, np.arange(self.n_positions)
        flat = (self.window_rows * width + self.window_cols)[self.inside]
        return np.unique(flat, return_inverse=True)

    @property
    def pixels(self):
        return self._pixels_and_columns[0]

    @property
    def n_pixels(self):
        return int(self.pixels.size)

    @functools.cached_property
    def padded_windows(self):
        """``(index, weights, member)``, each ``(N, K)``: flat pixel of every window slot,
        its weight in the mean and whether it lies inside the frame (clipped slots point
        at the centre pixel with weight 0)."""
        width = self.frame_shape[1]
        centre = (self.rows * width + self.cols)[:, None]
        index = np.where(self.inside, self.window_rows * width + self.window_cols, centre)
        weights = self.inside / self.counts[:, None]
        return index, weights, self.inside

    @functools.cached_property
    def padded_columns(self):
        """Like ``padded_windows[0]`` but indexing into :attr:`pixels` instead of the frame."""
        return np.searchsorted(self.pixels, self.padded_windows[0])

    def matrices(self, dtype):
        """Sparse ``(N, P)`` CSR matrices: the window means and the 0/1 membership."""
        dtype = np.dtype(dtype)
        if dtype not in self._matrices:
            self._matrices[dtype] = self._build_matrices(dtype)
        return self._matrices[dtype]

    def _build_matrices(self, dtype):
        import scipy.sparse

        indptr = np.concatenate(([0], np.cumsum(self.counts)))
        indices = self._pixels_and_columns[1].astype(np.int32 if self.n_pixels < 2**31 else np.int64)
        shape = (self.n_positions, self.n_pixels)
        weights = np.repeat((1.0 / self.counts).astype(dtype), self.counts)
        mean = scipy.sparse.csr_array((weights, indices, indptr), shape=shape)
        membership = scipy.sparse.csr_array((np.ones(self.n_entries, dtype=dtype), indices, indptr), shape=shape)
        return mean, membership

    @functools.cached_property
    def uses_box(self):
        """Separable box sums win when rect windows of size >= 2 cover the frame many times over.

        The box kernel costs about ``2 * size + 1`` passes over every frame, the
        sparse product one multiply-add per window pixel; measured on 128 x 128
        frames, they break even near ``n_entries = 1.2 * size * height * width``.
        """
        if self.window != "rect" or self.single_pixel:
            return False
        height, width = self.frame_shape
        return self.n_entries >= 1.2 * self.size * height * width

    @property
    def uses_few(self):
        """Few window pixels in all: gathering whole windows beats the sparse product."""
        return not self.single_pixel and self.n_entries <= FEW_ENTRIES


FEW_ENTRIES = 2048
