"""Synthetic signals shared by the tests and the benchmarks."""

import numpy as np


def beat_shape(phase, period):
    """An optical action potential at ``phase`` samples into each ``period``: a fast upstroke
    (2 % of the period), a slowly falling plateau (30 %), then an exponential repolarisation."""
    upstroke, plateau, tau = 0.02 * period, 0.3 * period, 0.08 * period
    return np.where(
        phase < upstroke,
        phase / upstroke,
        np.where(
            phase < upstroke + plateau,
            1.0 - 0.1 * (phase - upstroke) / plateau,
            0.9 * np.exp(-(phase - upstroke - plateau) / tau),
        ),
    )
