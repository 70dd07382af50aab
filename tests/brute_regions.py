"""Brute-force references for regions, written for clarity, not speed."""

from fractions import Fraction

import numpy as np


def brute_traces(video, masks, weights=None):
    """Per region, per frame: sum(w * v) / sum(w) over the region's non-NaN pixels, in float64 (NaN if none)."""
    video = np.asarray(video, dtype=np.float64)
    masks = np.asarray(masks, dtype=bool)
    if weights is None:
        weights = np.ones(masks.shape)
    weights = np.broadcast_to(np.asarray(weights, dtype=np.float64), masks.shape)
    out = np.full((len(video), len(masks)), np.nan)
    for i, mask in enumerate(masks):
        values, w = video[:, mask], weights[i][mask]
        for t in range(len(video)):
            keep = ~np.isnan(values[t])
            if w[keep].sum() > 0:
                out[t, i] = (values[t][keep] * w[keep]).sum() / w[keep].sum()
    return out


def _edges(rings):
    edges = []
    for ring in rings:
        ring = [(Fraction(float(x)), Fraction(float(y))) for x, y in ring]
        edges += list(zip(ring, ring[1:] + ring[:1]))
    return edges


def _inside(edges, px, py):
    """Even-odd rule by a ray to +x, counting edges with y1 <= py < y2 (exact)."""
    crossings = 0
    for (x1, y1), (x2, y2) in edges:
        if ((y1 <= py < y2) or (y2 <= py < y1)) and x1 + (py - y1) * (x2 - x1) / (y2 - y1) > px:
            crossings += 1
    return crossings % 2 == 1


def brute_polygon_mask(rings, height, width):
    """optimap's rule: pixel centres (whole numbers) inside (even-odd) or on the boundary, exactly."""
    edges = _edges(rings)
    mask = np.zeros((height, width), dtype=bool)
    for r in range(height):
        for c in range(width):
            on_edge = any(
                (x2 - x1) * (r - y1) == (y2 - y1) * (c - x1)
                and min(x1, x2) <= c <= max(x1, x2)
                and min(y1, y2) <= r <= max(y1, y2)
                for (x1, y1), (x2, y2) in edges
            )
            mask[r, c] = on_edge or _inside(edges, Fraction(c), Fraction(r))
    return mask


def imagej_polygon_mask(rings, height, width):
    """ImageJ's rule for rings in ImageJ's coordinates (pixel corners): the centre (c + 0.5, r + 0.5), nudged
    a hair up and left, inside by the even-odd rule (so left and top edges are outside, right and bottom
    edges inside, as ImageJ's PolygonFiller documents)."""
    edges = _edges(rings)
    nudge_x, nudge_y = Fraction(1, 10**6), Fraction(1, 10**9)
    mask = np.zeros((height, width), dtype=bool)
    for r in range(height):
        for c in range(width):
            mask[r, c] = _inside(edges, c + Fraction(1, 2) - nudge_x, r + Fraction(1, 2) - nudge_y)
    return mask


def imagej_oval_mask(left, top, width, height, frame_height, frame_width):
    """ImageJ's OvalRoi mask: the pixels of the box whose centres are inside or on the inscribed ellipse,
    computed as ImageJ does (in doubles, pixel by pixel)."""
    mask = np.zeros((frame_height, frame_width), dtype=bool)
    a, b = width / 2.0, height / 2.0
    for y in range(height):
        for x in range(width):
            xx, yy = x - (a - 0.5), y - (b - 0.5)
            if (
                xx * xx / (a * a) + yy * yy / (b * b) <= 1.0
                and 0 <= top + y < frame_height
                and 0 <= left + x < frame_width
            ):
                mask[top + y, left + x] = True
    return mask
