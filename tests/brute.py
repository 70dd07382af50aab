"""Brute-force references, written for clarity, not speed."""

import numpy as np


def window_mask(height, width, x, y, window, size):
    """Boolean (H, W) mask of the pixels the window at column x, row y covers."""
    rows, cols = np.mgrid[0:height, 0:width]
    if window == "pixel" or size <= 1:
        return (rows == y) & (cols == x)
    if window == "rect":
        top, left = y - size // 2, x - size // 2
        return (rows >= top) & (rows < top + size) & (cols >= left) & (cols < left + size)
    if window == "disc":
        return (rows - y) ** 2 + (cols - x) ** 2 <= (size / 2) ** 2
    raise ValueError(window)


def brute_trace(video, x, y, window, size):
    """Mean over the window of every frame in float64, NaN pixels left out."""
    video = np.asarray(video)
    mask = window_mask(video.shape[1], video.shape[2], x, y, window, size)
    values = video[:, mask].astype(np.float64)
    trace = np.full(len(video), np.nan)
    for t in range(len(video)):
        finite = values[t][~np.isnan(values[t])]
        if finite.size:
            trace[t] = finite.sum() / finite.size
    return trace
