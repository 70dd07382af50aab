"""The plan: every decision of one extraction, made once, before any frame is read.

:func:`make_plan` looks at the footprint, the video's dtype and what the
source hands over (whole frames, or only the footprint's pixels gathered
into ``(b, 1, P)``) and fixes

* the kernel (see :mod:`._kernels`): ``pixel`` (copy the pixels); ``direct``
  (numpy alone, in a process where no compiled code has run yet, while its
  estimated time and that of the numpy and Python work before it stay below
  what loading numba costs: see :func:`.._jit.compiled_pays`); else the
  compiled ``runs``, ``box`` or ``profile``, by a cost estimate per frame;
* the dtypes: what the kernel reads (native byte order; float16 widened to
  float32; 64-bit integers as int64 while their sums fit, else split into two
  exact halves), the accumulator (float64 for float videos; int32 for 8- and
  16-bit integers in the dense kernels while a window's sum fits, else int64:
  exact either way) and the output (``numpy.mean``'s dtype, or the video's for
  single pixels);
* the block size and the number of threads;
* the kernel's arrays, built here once so that worker threads share them.

Sources then only call :meth:`Plan.extract` on blocks of frames.
"""

import os
from dataclasses import dataclass, field

import numpy as np

from .._jit import compiled_pays, numba_warm, standing_in
from ._kernels import direct_means, kernel

_CPUS = os.cpu_count() or 1
# Below this much work in all (nanoseconds, see the costs below), a second thread costs more than it gains.
_THREAD_MIN_WORK = 1 << 21
# Blocks per thread: enough to even out the threads' loads, few enough to keep per-call costs small.
_BLOCKS_PER_THREAD = 4
# Work per block at least this (nanoseconds), so per-call overheads stay small.
_BLOCK_MIN_WORK = 1 << 18
# Costs per frame in nanoseconds, measured on 128 x 128 float32 frames (one thread): a pixel added
# in the runs kernel and a box started there (many boxes in memory order; a handful cost more per
# pixel, but then nothing else comes close), a pixel of the frame in the box kernel, and in the
# profile kernel per pixel and per window row.
_COST_PIXEL, _COST_BOX_START, _COST_BOX, _COST_PROFILE_PIXEL, _COST_PROFILE_ROW = 1.06, 2.1, 2.2, 1.8, 0.25
# Runs listed for a window footprint at most (memory: 24 bytes a run).
_MAX_LISTED_RUNS = 1 << 21
# The runs kernel reads up to this many boxes in the footprint's order: the memory order pays off
# for many boxes spread over the frame, and sorting a few costs more than it saves.
_UNSORTED_BOXES = 32
# The numpy path's costs in nanoseconds (measured on 1000 x 128 x 128 uint16 and float32 frames): a
# box (one einsum call and its Python), a box's row in one frame, a pixel in one frame. The estimate
# is weighed against loading numba by _jit.compiled_pays.
_DIRECT_COST_BOX, _DIRECT_COST_ROW, _DIRECT_COST_PIXEL = 10_000.0, 40.0, 1.0


def output_dtype(video_dtype, single_pixel):
    """dtype of a trace: a window mean has numpy.mean's dtype, a pixel keeps the video's."""
    video_dtype = np.dtype(video_dtype)
    if single_pixel:
        return video_dtype
    if video_dtype.kind == "f":
        return video_dtype.newbyteorder("=")
    return np.dtype(np.float64)


_DTYPES = {}


def _dtypes(video_dtype, single_pixel):
    """``(output dtype, kernel dtype)`` of a video dtype, worked out once per dtype."""
    key = (video_dtype, single_pixel)
    found = _DTYPES.get(key)
    if found is None:
        found = _DTYPES[key] = (output_dtype(video_dtype, single_pixel), _kernel_dtype(video_dtype))
    return found


def _kernel_dtype(video_dtype):
    """The dtype the kernels read: native byte order, float16 as float32 (numba has no float16)."""
    dtype = video_dtype if video_dtype.isnative else video_dtype.newbyteorder("=")
    if dtype == np.float16:
        return np.dtype(np.float32)
    return dtype


@dataclass(eq=False)
class Plan:
    """How one extraction runs; see the module docstring.

    ``kernel`` is one of ``'pixel'``, ``'direct'``, ``'runs'``, ``'box'``,
    ``'profile'``; ``reads`` is ``'frames'`` or ``'pixels'`` (a gathered
    ``(b, 1, P)`` block).
    """

    kernel: str
    reads: str
    n_regions: int
    out_dtype: np.dtype
    read_dtype: np.dtype
    accumulator: np.ndarray  # 1-element zero of the accumulator's dtype
    split_halves: bool  # 64-bit integers: summed as two exact 32-bit halves
    check: bool  # floats: look for NaN and inf
    block_frames: int
    threads: int
    args: tuple = field(repr=False)  # the kernel's arrays, built once
    frame_pixels: int = 1

    def extract(self, frames, out):
        """Traces of one in-memory block ``frames`` (``(b, H, W)``, or ``(b, 1, P)`` gathered pixels)
        into ``out`` ``(b, N)``."""
        frames = np.asarray(frames)
        if len(frames) == 0 or self.n_regions == 0:
            return out
        if self.kernel == "pixel":
            rows, cols = self.args
            out[...] = frames[:, rows, cols]
            return out
        if self.kernel == "direct":
            with standing_in():
                direct_means(frames, *self.args, self.check, out)
            return out
        run = kernel(self.kernel)
        target = out if out.dtype.char in "fd" else np.empty(out.shape)
        if self.split_halves and _wide_values(frames, self.frame_pixels):
            self._extract_wide(run, frames, target)
        else:
            if frames.dtype != self.read_dtype:
                frames = frames.astype(np.int64 if self.split_halves else self.read_dtype)
            run(frames, *self.args, self.accumulator, self.check, target)
        if target is not out:
            with np.errstate(over="ignore"):
                out[...] = target
        return out

    def _extract_wide(self, run, frames, out):
        """64-bit integers too large for int64 sums: ``v = high * 2**32 + low``, both halves summed
        exactly (as float64 sums below 2**53), then each mean is one correctly rounded division
        of Python integers. Slow, and only for values beyond ``2**62 / H / W``."""
        args = list(self.args)
        index = _TOTALS_INDEX[self.kernel]
        totals = args[index]
        args[index] = np.ones_like(totals)
        high_sums, low_sums = np.empty(out.shape), np.empty(out.shape)
        run(np.right_shift(frames, 32).astype(np.int64), *args, self.accumulator, False, high_sums)
        run(np.bitwise_and(frames, 0xFFFFFFFF).astype(np.int64), *args, self.accumulator, False, low_sums)
        if self.kernel == "runs" and len(self.args[2]):  # weighted regions: float sums anyway
            out[...] = (high_sums * 2.0**32 + low_sums) / totals
            return
        counts = [int(n) for n in totals.tolist()]
        for t, (high_row, low_row) in enumerate(zip(high_sums.tolist(), low_sums.tolist())):
            out[t] = [(int(h) * 2**32 + int(lo)) / n if n else np.nan for h, lo, n in zip(high_row, low_row, counts)]


# Where each kernel's weight totals (pixel counts) are in Plan.args.
_TOTALS_INDEX = {"runs": 3, "box": 6, "profile": 5}


def _wide_values(frames, frame_pixels):
    """Whether sums of up to a frame of these 64-bit integers could leave int64."""
    if frames.size == 0:
        return False
    largest = max(abs(int(frames.max())), abs(int(frames.min())))
    return largest * max(frame_pixels, 1) >= 2**62


def _costs(footprint, reads):
    """Estimated operations per frame of each compiled kernel that can run this footprint."""
    key = ("costs", reads)
    if key not in footprint.__dict__:
        footprint.__dict__[key] = _estimate_costs(footprint, reads)
    return footprint.__dict__[key]


def _estimate_costs(footprint, reads):
    costs = {}
    if footprint.window is None or footprint.n_runs <= _MAX_LISTED_RUNS:
        costs["runs"] = _COST_PIXEL * footprint.n_entries + _COST_BOX_START * footprint.n_boxes
    if reads == "frames" and footprint.window is not None:
        pixels = footprint.frame_shape[0] * footprint.frame_shape[1]
        if footprint.window.is_box:
            costs["box"] = _COST_BOX * pixels
        costs["profile"] = pixels * (_COST_PROFILE_PIXEL + _COST_PROFILE_ROW * len(footprint.window.row_offsets))
    return costs


def choose_kernel(footprint, reads="frames"):
    """The compiled kernel for a footprint: ``'pixel'`` for single pixels, else the cheapest one per frame."""
    if footprint.single_pixel:
        return "pixel"
    costs = _costs(footprint, reads)
    return min(costs, key=costs.get)


def _direct_suits(footprint, video_dtype, reads, n_frames):
    """Whether the numpy path should run: while loading numba does not pay yet (see
    :func:`.._jit.compiled_pays`), on a dtype whose float64 box sums are exact and in unweighted
    regions (so the path cannot change a result)."""
    if numba_warm() or video_dtype.itemsize > 4 or video_dtype.kind not in "iuf":
        return False  # (once numba is warm there is nothing to weigh, and no estimate to make)
    if footprint.box_weights is not None:
        return False
    # box rows: a window's rows (an upper bound at the frame's edges), or a region's runs; in gathered
    # pixels every run is a box of its own
    boxes = footprint.n_boxes if reads == "frames" else footprint.n_runs
    per_frame = _DIRECT_COST_ROW * footprint.n_runs + _DIRECT_COST_PIXEL * footprint.n_entries
    return not compiled_pays((_DIRECT_COST_BOX * boxes + n_frames * per_frame) * 1e-9)


def _accumulator(read_dtype, footprint, kernel):
    """The accumulator's dtype: float64 for floats; for integers int64 (exact), or int32 in the dense
    kernels when every window's sum fits (twice the SIMD lanes; running sums that wrap around are
    still exact modulo 2**32, so only the final sums must fit)."""
    if read_dtype.kind == "f":
        return np.dtype(np.float64)
    if kernel in ("box", "profile") and read_dtype.itemsize <= 2:
        info = np.iinfo(read_dtype)
        if footprint.max_region_pixels() * max(-int(info.min), int(info.max)) < 2**31:
            return np.dtype(np.int32)
    return np.dtype(np.int64)


def make_plan(footprint, video_dtype, *, reads="frames", pixels=None, n_frames=1, block_frames=None,
              threads=None, block_limit=None, time_chunk=None):  # fmt: skip
    """Make the :class:`Plan` of one extraction.

    Parameters
    ----------
    footprint : Footprint
    video_dtype : dtype
    reads : {'frames', 'pixels'}
        What the source hands to :meth:`Plan.extract`: whole frames, or the
        footprint's pixels ``footprint.pixels`` gathered into ``(b, 1, P)``.
    n_frames : int
        Frames in the video (for block size and threads).
    block_frames, threads : int, optional
        Force a block size or a thread count (tests); by default chosen here.
    block_limit : int, optional
        The most frames a block may hold (a source that reads its blocks into memory).
    time_chunk : int, optional
        The frames of one chunk of a chunked store: blocks are then whole chunks (unless
        ``block_frames`` forces a size).
    """
    forced_block = block_frames is not None
    video_dtype = np.dtype(video_dtype)
    out_dtype, read_dtype = _dtypes(video_dtype, footprint.single_pixel)
    is_float = read_dtype.kind == "f"
    if footprint.single_pixel:
        kernel = "pixel"
    elif _direct_suits(footprint, video_dtype, reads, n_frames):
        kernel = "direct"
    else:
        kernel = choose_kernel(footprint, reads)
    split = read_dtype.kind in "iu" and read_dtype.itemsize == 8 and kernel != "pixel"
    accumulator = _zero(_accumulator(read_dtype, footprint, kernel))
    args = _kernel_args(footprint, kernel, reads, pixels, out_dtype)
    if kernel in ("pixel", "direct"):  # numpy: one block, one thread
        per_frame = footprint.n_regions
        threads = 1 if threads is None else threads
        block_frames = n_frames if block_frames is None else block_frames
    else:
        per_frame = _costs(footprint, reads).get(kernel, footprint.n_regions)
    block_frames, threads = _blocks_and_threads(per_frame, n_frames, block_frames, threads, block_limit)
    if time_chunk and not forced_block:  # chunked stores: each chunk is read (and decompressed) once
        block_frames = max(block_frames // time_chunk, 1) * time_chunk
    frame_pixels = footprint.frame_shape[0] * footprint.frame_shape[1]
    return Plan(
        kernel,
        reads,
        footprint.n_regions,
        out_dtype,
        read_dtype,
        accumulator,
        split,
        is_float,
        block_frames,
        threads,
        args,
        frame_pixels,
    )


def _blocks_and_threads(per_frame, n_frames, block_frames, threads, block_limit):
    """Frames per block and threads: a second thread only for enough work; about
    ``_BLOCKS_PER_THREAD`` blocks per thread, each worth at least ``_BLOCK_MIN_WORK`` and a multiple
    of eight frames (the runs kernel takes eight at a time); one block for one thread."""
    n_frames = max(n_frames, 1)
    per_frame = max(int(per_frame), 1)
    if threads is None:
        threads = _CPUS if per_frame * n_frames >= _THREAD_MIN_WORK else 1
    threads = max(1, int(threads))
    if block_frames is None:
        if threads == 1:
            block_frames = n_frames
        else:
            block_frames = max(-(-n_frames // (threads * _BLOCKS_PER_THREAD)), _BLOCK_MIN_WORK // per_frame, 1)
            block_frames = -(-block_frames // 8) * 8
    if block_limit is not None:
        block_frames = min(block_frames, max(int(block_limit), 1))
    block_frames = max(1, min(int(block_frames), n_frames))
    return block_frames, (threads if threads == 1 else max(1, min(threads, -(-n_frames // block_frames))))


_ZEROS = {}


def _zero(dtype):
    """A shared 1-element zero of ``dtype``: the kernels' accumulator argument. (Kernels never
    write their arguments; shared arrays are left writeable all the same, since numba compiles
    read-only arrays as another type.)"""
    zero = _ZEROS.get(dtype)
    if zero is None:
        zero = _ZEROS[dtype] = np.zeros(1, dtype=dtype)
    return zero


_NO_WEIGHTS = np.empty(0)  # unweighted regions


def _boxes_in_memory_order(boxes, region_starts, weights):
    """The runs kernel's table ``(B, 5)`` int64 (first row, stop row, first column, stop column and
    region of each box) and box weights, sorted by where the boxes start in memory, so that each
    frame is read about front to back; up to ``_UNSORTED_BOXES`` boxes stay in region order."""
    table = np.empty((len(boxes), 5), dtype=np.int64)
    if len(boxes) <= _UNSORTED_BOXES:  # plain Python: numpy's per-call costs would exceed the kernel's gain
        starts = region_starts.tolist()
        table[:, :4] = boxes
        table[:, 4] = [i for i in range(len(starts) - 1) for _ in range(starts[i + 1] - starts[i])]
        order = slice(None)
    else:
        regions = np.repeat(np.arange(len(region_starts) - 1, dtype=np.int64), np.diff(region_starts))
        order = np.lexsort((boxes[:, 2], boxes[:, 0]))
        table[:, :4], table[:, 4] = boxes[order], regions[order]
    return table, (_NO_WEIGHTS if weights is None else np.ascontiguousarray(weights[order], dtype=np.float64))


def _gathered_runs(footprint, pixels):
    """The footprint's runs as boxes ``(B, 4)`` (first row, stop row, first column, stop column) of a
    block of gathered pixels ``(b, 1, P)``, with each region's first box ``(N + 1,)``: a run's pixels
    are consecutive in the sorted ``pixels`` too."""
    runs = footprint.runs
    starts = np.searchsorted(pixels, runs.rows * footprint.frame_shape[1] + runs.col_starts)
    table = np.zeros((len(starts), 4), dtype=np.int64)
    table[:, 1], table[:, 2], table[:, 3] = 1, starts, starts + (runs.col_stops - runs.col_starts)
    return table, runs.region_starts


def _kernel_args(footprint, kernel, reads, pixels, out_dtype):
    """The arrays one kernel needs, in its argument order (after ``frames``)."""
    height, width = footprint.frame_shape
    intp = np.int64
    if kernel == "pixel":
        shape = footprint.window
        if reads == "pixels":
            index = np.searchsorted(pixels, shape.centre_rows * width + shape.centre_cols)
            return np.zeros(len(index), dtype=intp), index.astype(intp)
        return shape.centre_rows.astype(intp), shape.centre_cols.astype(intp)
    totals = footprint.weight_totals  # (N,) float64
    if kernel == "direct":  # each region's boxes, as lists (the numpy path loops over them in Python)
        if reads == "frames" and footprint.window is not None:
            return footprint.boxes, totals
        pair = (footprint.box_table, footprint.box_starts) if reads == "frames" else _gathered_runs(footprint, pixels)
        table, starts = (array.tolist() for array in pair)
        return [table[starts[i] : starts[i + 1]] for i in range(footprint.n_regions)], totals
    if kernel == "runs":
        if reads == "pixels":
            (table, region_starts), weights = _gathered_runs(footprint, pixels), footprint.runs.weights
        else:
            table, region_starts, weights = footprint.box_table, footprint.box_starts, footprint.box_weights
        in_memory = _boxes_in_memory_order(table, region_starts, weights)
        weights = _NO_WEIGHTS if weights is None else np.ascontiguousarray(weights, dtype=np.float64)
        return (region_starts, table, weights, totals, *in_memory)
    shape = footprint.window
    need_row = np.zeros(height, dtype=np.bool_)
    need_row[shape.centre_rows] = True
    flat = shape.centre_rows.astype(intp) * width + shape.centre_cols
    identity = bool(len(flat) == height * width and np.array_equal(flat, np.arange(height * width)))
    # float32 means multiply by the reciprocal count: its error, an ulp of float64, is gone once the mean
    # is rounded to float32. float64 means divide (slower, but hidden behind the memory traffic here):
    # one rounding, so a constant's mean is the constant, as numpy's is.
    scales = 1.0 / totals if out_dtype.itemsize < 8 else np.empty(0)
    centre = (shape.centre_rows.astype(intp), shape.centre_cols.astype(intp), totals, scales, need_row, identity)
    if kernel == "box":
        bounds = (
            int(shape.row_offsets[0]),
            int(shape.row_offsets[-1]) + 1,
            int(shape.col_starts[0]),
            int(shape.col_stops[0]),
        )
        return (*bounds, *centre)
    return (shape.row_offsets.astype(intp), shape.col_starts.astype(intp), shape.col_stops.astype(intp), *centre)
