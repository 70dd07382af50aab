"""The camera's view: uneven illumination and dye loading, the dye's response, bleaching and noise."""

import numpy as np
from scipy import ndimage

from ._model import ACTIVATION_LEVEL, first_crossing

# Rendering.
BACKGROUND = 100.0  # camera offset, counts
_BRIGHTNESS = 3300.0  # brightest baseline fluorescence, counts above offset
_DFF = 0.055  # mean fractional fluorescence drop of a full action potential
_BLEACH_TAU = 3.0  # seconds
_BLEACH_FLOOR = 0.6  # fraction of fluorescence that does not bleach
_SHOT_GAIN = 0.2  # shot-noise variance per count of signal
_READ_NOISE = 3.0  # counts
_BLOCK_PIXELS = 1 << 21  # pixels rendered at a time


def _smooth_field(shape, rng, modes=6, max_freq=1.5):
    """Smooth random field in [-1, 1]: a few low-frequency Fourier modes."""
    height, width = shape
    scale = max(height, width)
    y = (np.arange(height) - (height - 1) / 2.0)[:, np.newaxis] / scale
    x = (np.arange(width) - (width - 1) / 2.0)[np.newaxis, :] / scale
    field = np.zeros(shape)
    for _ in range(modes):
        fx, fy = rng.uniform(-max_freq, max_freq, size=2)
        phase = rng.uniform(0, 2 * np.pi)
        amp = rng.uniform(0.5, 1.0)
        field += amp * np.cos(2 * np.pi * (fx * x + fy * y) + phase)
    peak = np.abs(field).max()
    return field / peak if peak > 0 else field


def render_maps(shape, mask, geometry, rng):
    """Baseline fluorescence (counts above offset), dF/F and bleaching tau."""
    height, width = shape
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float64)
    # Illumination: a broad spot slightly off centre plus a linear gradient.
    size = max(height, width)
    spot_x = geometry.cx + rng.uniform(-0.15, 0.15) * width
    spot_y = geometry.cy + rng.uniform(-0.15, 0.15) * height
    r2 = ((cols - spot_x) ** 2 + (rows - spot_y) ** 2) / (0.55 * size) ** 2
    angle = rng.uniform(0, 2 * np.pi)
    gradient = ((cols - geometry.cx) * np.cos(angle) + (rows - geometry.cy) * np.sin(angle)) / size
    illumination = (0.55 + 0.45 * np.exp(-r2)) * (1.0 + 0.35 * gradient)
    # Uneven dye loading and tissue thickness.
    loading = 1.0 + 0.12 * _smooth_field(shape, rng)
    # The curved surface and thinner tissue at the edge look darker.
    depth = ndimage.distance_transform_edt(mask)
    edge = 1.0 - 0.45 * np.exp(-depth / max(1.0, 0.12 * geometry.scale))
    tissue = _BRIGHTNESS * illumination * loading * edge * mask
    # Scattered light around the heart.
    halo = 0.06 * ndimage.gaussian_filter(tissue, sigma=max(1.0, 0.03 * size))
    baseline = np.where(mask, tissue, halo)

    dff = -_DFF * (1.0 + 0.15 * _smooth_field(shape, rng, modes=4)) * mask
    tau = _BLEACH_TAU * (1.0 + 0.1 * _smooth_field(shape, rng, modes=3))
    return baseline, dff, tau


def render_video(voltage, interp, mask, baseline, dff, tau, times, fps, noise, rng):
    """Render the fluorescence video, a block of frames at a time.

    Returns the uint16 video and the activation time (s) of each tissue pixel.
    """
    frames = times.size
    height, width = mask.shape
    video = np.empty((frames, height, width), dtype=np.uint16)
    flat_video = video.reshape(frames, -1)
    tissue = np.flatnonzero(mask.ravel())
    outside = np.flatnonzero(~mask.ravel())
    background = baseline.ravel()[outside].astype(np.float32)
    tissue_base = baseline.ravel()[tissue].astype(np.float32)
    tissue_dff = dff.ravel()[tissue].astype(np.float32)
    tissue_tau = tau.ravel()[tissue].astype(np.float32)
    floor = np.float32(_BLEACH_FLOOR)
    activation = np.full(tissue.size, np.nan)
    previous = None
    chunk = max(1, _BLOCK_PIXELS // (height * width))
    for start in range(0, frames, chunk):
        stop = min(frames, start + chunk)
        # Voltage of the tissue pixels, (frames, pixels).
        pixel_voltage = np.asarray((interp @ voltage[start:stop].T).T, dtype=np.float32)

        # First activation, continuing from the last frame of the last block.
        todo = np.flatnonzero(np.isnan(activation))
        if todo.size:
            if previous is None:
                crossing = first_crossing(pixel_voltage[:, todo], ACTIVATION_LEVEL)
                activation[todo] = (start + crossing) / fps
            else:
                segment = np.vstack([previous[np.newaxis, todo], pixel_voltage[:, todo]])
                crossing = first_crossing(segment, ACTIVATION_LEVEL)
                activation[todo] = (start - 1 + crossing) / fps
        previous = pixel_voltage[-1]

        t = times[start:stop, np.newaxis].astype(np.float32)
        bleach = floor + (1 - floor) * np.exp(-t / tissue_tau)
        block = np.empty((stop - start, height * width), dtype=np.float32)
        block[:, tissue] = tissue_base * bleach * (1 + tissue_dff * pixel_voltage)
        block[:, outside] = background
        if noise > 0:
            # Shot noise grows with the square root of the signal; read noise
            # is constant.
            std = np.sqrt(_SHOT_GAIN * np.maximum(block, 0) + _READ_NOISE**2)
            std *= np.float32(noise)
            block += std * rng.standard_normal(block.shape, dtype=np.float32)
        block += np.float32(BACKGROUND)
        np.rint(block, out=block)
        np.clip(block, 0, np.iinfo(np.uint16).max, out=block)
        flat_video[start:stop] = block
    return video, activation
