"""The one place where napari's coordinates become optimap's.

napari orders every coordinate like the array's axes: a point of a layer over a
``(T, H, W)`` video is ``(..., row, column)``, and layers may carry their own
scale, translation, rotation or affine transform into the viewer's world.
optimap's positions and polygon vertices are ``(x, y) = (column, row)`` in
pixels of the video's frame. Everything the plugin reads from a Points or
Shapes layer goes through :func:`layer_to_frame` (the layers' transforms,
through world coordinates, into the video's data coordinates) and then
:func:`rows_columns_to_xy` (the axis swap); frames and world coordinates of the
time axis go through :func:`current_frame` and :func:`frame_to_world`.
"""

import numpy as np


def same_transform(layer, other):
    """Whether two layers map data to world in the same way (then data coordinates can be compared).

    Layers of different dimensionality are compared on their trailing axes, as napari aligns them.
    """
    n = min(layer.ndim, other.ndim)
    for name in ("scale", "translate"):
        if not np.array_equal(np.asarray(getattr(layer, name))[-n:], np.asarray(getattr(other, name))[-n:]):
            return False
    for name in ("rotate", "shear"):
        if not _is_identity(getattr(layer, name), name) or not _is_identity(getattr(other, name), name):
            return False
    return _is_identity(layer.affine.affine_matrix, "affine") and _is_identity(other.affine.affine_matrix, "affine")


def _is_identity(value, name):
    array = np.asarray(value, dtype=float)
    if name == "shear":
        return not array.any()
    return np.array_equal(array, np.eye(len(array)))


def layer_to_frame(layer, video_layer, coords):
    """Coordinates ``(N, D)`` in ``layer``'s data space as ``(rows, columns)`` in the video's frame.

    The leading (time) coordinates are dropped: a point or a shape stands for the same pixels in
    every frame. When both layers share their transforms (the usual case) the last two data
    coordinates are the row and the column; otherwise every coordinate goes through the world, with
    napari's own ``data_to_world`` and ``world_to_data`` (an affine map, so it is found once from
    ``D + 1`` points and applied to all coordinates at once).

    Examples
    --------
    >>> import napari  # doctest: +SKIP
    >>> video = napari.layers.Image(np.zeros((4, 10, 20)))  # doctest: +SKIP
    >>> points = napari.layers.Points([[2, 7]])  # doctest: +SKIP
    >>> layer_to_frame(points, video, points.data)  # row 2, column 7  # doctest: +SKIP
    (array([2.]), array([7.]))
    """
    coords = np.asarray(coords, dtype=np.float64).reshape(len(coords), -1)
    if same_transform(layer, video_layer):
        return coords[:, -2].copy(), coords[:, -1].copy()
    dims = coords.shape[1]
    origin = np.asarray(video_layer.world_to_data(layer.data_to_world(np.zeros(dims))), dtype=np.float64)
    images_of_units = []
    for k in range(dims):
        unit = np.zeros(dims)
        unit[k] = 1.0
        images_of_units.append(
            np.asarray(video_layer.world_to_data(layer.data_to_world(unit)), dtype=np.float64) - origin
        )
    matrix = np.stack(images_of_units, axis=1)  # video data = matrix @ layer data + origin
    frame = coords @ matrix[-2:].T + origin[-2:]
    return frame[:, 0], frame[:, 1]


def rows_columns_to_xy(rows, columns):
    """napari's ``(row, column)`` order to optimap's ``(x, y) = (column, row)``, as an ``(N, 2)`` array.

    Examples
    --------
    >>> rows_columns_to_xy(np.array([10.0]), np.array([5.0]))  # row 10, column 5 is the pixel video[:, 10, 5]
    array([[ 5., 10.]])
    """
    return np.column_stack([np.asarray(columns, dtype=np.float64), np.asarray(rows, dtype=np.float64)])


def round_half_up(values):
    """Pixel indices of coordinates, halves up, as ``extract_traces`` rounds positions.

    Examples
    --------
    >>> round_half_up(np.array([0.5, 1.49, -0.5])).tolist()
    [1, 1, 0]
    """
    return np.floor(np.asarray(values, dtype=np.float64) + 0.5).astype(np.int64)


def time_axis(viewer, video_layer):
    """The viewer's world axis that shows the video's frames (napari aligns layers on trailing axes)."""
    return viewer.dims.ndim - video_layer.ndim


def current_frame(viewer, video_layer, n_frames):
    """The video frame the viewer shows now, from the world position of its time axis."""
    data = np.asarray(video_layer.world_to_data(viewer.dims.point), dtype=np.float64)
    if not np.isfinite(data[0]):
        return 0
    return int(np.clip(np.floor(data[0] + 0.5), 0, max(n_frames - 1, 0)))


def frame_to_world(video_layer, frame):
    """The world coordinate of the time axis at the video's frame ``frame``."""
    position = np.zeros(video_layer.ndim)
    position[0] = frame
    return float(video_layer.data_to_world(position)[0])
