"""The period of a trace, estimated as seasonal's ``fit_trend`` does when ``period=None``.

The trace minus a broad median trend (a window of about two thirds of the
trace, at most 1023 samples) is cut into segments for a Welch periodogram;
the periods within 90% of the strongest peak, weighted by their power, give
the estimate. A trace without any power left (constant, or a pure trend)
gets the longest period considered, ``min(T // 3, 512)``.

The periodogram is written here with numpy's FFT rather than taken from
``scipy.signal.welch``: importing ``scipy.signal`` takes seconds, which every
first detrend (and every command-line run with ``--detrend``) would pay.
"""

import numpy as np

from ._theil_sen import CHUNK_ELEMENTS
from ._trends import aglet, median_filter, smoothing_window

# As seasonal's guess_trended_period and periodogram_peaks.
_MAX_PERIOD = 512  # longest period considered
_MIN_FFT_CYCLES = 3.0  # at least this many periods of data
_MIN_PERIOD = 4  # shortest period considered
_PEAK_THRESHOLD = 0.9  # periods within this fraction of the strongest
_ZERO_POWER = 1e-8  # spectra with all power below this: no period found


def guess_period_rows(rows):
    """Period of each row: Welch periodogram of the row minus a broad median trend."""
    n_rows, n = rows.shape
    chunk = max(1, CHUNK_ELEMENTS // n)
    if n_rows > chunk:
        return np.concatenate([guess_period_rows(rows[i : i + chunk]) for i in range(0, n_rows, chunk)])
    max_period = min(n // 3, _MAX_PERIOD)
    window = smoothing_window(max_period, 2)
    residual = aglet(median_filter(rows, window), np.full(n_rows, window))
    np.subtract(rows, residual, out=residual)

    longest = int(min(n / _MIN_FFT_CYCLES, _MAX_PERIOD))
    segment = min(longest * 2, n // 2)
    freqs, power = welch_power_spectrum(residual, segment)
    periods = np.rint(1.0 / freqs[1:]).astype(np.int64)
    power = power[:, 1:]
    # Frequencies that round to the same period: keep the largest power.
    starts = np.flatnonzero(np.concatenate([[True], periods[1:] != periods[:-1]]))
    periods = periods[starts]
    power = np.maximum.reduceat(power, starts, axis=1)
    power[:, periods == segment] = 0.0  # the artefact at the segment length
    first = len(periods[periods >= longest]) - 1
    last = len(periods[periods < _MIN_PERIOD])
    periods, power = periods[first:-last], power[:, first:-last]

    result = np.full(n_rows, max_period, dtype=np.int64)
    if periods.size == 0:
        return result
    found = ~np.all(np.isclose(power, 0.0, rtol=0.0, atol=_ZERO_POWER), axis=1)
    for i in np.flatnonzero(found):
        row = power[i]
        peaks = np.flatnonzero(row >= row.max() * _PEAK_THRESHOLD)
        peaks = peaks[np.argsort(-row[peaks], kind="stable")]  # strongest first
        result[i] = int(round(np.average(periods[peaks], weights=row[peaks])))
    return result


def welch_power_spectrum(rows, segment):
    """Welch's power spectrum of each row: frequencies (cycles per sample) and power ``(N, segment // 2 + 1)``.

    The row is cut into segments of ``segment`` samples overlapping by half;
    each loses its mean, is tapered by a periodic Hann window and transformed.
    The squared magnitudes, scaled so that a sinusoid of amplitude ``a`` at a
    frequency of the grid has power ``a**2 / 2``, are averaged over the
    segments (one-sided: every frequency but 0 and the Nyquist frequency
    counts twice). These are ``scipy.signal.welch``'s defaults with
    ``scaling='spectrum'``.

    Examples
    --------
    >>> samples = np.arange(64)
    >>> freqs, power = welch_power_spectrum(3.0 * np.cos(2 * np.pi * samples / 8)[None, :], 16)
    >>> float(freqs[np.argmax(power[0])]), round(float(power[0].max()), 6)
    (0.125, 4.5)
    """
    step = segment - segment // 2
    starts = np.arange(0, rows.shape[1] - segment + 1, step)
    # (N, segments, segment): views of the rows, copied once each segment loses its mean
    segments = np.lib.stride_tricks.sliding_window_view(rows, segment, axis=-1)[:, starts]
    segments = segments - segments.mean(axis=-1, keepdims=True)
    taper = 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(segment) / segment)
    spectra = np.fft.rfft(segments * taper, axis=-1)
    power = (spectra.real**2 + spectra.imag**2).mean(axis=1) / taper.sum() ** 2
    power[:, 1 : (segment + 1) // 2] *= 2.0  # the negative frequencies' share
    return np.fft.rfftfreq(segment), power
