"""Polygons and pixel rules rasterised into the flat pixels of a frame.

A pixel belongs to a polygon when its centre lies inside it (even-odd rule: a
part enclosed twice is outside, as in ImageJ) or on its boundary.

Polygons are rasterised exactly, all at once: for every row of pixel centres,
the crossings of the polygon's edges (an edge counts for rows ``y1 <= row <
y2``) are sorted and paired; the pixels between a pair, ends included, belong,
as do the pixel centres on horizontal edges and on vertices. Crossings that
fall within rounding of a whole column are decided with exact rational
arithmetic, so a centre on a slanted edge is never lost to rounding.
"""

from fractions import Fraction

import numpy as np

# Edges whose coordinates are multiples of 1/16 below 2**16 give crossings that floats decide exactly.
_GRID = 16.0
_GRID_LIMIT = 2.0**16


def _expand(starts, lengths):
    """``starts[i], starts[i] + 1, ... starts[i] + lengths[i] - 1`` for every i, concatenated."""
    total = int(lengths.sum())
    return np.repeat(starts, lengths) + (np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths))


def _settle(x, row, x1, y1, x2, y2, exact):
    """Crossings within rounding of a whole number, decided exactly (in place): a crossing exactly at
    column n becomes n, one just left or right of n the float next to n on that side."""
    nearest = np.round(x)
    tolerance = 1e-12 * (np.abs(x1) + np.abs(x2) + np.abs(x) + 1.0)
    for k in np.flatnonzero(~exact & (np.abs(x - nearest) <= tolerance)).tolist():
        value = Fraction(x1[k]) + (int(row[k]) - Fraction(y1[k])) * (Fraction(x2[k]) - Fraction(x1[k])) / (
            Fraction(y2[k]) - Fraction(y1[k])
        )
        n = float(nearest[k])
        if value == n:
            x[k] = n
        else:
            x[k] = np.nextafter(n, -np.inf if value < n else np.inf)
    return x


def rasterize_polygons(polygons, frame_shape):
    """Flat pixels of each polygon: ``(region, pixel)``, sorted and distinct, clipped to the frame."""
    height, width = frame_shape
    frame_pixels = height * width
    firsts, owners = [], []
    for i, polygon in enumerate(polygons):
        for ring in polygon.rings:
            firsts.append(ring)
            owners.append(np.full(len(ring), i, dtype=np.int64))
    if not firsts:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    start = np.concatenate(firsts)
    stop = np.concatenate([np.roll(ring, -1, axis=0) for ring in firsts])
    owner = np.concatenate(owners)
    x1, y1, x2, y2 = start[:, 0], start[:, 1], stop[:, 0], stop[:, 1]
    keys = []

    # Crossings of the slanted and vertical edges with the rows y1 <= row < y2 (half open).
    low, high = np.minimum(y1, y2), np.maximum(y1, y2)
    first = np.clip(np.ceil(low), 0, height)
    last = np.clip(np.ceil(high) - 1, -1, height - 1)
    count = np.where(y1 != y2, np.maximum(last - first + 1, 0), 0).astype(np.int64)
    edge = np.repeat(np.arange(len(x1)), count)
    if len(edge):
        row = _expand(first.astype(np.int64)[count > 0], count[count > 0])
        ex1, ey1, ex2, ey2 = x1[edge], y1[edge], x2[edge], y2[edge]
        on_grid = np.ones(len(x1), dtype=bool)
        for v in (x1, y1, x2, y2):
            on_grid &= (np.abs(v) < _GRID_LIMIT) & (v * _GRID == np.round(v * _GRID))
        on_grid = on_grid[edge]
        # On the grid, the product of differences is exact, so a crossing at a whole column comes out whole;
        # elsewhere the fraction of the edge first (a product of tiny differences could underflow).
        x = np.where(
            on_grid, ex1 + (row - ey1) * (ex2 - ex1) / (ey2 - ey1), ex1 + (row - ey1) / (ey2 - ey1) * (ex2 - ex1)
        )
        x = _settle(x, row, ex1, ey1, ex2, ey2, on_grid | (ex1 == ex2))
        region = owner[edge]
        order = np.lexsort((x, row, region))
        x, row, region = x[order], row[order], region[order]
        # Each region's crossings in one row come in pairs: the even-odd rule fills between them.
        col_first = np.clip(np.ceil(x[0::2]), 0, width)
        col_last = np.clip(np.floor(x[1::2]), -1, width - 1)
        lengths = np.maximum(col_last - col_first + 1, 0).astype(np.int64)
        base = region[0::2] * frame_pixels + row[0::2] * width + col_first.astype(np.int64)
        keys.append(_expand(base[lengths > 0], lengths[lengths > 0]))

    # Pixel centres on horizontal edges, and on vertices.
    flat = (y1 == y2) & (y1 == np.round(y1)) & (y1 >= 0) & (y1 <= height - 1)
    col_first = np.clip(np.ceil(np.minimum(x1, x2)[flat]), 0, width)
    col_last = np.clip(np.floor(np.maximum(x1, x2)[flat]), -1, width - 1)
    lengths = np.maximum(col_last - col_first + 1, 0).astype(np.int64)
    base = owner[flat] * frame_pixels + y1[flat].astype(np.int64) * width + col_first.astype(np.int64)
    keys.append(_expand(base[lengths > 0], lengths[lengths > 0]))
    corner = (
        (x1 == np.round(x1)) & (y1 == np.round(y1)) & (x1 >= 0) & (x1 <= width - 1) & (y1 >= 0) & (y1 <= height - 1)
    )
    keys.append(owner[corner] * frame_pixels + y1[corner].astype(np.int64) * width + x1[corner].astype(np.int64))

    key = np.unique(np.concatenate(keys))
    return np.divmod(key, frame_pixels)


def rasterize_rule(rule, frame_shape):
    """Flat pixels of a :class:`PixelRule` inside the frame."""
    height, width = frame_shape
    row_first, row_last = max(int(rule.rows[0]), 0), min(int(rule.rows[1]), height - 1)
    col_first, col_last = max(int(rule.cols[0]), 0), min(int(rule.cols[1]), width - 1)
    if row_first > row_last or col_first > col_last:
        return np.empty(0, np.int64)
    rows = np.arange(row_first, row_last + 1, dtype=np.int64)[:, None]
    cols = np.arange(col_first, col_last + 1, dtype=np.int64)[None, :]
    inside = rule.inside(rows, cols)
    if inside.shape != (len(rows), cols.shape[1]):  # a rule that does not depend on both
        inside = np.broadcast_to(inside, (len(rows), cols.shape[1]))
    r, c = np.nonzero(inside)
    return (r + row_first) * width + (c + col_first)
