"""Normalisation of traces to a range and a dtype."""

import numbers

import numpy as np

from .._validate import as_float, is_real_dtype


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
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a number or one number per trace, got {value!r}")
    try:
        limit = np.asarray(value, dtype=np.float64)
    except OverflowError:  # Python ints beyond the float range
        raise ValueError(f"{name} must be finite, got a number beyond the float range") from None
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number or one number per trace, got {value!r}") from None
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
        by default True. (Without ``vmin`` and ``vmax`` the result lies in
        ``[ymin, ymax]`` anyway.)

    Returns
    -------
    ndarray, same shape as ``array``, of ``dtype``
        A trace that is constant (``vmax == vmin``) maps to ``ymin``; NaN stays NaN.
        Values of any finite size are scaled without overflow (e.g. a trace
        spanning -1e308 to 1e308). The result is never silently saturated or
        wrapped: what does not fit ``dtype`` is an error.

    Raises
    ------
    TypeError
        For input that is not numeric, or ``ymin``, ``ymax``, ``vmin`` or
        ``vmax`` that are not numbers.
    ValueError
        For an empty array, input that is not 1-D or 2-D, a ``dtype`` that is
        not an integer or float type, ``vmin == vmax`` given explicitly, NaN
        with an integer ``dtype``, infinite values in ``array``, ``ymin`` or
        ``ymax`` that are not finite or outside the range of ``dtype`` (e.g.
        ``ymax=300`` with ``np.uint8``, ``ymax=1e6`` with ``np.float16``), or,
        with ``clip=False``, results outside the range of ``dtype``.

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
    ymin, ymax = _target(ymin, "ymin", dtype), _target(ymax, "ymax", dtype)
    values = data.astype(np.float64)
    columns = values if values.ndim == 2 else values[:, None]
    n_columns = columns.shape[1]
    # Per-column minimum and maximum ignoring NaN (fmin/fmax: all-NaN columns give NaN, no warning).
    data_min, data_max = np.fmin.reduce(columns, axis=0), np.fmax.reduce(columns, axis=0)
    if np.isinf(data_min).any() or np.isinf(data_max).any():
        index = tuple(int(i) for i in np.argwhere(np.isinf(values))[0])
        where = index[0] if len(index) == 1 else index
        raise ValueError(
            f"array contains infinite values (first {values[index]} at index {where}); "
            "only finite values (and NaN) can be normalised"
        )
    all_nan = np.isnan(data_min)
    if is_int and (all_nan.any() or np.isnan(columns).any()):
        raise ValueError(f"array contains NaN, which an integer dtype ({dtype}) cannot hold")
    low, high = _limit(vmin, "vmin", n_columns), _limit(vmax, "vmax", n_columns)
    explicit = low is not None or high is not None
    if low is None:
        low = np.where(all_nan, 0.0, data_min)
    if high is None:
        high = np.where(all_nan, 0.0, data_max)
    low, high = np.broadcast_to(low, (n_columns,)), np.broadcast_to(high, (n_columns,))
    if vmin is not None and vmax is not None and np.any(high == low):
        raise ValueError(f"vmin and vmax must differ, got vmin={vmin!r} and vmax={vmax!r}")
    magnitude = np.fmax(np.abs(data_min), np.abs(data_max))
    big = (magnitude >= _SAFE) | (np.abs(low) >= _SAFE) | (np.abs(high) >= _SAFE)
    result = _lerp(_fraction(columns, low, high, big), ymin, ymax, explicit)
    if clip and explicit:
        np.clip(result, min(ymin, ymax), max(ymin, ymax), out=result)
    if is_int:
        np.rint(result, out=result)
    if explicit and not clip:  # otherwise every value lies in [ymin, ymax], which fit the dtype
        _check_range(result, dtype)
    result = result.astype(dtype, copy=False)
    return result if data.ndim == 2 else result[:, 0]


def _target(value, name, dtype):
    """``ymin`` or ``ymax`` as a float, inside the range of the result's dtype."""
    result = as_float(value, name)
    if not np.isfinite(result):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        exact = value if isinstance(value, numbers.Integral) else result
        if not info.min <= exact <= info.max:
            raise ValueError(f"{name}={value!r} is outside the range of {dtype} ({info.min} to {info.max})")
        result = min(result, _float_at_most(info.max))  # e.g. 2**63 - 1 has no float: 2**63 - 1024
    else:
        largest = float(np.finfo(dtype).max)
        if abs(result) > largest:
            raise ValueError(f"{name}={value!r} is outside the range of {dtype} (-{largest:g} to {largest:g})")
    return result


def _fraction(columns, low, high, big):
    """``(columns - low) / (high - low)`` per column, 0 where ``high == low``, NaN kept; no overflow.

    Differences of finite values can overflow to infinity (e.g. 1e308 - -1e308):
    the ``big`` columns, holding values that large, are computed at a sixteenth
    of their scale (a power of two: exact but for subnormal values). A
    quotient beyond the float range (values far outside a tiny explicit
    [vmin, vmax]) becomes +-inf, which clipping or the range check of the
    result then handle.
    """
    if big.any():
        scale = np.where(big, 1 / 16, 1.0)
        columns, low, high = columns * scale, low * scale, high * scale
    span = high - low
    flat = span == 0
    fraction = np.subtract(columns, low)
    with np.errstate(over="ignore"):  # a huge quotient is +-inf on purpose, see above
        np.divide(fraction, np.where(flat, 1.0, span), out=fraction)
    if flat.any():  # a constant trace maps to ymin
        fraction[:, flat] = np.where(np.isnan(columns[:, flat]), np.nan, 0.0)
    return fraction


def _lerp(fraction, ymin, ymax, explicit):
    """``ymin`` where ``fraction`` is 0, ``ymax`` where it is 1, exact at both ends (in place when it can).

    ``ymax - ymin`` may overflow, so it is not formed. Without an ``explicit``
    vmin or vmax the fraction lies in [0, 1] and nothing overflows; with one
    it may lie far outside, and the result is then +-inf on the side the
    fraction points to (for clipping or the range check), never the NaN of
    inf - inf.
    """
    if ymin == ymax:
        fraction[~np.isnan(fraction)] = ymin
        return fraction
    if ymin == 0:
        with np.errstate(over="ignore"):
            fraction *= ymax  # exact at 0 and 1; +-inf stays +-inf
        return fraction
    if not explicit:
        low = (1 - fraction) * ymin
        fraction *= ymax
        fraction += low
        if max(abs(ymin), abs(ymax)) >= _SAFE:  # rounding could step past a target near the float limit
            np.clip(fraction, min(ymin, ymax), max(ymin, ymax), out=fraction)
        return fraction
    with np.errstate(over="ignore", invalid="ignore"):
        result = ymin * (1 - fraction) + ymax * fraction
    lost = np.isnan(result) & ~np.isnan(fraction)
    if lost.any():
        result[lost] = np.sign(fraction[lost]) * np.sign(ymax - ymin) * np.inf
    return result


def _check_range(result, dtype):
    """ValueError if a value does not fit ``dtype`` (possible only without clipping)."""
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        low, high = float(info.min), _float_at_most(info.max)
        allowed = f"{info.min} to {info.max}"
    else:
        high = float(np.finfo(dtype).max)
        low = -high
        allowed = f"{low:g} to {high:g}"
    finite = result[~np.isnan(result)]
    if finite.size and (finite.min() < low or finite.max() > high):
        worst = finite.max() if finite.max() > high else finite.min()
        raise ValueError(
            f"the normalised values reach {worst:g}, outside the range of {dtype} ({allowed}); "
            "use clip=True to keep the result inside [ymin, ymax], or a wider dtype"
        )


def _float_at_most(value):
    """The largest float not above the integer ``value`` (float(2**63 - 1) rounds up to 2**63)."""
    as_float = float(value)
    return as_float if int(as_float) <= value else float(np.nextafter(as_float, 0))


# |values| from here on could overflow a difference of two of them.
_SAFE = float(np.finfo(np.float64).max) / 4
