"""The heart: its outline in the frame, and the simulation grid of tissue cells over it.

The outline is a smooth, notched heart shape (apex at the bottom, tilted), placed
with a seeded jitter; the grid of square cells that covers it carries the
model, with a no-flux Laplacian between tissue cells and a bilinear map from
cells to the heart's pixels.
"""

import math
from typing import NamedTuple

import numpy as np
from scipy import ndimage, sparse

# Heart outline in its own coordinates (x right, y up, apex at y = -1).
_HEART_WIDTH = 0.85
_HEART_TAPER = 0.35
_HEART_APEX = 0.3
_NOTCH_DEPTH = 0.3
_NOTCH_WIDTH = 0.12
_HEART_FILL = 0.86  # heart height as a fraction of the frame
_HEART_TILT = 18.0  # degrees, apex towards the lower right


class Geometry:
    """Placement of the heart in the frame, with seed-dependent jitter."""

    def __init__(self, shape, rng):
        height, width = shape
        jitter = rng.uniform(-1.0, 1.0, size=4)
        self.angle = -math.radians(_HEART_TILT + 4.0 * jitter[0])
        self._cos = math.cos(self.angle)
        self._sin = math.sin(self.angle)
        # Extent of the tilted outline, in heart units, from a fine sampling.
        y, x = np.mgrid[-1.05:1.05:211j, -1.05:1.05:211j]
        inside = _heart_level(x, y) < 0
        x, y = x[inside], y[inside]
        px = self._cos * x + self._sin * y
        py = -self._sin * x + self._cos * y
        # Fit it into the frame, stretched by at most 25 % in a non-square one.
        fill = _HEART_FILL * (1.0 + 0.02 * jitter[1])
        sx = fill * width / (px.max() - px.min())
        sy = fill * height / (py.max() - py.min())
        self.sx = min(sx, 1.25 * sy)
        self.sy = min(sy, 1.25 * sx)
        self.scale = math.sqrt(self.sx * self.sy)  # pixels per heart unit
        slack_x = 0.5 * (width - self.sx * (px.max() - px.min()))
        slack_y = 0.5 * (height - self.sy * (py.max() - py.min()))
        mid_x = 0.5 * (px.max() + px.min())
        mid_y = 0.5 * (py.max() + py.min())
        self.cx = (width - 1) / 2.0 - mid_x * self.sx + 0.3 * slack_x * jitter[2]
        self.cy = (height - 1) / 2.0 + mid_y * self.sy + 0.3 * slack_y * jitter[3]

    def to_heart(self, cols, rows):
        """Pixel (column, row) -> heart coordinates (x right, y up)."""
        dx = (cols - self.cx) / self.sx
        dy = -(rows - self.cy) / self.sy
        # Undo the tilt (the apex points down and to the right).
        x = self._cos * dx - self._sin * dy
        y = self._sin * dx + self._cos * dy
        return x, y

    def to_pixel(self, x, y):
        """Heart coordinates -> pixel (column, row)."""
        dx = self._cos * x + self._sin * y
        dy = -self._sin * x + self._cos * y
        return self.cx + dx * self.sx, self.cy - dy * self.sy

    def inside(self, cols, rows):
        x, y = self.to_heart(cols, rows)
        return _heart_level(x, y) < 0


def _heart_level(x, y):
    """Implicit heart outline: negative inside.

    An egg shape, wider at the base than at the rounded apex, with a shallow
    notch between the two ventricles at the top.
    """
    yc = np.clip(y, -1.0, 1.0)
    width = _HEART_WIDTH * (1.0 + _HEART_TAPER * yc) * (1.0 - _HEART_APEX * np.clip(-yc, 0.0, 1.0) ** 3)
    egg = (x / width) ** 2 + y**2 - 1.0
    notch = y - (1.0 - _NOTCH_DEPTH * np.exp(-0.5 * (x / _NOTCH_WIDTH) ** 2))
    # Smooth maximum: rounds the corners where the notch meets the outline.
    smooth = 0.04
    return 0.5 * (egg + notch + np.sqrt((egg - notch) ** 2 + smooth**2))


def _largest_component(mask):
    labels, count = ndimage.label(mask)
    if count <= 1:
        return mask
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    return labels == np.argmax(sizes)


def nearest_on_mask(point, mask):
    rows, cols = np.nonzero(mask)
    k = np.argmin((cols - point[0]) ** 2 + (rows - point[1]) ** 2)
    return int(cols[k]), int(rows[k])


class Tissue(NamedTuple):
    """The heart's pixels and the simulation grid of square cells covering them."""

    mask: np.ndarray  # (H, W) bool: the heart outline, one connected region
    cell: float  # pixels per grid cell
    half: int  # the grid spans cells -half ... half around the heart's centre
    grid_cols: np.ndarray  # pixel coordinates of every grid cell
    grid_rows: np.ndarray
    cells: np.ndarray  # (n, n) bool: the grid cells on the tissue
    n_cells: int
    laplacian: "sparse.csr_matrix"  # diffusion between tissue cells
    interpolation: "sparse.csr_matrix"  # (tissue pixels, tissue cells), bilinear


def heart_tissue(shape, geometry, protocol):
    """The heart's mask and the simulation grid, its Laplacian and its interpolation to pixels."""
    height, width = shape
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float64)
    mask = _largest_component(geometry.inside(cols, rows))

    # Simulation grid: square cells, centred on the heart and covering it.
    cell = 2.0 * geometry.scale / protocol["cells"]  # pixels per cell
    half = int(math.ceil(1.3 * max(geometry.sx, geometry.sy) / cell)) + 1
    n_side = 2 * half + 1
    grid_offset = np.arange(n_side) - half
    grid_cols = geometry.cx + cell * grid_offset[np.newaxis, :]
    grid_rows = geometry.cy + cell * grid_offset[:, np.newaxis]
    grid_cols, grid_rows = np.broadcast_arrays(grid_cols, grid_rows)
    cells = _largest_component(geometry.inside(grid_cols, grid_rows))
    n_cells = int(cells.sum())
    index = np.full(cells.shape, -1, dtype=np.int64)
    index[cells] = np.arange(n_cells)
    laplacian = _laplacian(cells, index) * protocol["diffusion"]

    # Bilinear interpolation from tissue cells to tissue pixels; grid cells off
    # the tissue take the value of the nearest tissue cell, so the voltage is
    # not pulled towards rest at the edge.
    nearest = ndimage.distance_transform_edt(~cells, return_distances=False, return_indices=True)
    fill = index[nearest[0], nearest[1]]
    pix_rows, pix_cols = np.nonzero(mask)
    interpolation = _bilinear_matrix(
        (pix_rows - geometry.cy) / cell + half, (pix_cols - geometry.cx) / cell + half, fill, n_cells
    )
    return Tissue(mask, cell, half, grid_cols, grid_rows, cells, n_cells, laplacian, interpolation)


def _laplacian(tissue, index):
    """5-point Laplacian on the tissue cells with no-flux boundaries."""
    padded = np.pad(index, 1, constant_values=-1)
    me = index[tissue]
    n = me.size
    rows, cols = [], []
    for sl in (
        (slice(0, -2), slice(1, -1)),
        (slice(2, None), slice(1, -1)),
        (slice(1, -1), slice(0, -2)),
        (slice(1, -1), slice(2, None)),
    ):
        neighbour = padded[sl][tissue]
        ok = neighbour >= 0
        rows.append(me[ok])
        cols.append(neighbour[ok])
    rows = np.concatenate(rows)
    cols = np.concatenate(cols)
    degree = np.bincount(rows, minlength=n).astype(np.float64)
    data = np.concatenate([np.ones(rows.size), -degree])
    diag = np.arange(n)
    return sparse.csr_matrix(
        (data, (np.concatenate([rows, diag]), np.concatenate([cols, diag]))),
        shape=(n, n),
    )


def _bilinear_matrix(fy, fx, fill, n_cells):
    """Sparse (n_points, n_cells) bilinear interpolation at grid indices."""
    n_rows, n_cols = fill.shape
    fy = np.clip(fy, 0.0, n_rows - 1.0)
    fx = np.clip(fx, 0.0, n_cols - 1.0)
    y0 = np.minimum(np.floor(fy).astype(np.int64), n_rows - 2)
    x0 = np.minimum(np.floor(fx).astype(np.int64), n_cols - 2)
    wy = fy - y0
    wx = fx - x0
    point = np.arange(fy.size)
    rows, cols, data = [], [], []
    for dy, dx, weight in (
        (0, 0, (1 - wy) * (1 - wx)),
        (0, 1, (1 - wy) * wx),
        (1, 0, wy * (1 - wx)),
        (1, 1, wy * wx),
    ):
        rows.append(point)
        cols.append(fill[y0 + dy, x0 + dx])
        data.append(weight)
    return sparse.csr_matrix(
        (np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))),
        shape=(fy.size, n_cells),
    )
