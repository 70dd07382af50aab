"""The Aliev-Panfilov model of an excitable medium, integrated with explicit Euler steps."""

import numpy as np

# Aliev-Panfilov model parameters (dimensionless).
_K = 8.0
_A = 0.15
_EPS0 = 0.002
_MU1 = 0.2
_MU2 = 0.3
_STIM_DURATION = 0.5  # time units (4 ms)
_S2_LEVEL = 0.3
ACTIVATION_LEVEL = 0.5


def simulate(laplacian, n_cells, frames, substeps, dt, stimuli, s2, warmup_steps, strength):
    """Integrate the Aliev-Panfilov model with explicit Euler steps.

    Returns the voltage at every frame, (frames, n_cells) float32, and the
    stimulus onsets in model time units. Time 0 is frame 0; the model starts
    at rest ``warmup_steps`` steps earlier, and what happens before time 0 is
    simulated but not recorded. ``stimuli`` is a list of ``(onset, region)``
    sorted by onset, with boolean regions over the tissue cells, which get
    the current ``strength`` per time unit for ``_STIM_DURATION``; ``s2`` is
    None or ``(region, probe)``: the S2 stimulus of the region starts once the
    S1 wave has excited the probe cell and its voltage has fallen back below
    ``_S2_LEVEL`` (the waveback passes the probe).
    """
    u = np.zeros(n_cells)
    v = np.zeros(n_cells)
    out = np.empty((frames, n_cells), dtype=np.float32)
    currents = {}  # one current vector per distinct region
    pending = []
    for onset, region in stimuli:
        key = id(region)
        if key not in currents:
            currents[key] = region.astype(np.float64) * strength
        pending.append((float(onset), currents[key]))
    pending.reverse()  # pop() gives the next stimulus
    onsets = []
    active = []  # (end, current) of the stimuli being applied
    s2_armed = False
    step = -warmup_steps
    for frame in range(-1, frames):
        if frame < 0:
            n_steps = warmup_steps  # before the recording
        else:
            out[frame] = u
            if frame == frames - 1:
                break
            n_steps = substeps
        for _ in range(n_steps):
            t = step * dt
            while pending and pending[-1][0] <= t:
                onset, current = pending.pop()
                onsets.append(onset)
                active.append((onset + _STIM_DURATION, current))
            if active:
                active = [a for a in active if t < a[0]]
            # du = D lap(u) - k u (u - a)(u - 1) - u v + I, in few array passes
            du = laplacian @ u
            ku = _K * u
            reaction = u - _A
            reaction *= u - 1.0
            reaction *= ku
            reaction += u * v
            du -= reaction
            for _, current in active:
                du += current
            # dv = eps(u, v) (-v - k u (u - a - 1))
            recovery = u - (_A + 1.0)
            recovery *= ku
            recovery += v
            eps = np.maximum(u, -0.2)
            eps += _MU2
            np.divide(v, eps, out=eps)
            eps *= _MU1
            eps += _EPS0
            eps *= recovery
            eps *= dt
            v -= eps
            du *= dt
            u += du
            step += 1
            if s2 is not None:
                region, probe = s2
                if not s2_armed and u[probe] > 0.5:
                    s2_armed = True
                elif s2_armed and u[probe] < _S2_LEVEL:
                    pending.append((step * dt, region.astype(np.float64) * strength))
                    s2 = None
    return out, onsets


def first_crossing(voltage, level):
    """Fractional frame at which each column of ``voltage`` first reaches
    ``level``, interpolated linearly; NaN if it never does."""
    above = voltage >= level
    hit = above.any(axis=0)
    first = above.argmax(axis=0)
    result = np.full(voltage.shape[1], np.nan)
    idx = np.flatnonzero(hit & (first > 0))
    f = first[idx]
    before = voltage[f - 1, idx].astype(np.float64)
    after = voltage[f, idx].astype(np.float64)
    result[idx] = f - 1 + (level - before) / (after - before)
    result[hit & (first == 0)] = 0.0
    return result
