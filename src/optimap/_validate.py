"""Small validators shared by the public functions.

Every validator names the parameter, the value it got and what is allowed.
"""

import difflib
import numbers
import operator
import sys

import numpy as np


def as_int(value, name, *, minimum=None, maximum=None, strict=False, hint=None):
    """Return ``value`` as a Python int, accepting integral floats unless ``strict``.

    ``hint`` says in the message what the smallest value means, e.g. "the first
    frame is 0".

    >>> as_int(np.int64(3), "size")
    3
    >>> as_int(4.0, "size", minimum=0)
    4
    >>> as_int(10**20, "height", maximum=np.iinfo(np.intp).max)
    Traceback (most recent call last):
        ...
    ValueError: height must be <= 9223372036854775807, got 100000000000000000000
    >>> as_int(4.0, "frames", strict=True)
    Traceback (most recent call last):
        ...
    TypeError: frames must be an integer, got 4.0 of type float
    """
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, numbers.Real)
        or (strict and not isinstance(value, numbers.Integral))
    ):
        raise TypeError(f"{name} must be an integer, got {value!r} of type {type(value).__name__}")
    try:
        result = operator.index(value)
    except TypeError:
        if not np.isfinite(value) or float(value) != int(value):
            raise ValueError(f"{name} must be a whole number, got {value!r}") from None
        result = int(value)
    if minimum is not None and result < minimum:
        if hint:
            raise ValueError(f"{name} must be {minimum} or more ({hint}), got {result}")
        raise ValueError(f"{name} must be >= {minimum}, got {result}")
    if maximum is not None and result > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {result}")
    return result


def as_bool(value, name):
    """Return ``value`` as a Python bool: True, False or a numpy bool, nothing else.

    >>> as_bool(np.True_, "detrend")
    True
    >>> as_bool(1, "detrend")
    Traceback (most recent call last):
        ...
    TypeError: detrend must be True or False, got 1 of type int
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r} of type {type(value).__name__}")
    return bool(value)


def plain(value):
    """A number as a person writes it: an int when it is whole (and below 1e16), else a float.

    >>> plain(5.0), plain(2.5), plain(np.int64(3))
    (5, 2.5, 3)
    """
    value = float(value)
    return int(value) if value.is_integer() and abs(value) < 1e16 else value


def number_text(value):
    """The text of a number in a message: ``5``, not ``5.0``; ``2.5``; ``1e+30``.

    >>> number_text(5.0), number_text(0.1), number_text(1e30)
    ('5', '0.1', '1e+30')
    """
    return str(plain(value))


def as_float(value, name, *, what="a number"):
    """Return the real number ``value`` as a float, or ``inf`` if it is beyond the float range.

    >>> as_float(10**400, "ymax")
    inf
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {what}, got {value!r} of type {type(value).__name__}")
    try:
        return float(value)
    except OverflowError:  # a Python int beyond the float range
        return float("inf")


def as_positive_float(value, name):
    """Return ``value`` as a finite float > 0.

    >>> as_positive_float(500, "fps")
    500.0
    """
    result = as_float(value, name, what="a positive number")
    if not np.isfinite(result) or result <= 0:
        text = repr(value) if len(repr(value)) <= 40 else f"{repr(value)[:20]}...({len(repr(value))} digits)"
        raise ValueError(f"{name} must be a finite number > 0, got {text}")
    return result


def check_frame_shape(frame_shape, name="frame_shape"):
    """Return a frame shape ``(height, width)`` as two Python ints >= 1.

    >>> check_frame_shape((128, np.int64(96)))
    (128, 96)
    >>> check_frame_shape(128)
    Traceback (most recent call last):
        ...
    TypeError: frame_shape must be (height, width), got 128
    """
    if isinstance(frame_shape, np.ndarray):
        frame_shape = frame_shape.tolist()
    if not isinstance(frame_shape, (tuple, list)) or len(frame_shape) != 2:
        text = repr(frame_shape) if len(repr(frame_shape)) <= 40 else repr(frame_shape)[:37] + "..."
        raise TypeError(f"{name} must be (height, width), got {text}")
    largest = int(np.iinfo(np.intp).max)
    return (
        as_int(frame_shape[0], f"{name} height", minimum=1, maximum=largest),
        as_int(frame_shape[1], f"{name} width", minimum=1, maximum=largest),
    )


def is_real_dtype(dtype):
    """True for integer and floating dtypes (not bool, complex, object or text)."""
    return np.dtype(dtype).kind in "iuf"


def is_masked(value):
    """Whether ``value`` is a ``numpy.ma`` masked array (``np.ma.masked`` is one too).

    numpy imports ``numpy.ma`` lazily, at 20-50 ms, and no masked array exists before it is
    imported: so this never imports it, and a first extraction does not pay for it.
    """
    ma = sys.modules.get("numpy.ma")
    return ma is not None and isinstance(value, ma.MaskedArray)


def check_video(video, name="video"):
    """Check that ``video`` is a 3-D array-like of real numbers shaped (T, H, W).

    Arrays that already slice like numpy (ndarray, memmap, zarr, h5py, dask)
    are returned as they are; anything else goes through ``np.asarray``.
    """
    if not (hasattr(video, "shape") and hasattr(video, "dtype") and hasattr(video, "__getitem__")):
        if isinstance(video, (str, bytes)):
            raise TypeError(f"{name} must be a 3-D numeric array (frames, rows, columns), got a string")
        try:
            video = np.asarray(video)
        except (ValueError, TypeError) as exc:
            raise TypeError(f"{name} must be a 3-D numeric array (frames, rows, columns): {exc}") from None
    if len(video.shape) != 3:
        raise ValueError(
            f"{name} must be 3-D (frames, rows, columns), got {len(video.shape)}-D with shape {tuple(video.shape)}"
        )
    if not all(isinstance(n, numbers.Integral) for n in video.shape):  # dask's NaN after a boolean index
        raise ValueError(
            f"{name} has unknown sizes, shape {tuple(video.shape)}: call {name}.compute_chunk_sizes() first"
        )
    if not is_real_dtype(np.dtype(video.dtype)):
        raise TypeError(f"{name} must hold real numbers (integer or float), got dtype {np.dtype(video.dtype)}")
    return video


def check_traces(traces, name="traces"):
    """Return traces as a 2-D float-compatible array ``(T, N)``; 1-D becomes ``(T, 1)``."""
    if isinstance(traces, (str, bytes)):
        raise TypeError(f"{name} must be a 1-D or 2-D numeric array, got a string")
    array = np.asarray(traces)
    if not is_real_dtype(array.dtype):
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    if array.ndim == 1:
        return array[:, None]
    if array.ndim != 2:
        raise ValueError(f"{name} must be 1-D (T,) or 2-D (T, N), got {array.ndim}-D with shape {array.shape}")
    return array


def check_keywords(given, allowed, func_name, *, what_is_allowed, also_suggest=()):
    """Raise a TypeError for the first keyword of ``given`` that is not in ``allowed``.

    The message names the function, the keyword and its value, suggests the
    closest valid name (from ``allowed`` and ``also_suggest``, e.g. the
    function's own parameters) and says what is allowed.

    Parameters
    ----------
    given : mapping
        The keyword arguments received (``**kwargs``).
    allowed : collection of str
        The names accepted.
    func_name : str
        The public function, for the message.
    what_is_allowed : str
        How the message describes the accepted names.
    also_suggest : collection of str, optional
        Further names that may be what the caller meant.

    Examples
    --------
    >>> check_keywords({"fps": 500}, {"fps", "x"}, "f", what_is_allowed="fps or x")
    >>> check_keywords({"fsp": 500}, {"fps", "x"}, "f", what_is_allowed="fps or x")
    Traceback (most recent call last):
        ...
    TypeError: f() got an unexpected keyword argument 'fsp' (= 500); did you mean 'fps'? Allowed: fps or x.
    """
    for name, value in given.items():
        if name in allowed:
            continue
        candidates = sorted(set(allowed) | set(also_suggest))
        close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else "."
        text = repr(value)
        if len(text) > 40:
            text = text[:37] + "..."
        raise TypeError(
            f"{func_name}() got an unexpected keyword argument {name!r} (= {text}){hint} Allowed: {what_is_allowed}."
        )
