"""Positions: parsing and validation, random positions, lines and collages.

A position is an ``(x, y)`` pair: ``x`` is the column and ``y`` the row. This
module is the one place where positions become row and column indices.
"""

import numbers
from collections.abc import Sequence

import numpy as np

from .._validate import as_int, is_masked, number_text, plain


def _is_number(value):
    return isinstance(value, (numbers.Real, np.number)) and not isinstance(value, (bool, np.bool_))


def _describe(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _reject_masked(value, name):
    """ValueError for a masked array with masked entries, or a pair holding ``np.ma.masked``."""
    if isinstance(value, (tuple, list)):
        mask = np.array([v is np.ma.masked for v in value])
        shown = "(" + ", ".join("--" if v is np.ma.masked else repr(v) for v in value) + ")"
    else:
        mask = np.ma.getmaskarray(value)
        shown = str(value)
    if not mask.any():
        return
    if mask.ndim == 2:
        index = int(np.argwhere(mask)[0][0])
        where = f"{name}: position {index} {value[index]} is masked"
    elif mask.size == 2:
        where = f"{name}: position {shown} is masked"
    else:
        where = f"{name} has masked entries"
    raise ValueError(
        f"{where} ({int(mask.sum())} masked value(s) in all); masked values are not positions: drop those "
        "positions first, e.g. coords[~coords.mask.any(axis=1)]"
    )


def _pair_to_floats(pair, name):
    """Two finite real numbers from one position, or an error naming it."""
    if is_masked(pair) or any(is_masked(v) for v in _items(pair)):
        _reject_masked(pair, name)
        pair = np.ma.getdata(pair)
    if isinstance(pair, (str, bytes)) or not isinstance(pair, (Sequence, np.ndarray)):
        raise TypeError(f"{name}: each position must be a pair (x, y) of numbers, got {_describe(pair)}")
    if len(pair) != 2:
        raise ValueError(f"{name}: each position must be a pair (x, y), got {_describe(pair)} with {len(pair)} values")
    if not all(_is_number(v) for v in pair):
        raise TypeError(f"{name}: each position must be a pair (x, y) of numbers, got {_describe(pair)}")
    try:
        return float(pair[0]), float(pair[1])
    except OverflowError:  # Python ints beyond the float range
        raise ValueError(f"{name}: position {_describe(tuple(pair))} is beyond the range of float numbers") from None


def _items(value):
    """The entries of a short tuple or list (to look for ``np.ma.masked``, itself a masked array), else
    nothing."""
    return value if isinstance(value, (tuple, list)) and len(value) <= 2 else ()


def _is_data_frame(value):
    """A table with named columns, such as a pandas DataFrame (duck-typed: pandas is not imported)."""
    return hasattr(value, "columns") and hasattr(value, "to_numpy") and not isinstance(value, np.ndarray)


def _frame_column(frame, column, name):
    """One column of a data frame as float64, missing values as NaN."""
    values = frame[column]
    try:
        return np.asarray(values.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)
    except TypeError:  # not pandas' signature: a plain to_numpy()
        pass
    except ValueError:
        raise TypeError(f"{name}: column {column!r} must hold numbers, got {_describe(values.tolist())}") from None
    array = np.asarray(values.to_numpy())
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise TypeError(f"{name}: column {column!r} must hold numbers, got dtype {array.dtype}")
    return array.astype(np.float64)


def _parse_data_frame(frame, name):
    """Positions from a table: its ``x`` and ``y`` columns, or its two unnamed columns (x, y)."""
    columns = list(frame.columns)
    if "x" in columns and "y" in columns:
        xs, ys = _frame_column(frame, "x", name), _frame_column(frame, "y", name)
    elif columns == [0, 1]:  # e.g. pandas.DataFrame(array_of_shape_N_2): the array's columns x, y
        xs, ys = _frame_column(frame, 0, name), _frame_column(frame, 1, name)
    else:
        raise ValueError(
            f"{name}: a table of positions needs columns named 'x' (column) and 'y' (row), or exactly two "
            f"unnamed columns (x, y); got columns {_describe(columns)}"
        )
    return _parse_array(np.column_stack([xs, ys]).reshape(-1, 2), name)


def parse_positions(coords, name="coords"):
    """Parse one position or many into float arrays of x and y.

    Returns
    -------
    xs, ys : ndarray of float64, shape (N,)
    single : bool
        True when ``coords`` was one position (the caller then returns 1-D results).

    Accepted forms: one position ``(x, y)`` (a tuple, list or 1-D array of
    two numbers); a sequence of positions or an ``(N, 2)`` array; a table
    such as a pandas DataFrame with columns ``x`` and ``y`` (in any order,
    other columns ignored) or with exactly two unnamed columns ``0, 1``
    (what ``pandas.DataFrame(array)`` makes of an ``(N, 2)`` array). A table
    always gives many positions, even with one row. A masked array with
    masked entries is an error.

    Examples
    --------
    >>> xs, ys, single = parse_positions((3, 4))
    >>> xs.tolist(), ys.tolist(), single
    ([3.0], [4.0], True)
    >>> parse_positions([(1, 2), (5.5, 6)])[1].tolist()
    [2.0, 6.0]
    """
    if is_masked(coords) or any(is_masked(v) for v in _items(coords)):
        _reject_masked(coords, name)
        coords = np.ma.getdata(coords)
    if _is_data_frame(coords):
        return _parse_data_frame(coords, name)
    if isinstance(coords, np.ndarray):
        if coords.dtype == object:
            coords = coords.tolist()
        else:
            return _parse_array(coords, name)
    if isinstance(coords, (str, bytes)) or not isinstance(coords, (Sequence, np.ndarray)):
        if hasattr(coords, "__iter__") and not isinstance(coords, (str, bytes, dict, set)):
            coords = list(coords)
        else:
            raise TypeError(f"{name} must be a position (x, y) or a sequence of positions, got {_describe(coords)}")
    if len(coords) == 0:
        return np.empty(0), np.empty(0), False
    if len(coords) > 2 and not isinstance(coords[0], (str, bytes)) and not _any_masked(coords):
        # Fast path for long lists of pairs; anything irregular takes the checked path below.
        try:
            arr = np.asarray(coords)
        except (ValueError, TypeError):
            arr = None
        if arr is not None and arr.ndim == 2 and arr.shape[1] == 2 and arr.dtype.kind in "iuf":
            return _parse_array(arr, name)
    if len(coords) == 2 and all(_is_number(v) for v in coords):
        x, y = _check_finite(*_pair_to_floats(coords, name), name)
        return np.array([x]), np.array([y]), True
    pairs = [_check_finite(*_pair_to_floats(p, name), name) for p in coords]
    xy = np.array(pairs, dtype=np.float64).reshape(-1, 2)
    return xy[:, 0], xy[:, 1], False


def _any_masked(items):
    """True if a sequence holds a masked array (np.asarray would drop its mask)."""
    return any(is_masked(item) for item in items)


def _parse_array(arr, name):
    if not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise TypeError(f"{name} must hold real numbers, got an array of dtype {arr.dtype}")
    if arr.ndim == 1 and arr.size == 0:
        return np.empty(0), np.empty(0), False
    if arr.ndim == 1 and arr.size == 2:
        x, y = _check_finite(float(arr[0]), float(arr[1]), name)
        return np.array([x]), np.array([y]), True
    if arr.ndim == 2 and arr.shape[1] == 2:
        xy = arr.astype(np.float64)
        bad = ~np.isfinite(xy).all(axis=1)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"{name}: position {i} {tuple(arr[i].tolist())} is not two finite numbers")
        return xy[:, 0].copy(), xy[:, 1].copy(), False
    raise ValueError(f"{name} must be one position (2 values) or an (N, 2) array of positions, got shape {arr.shape}")


def _check_finite(x, y, name):
    if not (np.isfinite(x) and np.isfinite(y)):
        raise ValueError(f"{name}: position ({x}, {y}) is not two finite numbers")
    return x, y


# Coordinates whose pixel index an intp holds: |rounded value| below this.
_INDEX_LIMIT = float(np.iinfo(np.intp).max)


def round_half_up(values):
    """Round to the nearest whole number, halves up, exactly for every float (result: float64).

    ``floor(v + 0.5)`` is wrong from 2**52 on, where ``v + 0.5`` itself rounds:

    >>> float(round_half_up(2.0**52 + 1)), float(round_half_up(-2.5)), float(round_half_up(2.5))
    (4503599627370497.0, -2.0, 3.0)
    """
    values = np.asarray(values, dtype=np.float64)
    whole = np.floor(values)
    return whole + (values - whole >= 0.5)  # values - whole is exact


def round_to_pixels(values, name="coords"):
    """Round coordinates to the nearest pixel, halves up (pixel k covers [k - 0.5, k + 0.5)).

    Raises
    ------
    ValueError
        If a coordinate is beyond any pixel index (an intp cannot hold it).

    Examples
    --------
    >>> round_to_pixels([0.5, 1.49, -0.5]).tolist()
    [1, 1, 0]
    """
    rounded = round_half_up(values)
    beyond = ~(np.abs(rounded) < _INDEX_LIMIT)
    if beyond.any():
        value = np.asarray(values, dtype=np.float64)[beyond].flat[0]
        raise ValueError(f"{name}: coordinate {value:g} is beyond any pixel index (|coordinate| < {_INDEX_LIMIT:g})")
    return rounded.astype(np.intp)


def positions_to_pixels(coords, frame_shape, name="coords"):
    """Parse positions and convert them to row and column indices inside a frame.

    Parameters
    ----------
    coords : position or sequence of positions, ``(x, y)``
    frame_shape : (int, int)
        ``(height, width)`` of the frame.

    Returns
    -------
    rows, cols : ndarray of intp, shape (N,)
    single : bool

    Raises
    ------
    ValueError
        If a position lies outside the frame.

    Examples
    --------
    >>> rows, cols, single = positions_to_pixels([(2, 1), (0.6, 3.4)], (5, 4))
    >>> rows.tolist(), cols.tolist()
    ([1, 3], [2, 1])
    """
    xs, ys, single = parse_positions(coords, name)
    height, width = frame_shape
    cols, rows = round_half_up(xs), round_half_up(ys)  # floats: no overflow before the check
    outside = (cols < 0) | (cols >= width) | (rows < 0) | (rows >= height)
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        raise ValueError(
            f"{name}: position ({number_text(xs[i])}, {number_text(ys[i])}) is outside the frame "
            f"(width {width}, height {height}); x must be in [0, {width - 1}] and y in [0, {height - 1}]"
        )
    return rows.astype(np.intp), cols.astype(np.intp), single


def _as_generator(rng):
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, (numbers.Integral, np.integer)) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    if isinstance(rng, np.random.SeedSequence):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be None, an integer seed or a numpy Generator, got {_describe(rng)}")


def random_positions(shape_or_mask, N=1, *, rng=None):
    """Draw ``N`` distinct random positions inside a frame or a mask.

    Parameters
    ----------
    shape_or_mask : tuple of int or 2-D bool array
        Either the frame shape ``(height, width)`` (of any size an array can
        have: the pixels are never listed), or a mask whose True pixels are
        the allowed positions (e.g. the tissue).
    N : int, optional
        Number of positions, by default 1.
    rng : int, numpy.random.Generator or None, optional
        Seed or generator, for reproducible draws.

    Returns
    -------
    list of tuple of int
        ``N`` distinct positions ``(x, y)``.

    Raises
    ------
    ValueError
        If ``N`` is negative or larger than the number of pixels available,
        or if the mask has no True pixel.

    Examples
    --------
    >>> from optimap.trace import random_positions
    >>> positions = random_positions((64, 128), N=3, rng=0)
    >>> len(positions), all(0 <= x < 128 and 0 <= y < 64 for x, y in positions)
    (3, True)
    >>> import numpy as np
    >>> mask = np.zeros((4, 4), dtype=bool); mask[2, 3] = True
    >>> random_positions(mask, 1)
    [(3, 2)]
    """
    N = as_int(N, "N", minimum=0)
    generator = _as_generator(rng)
    if isinstance(shape_or_mask, np.ndarray) and shape_or_mask.ndim == 2:
        mask = shape_or_mask
        if mask.dtype != bool:
            if not np.isin(mask, (0, 1)).all():
                raise ValueError("shape_or_mask: a mask must be a 2-D array of booleans (or 0 and 1)")
            mask = mask.astype(bool)
        candidates = np.flatnonzero(mask)
        width = mask.shape[1]
        if candidates.size == 0:
            raise ValueError("shape_or_mask: the mask has no True pixel to draw positions from")
    else:
        if isinstance(shape_or_mask, np.ndarray):
            shape_or_mask = shape_or_mask.tolist()
        if not isinstance(shape_or_mask, Sequence) or isinstance(shape_or_mask, str) or len(shape_or_mask) != 2:
            raise TypeError(
                f"shape_or_mask must be a frame shape (height, width) or a 2-D boolean mask, "
                f"got {_describe(shape_or_mask)}"
            )
        largest = int(np.iinfo(np.intp).max)  # the largest array dimension
        height = as_int(shape_or_mask[0], "shape_or_mask height", minimum=1, maximum=largest)
        width = as_int(shape_or_mask[1], "shape_or_mask width", minimum=1, maximum=largest)
        candidates = height * width
    available = candidates if isinstance(candidates, int) else candidates.size
    if N > available:
        raise ValueError(f"N={N} is larger than the {available} pixels available")
    if available > _MAX_CHOICE:  # more pixels than an int64 counts: draw rows and columns
        return _distinct_pixels(generator, height, width, N)
    chosen = generator.choice(available, size=N, replace=False)  # never lists the pixels when N is small
    flat = chosen if isinstance(candidates, int) else candidates[chosen]
    rows, cols = np.divmod(flat, width)
    return [(int(c), int(r)) for r, c in zip(rows, cols)]


# Largest population Generator.choice draws from (an int64).
_MAX_CHOICE = int(np.iinfo(np.int64).max)


def _distinct_pixels(generator, height, width, n):
    """``n`` distinct uniform pixels ``(x, y)`` of a frame far larger than ``n``, without listing pixels."""
    chosen = {}
    while len(chosen) < n:
        need = n - len(chosen)
        rows = generator.integers(0, height, size=need)
        cols = generator.integers(0, width, size=need)
        for r, c in zip(rows.tolist(), cols.tolist()):
            if len(chosen) < n:
                chosen.setdefault((c, r), None)
    return list(chosen)


def positions_from_A_to_B(N, A, B):
    """``N`` positions evenly spaced on the straight line from ``A`` to ``B``.

    Both ends are included; the positions are rounded to whole pixels.

    Parameters
    ----------
    N : int
        Number of positions (0 gives an empty list, 1 gives ``[A]``).
    A, B : tuple of float
        Start and end point ``(x, y)``.

    Returns
    -------
    list of tuple of int
        Positions ``(x, y)``, as Python ints: exact for any finite ``A`` and
        ``B``, also beyond every pixel index (no overflow).

    Examples
    --------
    >>> from optimap.trace import positions_from_A_to_B
    >>> positions_from_A_to_B(3, (0, 0), (10, 4))
    [(0, 0), (5, 2), (10, 4)]
    """
    N = as_int(N, "N", minimum=0)
    (ax, ay), (bx, by) = _pair_to_floats(A, "A"), _pair_to_floats(B, "B")
    _check_finite(ax, ay, "A")
    _check_finite(bx, by, "B")
    t = np.linspace(0.0, 1.0, N) if N > 1 else np.zeros(N)
    xs = _whole_numbers(_between(ax, bx, t))
    ys = _whole_numbers(_between(ay, by, t))
    return list(zip(xs, ys))


def _between(a, b, t):
    """``a + t * (b - a)`` for t in [0, 1] without overflow: inside [a, b], ends exact."""
    if np.isfinite(b - a):
        values = a + t * (b - a)
    else:  # a and b of opposite signs near the float limit: each term is finite
        values = a * (1 - t) + b * t
    if values.size:
        values[t == 1] = b
    return np.clip(values, min(a, b), max(a, b))  # rounding may step one ulp outside


def _whole_numbers(values):
    """Rounded to the nearest whole number (halves up), as exact Python ints of any size."""
    rounded = round_half_up(values)
    if rounded.size and np.abs(rounded).max() < _INDEX_LIMIT:
        return rounded.astype(np.int64).tolist()
    return [int(v) for v in rounded.tolist()]


def collage_positions(positions, image_shape, ncols=6):
    """Move positions of several images to where they sit in a collage of the images.

    Image ``i`` of the collage (no padding) sits in grid row ``i // ncols`` and
    grid column ``i % ncols``, so its positions move by
    ``(column * width, row * height)``.

    Parameters
    ----------
    positions : sequence of sequences of positions
        One list of ``(x, y)`` positions per image (a list may be empty).
    image_shape : tuple of int
        ``(height, width)`` of every image.
    ncols : int, optional
        Number of images per collage row, by default 6.

    Returns
    -------
    list of tuple
        All positions ``(x, y)`` in collage coordinates, image by image. The
        input is not modified.

    Examples
    --------
    >>> from optimap.trace import collage_positions
    >>> collage_positions([[(1, 2)], [(1, 2)], [(0, 0)]], (10, 20), ncols=2)
    [(1, 2), (21, 2), (0, 10)]
    """
    ncols = as_int(ncols, "ncols", minimum=1)
    if isinstance(image_shape, np.ndarray):
        image_shape = image_shape.tolist()
    if not isinstance(image_shape, Sequence) or isinstance(image_shape, str) or len(image_shape) < 2:
        raise TypeError(f"image_shape must be (height, width), got {_describe(image_shape)}")
    height = as_int(image_shape[0], "image_shape height", minimum=1)
    width = as_int(image_shape[1], "image_shape width", minimum=1)
    if isinstance(positions, (str, bytes)) or not isinstance(positions, (Sequence, np.ndarray)):
        raise TypeError(
            f"positions must be a sequence with one list of positions per image, got {_describe(positions)}"
        )
    result = []
    for i, image_positions in enumerate(positions):
        dx, dy = (i % ncols) * width, (i // ncols) * height
        xs, ys, _ = parse_positions(image_positions, name=f"positions[{i}]")
        for x, y in zip(xs, ys):
            result.append((plain(x) + dx, plain(y) + dy))
    return result
