"""TIFF files as videos: multi-page stacks, ImageJ hyperstacks, OME-TIFF (also
series spread over several files) and Micro-Manager stacks.

tifffile describes the image series of a file by named axes: ``Y`` and ``X`` the
image, ``S`` the samples of a pixel (RGB), ``C`` the channels, and axes along
which images follow one another (``T`` time, ``Z`` planes, ``I``, ``Q``...).

How a series becomes a video ``(T, H, W)``:

- ``C`` is the channel axis when it has several entries and another of these
  axes has several entries too (ImageJ ``TCYX``, OME ``TCYX``). When ``C`` is the
  only long axis it is taken as the time axis: tifffile and other writers label
  the frames of a plain stack as channels.
- Otherwise ``S`` is the channel axis when a pixel has several samples (RGB).
- Of the remaining axes at most one may have several entries: the time axis.
  With none, the series holds one frame (a file without any such axis holds a
  single 2-D image).
"""

import math
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .._optional import import_optional
from ._common import NotMappableError, OptionError, library_errors
from ._concat import concatenate_lazily, range_to_slice

# Bytes of pages read in one call of tifffile when the pages are not stored as plain frames.
_BATCH_BYTES = 1 << 26
_KIND = "TIFF file"


class Layout(NamedTuple):
    """Where the frames of one channel are in a TIFF image series."""

    n_frames: int
    height: int
    width: int
    n_channels: int
    is_image: bool  # no frame axis at all: a single 2-D image
    index: tuple  # indexes the full series array down to (frame axes..., Y, X)
    page_base: int | None  # frame t is page page_base + t * page_step; None: frames are not pages
    page_step: int
    sample: tuple | None  # indexes one page's data down to (Y, X), when the channel is a sample


def _describe(axes, shape):
    """The axes and shape, without the axes of length 1 that tifffile adds (except Y and X)."""
    kept = [(axis, int(n)) for axis, n in zip(axes, shape) if n != 1 or axis in "YX"]
    return f"TIFF axes {''.join(a for a, _ in kept)}, shape {tuple(n for _, n in kept)}"


def analyse(axes, shape, page_axes, page_size, n_pages, channel, path, role="video"):
    """The :class:`Layout` of the frames of ``channel`` in a series, or a ValueError.

    ``axes``/``shape`` describe the whole series, ``page_axes``/``page_size`` one
    page of it (its keyframe) and ``n_pages`` how many pages it has. ``role`` is
    ``"video"`` for a file loaded as (part of) a video and ``"image"`` for one
    image of a folder of images, and only changes the wording of errors.

    >>> layout = analyse("TCYX", (6, 2, 4, 5), "YX", 20, 12, 1, "a.tif")
    >>> layout.n_frames, layout.n_channels, layout.page_base, layout.page_step
    (6, 2, 1, 2)
    """
    dims = list(zip(axes, (int(n) for n in shape)))
    described = _describe(axes, shape)
    if "Y" not in axes or "X" not in axes:
        raise ValueError(f"'{path}' has {described}, which load_video cannot read as frames")
    height, width = dims[axes.index("Y")][1], dims[axes.index("X")][1]
    samples = math.prod(n for axis, n in dims if axis == "S")
    channels = math.prod(n for axis, n in dims if axis == "C")
    others_long = [(axis, n) for axis, n in dims if axis not in "YXSC" and n > 1]
    c_is_channel = channels > 1 and bool(others_long)
    if c_is_channel and samples > 1:
        raise ValueError(
            f"'{path}' has {channels} channels of {samples} samples per pixel each ({described}): "
            "load_video reads one channel of single-sample images"
        )
    channel_axis = "C" if c_is_channel else ("S" if samples > 1 else None)
    n_channels = channels if c_is_channel else samples

    frame_dims = [
        (i, axis, n) for i, (axis, n) in enumerate(dims) if axis not in "YXS" and not (axis == "C" and c_is_channel)
    ]
    several = [(axis, n) for _, axis, n in frame_dims if n > 1]
    if len(several) > 1:
        raise ValueError(
            f"'{path}' has {described}: more than one of them "
            f"({', '.join(f'{axis}={n}' for axis, n in several)}) has several entries, so the "
            "file holds more than one plane per frame and channel; load_video needs a "
            "single-channel video with one image per frame"
        )
    is_image = not frame_dims

    if n_channels > 1 and channel is None:
        if role == "image":
            lead = f"'{path}' holds data of shape {_squeezed(dims)}, not one grayscale image: it"
        else:
            lead = f"'{path}'"
        if channel_axis == "S":
            raise OptionError(
                "channel",
                None,
                f"{lead} is a colour (RGB) or multi-sample TIFF with {samples} samples per "
                f"pixel ({described}); load_video returns a single-channel video, so pass <option> "
                f"to load one of them (0 to {samples - 1})",
            )
        raise OptionError(
            "channel",
            None,
            f"{lead} holds more than one channel: {channels} channels ({described}); "
            f"load_video returns a single-channel video, so pass <option> to choose one of them (0 to {channels - 1})",
        )
    k = 0 if channel is None else channel
    if k >= n_channels:
        allowed = "0 (or None)" if n_channels == 1 else f"from 0 to {n_channels - 1}"
        has = "a single channel" if n_channels == 1 else f"{n_channels} channels"
        raise OptionError(
            "channel", k, f"<given> is out of range: '{path}' has {has} ({described}), so <name> must be {allowed}"
        )

    # Index of the full series array down to (frame axes..., Y, X).
    index, kept = [], []
    for axis, _ in dims:
        if axis == channel_axis:
            index.append(k)
        elif axis == "S":
            index.append(0)
        else:
            index.append(slice(None))
            kept.append(axis)
    if kept[-2:] != ["Y", "X"]:
        raise ValueError(f"'{path}' has {described}, which load_video cannot read as frames")
    n_frames = math.prod(n for _, _, n in frame_dims)

    # Are the frames pages? Then frame t is page page_base + t * page_step.
    paged = [(axis, n) for axis, n in dims if axis not in "YXS"]
    page_base, page_step, sample = None, 1, None
    if (
        set(page_axes) <= set("YXS")
        and math.prod(n for _, n in paged) == n_pages
        and page_size == height * width * samples
    ):
        strides = [math.prod(n for _, n in paged[i + 1 :]) for i in range(len(paged))]
        page_base = 0
        for (axis, n), stride in zip(paged, strides):
            if axis == channel_axis:
                page_base = k * stride
            elif n > 1:
                page_step = stride  # the time axis
        if "S" in page_axes:
            sample = tuple(k if axis == "S" else slice(None) for axis in page_axes)
    return Layout(n_frames, height, width, n_channels, is_image, tuple(index), page_base, page_step, sample)


def _squeezed(dims):
    return tuple(n for axis, n in dims if n > 1 or axis in "YX")


def _not_mappable(path, compression, reason=None):
    if int(compression) != 1:
        name = getattr(compression, "name", str(compression))
        return NotMappableError(
            f"'{path}' is compressed ({name}) and cannot be memory-mapped: "
            "load it with use_mmap=False, or save it uncompressed to memory-map it"
        )
    return NotMappableError(
        f"the image data of '{path}' are not stored contiguously ({reason or 'for example tiled or in scattered strips'}) "
        "and cannot be memory-mapped: load it with use_mmap=False"
    )


def _one_page_per_series(tif):
    """Whether the file is a plain sequence of equal 2-D pages, one series each."""
    first = tif.series[0]
    return len(tif.pages) == len(tif.series) and all(
        len(s.pages) == 1 and s.axes == "YX" and s.shape == first.shape and s.dtype == first.dtype for s in tif.series
    )


def _resolved(name):
    return Path(name).resolve()


class TiffVideo:
    """The frames of one channel of the image series of a TIFF file.

    Opens the file (read-only) and keeps it open until :meth:`close`. A
    multi-file OME-TIFF or Micro-Manager series is the whole series, whichever
    of its files is opened; :attr:`files` names them all.

    Attributes
    ----------
    path : pathlib.Path
        The file opened.
    files : frozenset of pathlib.Path
        Every file the frames come from (resolved).
    n_frames, frame_shape, dtype
        The video's length, ``(H, W)`` and dtype (native byte order).
    is_image : bool
        The file holds a single 2-D image (one frame), not a stack.
    multifile_kind : str or None
        ``"OME-TIFF"`` or ``"Micro-Manager"`` for a series spread over several files.
    """

    def __init__(self, path, channel=None, *, role="video"):
        tifffile = import_optional("tifffile", "tiff", "read TIFF files")
        self.path = Path(path)
        with library_errors(self.path, _KIND):
            self._tif = tifffile.TiffFile(self.path)
        try:
            self._open(channel, role)
        except BaseException:
            self._tif.close()
            raise

    def _open(self, channel, role):
        tif, path = self._tif, self.path
        with library_errors(path, _KIND):
            if not tif.series:
                raise ValueError("no image series found")
            if len(tif.series) > 1 and _one_page_per_series(tif):
                # Pages appended one by one with their own shape metadata: each page a frame.
                series, pages = None, tif.pages
                keyframe = tif.pages[0]
                axes, shape = "I" + keyframe.axes, (len(pages), *keyframe.shape)
                dtype = keyframe.dtype
            else:
                series = pages = tif.series[0]
                keyframe = series.keyframe
                if hasattr(series, "get_axes"):
                    axes, shape = series.get_axes(False), tuple(series.get_shape(False))
                else:  # older tifffile
                    axes, shape = series.axes, tuple(series.shape)
                dtype = series.dtype
            multifile = bool(series is not None and getattr(series, "is_multifile", False))
            missing = 0
            files = {_resolved(path)}
            if series is not None and series.kind in ("ome", "mmstack"):
                listed = list(series)
                missing = sum(page is None for page in listed)
                if multifile:
                    files |= {_resolved(page.parent.filehandle.path) for page in listed if page is not None}
            # A single file whose data lie in one block: mapped and read through numpy.
            contiguous = None
            if series is not None and not multifile and not missing and keyframe.is_memmappable:
                contiguous = series.dataoffset
            self._compression = keyframe.compression
            self._page_axes, self._page_shape = keyframe.axes, tuple(keyframe.shape)
            n_pages = len(pages)
            page_size = int(keyframe.size)
        self.multifile_kind = {"ome": "OME-TIFF", "mmstack": "Micro-Manager"}.get(series.kind) if multifile else None
        if missing:
            what = {"ome": "OME-TIFF", "mmstack": "Micro-Manager"}[series.kind] + " series"
            raise ValueError(
                f"the {what} of '{path}' is incomplete: {missing} of its {len(pages)} images are missing "
                "(a file of the series is missing, unreadable or truncated); load_video does not fill "
                "missing frames with zeros"
            )
        self.layout = analyse(axes, shape, self._page_axes, page_size, n_pages, channel, path, role)
        self._series, self._pages, self._axes, self._shape = series, pages, axes, shape
        self._contiguous = contiguous
        self.files = frozenset(files)
        self.dtype = np.dtype(dtype)
        self._byteorder = tif.byteorder
        self.n_frames = self.layout.n_frames
        self.frame_shape = (self.layout.height, self.layout.width)
        self.is_image = self.layout.is_image

    def close(self):
        self._tif.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------ frames

    def _whole_mapped(self):
        """The frames ``(n, H, W)`` as a view of one read-only memory map of the series."""
        dtype = np.dtype(self._byteorder + self.dtype.char)
        with library_errors(self.path, _KIND):
            mapped = np.memmap(self.path, dtype=dtype, mode="r", offset=self._contiguous, shape=self._shape)
        return mapped[self.layout.index].reshape(self.n_frames, *self.frame_shape)

    def mapped(self, frames):
        """Frames ``frames`` (a range) without reading them: a read-only memory map.

        A :class:`numpy.memmap` view when they lie evenly spaced in one file,
        else a ``ConcatenatedVideo`` of such views.
        """
        if self._contiguous is not None:
            return self._whole_mapped()[range_to_slice(frames)]
        if not len(frames):
            return np.empty((0, *self.frame_shape), self.dtype)
        if self.layout.page_base is None:
            raise _not_mappable(self.path, self._compression)
        base, step = self.layout.page_base, self.layout.page_step
        pages = range(base + frames.start * step, base + frames.stop * step, frames.step * step)
        return concatenate_lazily(self._map_pages(pages))

    def _map_pages(self, pages):
        """Read-only strided memory maps of ``pages`` (a range of page indices), one per run of
        evenly spaced pages in one file."""
        dtype, path = self.dtype, self.path
        if int(self._compression) != 1:
            raise _not_mappable(path, self._compression)
        page_bytes = math.prod(self._page_shape) * dtype.itemsize
        located = []  # (file, byte order, data offset) of each page
        with library_errors(path, _KIND):
            for p in pages:
                page = self._pages[p]
                offset = _page_offset(page, page_bytes, dtype.itemsize)
                if offset is None:
                    raise _not_mappable(path, self._compression, _why_not_contiguous(page, dtype.itemsize))
                located.append((page.parent.filehandle.path, page.parent.byteorder, offset))
        runs = _even_runs(located, page_bytes)
        spans = {}  # file: (first byte, end) of the pages needed from it
        for file, _, offset, spacing, count in runs:
            first, end = spans.get(file, (offset, 0))
            spans[file] = (min(first, offset), max(end, offset + spacing * (count - 1) + page_bytes))
        maps = {}  # file: one memory map of its span
        with library_errors(path, _KIND):
            for file, byteorder, *_ in runs:
                if file not in maps:
                    first, end = spans[file]
                    typed = np.dtype(byteorder + dtype.char)
                    maps[file] = np.memmap(
                        file, dtype=typed, mode="r", offset=first, shape=((end - first) // typed.itemsize,)
                    )
        page_strides = np.empty(self._page_shape, dtype).strides
        views = []
        for file, _, offset, spacing, count in runs:
            start = maps[file][(offset - spans[file][0]) // dtype.itemsize :]
            view = np.lib.stride_tricks.as_strided(
                start, shape=(count, *self._page_shape), strides=(spacing, *page_strides), subok=True, writeable=False
            )
            if self.layout.sample is not None:
                view = view[(slice(None), *self.layout.sample)]
            views.append(view.reshape(count, *self.frame_shape))
        return views

    def read_into(self, frames, out):
        """Read frames ``frames`` (a range) into ``out``, shaped ``(len(frames), H, W)``."""
        if not len(frames):
            return
        path = self.path
        if self._contiguous is not None:
            view = self._whole_mapped()[range_to_slice(frames)]
            with library_errors(path, _KIND):
                out[...] = view
            return
        layout = self.layout
        if layout.page_base is None:
            # Frames are not pages (e.g. one page holds a volume): read the whole series.
            with library_errors(path, _KIND):
                data = self._series.asarray().reshape(self._shape)
            out[...] = data[layout.index].reshape(self.n_frames, *self.frame_shape)[range_to_slice(frames)]
            return
        pages = [layout.page_base + t * layout.page_step for t in frames]
        per_batch = max(1, _BATCH_BYTES // max(1, math.prod(self._page_shape) * self.dtype.itemsize))
        for at in range(0, len(pages), per_batch):
            batch = pages[at : at + per_batch]
            with library_errors(path, _KIND):
                if self._series is None:
                    data = self._tif.asarray(key=batch)
                else:
                    data = self._tif.asarray(key=batch, series=self._series)
            data = data.reshape(len(batch), *self._page_shape)
            if layout.sample is not None:
                data = data[(slice(None), *layout.sample)]
            out[at : at + len(batch)] = data.reshape(len(batch), *self.frame_shape)


def _even_runs(located, page_bytes):
    """Group pages at ``(file, byte order, offset)`` into runs of evenly spaced pages of one
    file: ``(file, byte order, first offset, spacing, count)``.

    >>> _even_runs([("a", "<", 100), ("a", "<", 200), ("a", "<", 300), ("a", "<", 350), ("b", "<", 100)], 50)
    [('a', '<', 100, 100, 3), ('a', '<', 350, 50, 1), ('b', '<', 100, 50, 1)]
    """
    runs = []
    for file, byteorder, offset in located:
        if runs:
            last_file, _, first, spacing, count = runs[-1]
            gap = offset - first
            if last_file == file and (gap == spacing * count if count > 1 else gap >= page_bytes):
                runs[-1] = (file, byteorder, first, spacing if count > 1 else gap, count + 1)
                continue
        runs.append((file, byteorder, offset, page_bytes, 1))
    return runs


def _page_offset(page, page_bytes, itemsize):
    """Offset of the page's image data when they can be memory-mapped as they are, else None."""
    if page is None or not page.is_final:
        return None
    offsets, counts = page.dataoffsets, page.databytecounts
    if not offsets or offsets[0] % itemsize:
        return None
    for i in range(len(offsets) - 1):
        if offsets[i] + counts[i] != offsets[i + 1]:
            return None
    if sum(counts) < page_bytes:
        return None
    return int(offsets[0])


def _why_not_contiguous(page, itemsize):
    if page is None:
        return "an image is missing"
    if page.is_final and page.dataoffsets and page.dataoffsets[0] % itemsize:
        return "an image is not aligned to its data type"
    return None
