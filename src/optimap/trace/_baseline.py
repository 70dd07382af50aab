"""``delta_f_over_f``: fluorescence relative to a slow baseline fitted to the resting samples.

Photobleaching makes the whole fluorescence fade, the action potentials with
it. A trend subtracted from the trace (``detrend_timeseries``) leaves the
beats fading; dividing by a baseline fitted to the resting (diastolic)
samples alone removes the bleaching of both.
"""

import numpy as np

from .._validate import as_int, check_traces

_ROUNDS = 3  # rounds of picking resting samples and refitting
_REST_BAND = 0.25  # resting samples: within this share of the swing of the resting level
_TRUSTED = 0.1  # the fit holds this share of the resting samples' span beyond them, then a line goes on


def delta_f_over_f(traces, *, inverted=False, degree=3):
    """ΔF/F of each trace against a slow baseline fitted to its resting samples.

    For each trace (column) :math:`F(t)`:

    1. The baseline :math:`F_0(t)` is a polynomial of ``degree`` in time,
       fitted by least squares to the resting (diastolic) samples only: those
       within a quarter of the trace's swing of its resting level, picked in
       three rounds that start from a fit to all samples. (A fit to every
       sample, as a detrend does, follows the beats too.) Before the first
       resting sample and after the last one (a trace cut during a beat) the
       baseline goes on in a straight line with the polynomial's slope,
       from a tenth of the resting samples' span beyond them in the last fit.
    2. The result is :math:`F / F_0 - 1`: dividing, not subtracting, removes the
       bleaching of the action potentials as well, which fade with the dye.

    Parameters
    ----------
    traces : array_like, shape (T,) or (T, N)
        Fluorescence traces (positive), e.g. from :func:`extract_traces`.
    inverted : bool, optional
        True for dyes whose fluorescence drops on depolarisation (voltage dyes
        such as di-4-ANEPPS): the resting level is then the bright one. By
        default it is the dark one (calcium dyes, most voltage-sensitive
        proteins).
    degree : int, optional
        Degree of the baseline polynomial, by default 3 (bleaching over a few
        seconds); 1 for a straight line.

    Returns
    -------
    ndarray of float64, same shape as ``traces``
        ΔF/F: 0 at rest, negative on depolarisation for inverted dyes. A
        constant trace gives zeros.

    Raises
    ------
    ValueError
        If ``traces`` is not 1-D or 2-D, has fewer than ``2 * (degree + 1)``
        samples, holds NaN or infinite values, or a fitted baseline is not
        positive (the data are not fluorescence above zero).

    Examples
    --------
    >>> import numpy as np
    >>> from optimap.trace import delta_f_over_f
    >>> t = np.arange(1000) / 500                        # 2 s at 500 fps
    >>> beats = (t % 0.35 < 0.1).astype(float)           # a 100 ms beat every 350 ms
    >>> bleaching = 0.6 + 0.4 * np.exp(-t / 3)
    >>> fluorescence = 3000 * bleaching * (1 - 0.05 * beats)    # the dye dims by 5 %
    >>> dff = delta_f_over_f(fluorescence, inverted=True)
    >>> print(f"rest {abs(dff[beats == 0]).max():.3f}, beats {dff[beats == 1].min():.3f} to {dff[beats == 1].max():.3f}")
    rest 0.000, beats -0.050 to -0.050
    """
    if not isinstance(inverted, (bool, np.bool_)):
        raise TypeError(f"inverted must be True or False, got {inverted!r}")
    degree = as_int(degree, "degree", minimum=0)
    data = check_traces(traces).astype(np.float64)  # a copy: the input is never changed
    n_samples, n_traces = data.shape
    if n_samples < 2 * (degree + 1):
        raise ValueError(f"traces must have at least {2 * (degree + 1)} samples for degree={degree}, got {n_samples}")
    if not np.isfinite(data).all():
        raise ValueError("traces must be finite: no NaN or infinite values")
    time = np.linspace(-1.0, 1.0, n_samples)
    design = np.vander(time, degree + 1)
    result = np.empty_like(data)
    for j in range(n_traces):
        result[:, j] = _relative_to_rest(data[:, j], time, design, inverted, j)
    return result if np.ndim(traces) == 2 else result[:, 0]


def _held_to_rest(baseline, coefficients, time, resting, trusted):
    """``baseline`` continued in a straight line, with the polynomial's slope there, from ``trusted``
    times the resting samples' span before the first of them and after the last one: a trace cut
    during a beat has no rest to fit there. Over a short gap the polynomial follows the bleaching's
    curve; over a long one a cubic runs away (ΔF/F several times too large at a cut)."""
    first, last = np.flatnonzero(resting)[[0, -1]]
    reach = int(trusted * (last - first))
    start, stop = max(first - reach, 0), min(last + reach, len(baseline) - 1)
    slope = np.polyder(coefficients)
    for edge, outside in ((start, slice(None, start)), (stop, slice(stop + 1, None))):
        baseline[outside] = baseline[edge] + np.polyval(slope, time[edge]) * (time[outside] - time[edge])
    return baseline


def _relative_to_rest(trace, time, design, inverted, column):
    """``trace / baseline - 1`` with the baseline fitted to the resting samples, in rounds."""
    if (trace == trace[0]).all():
        if trace[0] <= 0:
            raise ValueError(f"traces column {column} is constant and not positive ({trace[0]!r}): not fluorescence")
        return np.zeros_like(trace)
    resting = np.ones(trace.size, dtype=bool)
    for round_ in range(_ROUNDS + 1):
        coefficients = np.linalg.lstsq(design[resting], trace[resting], rcond=None)[0]
        # while the resting samples are picked, a line beyond them; then the fit a little further
        trusted = _TRUSTED if round_ == _ROUNDS else 0.0
        baseline = _held_to_rest(design @ coefficients, coefficients, time, resting, trusted)
        if baseline.min() <= 0:
            raise ValueError(
                f"traces column {column}: the baseline fitted to its resting samples is not positive; "
                "delta_f_over_f needs fluorescence (values above zero)"
            )
        ratio = trace / baseline
        if round_ < _ROUNDS:
            low, high = np.percentile(ratio, [5, 95])
            band = _REST_BAND * (high - low)
            resting = ratio >= high - band if inverted else ratio <= low + band
    return ratio - 1.0
