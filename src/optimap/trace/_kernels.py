"""Kernels: traces of one in-memory block of frames, or of its gathered pixels.

* ``reduce_gathered`` turns the footprint's pixels of a block, ``(b, P)``,
  into traces ``(b, N)``: a plain copy for single pixels, weighted sums of
  gathered windows for few positions, one sparse matrix product otherwise.
  NaN pixels are left out of the mean.
* ``extract_block`` takes whole frames ``(b, H, W)``; for ``rect`` windows that
  cover much of the frame it uses separable sliding sums (the box kernel).

Every array source (ndarray, memmap, zarr, HDF5, dask) ends in these functions.
"""

import numpy as np

from ._footprint import accumulator_dtype, clipped_span


def take_pixels(frames, pixels):
    """``frames[:, pixels]`` for flat pixel indices of a ``(b, H, W)`` block, shape ``(b, *pixels.shape)``."""
    flat = np.asarray(frames).reshape(len(frames), -1)
    if flat.flags.c_contiguous:  # np.take is several times faster than fancy indexing here
        return np.take(flat, pixels.ravel(), axis=1).reshape(len(frames), *pixels.shape)
    return flat[:, pixels]


def _nan_aware_divide(sums, valid, acc):
    result = np.full(sums.shape, np.nan, dtype=acc)
    np.divide(sums, valid, out=result, where=valid > 0)
    return result


def _reduce_windows(values, footprint, acc):
    """Means ``(b, N)`` of gathered windows ``(b, N, K)``."""
    _, weights, member = footprint.padded_windows
    # one small matrix-vector product per position (batched; multithreaded BLAS is slower here)
    means = np.matmul(values.transpose(1, 0, 2), weights.astype(acc, copy=False)[:, :, None])[..., 0].T
    if acc.kind == "f" and np.isnan(means).any():  # NaN pixels: leave them out
        present = member & ~np.isnan(values)
        sums = np.einsum("bnk,bnk->bn", np.where(present, values, 0), present.astype(acc))
        return _nan_aware_divide(sums, present.sum(axis=2), acc)
    return means


def _reduce_sparse(gathered, footprint, acc):
    """Means ``(b, N)`` of gathered pixels ``(b, P)`` with one sparse matrix product."""
    values = np.ascontiguousarray(gathered.T)  # (P, b): the layout scipy's CSR product streams over
    mean, membership = footprint.matrices(acc)
    means = mean @ values
    if acc.kind == "f" and np.isnan(means).any():  # NaN pixels: leave them out
        missing = np.isnan(values)
        sums = membership @ np.where(missing, 0, values)
        valid = membership @ (~missing).astype(acc)
        means = _nan_aware_divide(sums, valid, acc)
    return means.T


def reduce_gathered(gathered, footprint, out_dtype):
    """Traces ``(b, N)`` from the footprint's pixels of a block, ``gathered`` ``(b, P)``."""
    if footprint.single_pixel:
        return gathered.astype(out_dtype, copy=False)
    acc = accumulator_dtype(out_dtype)
    values = gathered.astype(acc, copy=False)
    if footprint.uses_few:
        result = _reduce_windows(np.take(values, footprint.padded_columns, axis=1), footprint, acc)
    else:
        result = _reduce_sparse(values, footprint, acc)
    return result.astype(out_dtype, copy=False)


def extract_block(frames, footprint, out_dtype, scratch=None, out=None):
    """Traces ``(b, N)`` of one in-memory block of frames ``(b, H, W)``.

    ``scratch`` (from :func:`make_scratch`) lets one worker reuse its buffers;
    ``out`` receives the result when given.
    """
    frames = np.asarray(frames)
    if footprint.uses_box:
        return _box_block(frames, footprint, out_dtype, scratch, out)
    if footprint.uses_few:  # gather the windows straight from the frames
        acc = accumulator_dtype(out_dtype)
        values = take_pixels(frames, footprint.padded_windows[0]).astype(acc, copy=False)
        result = _reduce_windows(values, footprint, acc).astype(out_dtype, copy=False)
    else:
        result = reduce_gathered(take_pixels(frames, footprint.pixels), footprint, out_dtype)
    if out is not None:
        out[...] = result
    return result


# --- the box kernel -----------------------------------------------------------------------------


class BoxScratch:
    """Buffers of the box kernel, reused from block to block by one worker thread."""

    def __init__(self, footprint, n_frames, acc):
        height, width = footprint.frame_shape
        self.row_sums = np.empty((n_frames, height, width), dtype=acc)
        self.box = np.empty((n_frames, height, width), dtype=acc)


def make_scratch(footprint, n_frames, out_dtype):
    """Reusable buffers for blocks of up to ``n_frames`` frames (None when not needed)."""
    if footprint.uses_box:
        return BoxScratch(footprint, n_frames, accumulator_dtype(out_dtype))
    return None


def _box_counts(footprint):
    """Pixels inside the clipped rect window centred at every pixel of the frame."""
    height, width = footprint.frame_shape
    before, after = footprint.size // 2, footprint.size - 1 - footprint.size // 2
    return np.outer(clipped_span(np.arange(height), before, after, height),
                    clipped_span(np.arange(width), before, after, width))


def _box_pick(footprint, acc):
    """How to pick the centres out of a frame, and their inverse window sizes."""
    cache = footprint.__dict__.setdefault("_box_pick", {})
    if acc not in cache:
        height, width = footprint.frame_shape
        centres = footprint.rows * width + footprint.cols
        inverse = (1.0 / _box_counts(footprint)).astype(acc).ravel()
        start = int(centres[0]) if centres.size else 0
        if np.array_equal(centres, np.arange(start, start + centres.size)):
            pick = slice(start, start + centres.size)  # e.g. every pixel: no gather needed
        else:
            pick = centres
        cache[acc] = (pick, inverse[pick])
    return cache[acc]


def _sliding_sum(values, out, before, after, stride=1):
    """``out[..., i] = sum(values[..., i + k * stride] for k in -before..after)`` along the last
    axis, leaving out what falls off either end. One pass per window element, no padded
    copy: the first two offsets are added straight into ``out``."""
    n = values.shape[-1]
    if before >= 1 and n > stride:
        np.add(values[..., stride:], values[..., :-stride], out=out[..., stride:], dtype=out.dtype)
        np.copyto(out[..., :stride], values[..., :stride], casting="unsafe")
        done = (0, -1)
    else:
        np.copyto(out, values, casting="unsafe")
        done = (0,)
    for offset in range(-before, after + 1):
        shift = abs(offset) * stride
        if offset in done or shift >= n:
            continue
        if offset > 0:  # out[i] += values[i + shift]
            out[..., : n - shift] += values[..., shift:]
        else:  # out[i] += values[i - shift]
            out[..., shift:] += values[..., : n - shift]
    return out


def _box_sums(frames, row_sums, box, before, after):
    """Sums over every clipped rect window of contiguous frames ``(b, H, W)``.

    Both passes run over flat views, so numpy streams long contiguous runs:
    along rows the flat shift wraps from one row into the next, which only the
    first ``before`` and last ``after`` columns see, and those are redone; down
    columns a shift by whole rows stops exactly at the frame's top and bottom.
    """
    n, height, width = frames.shape
    _sliding_sum(frames.reshape(-1), row_sums.reshape(-1), before, after)
    for col in (*range(min(before, width)), *range(max(width - after, before), width)):
        low, high = max(0, col - before), min(width, col + after + 1)
        np.sum(frames[:, :, low:high], axis=2, out=row_sums[:, :, col], dtype=row_sums.dtype)
    _sliding_sum(row_sums.reshape(n, -1), box.reshape(n, -1), before, after, stride=width)
    return box


def _box_block(frames, footprint, out_dtype, scratch=None, out=None):
    size = footprint.size
    before, after = size // 2, size - 1 - size // 2
    acc = accumulator_dtype(out_dtype)
    n = len(frames)
    if scratch is None or scratch.box.shape[0] < n or scratch.box.dtype != acc:
        scratch = BoxScratch(footprint, n, acc)
    row_sums, box = scratch.row_sums[:n], scratch.box[:n]
    if size <= 16:
        _box_sums(np.ascontiguousarray(frames), row_sums, box, before, after)
    else:  # long windows: differences of cumulative sums, in float64 for accuracy
        height, width = footprint.frame_shape
        padded = np.zeros((n, height + size, width + size))
        padded[:, before + 1 : before + 1 + height, before + 1 : before + 1 + width] = frames
        cumulative = padded.cumsum(axis=2).cumsum(axis=1)
        box[...] = (
            cumulative[:, size:, size:]
            - cumulative[:, :height, size:]
            - cumulative[:, size:, :width]
            + cumulative[:, :height, :width]
        )
    pick, inverse = _box_pick(footprint, acc)
    flat = box.reshape(n, -1)
    picked = flat[:, pick] if isinstance(pick, slice) else np.take(flat, pick, axis=1)
    direct = out is not None and out.dtype == acc
    result = np.multiply(picked, inverse, out=out if direct else None)
    if acc.kind == "f" and not np.isfinite(result.sum()):
        # NaN or inf pixels: redo this block with the NaN-aware sparse kernel.
        result = reduce_gathered(take_pixels(frames, footprint.pixels), footprint, out_dtype)
    elif direct:
        return out
    result = result.astype(out_dtype, copy=False)
    if out is not None:
        out[...] = result
    return result
