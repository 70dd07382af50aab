"""Normalisation of traces to a range and a dtype."""

import numbers

import numpy as np

from .._validate import is_real_dtype


def _check_dtype(dtype):
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be a numpy integer or float type, got {dtype!r}") from None
    if not is_real_dtype(dtype):
        raise ValueError(f"dtype must be a numpy integer or float type, got {dtype}")
    return dtype


def _limit(value, name, n_columns):
    """A limit as a float or one float per column; None stays None."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a number or one number per trace, got {value!r}")
    limit = np.asarray(value, dtype=np.float64) if not isinstance(value, numbers.Real) else np.float64(value)
    if limit.ndim > 1 or (limit.ndim == 1 and limit.shape[0] != n_columns):
        raise ValueError(f"{name} must be a number or one number per trace ({n_columns}), got shape {limit.shape}")
    if not np.isfinite(limit).all():
        raise ValueError(f"{name} must be finite, got {value!r}")
    return limit


def normalize(array, ymin=0, ymax=None, vmin=None, vmax=None, dtype=np.float32, clip=True):
    """Scale traces linearly from ``[vmin, vmax]`` to ``[ymin, ymax]``.

    Each trace (each column of 2-D input) is scaled on its own: by default its
    minimum goes to ``ymin`` and its maximum to ``ymax``.

    Parameters
    ----------
    array : array_like, shape (T,) or (T, N)
        One trace, or one trace per column.
    ymin : float, optional
        Value the input ``vmin`` maps to, by default 0.
    ymax : float, optional
        Value the input ``vmax`` maps to; by default 1 for a float ``dtype`` and
        the largest value of an integer ``dtype``.
    vmin, vmax : float or array_like of shape (N,), optional
        Input values that map to ``ymin`` and ``ymax``, for all traces or one
        per trace; by default each trace's minimum and maximum (NaN ignored).
    dtype : numpy dtype, optional
        dtype of the result, by default ``np.float32``. An integer dtype rounds
        to the nearest integer.
    clip : bool, optional
        Clip the result to ``[ymin, ymax]`` when ``vmin`` or ``vmax`` is given,
        by default True. Integer results are always kept inside the dtype's range.

    Returns
    -------
    ndarray, same shape as ``array``, of ``dtype``
        A trace that is constant (``vmax == vmin``) maps to ``ymin``; NaN stays NaN.

    Raises
    ------
    ValueError
        For an empty array, input that is not 1-D or 2-D, a ``dtype`` that is
        not an integer or float type, ``vmin == vmax`` given explicitly, or NaN
        with an integer ``dtype``.

    Examples
    --------
    >>> import numpy as np
    >>> from optimap.trace import normalize
    >>> normalize(np.array([2.0, 4.0, 6.0]))
    array([0. , 0.5, 1. ], dtype=float32)
    >>> normalize(np.array([[0, 10], [5, 20], [10, 30]]), dtype=np.uint8)
    array([[  0,   0],
           [128, 128],
           [255, 255]], dtype=uint8)
    """
    if isinstance(array, (str, bytes)):
        raise TypeError("array must be a 1-D or 2-D numeric array, got a string")
    data = np.asarray(array)
    if not (is_real_dtype(data.dtype) or data.dtype == bool):
        raise TypeError(f"array must hold real numbers, got dtype {data.dtype}")
    if data.ndim not in (1, 2):
        raise ValueError(f"array must be 1-D (T,) or 2-D (T, N), got {data.ndim}-D with shape {data.shape}")
    if data.size == 0:
        raise ValueError(f"array is empty (shape {data.shape}); there is nothing to normalise")
    dtype = _check_dtype(dtype)
    is_int = np.issubdtype(dtype, np.integer)
    if ymax is None:
        ymax = np.iinfo(dtype).max if is_int else 1.0
    for name, value in (("ymin", ymin), ("ymax", ymax)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or not np.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
    values = data.astype(np.float64)
    columns = values if values.ndim == 2 else values[:, None]
    n_columns = columns.shape[1]
    has_nan = np.isnan(columns).any()
    if has_nan and is_int:
        raise ValueError(f"array contains NaN, which an integer dtype ({dtype}) cannot hold")
    low, high = _limit(vmin, "vmin", n_columns), _limit(vmax, "vmax", n_columns)
    explicit = low is not None or high is not None
    if low is None or high is None:
        all_nan = np.isnan(columns).all(axis=0)
        filled = np.where(np.isnan(columns), 0.0, columns) if has_nan else columns
        if low is None:
            low = np.where(all_nan, 0.0, np.min(np.where(np.isnan(columns), np.inf, filled), axis=0))
        if high is None:
            high = np.where(all_nan, 0.0, np.max(np.where(np.isnan(columns), -np.inf, filled), axis=0))
    low, high = np.broadcast_to(low, (n_columns,)), np.broadcast_to(high, (n_columns,))
    span = high - low
    if explicit and np.any(span == 0) and vmin is not None and vmax is not None:
        raise ValueError(f"vmin and vmax must differ, got vmin={vmin!r} and vmax={vmax!r}")
    fraction = np.divide(columns - low, span, out=np.zeros_like(columns), where=span != 0)
    fraction[np.isnan(columns)] = np.nan
    result = fraction * (ymax - ymin) + ymin
    if clip and explicit:
        result = np.clip(result, min(ymin, ymax), max(ymin, ymax))
    if is_int:
        info = np.iinfo(dtype)
        result = np.clip(np.rint(result), info.min, info.max)
    result = result.astype(dtype)
    return result if data.ndim == 2 else result[:, 0]
