"""CSV text of traces, fast, streamed in blocks of rows, at full precision.

Every number is written as Python writes it: the shortest text that reads back
as the same number (``repr`` for float64 and integers; for float32 the shortest
text that reads back as the same float32, as numpy prints it: ``2422.4``, not
the float64 digits ``2422.39990234375`` of the same value).

Formatting numbers one by one in Python costs about 400 ns each, most of the
time of writing a large table; here two compiled kernels (numba, compiled on
first use and cached) do it in a few tens of ns:

1. :func:`_decimals` finds, for each value, the shortest decimal ``m * 10**e``
   that reads back as it. Values with at most three decimals (window means of
   integer videos) are recognised at once. For the others, the value times a
   power of ten is formed exactly as the sum of two floats (Dekker's product),
   the digits are rounded from that exact product, and a candidate is kept
   when it lies within half a unit in the last place (of the value's own
   dtype) of the value. Where the decision is too close to call in floating
   point, or the value is outside ``[1e-6, 1e17)``, the kernel hands the value
   to Python's own ``repr`` (numpy's for float32 and float16).
2. :func:`_write_rows` spells the decimals out, row by row, into a byte buffer.

Blocks of rows are formatted by two threads (the kernels release the GIL) and
written in order, so memory stays at a few blocks whatever the table's size.

In a process where no compiled code has run yet, Python spells the table
instead, value by value, while that costs less than loading numba would
(about a second; :func:`.._jit.compiled_pays` decides, from an estimate per
value): a command-line run writing the traces of a few hundred windows need
not load numba.
"""

import math
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .._jit import LazyKernels, compiled_pays, standing_in

# Values per block: about 5 MB of decimals and 7 MB of text (two blocks are formatted at a time).
_BLOCK_VALUES = 1 << 18
_THREADS = min(2, os.cpu_count() or 1)
# Seconds Python takes to spell one value (measured on this project's 2-core machine): a float16 or
# float32 (numpy's shortest digits, then repr), a float64, an integer. Weighed against loading numba.
_PYTHON_SECONDS_SHORT_FLOAT, _PYTHON_SECONDS_FLOAT, _PYTHON_SECONDS_INTEGER = 2.5e-6, 1.6e-6, 0.35e-6

# What a value is, for the text kernel.
_FLOAT, _INTEGER, _NAN, _INF = 0, 1, 2, 3
_PYTHON = 4  # left to Python (rare): its decimal is filled in before the text is written

_POW10 = np.array([float(10**k) for k in range(23)])  # exact doubles
_POW10_U = np.array([10**k for k in range(20)], dtype=np.uint64)
_POW2_ZERO = 160
_POW2 = np.ldexp(1.0, np.arange(-_POW2_ZERO, _POW2_ZERO))  # 2**k, exact, for the binary exponents in range
_SPLIT = 134217729.0  # 2**27 + 1: splits a double into two 26-bit halves (Dekker)
_TIE = 1e-7  # relative margin under which a rounding decision is left to Python
# Per float size: significant bits; fraction bits, exponent mask, exponent bias (frexp's) and integer
# type of the bit pattern of the float the kernel reads (float16 is read as float32); smallest normal.
_FLOATS = {
    2: (11, 23, 0xFF, 126, np.int32, 2.0**-14),
    4: (24, 23, 0xFF, 126, np.int32, 2.0**-126),
    8: (53, 52, 0x7FF, 1022, np.int64, 2.0**-1022),
}


# --- kernel 1: shortest decimals --------------------------------------------------------------------------------


def _two_product(a, b):
    """``(p, e)`` with ``p + e == a * b`` exactly (Dekker), for finite, not huge, a and b."""
    p = a * b
    t = _SPLIT * a
    a_high = t - (t - a)
    a_low = a - a_high
    t = _SPLIT * b
    b_high = t - (t - b)
    b_low = b - b_high
    return p, ((a_high * b_high - p) + a_high * b_low + a_low * b_high) + a_low * b_low


def _strip_zeros(m, drop, power, digits):
    """``(m / power, drop + digits)`` when ``power = 10**digits`` divides ``m``, else ``(m, drop)``."""
    if m % power == 0:
        return m // power, drop + digits
    return m, drop


def _shortest(a, power, bits, tiny, power_of_two):
    """Shortest decimal of ``a > 0`` that reads back as ``a`` in a float of ``bits`` mantissa bits.

    ``power`` is ``a``'s binary exponent as :func:`math.frexp` gives it
    (``a = mantissa * 2**power``, ``0.5 <= mantissa < 1``); ``power_of_two`` says
    whether the mantissa is 0.5.

    Returns ``(m, e)``, the decimal ``m * 10**e``, or ``(0, 0)`` when Python must
    decide (a value outside ``[1e-6, 1e17)`` or below the dtype's smallest normal
    number, or a decision too close to call).

    With ``X = a * 10**scale`` in ``[1e16, 1e17)`` (exact, as two floats) and
    ``h`` half a unit in the last place of ``a`` in the same scale, the decimals
    that read back as ``a`` are the multiples of ``10**k`` in ``[X - h, X + h]``.
    With ``10**k0 <= 2 h < 10**(k0 + 1)`` there is always one for ``k0`` and at
    most one for ``k0 + 1``; trailing zeros of that one give the higher powers.
    """
    if not (1e-6 <= a < 1e17) or a < tiny:
        return 0, 0
    # Quick answer for values with few decimals (window means of integer videos: k / 25):
    # if a is the float nearest a decimal with s <= 3 decimals, and floats here are closer
    # together than 10**-s, no decimal with fewer decimals is nearer a than the next float.
    unit = _POW2[power - bits + _POW2_ZERO]  # a unit in the last place of a
    for decimals in range(4):
        if unit * _POW10[decimals] >= 1:
            break
        m = math.floor(a * _POW10[decimals] + 0.5)
        if m / _POW10[decimals] == a:
            e = -decimals
            while m % 10 == 0 and m > 0:
                m //= 10
                e += 1
            return np.int64(m), e
    if power_of_two:  # the float below is closer than the one above: a lopsided window, rare
        return 0, 0
    exponent = ((power - 1) * 78913) >> 18  # floor((power - 1) * log10(2)): within one of floor(log10(a))
    for _ in range(3):  # X = a * 10**scale lies in [1e16, 1e17): 17 digits before the point
        scale = 16 - exponent
        if scale < 0 or scale > 22:
            return 0, 0
        high, low = _two_product(a, _POW10[scale])
        if high > 1e17 or (high == 1e17 and low >= 0):
            exponent += 1
        elif high < 1e16 or (high == 1e16 and low < 0):
            exponent -= 1
        else:
            break
    else:
        return 0, 0
    # Half a unit in the last place of a (in its own dtype), scaled like X; below a power
    # of two the next smaller float is half as far, so the window below is half as wide.
    half = _POW10[scale] * _POW2[power - bits - 1 + _POW2_ZERO]
    # X = total + fraction exactly, total a whole number, 0 <= fraction < 1
    floor_low = math.floor(low)
    total = np.uint64(np.int64(high) + np.int64(floor_low))
    fraction = low - floor_low
    width = 2 * half
    k0 = scale + (((power - bits) * 78913) >> 18)  # about floor(log10(width))
    while k0 > 0 and _POW10[k0] > width:
        k0 -= 1
    while k0 < 16 and _POW10[k0 + 1] <= width:
        k0 += 1
    if k0 >= 16:
        return 0, 0
    verdict, m = _fits(total, fraction, k0 + 1, half)
    drop = k0 + 1
    if verdict == 0:
        verdict, m = _fits(total, fraction, k0, half)
        drop = k0
    if verdict != 1:
        return 0, 0
    # strip trailing zeros: 8, 4, 2, 1 at a time (inlined, the constant divisors compile to multiplications)
    m, drop = _strip_zeros(m, drop, np.uint64(100000000), 8)
    m, drop = _strip_zeros(m, drop, np.uint64(10000), 4)
    m, drop = _strip_zeros(m, drop, np.uint64(100), 2)
    m, drop = _strip_zeros(m, drop, np.uint64(10), 1)
    return np.int64(m), drop - scale


def _fits(total, fraction, drop, half):
    """``(verdict, m)``: the decimal ``m * 10**drop`` closest to ``X = total + fraction`` (17 - drop
    digits), and whether it reads back: 1 or 0, or -1 when floating point cannot tell (halfway
    between two decimals that might both read back, or at the very edge of the window)."""
    step = _POW10_U[drop]
    quotient = total // step
    remainder = np.int64(total - quotient * step)
    if drop == 0:
        excess = fraction - 0.5
    else:
        excess = float(remainder - np.int64(step // np.uint64(2))) + fraction
    m = quotient + np.uint64(1) if excess > 0 else quotient
    distance = abs(float(np.int64(m * step) - np.int64(total)) - fraction)  # |m * 10**drop - X|
    if abs(excess) <= _TIE * float(step):  # a tie: both neighbours are about step / 2 away
        return (0 if distance > half * (1 + _TIE) else -1), m
    if abs(distance - half) <= _TIE * half:
        return -1, m
    return (1 if distance < half else 0), m


def _decimals(
    values, bit_patterns, bits, fraction_bits, exponent_mask, bias, tiny, column, kinds, negatives, mantissas, exponents
):
    """Kernel 1: the decimal ``mantissas * 10**exponents``, sign and kind of every value.

    ``values`` is a ``(rows, n)`` block of float32 or float64 and ``bit_patterns`` the
    same memory as int32 or int64 (its exponent field gives each value's binary exponent
    without a call to ``frexp``); the results go to columns ``column ... column + n - 1``.
    """
    mask = (1 << fraction_bits) - 1  # the fraction field: zero for powers of two
    for row in range(values.shape[0]):
        for j in range(values.shape[1]):
            value = values[row, j]
            pattern = bit_patterns[row, j]
            at = column + j
            negatives[row, at] = pattern < 0
            if math.isnan(value):
                kinds[row, at] = _NAN
            elif math.isinf(value):
                kinds[row, at] = _INF
            elif value == 0:
                kinds[row, at] = _FLOAT
                mantissas[row, at] = 0
                exponents[row, at] = 0
            else:
                power = ((pattern >> fraction_bits) & exponent_mask) - bias
                m, e = _shortest(abs(float(value)), power, bits, tiny, pattern & mask == 0)
                kinds[row, at] = _PYTHON if m == 0 else _FLOAT
                mantissas[row, at] = m
                exponents[row, at] = e


# --- kernel 2: text ---------------------------------------------------------------------------------------------


def _put_digits(out, at, m, count, point):
    """Write the ``count`` decimal digits of ``m >= 0`` at ``out[at:]``, with a decimal point
    after the first ``point`` of them when ``0 < point < count``; returns the new end."""
    m = np.uint64(m)  # unsigned: division by a constant becomes a multiplication
    fraction = count - point if 0 < point < count else 0
    end = at + count + (1 if fraction else 0)
    place = end - 1
    for _ in range(fraction):  # right to left: the digits after the point, the point, the rest
        out[place] = np.uint64(48) + m % np.uint64(10)
        m //= np.uint64(10)
        place -= 1
    if fraction:
        out[place] = 46  # .
        place -= 1
    while place >= at:
        out[place] = np.uint64(48) + m % np.uint64(10)
        m //= np.uint64(10)
        place -= 1
    return end


def _digit_count(m):
    """Decimal digits of ``m`` read as unsigned (so -2**63 counts as 2**63)."""
    m = np.uint64(m)
    count = 1
    while count < 20 and m >= _POW10_U[count]:
        count += 1
    return count


def _put_number(out, at, kind, negative, m, e):
    """Write one number as Python's ``repr`` would; returns the new end."""
    if kind == _NAN:
        out[at] = 110  # n
        out[at + 1] = 97  # a
        out[at + 2] = 110  # n
        return at + 3
    if negative:
        out[at] = 45  # -
        at += 1
    if kind == _INF:
        out[at] = 105  # i
        out[at + 1] = 110  # n
        out[at + 2] = 102  # f
        return at + 3
    count = _digit_count(m)
    if kind == _INTEGER:
        return _put_digits(out, at, m, count, 0)
    lead = count - 1 + e  # the power of ten of the first digit
    if -4 <= lead < 16:  # positional, as repr
        if e >= 0:  # a whole number: its digits, e zeros, ".0"
            at = _put_digits(out, at, m, count, 0)
            for _ in range(e):
                out[at] = 48
                at += 1
            out[at] = 46
            out[at + 1] = 48
            return at + 2
        if lead >= 0:  # the point among the digits
            return _put_digits(out, at, m, count, lead + 1)
        out[at] = 48  # "0.", zeros, digits
        out[at + 1] = 46
        at += 2
        for _ in range(-lead - 1):
            out[at] = 48
            at += 1
        return _put_digits(out, at, m, count, 0)
    at = _put_digits(out, at, m, count, 1)  # scientific, as repr: d.ddde+XX
    out[at] = 101  # e
    out[at + 1] = 45 if lead < 0 else 43
    magnitude = abs(lead)
    return _put_digits(out, at + 2, magnitude, 2 if magnitude < 100 else 3, 0)


def _write_rows(kinds, negatives, mantissas, exponents, out):
    """Kernel 2: every row of numbers, comma-separated, ending in a newline; returns the length."""
    at = 0
    last = kinds.shape[1] - 1
    for row in range(kinds.shape[0]):
        for column in range(kinds.shape[1]):
            at = _put_number(
                out, at, kinds[row, column], negatives[row, column], mantissas[row, column], exponents[row, column]
            )
            out[at] = 10 if column == last else 44  # newline or comma
            at += 1
    return at


# --- compiling ---------------------------------------------------------------------------------------------------

# The helpers are inlined: a call passing arrays would cost reference counting per value.
COMPILED = LazyKernels(
    globals(),
    ("_decimals", "_write_rows"),
    helpers=("_two_product", "_strip_zeros", "_shortest", "_fits", "_put_digits", "_digit_count", "_put_number"),
)


# --- Python's part -------------------------------------------------------------------------------------------------


def _python_decimal(value):
    """``(m, e)`` of the shortest text of the float ``value`` in its own dtype (numpy's, as repr's for float64)."""
    text = str(value).lstrip("-")
    mantissa, _, power = text.partition("e")
    integer, _, fraction = mantissa.partition(".")
    digits = (integer + fraction).lstrip("0") or "0"
    m, e = int(digits), int(power or 0) - len(fraction)
    while m and m % 10 == 0:
        m //= 10
        e += 1
    return m, e


def _block_text(values, times):
    """The bytes of rows ``times[i], values[i, 0], ...`` of one block."""
    decimals, write_rows = COMPILED["_decimals"], COMPILED["_write_rows"]
    n_rows, n_columns = values.shape
    kinds = np.empty((n_rows, n_columns + 1), dtype=np.int8)
    negatives = np.empty((n_rows, n_columns + 1), dtype=np.bool_)
    mantissas = np.empty((n_rows, n_columns + 1), dtype=np.int64)
    exponents = np.zeros((n_rows, n_columns + 1), dtype=np.int64)
    for column, data in ((0, times[:, None]), (1, values)):
        width = data.shape[1]
        if data.dtype.kind in "iu":
            if data.dtype == np.uint64 and data.size and data.max() > np.iinfo(np.int64).max:
                return _python_text(values, times)  # beyond int64: rare, plain Python
            data = data.astype(np.int64, copy=False)
            kinds[:, column : column + width] = _INTEGER
            negatives[:, column : column + width] = data < 0
            # -2**63 stays -2**63 here: the text kernel reads it as unsigned, 2**63
            mantissas[:, column : column + width] = np.abs(data)
            continue
        dtype = data.dtype if data.dtype.itemsize in _FLOATS else np.dtype(np.float64)
        bits, fraction_bits, exponent_mask, bias, pattern, tiny = _FLOATS[dtype.itemsize]
        data = np.ascontiguousarray(data, dtype=dtype)
        # the kernel reads float16 as float32 (numba has no float16): same values, float16's ulps
        readable = data.astype(np.float32) if dtype == np.float16 else data
        decimals(
            readable,
            readable.view(pattern),
            bits,
            fraction_bits,
            exponent_mask,
            bias,
            tiny,
            column,
            kinds,
            negatives,
            mantissas,
            exponents,
        )
    for row, index in zip(*np.nonzero(kinds == _PYTHON)):  # rare: Python spells these
        value = times[row] if index == 0 else values[row, index - 1]
        mantissas[row, index], exponents[row, index] = _python_decimal(value)
        kinds[row, index] = _FLOAT
    out = np.empty(kinds.size * 26, dtype=np.uint8)
    return out[: write_rows(kinds, negatives, mantissas, exponents, out)]


def _python_text(values, times):
    """The bytes :func:`_block_text` makes, spelt by Python one value at a time."""
    times = [row[0] for row in _python_columns(np.asarray(times).reshape(-1, 1))]
    lines = [",".join([t, *row]) for t, row in zip(times, _python_columns(values))]
    return ("\n".join(lines) + "\n").encode()


def _python_columns(values):
    """The text of every value, one at a time (the reference the kernels match)."""
    if values.dtype.kind == "f" and values.dtype.itemsize < 8:
        # numpy's shortest digits in the value's own dtype, in repr's layout (positional from 1e-4 to 1e16)
        return [[repr(float(str(v))) for v in row] for row in values]
    return [[repr(v) for v in row] for row in values.tolist()]


def _python_seconds(dtype):
    """About how long Python takes to spell one value of ``dtype``."""
    if dtype.kind != "f":
        return _PYTHON_SECONDS_INTEGER
    return _PYTHON_SECONDS_SHORT_FLOAT if dtype.itemsize < 8 else _PYTHON_SECONDS_FLOAT


def _csv_field(text):
    """``text`` as one CSV field: quoted, with its quotes doubled, when it holds a comma, a quote or a
    line break (as Python's csv module and spreadsheets write it), else as it is.

    Examples
    --------
    >>> _csv_field("x5_y7"), _csv_field("LV, base"), _csv_field('a "b" c')
    ('x5_y7', '"LV, base"', '"a ""b"" c"')
    """
    if any(mark in text for mark in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_csv(handle, traces, names, time, time_name):
    """Write a header and one row per frame to the binary file ``handle``.

    Parameters
    ----------
    handle : binary file
        Where to write (a file opened with ``"wb"``, ``sys.stdout.buffer``).
    traces : ndarray, shape (T, N)
        Integer or float traces.
    names : sequence of str, length N
        Column names of the traces.
    time : ndarray, shape (T,)
        The first column (frame numbers or seconds).
    time_name : str
        Its name.
    """
    n_frames, n_traces = traces.shape
    handle.write((",".join(_csv_field(name) for name in [time_name, *names]) + "\n").encode())
    rows = max(1, _BLOCK_VALUES // (n_traces + 1))
    blocks = [(start, min(start + rows, n_frames)) for start in range(0, n_frames, rows)]
    estimate = n_frames * (n_traces * _python_seconds(traces.dtype) + _python_seconds(time.dtype))
    by_python = not compiled_pays(estimate)

    def text(block):
        start, stop = block
        values, times = np.asarray(traces[start:stop]), np.asarray(time[start:stop])
        if not by_python:
            return _block_text(values, times)
        with standing_in():  # the spelling's time counts toward numba's load, not the writing's
            return _python_text(values, times)

    if by_python or len(blocks) <= 1 or _THREADS == 1:  # (Python holds the GIL: threads would not help)
        for block in blocks:
            handle.write(text(block))
        return
    with ThreadPoolExecutor(max_workers=_THREADS) as pool:
        # at most _THREADS blocks are formatted ahead of the one being written
        pending = [pool.submit(text, block) for block in blocks[:_THREADS]]
        for following in blocks[_THREADS:] + [None] * _THREADS:
            handle.write(pending.pop(0).result())
            if following is not None:
                pending.append(pool.submit(text, following))
            if not pending:
                break
