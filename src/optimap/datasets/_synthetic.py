"""Synthetic cardiac optical-mapping recordings.

A 2-D Aliev-Panfilov excitable medium is simulated on a heart-shaped piece of
tissue, and its normalised voltage is rendered as the fluorescence a camera
records through a voltage-sensitive dye such as di-4-ANEPPS: a few percent drop
of a bright, uneven baseline on depolarisation, photobleaching, a dark
background and camera noise.

The recording is made in four steps, each in its own module: the geometry of
the heart and of the simulation grid (:mod:`._heart`), the pacing protocol
(:func:`_pacing`, here), the model (:mod:`._model`) and the optics of the
camera (:mod:`._optics`). This module holds the public function, its options
and the protocols, and the demo's processing in one function (:func:`action_potentials`).

These modules are loaded when a recording is first made (``optimap.datasets``
is lazy), so they import scipy at the top.
"""

import math

import numpy as np

from .._validate import as_float, as_int
from ._heart import Geometry, heart_tissue, nearest_on_mask
from ._model import simulate
from ._optics import BACKGROUND, render_maps, render_video

__all__ = ["synthetic_recording"]


# One dimensionless time unit of the model, in milliseconds. With it an action
# potential lasts about 180 ms from rest, 110-170 ms when paced every 0.3-1 s
# (restitution), and the medium follows pacing down to about 300 ms.
_MS_PER_UNIT = 8.0

# Numerical and tissue parameters of the two protocols. ``cells`` is the size
# of the simulation grid across the height of the heart, ``diffusion`` the
# diffusion coefficient in grid cells**2 per time unit (it sets the conduction
# velocity: the wave needs about 80 ms to cross the heart when paced, and
# slowed conduction makes room for a rotor in "spiral" mode). ``current`` is
# the stimulus current per time unit: about 1.7 times the threshold of the
# small pacing site, which is then not driven beyond the peak of its action
# potential; the large S1 and S2 regions of "spiral" mode get more.
_PROTOCOLS = {
    "point": {"cells": 48, "diffusion": 10.0, "current": 3.0},
    "spiral": {"cells": 84, "diffusion": 1.0, "current": 4.0},
}

_FIRST_STIMULUS = 0.05  # seconds
# Point pacing: the heart has been paced at the same cycle length for up to
# _PREPACE_BEATS beats within the last _PREPACE_TIME seconds before the
# recording starts (a paced steady state; none for cycle lengths over 2 s).
_PREPACE_BEATS = 4
_PREPACE_TIME = 2.0  # seconds
_MAX_DURATION = 600.0  # seconds of recording that may be simulated
# Cross-field protocol: S2 covers the lower left quadrant of the heart and is
# given when the S1 waveback passes its corner (voltage back below _S2_LEVEL).
_S2_X = 0.0


def synthetic_recording(
    shape=(128, 128),
    frames=1000,
    fps=500,
    seed=0,
    *,
    pacing="point",
    pacing_site=None,
    cycle_length=0.35,
    noise=1.0,
):
    """Simulate a cardiac optical-mapping video with a voltage-sensitive dye.

    Electrical activity is simulated with the 2-D Aliev-Panfilov model of an
    excitable medium on a heart-shaped tissue (no-flux boundary at its edge)
    and rendered as the fluorescence a camera records through an inverted
    voltage dye such as di-4-ANEPPS: depolarisation lowers the fluorescence by
    a few percent (about -4 to -7 %) of a bright, spatially uneven baseline,
    which photobleaches exponentially (by about 20 % over two seconds). The
    background outside the heart is dark, and shot and read noise of the
    camera are added. The model is simulated on a coarse grid (about 50 cells
    across the heart when paced, 85 in ``"spiral"`` mode) and interpolated
    bilinearly to `shape`; one model time unit is 8 ms, so an action
    potential lasts about 180 ms from rest and, as in real hearts, less at
    faster pacing (about 120 ms to 90 % repolarisation when paced every
    350 ms), a paced beat takes about 80 ms to cross the heart, and the
    spiral wave turns once in about 300 ms.

    Parameters
    ----------
    shape : tuple of two int, default (128, 128)
        Height and width of a frame in pixels, each at least 16.
    frames : int, default 1000
        Number of frames, at least 1. The recording, ``(frames - 1) / fps``,
        may last at most 600 s (simulating one second takes about 0.2 s;
        ``"point"`` pacing adds up to 2 s of pacing before the recording).
    fps : float, default 500
        Frame rate in frames per second; frame ``i`` is the voltage at time
        ``i / fps`` seconds.
    seed : int or None, default 0
        Seed of :func:`numpy.random.default_rng`. The same seed gives the same
        video; another seed gives other noise and slightly different heart
        geometry, brightness and pacing site. None draws fresh entropy.
    pacing : {"point", "spiral"}, default "point"
        ``"point"``: the heart is paced periodically from a small site near
        the apex, first at 0.05 s and then every `cycle_length` seconds. It
        was paced the same way before the recording starts (the up to four
        earlier stimuli that fall within the 2 s before time 0 are simulated,
        not recorded), so every recorded beat, the first one included, is in
        the paced steady state, and the 50 ms before the first stimulus are
        diastole like any other. Only with cycle lengths over 2.05 s is the
        heart at rest before the first stimulus.
        ``"spiral"``: a single rotating (spiral) wave is started by a
        cross-field S1-S2 protocol, a plane wave from the left side of the
        heart followed by a stimulus of the lower half in its wake.
    pacing_site : tuple of two numbers, optional
        Pacing site ``(x, y)`` = (column, row) in pixels for ``"point"``
        pacing; it must lie on the tissue. By default a site near the apex.
        Not allowed with ``"spiral"``.
    cycle_length : float, default 0.35
        Pacing cycle length in seconds for ``"point"`` pacing, at least 0.3
        (the tissue does not follow faster pacing one to one).
    noise : float, default 1.0
        Scale of the camera noise; 0 gives a noise-free (but still rounded)
        video.

    Returns
    -------
    video : numpy.ndarray of uint16, shape (frames, height, width)
        The fluorescence in camera counts: about 1000-3500 on the tissue and
        about 100 in the background. The pixel at ``(x, y)`` is
        ``video[:, y, x]``.
    info : dict
        Metadata of the recording:

        ``"fps"`` : float
            Frame rate.
        ``"dt"`` : float
            Time between frames in seconds, ``1 / fps``.
        ``"times"`` : numpy.ndarray of float, shape (frames,)
            Time of each frame in seconds, ``arange(frames) / fps``.
        ``"mask"`` : numpy.ndarray of bool, shape (height, width)
            True on the tissue (one connected, heart-shaped region).
        ``"pacing"`` : str
            The pacing protocol, ``"point"`` or ``"spiral"``.
        ``"pacing_site"`` : tuple of two int
            ``(x, y)`` pixel of the pacing site; for ``"spiral"`` the centre
            of the S1 stimulus at the left side of the heart.
        ``"stimulus_times"`` : numpy.ndarray of float
            Onset in seconds of each stimulus given during the recording,
            from time 0 on (for ``"spiral"``: S1 and, once the S1 wave has
            passed the centre of the heart, S2).
        ``"cycle_length"`` : float or None
            Pacing cycle length in seconds; None for ``"spiral"``.
        ``"activation_times"`` : numpy.ndarray of float, shape (height, width)
            Time in seconds at which the simulated (noise-free, normalised)
            voltage of each pixel first reaches 0.5, about half of the
            action-potential amplitude, interpolated linearly between frames;
            NaN off the tissue and on tissue not activated during the
            recording.
        ``"baseline"`` : numpy.ndarray of float32, shape (height, width)
            Noise-free fluorescence at rest at time 0, in counts.
        ``"dff"`` : numpy.ndarray of float32, shape (height, width)
            Fractional fluorescence change of a full action potential (about
            -0.04 to -0.07 on the tissue, 0 off it).
        ``"seed"`` : int or None
            The seed.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If an argument is out of range, e.g. `shape` smaller than 16 pixels,
        an unknown `pacing`, or a `pacing_site` off the tissue.

    Notes
    -----
    The model is :math:`\\partial_t u = D\\nabla^2 u - k u (u - a)(u - 1) -
    u v + I_{stim}` and :math:`\\partial_t v = \\varepsilon(u, v)(-v - k u
    (u - a - 1))` with :math:`\\varepsilon = \\varepsilon_0 + \\mu_1 v / (u +
    \\mu_2)`, :math:`k = 8`, :math:`a = 0.15`, :math:`\\varepsilon_0 =
    0.002`, :math:`\\mu_1 = 0.2`, :math:`\\mu_2 = 0.3`, integrated with
    explicit Euler steps; the fluorescence is :math:`F = F_0(x, y)\\,b(x, y,
    t)\\,(1 + \\Delta F/F(x, y)\\,u)` plus the camera offset and noise, with the
    bleaching :math:`b = 0.6 + 0.4\\,e^{-t/\\tau}`, :math:`\\tau \\approx 3`
    s. The model starts at rest (:math:`u = v = 0`) at time 0, or for
    ``"point"`` pacing at the first of the earlier stimuli.

    Examples
    --------
    >>> from optimap.datasets import synthetic_recording
    >>> video, info = synthetic_recording(shape=(32, 32), frames=60, fps=500)
    >>> video.shape, video.dtype
    ((60, 32, 32), dtype('uint16'))
    >>> info["mask"].shape, float(info["fps"])
    ((32, 32), 500.0)
    >>> x, y = info["pacing_site"]
    >>> bool(info["mask"][y, x])
    True
    >>> int(video[0][~info["mask"]].mean()) < 300 < int(video[0][info["mask"]].mean())
    True
    """
    shape, frames, fps, seed, pacing, pacing_site, cycle_length, noise = _validate(
        shape, frames, fps, seed, pacing, pacing_site, cycle_length, noise
    )
    rng = np.random.default_rng(seed)
    geometry = Geometry(shape, rng)
    protocol = _PROTOCOLS[pacing]
    tissue = heart_tissue(shape, geometry, protocol)
    times = np.arange(frames) / fps
    stimuli, s2, warmup, site = _pacing(pacing, pacing_site, tissue, geometry, rng, frames, fps, cycle_length)

    # Simulate, recording the voltage of the tissue cells at every frame.
    frame_units = 1000.0 / (fps * _MS_PER_UNIT)
    dt_max = min(0.04, 0.2 / protocol["diffusion"])
    substeps = max(1, int(math.ceil(frame_units / dt_max - 1e-9)))
    dt = frame_units / substeps
    warmup_steps = int(math.ceil(warmup / dt - 1e-9))
    voltage, onsets_units = simulate(
        tissue.laplacian, tissue.n_cells, frames, substeps, dt, stimuli, s2, warmup_steps, protocol["current"]
    )
    stimulus_times = np.asarray(onsets_units, dtype=np.float64) * _MS_PER_UNIT / 1000.0
    stimulus_times = stimulus_times[(stimulus_times >= 0) & (stimulus_times <= times[-1])]

    baseline, dff, tau = render_maps(shape, tissue.mask, geometry, rng)
    video, tissue_activation = render_video(
        voltage, tissue.interpolation, tissue.mask, baseline, dff, tau, times, fps, noise, rng
    )
    activation = np.full(shape, np.nan)
    activation[tissue.mask] = tissue_activation

    info = {
        "fps": float(fps),
        "dt": 1.0 / float(fps),
        "times": times,
        "mask": tissue.mask,
        "pacing": pacing,
        "pacing_site": (int(site[0]), int(site[1])),
        "stimulus_times": stimulus_times,
        "cycle_length": float(cycle_length) if pacing == "point" else None,
        "activation_times": activation,
        "baseline": (baseline + BACKGROUND).astype(np.float32),
        "dff": dff.astype(np.float32),
        "seed": seed,
    }
    return video, info


# --------------------------------------------------------------------------
# Pacing: which cells are stimulated, and when


def _pacing(pacing, pacing_site, tissue, geometry, rng, frames, fps, cycle_length):
    """The stimuli ``[(onset in model time units, cell region)]``, the S2 stimulus (or None),
    the model time simulated before frame 0, and the pacing site ``(x, y)`` in pixels."""
    mask, cell, half = tissue.mask, tissue.cell, tissue.half
    heart_x, heart_y = geometry.to_heart(tissue.grid_cols[tissue.cells], tissue.grid_rows[tissue.cells])
    site_jitter = rng.uniform(-1.0, 1.0, size=2)  # drawn always: same noise
    if pacing == "point":
        if pacing_site is None:
            site_heart = (0.05 + 0.05 * site_jitter[0], -0.78 + 0.04 * site_jitter[1])
            site = geometry.to_pixel(*site_heart)
            site = nearest_on_mask(site, mask)
        else:
            site = (int(round(pacing_site[0])), int(round(pacing_site[1])))
            if not mask[site[1], site[0]]:
                raise ValueError(
                    f"pacing_site {pacing_site!r} is not on the tissue; pick an "
                    "(x, y) = (column, row) pixel where info['mask'] is True"
                )
        site_x = (site[0] - geometry.cx) / cell + half
        site_y = (site[1] - geometry.cy) / cell + half
        cell_rows, cell_cols = np.nonzero(tissue.cells)
        dist = np.hypot(cell_cols - site_x, cell_rows - site_y)
        region = dist <= max(2.5, dist.min() + 1.5)
        recorded = int(max(0.0, (frames - 1) / fps - _FIRST_STIMULUS) // cycle_length) + 1
        earlier = min(_PREPACE_BEATS, int((_PREPACE_TIME + _FIRST_STIMULUS) // cycle_length))
        onsets = _FIRST_STIMULUS + cycle_length * np.arange(-earlier, recorded)
        stimuli = [(t * 1000.0 / _MS_PER_UNIT, region) for t in onsets]
        warmup = max(0.0, -onsets[0]) * 1000.0 / _MS_PER_UNIT  # model time units
        return stimuli, None, warmup, site
    # cross-field S1-S2: a plane wave from the left, then the lower left quadrant in its wake
    left = heart_x.min()
    region = heart_x <= left + 0.18
    center = np.argmin(np.hypot(heart_x - _S2_X, heart_y))
    stimuli = [(_FIRST_STIMULUS * 1000.0 / _MS_PER_UNIT, region)]
    s2 = ((heart_y <= 0.0) & (heart_x <= _S2_X), center)
    pix_rows, pix_cols = np.nonzero(mask)
    pix_heart_x, _ = geometry.to_heart(pix_cols.astype(float), pix_rows.astype(float))
    s1_pixels = pix_heart_x <= pix_heart_x.min() + 0.18
    site = (int(round(pix_cols[s1_pixels].mean())), int(round(pix_rows[s1_pixels].mean())))
    return stimuli, s2, 0.0, nearest_on_mask(site, mask)


# --------------------------------------------------------------------------
# Validation


def _validate(shape, frames, fps, seed, pacing, pacing_site, cycle_length, noise):
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__len__") or len(shape) != 2:
        raise TypeError(f"shape must be a tuple of two ints (height, width), got {shape!r}")
    shape = tuple(as_int(n, "shape", strict=True) for n in shape)
    if min(shape) < 16:
        raise ValueError(f"shape must be at least (16, 16) pixels, got {shape!r}")
    frames = as_int(frames, "frames", minimum=1, strict=True)
    fps = as_float(fps, "fps")
    if not (math.isfinite(fps) and fps > 0):
        raise ValueError(f"fps must be a positive finite number, got {fps!r}")
    duration = (frames - 1) / fps
    if duration > _MAX_DURATION:
        raise ValueError(
            f"frames / fps: the recording would last {duration:.6g} s; at most "
            f"{_MAX_DURATION:g} s can be simulated (use fewer frames or a higher fps)"
        )
    if seed is not None:
        seed = as_int(seed, "seed", minimum=0, strict=True)
    if not isinstance(pacing, str) or pacing not in _PROTOCOLS:
        raise ValueError(f"pacing must be one of 'point', 'spiral', got {pacing!r}")
    if pacing_site is not None:
        pacing_site = _check_site(pacing_site, pacing, shape)
    cycle_length = as_float(cycle_length, "cycle_length", what="a number of seconds >= 0.3")
    if not (math.isfinite(cycle_length) and cycle_length >= 0.3):
        raise ValueError(f"cycle_length must be a finite number of seconds >= 0.3, got {cycle_length!r}")
    noise = as_float(noise, "noise", what="a number >= 0")
    if not (math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    return shape, frames, fps, seed, pacing, pacing_site, cycle_length, noise


def _check_site(pacing_site, pacing, shape):
    if pacing != "point":
        raise ValueError(f"pacing_site can only be given with pacing='point', got pacing={pacing!r}")
    if isinstance(pacing_site, (str, bytes)) or not hasattr(pacing_site, "__len__") or len(pacing_site) != 2:
        raise TypeError(f"pacing_site must be a pair of numbers (x, y) = (column, row), got {pacing_site!r}")
    x, y = (as_float(p, "pacing_site", what="a pair of numbers (x, y) = (column, row)") for p in pacing_site)
    if not (math.isfinite(x) and math.isfinite(y) and -0.5 <= x < shape[1] - 0.5 and -0.5 <= y < shape[0] - 0.5):
        raise ValueError(
            f"pacing_site {pacing_site!r} is outside the frame; x must be in "
            f"[0, {shape[1] - 1}] and y in [0, {shape[0] - 1}]"
        )
    return x, y


# --------------------------------------------------------------------------
# Reading it back: the processing of the demo (``optimap-trace demo``)


def action_potentials(traces):
    """Action potentials from fluorescence traces of an inverted voltage dye: the demo's processing.

    What ``optimap-trace demo`` does to the traces of a
    :func:`synthetic_recording`, written with the public functions: ΔF/F
    against a bleaching baseline fitted to diastole
    (:func:`optimap.trace.delta_f_over_f` with ``inverted=True``), inverted
    since the fluorescence of di-4-ANEPPS drops on depolarisation, and
    scaled to [0, 1] (:func:`optimap.trace.normalize`). The demo runs it as
    the command line's ``--dff --normalize --invert`` (which inverts after
    scaling); the two agree to rounding, and the tests and the README's
    figures use this one.

    Parameters
    ----------
    traces : array_like, shape (T,) or (T, N)
        Fluorescence traces, e.g. from ``optimap.trace.extract_traces``, with
        at least 8 samples; their baselines must stay positive.

    Returns
    -------
    numpy.ndarray of float64, same shape as `traces`
        Action potentials pointing up: 0 at the lowest and 1 at the highest
        value of each trace.

    Examples
    --------
    >>> import numpy as np
    >>> from optimap.datasets._synthetic import action_potentials
    >>> t = np.arange(1000) / 500  # seconds
    >>> beats = (t % 0.35 < 0.1).astype(float)  # a 100 ms beat every 350 ms
    >>> fluorescence = 3000 * (0.6 + 0.4 * np.exp(-t / 3)) * (1 - 0.05 * beats)
    >>> ap = action_potentials(fluorescence)
    >>> diastole, systole = ap[beats == 0], ap[beats == 1]
    >>> print(f"diastole {diastole.min():.2f}-{diastole.max():.2f}, "
    ...       f"beats {systole.min():.2f}-{systole.max():.2f}")
    diastole 0.00-0.00, beats 1.00-1.00
    """
    from optimap.trace import delta_f_over_f, normalize

    return normalize(-delta_f_over_f(traces, inverted=True), dtype=np.float64)
