"""A lazy, read-only video made of the frames of several arrays, one after another.

``load_video(..., use_mmap=True)`` returns one when the selected frames come from
more than one memory map (a recording split over several files, or frames of one
file that are not evenly spaced). It reads nothing until it is sliced, and then
only the frames asked for.
"""

import operator
import os

import numpy as np


def part_of_range(frames, lo, hi):
    """The sub-range of ``frames`` whose values lie in ``[lo, hi)``, in the same order.

    ``frames`` is a ``range`` with any non-zero step.

    >>> part_of_range(range(3, 20, 4), 5, 12)
    range(7, 15, 4)
    >>> part_of_range(range(19, 2, -4), 5, 12)
    range(11, 3, -4)
    """
    start, step = frames.start, frames.step
    if step > 0:
        first = -((start - lo) // step)  # ceil((lo - start) / step)
        last = -((start - hi) // step)
    else:
        first = (start - hi) // -step + 1
        last = (start - lo) // -step + 1
    n = len(frames)
    first, last = min(max(first, 0), n), min(max(last, 0), n)
    return frames[first : max(first, last)]


def range_to_slice(frames):
    """The slice that selects ``frames`` (a range, its values valid indices) from an axis.

    >>> range_to_slice(range(4, -1, -2))
    slice(4, None, -2)
    """
    if not frames:
        return slice(0, 0)
    stop = frames.stop
    if frames.step < 0 and stop < 0:
        stop = None
    return slice(frames.start, stop, frames.step)


def concatenate_lazily(parts):
    """One array-like of the frames of ``parts`` (each ``(n_i, H, W)``), one after another.

    A single part is returned as it is; parts that are themselves
    ``ConcatenatedVideo`` are flattened; parts without frames are left out
    (one is kept when all are empty).
    """
    flat = []
    for part in parts:
        if isinstance(part, ConcatenatedVideo):
            flat.extend(part._parts)
        else:
            flat.append(part)
    kept = [part for part in flat if len(part)] or flat[:1]
    if len(kept) == 1:
        return kept[0]
    return ConcatenatedVideo(kept)


class ConcatenatedVideo:
    """A read-only video ``(T, H, W)`` whose frames are those of several arrays in turn.

    It slices like a numpy array and reads only what is asked for: the parts
    (typically read-only memory maps of several files) are never joined. Indexing
    returns read-only numpy arrays (or numpy scalars); ``numpy.asarray(video)``
    reads every frame into one new array.

    Parameters
    ----------
    parts : sequence of array-like
        At least two arrays shaped ``(n_i, H, W)``, all with the same frame shape
        ``(H, W)``. The video's dtype is the first part's; parts stored with
        another byte order are converted when read.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.arange(2 * 2 * 3).reshape(2, 2, 3)
    >>> b = 100 + np.arange(3 * 2 * 3).reshape(3, 2, 3)
    >>> video = ConcatenatedVideo([a, b])
    >>> video.shape, len(video)
    ((5, 2, 3), 5)
    >>> video[1:4, 0, 0]
    array([  6, 100, 106])
    >>> np.array_equal(np.asarray(video), np.concatenate([a, b]))
    True
    """

    __slots__ = ("_parts", "_bounds", "_shape", "_dtype")

    def __init__(self, parts):
        parts = list(parts)
        if len(parts) < 2:
            raise ValueError(f"a ConcatenatedVideo needs at least two parts, got {len(parts)}")
        frame_shape = tuple(parts[0].shape[1:])
        for i, part in enumerate(parts):
            if len(part.shape) != 3 or tuple(part.shape[1:]) != frame_shape:
                raise ValueError(
                    f"part {i} has shape {tuple(part.shape)}, but every part must be shaped "
                    f"(n, {frame_shape[0]}, {frame_shape[1]}) like the first"
                )
        self._parts = tuple(parts)
        bounds = [0]
        for part in parts:
            bounds.append(bounds[-1] + int(part.shape[0]))
        self._bounds = tuple(bounds)
        self._shape = (bounds[-1], *(int(n) for n in frame_shape))
        self._dtype = np.dtype(parts[0].dtype)

    # ------------------------------------------------------------ attributes

    @property
    def shape(self):
        """``(T, H, W)``: frames, rows, columns."""
        return self._shape

    @property
    def dtype(self):
        return self._dtype

    @property
    def ndim(self):
        return 3

    @property
    def size(self):
        return self._shape[0] * self._shape[1] * self._shape[2]

    @property
    def nbytes(self):
        """Bytes of all frames (as ``numpy.ndarray.nbytes``); none of them are in memory."""
        return self.size * self._dtype.itemsize

    @property
    def n_parts(self):
        """Number of arrays the frames come from."""
        return len(self._parts)

    @property
    def files(self):
        """Paths (str) of the memory-mapped files the frames come from, in order, each once."""
        names = []
        for part in self._parts:
            name = getattr(part, "filename", None)
            if name is not None and os.fspath(name) not in names:
                names.append(os.fspath(name))
        return tuple(names)

    def __len__(self):
        return self._shape[0]

    def __repr__(self):
        t, h, w = self._shape
        return f"<ConcatenatedVideo ({t}, {h}, {w}) {self._dtype} from {len(self._parts)} parts, read-only>"

    # ------------------------------------------------------------ reading

    def __getitem__(self, key):
        time, rest = self._split_key(key)
        if isinstance(time, slice):
            return self._read(range(self._shape[0])[time], rest)
        n = self._shape[0]
        index = time + n if time < 0 else time
        if not 0 <= index < n:
            raise IndexError(f"index {time} is out of range for a video of {n} frames")
        i = self._part_of(index)
        return self._finish(self._parts[i][(index - self._bounds[i], *rest)])

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __array__(self, dtype=None, copy=None):
        if copy is False:
            raise ValueError(
                f"the frames of this ConcatenatedVideo lie in {len(self._parts)} separate arrays "
                "and cannot be returned as one array without copying"
            )
        result = self._read(range(self._shape[0]), ())
        if dtype is not None and np.dtype(dtype) != result.dtype:
            return result.astype(dtype)
        result.flags.writeable = True  # a new array that nothing else uses
        return result

    def _split_key(self, key):
        """``(time index, the rest of the key)``; the time index an int or a slice."""
        key = key if isinstance(key, tuple) else (key,)
        ellipses = sum(k is Ellipsis for k in key)
        if ellipses > 1:
            raise IndexError("an index can only have a single ellipsis ('...')")
        if ellipses:
            at = next(i for i, k in enumerate(key) if k is Ellipsis)
            fill = 3 - (len(key) - 1)
            key = key[:at] + (slice(None),) * max(fill, 0) + key[at + 1 :]
        if len(key) > 3:
            raise IndexError(f"too many indices: the video is 3-D (frames, rows, columns), got {len(key)}")
        if not key:
            return slice(None), ()
        time, rest = key[0], key[1:]
        if isinstance(time, slice):
            return time, rest
        if isinstance(time, (bool, np.bool_)) or time is None:
            raise TypeError(
                f"the frame index must be an integer or a slice, got {time!r}: a ConcatenatedVideo "
                "does not support None or boolean indices on the time axis"
            )
        try:
            return operator.index(time), rest
        except TypeError:
            raise TypeError(
                f"the frame index must be an integer or a slice, got {type(time).__name__}: "
                "index arrays are not supported on the time axis of a ConcatenatedVideo; read a "
                "slice first, or numpy.asarray(video) for all frames"
            ) from None

    def _part_of(self, index):
        lo, hi = 0, len(self._parts) - 1
        while lo < hi:  # the last part whose first frame is <= index
            mid = (lo + hi + 1) // 2
            if self._bounds[mid] <= index:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def _read(self, frames, rest):
        """Frames ``frames`` (a range of frame indices), indexed by ``rest`` on the other axes."""
        pieces = []
        order = range(len(self._parts)) if frames.step > 0 else range(len(self._parts) - 1, -1, -1)
        for i in order:
            lo, hi = self._bounds[i], self._bounds[i + 1]
            local = part_of_range(frames, lo, hi)
            if len(local):
                local = range(local.start - lo, local.stop - lo, local.step)
                pieces.append(self._parts[i][(range_to_slice(local), *rest)])
        if not pieces:
            return self._finish(self._parts[0][(slice(0, 0), *rest)])
        if len(pieces) == 1:
            return self._finish(pieces[0])
        result = np.concatenate([np.asarray(piece, dtype=self._dtype) for piece in pieces], axis=0)
        result.flags.writeable = False
        return result

    def _finish(self, result):
        """A read-only ndarray (not a memmap) of the video's dtype, or a numpy scalar."""
        if not isinstance(result, np.ndarray):
            if np.ndim(result) == 0:
                return self._dtype.type(result)
            result = np.asarray(result)
        if result.dtype != self._dtype:
            result = result.astype(self._dtype)
        if result.ndim == 0:
            return result[()]
        result = result.view(np.ndarray)  # a new view: the part itself stays as it is
        result.flags.writeable = False
        return result
